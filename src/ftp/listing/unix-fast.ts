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

// Captures only what must become a string (owner, group, size, name), and the date and time as one,
// read by position: every capture is a string made per line (10,000 lines in a warm process: 8-23 %
// less time than with the type, permissions, month and day, hour, minute and year captured apart).
const LINE = /[-dl](?:[-r][-w][-xsS]){2}[-r][-w][-xtT] +\d{1,9} +([A-Za-z_][\w.-]{0,31}|\d{1,10}) +([A-Za-z_][\w.-]{0,31}|\d{1,10}) +(\d{1,15}) ((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d (?:[012]\d:[0-5]\d| [12]\d{3})) ([^\r\n]+)/y;

const PERMISSIONS = new RecentStrings();
const OWNERS = new RecentStrings();

/** The entry of text[start, end) when it is the common `ls -l` line (see above); undefined otherwise. */
export function lsFastEntry(text: string, dc: DateContext, start: number, end: number): FileEntry | undefined {
  LINE.lastIndex = start;
  const m = LINE.exec(text);
  if (m === null || LINE.lastIndex !== end) return undefined;
  const owner = m[1];
  const group = m[2];
  // Both numbers or both names: a name then a number may be a month and its day (`jan 12 2019`), a
  // number then a name a day and its month (`5 Mai 2019`); unix.ts reads a date there.
  if (isDigit(owner.charCodeAt(0)) !== isDigit(group.charCodeAt(0))) return undefined;
  // `Nov 22 15:00` or `Nov 02  2024`: month, day, then a clock time or a year.
  const when = m[4];
  const clock = when.charCodeAt(9) === 58;
  const modified = dc === last.dc && when === last.when ? last.modified : lineDate(dc, when, clock);
  if (modified === undefined) return undefined;
  const typeChar = text.charCodeAt(start);
  const type = typeChar === 100 ? 'directory' : typeChar === 108 ? 'symlink' : 'file';
  const name = entryName(m[5], type);
  const linkTarget = lsName.target;
  const permissions = PERMISSIONS.take(text, start + 1, start + 10);
  const entry: FileEntry = { name, type, size: Number(m[3]), modified, modifiedPrecision: clock ? 'minute' : 'day', permissions, mode: permissionBits(permissions), owner: OWNERS.same(owner), group: OWNERS.same(group) };
  if (linkTarget !== undefined) entry.linkTarget = linkTarget;
  return entry;
}

/**
 * The last line's date and what it was: files written together share it, and a listing read soon
 * after start-up runs the date code in the interpreter (20,000 such lines: 1-2 ms saved).
 */
const last: { dc: DateContext | undefined; when: string; modified: number | undefined } = { dc: undefined, when: '', modified: undefined };

function lineDate(dc: DateContext, when: string, clock: boolean): number | undefined {
  const month = englishMonthAt(when, 0);
  const day = (when.charCodeAt(4) === 32 ? 0 : digitAt(when, 4) * 10) + digitAt(when, 5);
  const year = clock ? -1 : digitAt(when, 8) * 1000 + digitAt(when, 9) * 100 + digitAt(when, 10) * 10 + digitAt(when, 11);
  const hour = clock ? digitAt(when, 7) * 10 + digitAt(when, 8) : 0;
  const minute = clock ? digitAt(when, 10) * 10 + digitAt(when, 11) : 0;
  const modified = localDate(dc, year, month, day, hour, minute, 0, 0, undefined);
  last.dc = dc;
  last.when = when;
  last.modified = modified;
  return modified;
}

function digitAt(text: string, i: number): number {
  return text.charCodeAt(i) - 48;
}
