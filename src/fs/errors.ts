/**
 * FtpError -> vscode.FileSystemError, keeping the server's words. A data-connection failure or
 * timeout also names the transfer mode in use and what to do about it, since that is the one
 * error an FTP user can fix from the editor.
 */
import * as vscode from 'vscode';
import type { DataMethod, TransferMode } from '../ftp';
import { isFtpError } from '../ftp/errors';
import type { FtpError } from '../ftp/errors';
import { modeOfMethod } from '../ftp/data/methods';
import { isEngineLoadError } from './engine';
import { escapeMessage } from '../ui/escape';

export interface ModeContext {
  /** The site's configured mode. */
  mode: TransferMode;
  /** The method that worked last (auto mode), when known. */
  working?: DataMethod;
}

const FIX = {
  passive: 'A firewall or NAT between this computer and the server is probably cutting the data connection: try active mode (FTP: Set Transfer Mode...), or run FTP: Diagnose Connection... to find out.',
  active: 'The server could not keep its connection back to this computer (a firewall or NAT in front of it): try passive mode (FTP: Set Transfer Mode...), or set the active port range and external address; FTP: Diagnose Connection... finds out.',
};

export function dataAdvice(e: FtpError, ctx?: ModeContext): string | undefined {
  const isData = e.kind === 'dataConnection' || (e.kind === 'timeout' && /^No data moved/.test(e.message));
  if (!isData || !ctx) return undefined;
  if (e.attempts?.length) return /Diagnose Connection/.test(e.message) ? undefined : 'Run FTP: Diagnose Connection... to see why.';
  const method = (e.method as DataMethod | undefined) ?? ctx.working;
  const mode = method ? modeOfMethod(method) : ctx.mode === 'auto' ? undefined : ctx.mode;
  if (!mode) return 'Run FTP: Diagnose Connection... to see why.';
  return `(${mode} mode${method ? `, ${method.toUpperCase()}` : ''}) ${FIX[mode]}`;
}

export function toFileSystemError(e: unknown, uri: vscode.Uri, ctx?: ModeContext): Error {
  if (e instanceof vscode.FileSystemError) return e;
  if (!isFtpError(e)) {
    // The engine's file itself could not be loaded (engine.ts): its message says what to do.
    if (isEngineLoadError(e)) return vscode.FileSystemError.Unavailable(escapeMessage(`${uri.toString(true)}: ${e.message}`));
    // The engine's own errors are FtpErrors; what else arrives is a local file's (upload, download).
    const local = localWords(e as NodeJS.ErrnoException);
    if (local) return new vscode.FileSystemError(escapeMessage(`${uri.toString(true)}: ${local}`));
    return e instanceof Error ? e : new Error(String(e));
  }
  const advice = dataAdvice(e, ctx);
  // Shown in a notification, where VS Code makes [label](command:...) a link: the server's words stay words.
  const message = escapeMessage(`${uri.toString(true)}: ${e.message}${advice ? ` ${advice}` : ''}`);
  switch (e.kind) {
    case 'notFound': return vscode.FileSystemError.FileNotFound(message);
    case 'notADirectory': return vscode.FileSystemError.FileNotADirectory(message);
    case 'exists': return vscode.FileSystemError.FileExists(message);
    case 'permission':
    case 'loginRefused': return vscode.FileSystemError.NoPermissions(message);
    case 'unreachable':
    case 'connectionLost':
    case 'timeout':
    case 'transient':
    case 'interrupted':
    case 'dataConnection': return vscode.FileSystemError.Unavailable(message);
    default: return new vscode.FileSystemError(message);
  }
}

const LOCAL: Record<string, string> = {
  ENOSPC: 'the disk of this computer is full',
  EDQUOT: 'the disk quota of this computer is used up',
  EACCES: 'permission denied on this computer',
  EPERM: 'not permitted on this computer',
  ELOOP: 'the local path is a symbolic link, which is not followed',
  ENOENT: 'the local file or folder does not exist',
  EEXIST: 'a local file is in the way',
  EISDIR: 'the local path is a folder',
  EROFS: 'the local disk is read-only',
};

/** A Node error of a local file in words, or undefined when it is something else. */
function localWords(e: NodeJS.ErrnoException | undefined): string | undefined {
  const words = e?.code ? LOCAL[e.code] : undefined;
  return words ? `${words} (${e!.path ?? e!.code})` : undefined;
}
