/** FtpError -> vscode.FileSystemError, keeping the server's words. */
import * as vscode from 'vscode';
import { FtpError } from '../ftp';

export function toFileSystemError(e: unknown, uri: vscode.Uri): Error {
  if (e instanceof vscode.FileSystemError) return e;
  if (!(e instanceof FtpError)) return e instanceof Error ? e : new Error(String(e));
  const message = `${uri.toString(true)}: ${e.message}`;
  switch (e.kind) {
    case 'notFound': return vscode.FileSystemError.FileNotFound(message);
    case 'exists': return vscode.FileSystemError.FileExists(message);
    case 'permission':
    case 'loginRefused': return vscode.FileSystemError.NoPermissions(message);
    case 'unreachable':
    case 'connectionLost':
    case 'timeout':
    case 'transient':
    case 'dataConnection': return vscode.FileSystemError.Unavailable(message);
    default: return new vscode.FileSystemError(message);
  }
}
