/**
 * A site list to import is untrusted input: someone may hand over a file made to hurt. These are
 * the bounds every parser keeps, and the checks of single values that would reach the engine.
 */
import { ImportFileError } from './records';

/** Bigger files are refused before they are read (a FileZilla file of 1,000 sites is about 1 MB). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Entries read at most; the rest of a file is left out and said so. */
export const MAX_ENTRIES = 5000;
/** Folders inside folders at most (FileZilla's own Site Manager stays far below). */
export const MAX_DEPTH = 32;
/** Names and folder names are cut to this many characters, as FileZilla does. */
export const MAX_NAME = 255;
/** Longer passwords are not imported (no FTP server takes one this long). */
export const MAX_PASSWORD = 1024;

/** The file's text: refused when too big or not UTF-8 (both formats are UTF-8); a BOM is dropped. */
export function decodeFile(bytes: Uint8Array): string {
  if (bytes.byteLength > MAX_FILE_BYTES) throw new ImportFileError(`The file is ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB; site lists over ${MAX_FILE_BYTES / 1024 / 1024} MB are not read.`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ImportFileError('The file is not UTF-8 text, which both FileZilla and the SFTP extension write.');
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `host` can't be a host name or address, or undefined. */
export function hostProblem(host: string): string | undefined {
  if (!host) return 'it has no host';
  if (host.length > 253 || CONTROL.test(host) || /[\s/@\\?#]/.test(host)) return 'its host is not a host name or address';
  return undefined;
}

/** Why a user name can't be sent (USER), or undefined. */
export function userProblem(user: string): string | undefined {
  if (user.length > MAX_NAME || CONTROL.test(user)) return 'its user name has line breaks or control characters, or is too long';
  return undefined;
}

/** Why a password can't be sent (PASS), or undefined: it is then not imported. */
export function passwordProblem(password: string): string | undefined {
  if (password.length > MAX_PASSWORD) return `it is over ${MAX_PASSWORD} characters long`;
  if (/[\r\n\0]/.test(password)) return 'it has a line break or NUL, which FTP cannot send';
  return undefined;
}

/** A port number 1-65535 from a number or text, or undefined. */
export function portOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,5}\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** A name as shown: trimmed, without line breaks, at most MAX_NAME characters. */
export function cleanName(name: string): string {
  return [...name.replace(/\s+/g, ' ').trim()].slice(0, MAX_NAME).join('');
}
