/**
 * What a listing says about an entry, in words and numbers a person reads: its size, its modified
 * time at the precision the server gave, its permissions (octal and rwx), whether we may write it,
 * and the one-line description the Explorer's hover shows. No `vscode` import: the provider, the
 * decorations, the transfer commands and the unit tests share it.
 *
 * Read-only rule (FTP never says who we are): the MLSD/MLST `perm` fact, when the server sends one,
 * is the server's own answer for this login (RFC 3659: `w` = a STOR to this file is allowed), so a
 * file whose `perm` lacks `w` is read-only. Without it, the owner-write bit of a Unix mode
 * (`-r--r--r--`, `UNIX.mode=0444`) decides, as FileZilla reads it: on most hosting accounts the
 * files belong to the login. Folders are never marked: a folder's write bit is about creating
 * entries in it, not about the files inside, and VS Code would lock everything below it.
 */
import type { FileEntry } from '../ftp';
import { showInvisible } from '../ui/escape';

/** True when the listing says this login can't write the file (see the rule above). */
export function readOnlyByListing(e: Pick<FileEntry, 'type' | 'mode' | 'facts'>): boolean {
  if (e.type !== 'file') return false;
  const perm = e.facts?.['perm'];
  if (perm !== undefined) return !/w/i.test(perm);
  if (e.mode !== undefined) return (e.mode & 0o200) === 0;
  return false;
}

/**
 * A size as VS Code shows one (its ByteSize): 1024-based, labelled KB, MB, GB (`812 B`, `12.1 KB`,
 * `57.2 MB`), so the hover, the transfer messages and the progress of an open never disagree with
 * each other or with VS Code about one file.
 */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let n = bytes;
  let i = -1;
  do {
    n /= 1024;
    i++;
  } while (n >= 1023.95 && i < units.length - 1); // never "1024.0 KB"
  return `${n.toFixed(n < 100 ? 1 : 0)} ${units[i]}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A date in this computer's time zone, `2026-11-30 14:02`, to the precision the server gave:
 * seconds for MLSD/MDTM, minutes for `ls -l` times, the day alone for `Nov 22  2024`.
 */
export function localTime(d: Date, precision: 'second' | 'minute' | 'day' = 'minute'): string {
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (precision === 'day') return day;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return precision === 'second' ? `${day} ${time}:${pad(d.getSeconds())}` : `${day} ${time}`;
}

/** `rw-r--r--` for 0o644 (setuid, setgid and sticky shown as `s`/`S`, `t`/`T` as `ls` does). */
export function rwx(mode: number): string {
  const chars: string[] = [];
  for (let who = 2; who >= 0; who--) {
    const bits = (mode >> (who * 3)) & 7;
    const special = who === 2 ? mode & 0o4000 : who === 1 ? mode & 0o2000 : mode & 0o1000;
    const x = bits & 1;
    const execChar = special ? (who === 0 ? (x ? 't' : 'T') : (x ? 's' : 'S')) : x ? 'x' : '-';
    chars.push(bits & 4 ? 'r' : '-', bits & 2 ? 'w' : '-', execChar);
  }
  return chars.join('');
}

/** `644`, or `4755` when a special bit is set. */
export function octal(mode: number): string {
  const m = mode & 0o7777;
  return m > 0o777 ? m.toString(8).padStart(4, '0') : m.toString(8).padStart(3, '0');
}

/** A typed mode: `644`, `0644`, `4755`; undefined when it is not 3 or 4 octal digits. */
export function parseOctal(text: string): number | undefined {
  const t = text.trim();
  if (!/^0?[0-7]{3}$|^[0-7]{4}$/.test(t)) return undefined;
  return parseInt(t, 8) & 0o7777;
}

/**
 * The hover of an entry, one fact per line: what it is and its size, when it was modified, its
 * permissions with owner and group, and whether we may write it. Server text (names, owners,
 * permission strings) is shown as text: invisible and bidi characters made visible.
 */
export function describeEntry(e: FileEntry): string {
  const lines: string[] = [];
  if (e.type === 'directory') lines.push('Folder');
  else if (e.type === 'symlink') lines.push(`Link${e.linkTarget ? ` to ${showInvisible(e.linkTarget)}` : ''}${e.size !== undefined ? `, ${humanSize(e.size)}` : ''}`);
  else if (e.size !== undefined) lines.push(`${humanSize(e.size)}${e.size >= 1024 ? ` (${e.size.toLocaleString('en-US')} bytes)` : ''}${e.sizeApproximate ? ', about' : ''}`);
  if (e.modified !== undefined) lines.push(`Modified ${localTime(new Date(e.modified), e.modifiedPrecision ?? 'second')}`);
  const perms: string[] = [];
  if (e.mode !== undefined) perms.push(`${rwx(e.mode)} (${octal(e.mode)})`);
  else if (e.permissions !== undefined && !e.facts) perms.push(showInvisible(e.permissions));
  if (e.owner !== undefined) perms.push(`owner ${showInvisible(e.owner)}${e.group !== undefined ? `:${showInvisible(e.group)}` : ''}`);
  if (perms.length) lines.push(`Permissions ${perms.join(', ')}`);
  if (readOnlyByListing(e)) lines.push(e.facts?.['perm'] !== undefined ? 'Read-only: the server does not let this login write it' : 'Read-only: the owner has no write permission');
  return lines.join('\n');
}
