/**
 * Local paths built from names a server sent (a download of a folder): a name is one path segment,
 * and every path built from it must stay inside the folder the user chose. The engine already
 * refuses such names in listings; this is the local side's own check. No `vscode` import (unit tests).
 */
import * as path from 'node:path';

/** A server-sent name that would not be one plain file name inside the destination. */
export class UnsafeNameError extends Error {
  /** `reason` reads after the name: "it contains a path separator", "it would be written outside /x". */
  constructor(readonly entry: string, readonly reason: string) {
    super(`"${entry}" can't be written to disk: ${reason}.`);
  }
}

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/** Why `name` can't be a single file name on this platform, or undefined when it can. */
export function unsafeName(name: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'it is not a file name';
  if (name.includes('/') || name.includes('\\')) return 'it contains a path separator';
  if (name.includes('\0')) return 'it contains a NUL character';
  if (platform === 'win32') {
    if (name.includes(':')) return 'it contains ":" (a drive or an alternate data stream on Windows)';
    // eslint-disable-next-line no-control-regex
    if (/[<>"|?*\u0000-\u001f]/.test(name)) return 'it contains a character Windows does not allow in names';
    if (/[. ]$/.test(name)) return 'Windows drops a trailing dot or space, so it would name another file';
    if (WINDOWS_DEVICE.test(name)) return 'it is a Windows device name';
  }
  return undefined;
}

/** True when `candidate` is `root` or lies below it (both resolved; no `..` escape, no other drive). */
export function isInside(root: string, candidate: string, platform: NodeJS.Platform = process.platform): boolean {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const rel = p.relative(p.resolve(root), p.resolve(candidate));
  if (rel === '') return true;
  return !p.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${p.sep}`);
}

/**
 * `parent` joined with one server-sent `name`, refused (UnsafeNameError) unless the name is a plain
 * file name and the result stays inside `root`, the folder the user chose.
 */
export function childPath(root: string, parent: string, name: string, platform: NodeJS.Platform = process.platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const why = unsafeName(name, platform);
  if (why) throw new UnsafeNameError(name, why);
  const joined = p.resolve(parent, name);
  if (!isInside(root, joined, platform) || p.resolve(root) === joined) throw new UnsafeNameError(name, `it would be written outside ${root}`);
  return joined;
}
