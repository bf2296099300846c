/**
 * The `ls -l` line most servers send (vsftpd, ProFTPD, Pure-FTPd, ftp-srv), read with one regular
 * expression before unix.ts's general reader is tried:
 *
 *   -rw-r--r--    1 1000     1000         1234 Nov 22 15:00 name
 *   drwxr-xr-x    2 www-data www-data     4096 Nov 02  2024 folder
 *
 * Why: V8 compiles a regular expression to machine code at once, while the general reader (many
 * small functions over char codes) runs in the interpreter until it has been called thousands of
 * times, so a listing read soon after start-up (the first folder of a session) took twice as long.
 *
 * It gives exactly what `lsEntry` gives for the lines it takes (test/unit/listing-fast.test.ts
 * compares both on every captured listing and on generated lines), and takes only lines where no
 * other reading is possible: owner and group are both plain names or both numbers (a name and a
 * number can be a month and its day, `jan 12 2019 ...`, read there as a date: the leftmost date
 * decides); an English month,
 * a day, and `HH:MM` or a year padded to five columns; the name after exactly one space. Anything
 * else, and an impossible date, is left to `lsEntry`.
 */
import type { FileEntry } from './entry';
import { DateContext, englishMonthAt, localDate } from './dates';
import { RecentStrings, isDigit } from './tokens';
import { entryName, lsName, permissionBits } from './unix';

const LINE = /([-dl])((?:[-r][-w][-xsS]){2}[-r][-w][-xtT]) +\d{1,9} +([A-Za-z_][\w.-]{0,31}|\d{1,10}) +([A-Za-z_][\w.-]{0,31}|\d{1,10}) +(\d{1,15}) ((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d) (?:([012]\d):([0-5]\d)| ([12]\d{3})) ([^\r\n]+)/y;

const PERMISSIONS = new RecentStrings();
const OWNERS = new RecentStrings();

/** The entry of text[start, end) when it is the common `ls -l` line (see above); undefined otherwise. */
export function lsFastEntry(text: string, dc: DateContext, start: number, end: number): FileEntry | undefined {
  LINE.lastIndex = start;
  const m = LINE.exec(text);
  if (m === null || LINE.lastIndex !== end) return undefined;
  const owner = m[3];
  const group = m[4];
  // Both numbers or both names: a name then a number may be a month and its day (`jan 12 2019`), a
  // number then a name a day and its month (`5 Mai 2019`); unix.ts reads a date there.
  if (isDigit(owner.charCodeAt(0)) !== isDigit(group.charCodeAt(0))) return undefined;
  const date = m[6];
  const month = englishMonthAt(date, 0);
  const day = (date.charCodeAt(4) === 32 ? 0 : (date.charCodeAt(4) - 48) * 10) + date.charCodeAt(5) - 48;
  const year = m[9] === undefined ? -1 : Number(m[9]);
  const hour = year < 0 ? Number(m[7]) : 0;
  const minute = year < 0 ? Number(m[8]) : 0;
  const modified = localDate(dc, year, month, day, hour, minute, 0, 0, undefined);
  if (modified === undefined) return undefined;
  const typeChar = m[1].charCodeAt(0);
  const type = typeChar === 100 ? 'directory' : typeChar === 108 ? 'symlink' : 'file';
  const name = entryName(m[10], type);
  const linkTarget = lsName.target;
  const permissions = PERMISSIONS.same(m[2]);
  const entry: FileEntry = { name, type, size: Number(m[5]), modified, modifiedPrecision: year < 0 ? 'minute' : 'day', permissions, mode: permissionBits(permissions), owner: OWNERS.same(owner), group: OWNERS.same(group) };
  if (linkTarget !== undefined) entry.linkTarget = linkTarget;
  return entry;
}
