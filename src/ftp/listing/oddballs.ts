/**
 * Rare LIST formats that FileZilla's parser tests document, each recognised by its whole shape:
 *
 *   206876  Apr 04, 2000 21:06 name                     VShell (old): size, date, name (`dir/` = directory)
 *   2048    Feb-28-1998  05:23:30   name <DIR>           VxWorks (Nortel routers)
 *   name       1014196  06/03/04  Thur.   10:20:03       Nortel wfFtp: name, size, MM/DD/YY, weekday, time
 *   20.20 07/03/29 1026 d-ewrewr 2650 85920 name         Microware OS-9: owner, YY/MM/DD, HHMM, attributes,
 *                                                        sector, size, name
 *   name 101 528 6-Apr-07 14:21:18 255, 0 "oooo"         HP NonStop (Tandem): name, code, size, date,
 *                                                        time, owner, security
 *   0100644   500  101   12345    123456789  name        numeric `ls`: octal mode, uid, gid, size, Unix time
 *
 * VShell's newer `-rwxr-xr-x 1 user group 9 Oct 08, 2002 09:47 name` is an `ls` line (unix.ts).
 */
import { EntryType, FileEntry, LineParseResult } from './entry';
import { DateContext, expandYear, localDate, monthFromName } from './dates';
import { Tokens, isBlank } from './tokens';

const TOKENS = new Tokens(12);

function nameAfter(line: string, i: number): string {
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  return line.slice(i);
}

function time(text: string): { h: number; m: number; s: number; seconds: boolean } | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  return m ? { h: Number(m[1]), m: Number(m[2]), s: Number(m[3] ?? 0), seconds: m[3] !== undefined } : undefined;
}

function dated(entry: FileEntry, modified: number | undefined, seconds: boolean, what: string): LineParseResult {
  if (modified === undefined) return { error: `invalid date '${what}'` };
  entry.modified = modified;
  entry.modifiedPrecision = seconds ? 'second' : 'minute';
  return { entry };
}

/** VShell: `206876  Apr 04, 2000 21:06 name`. */
export function vshellLine(line: string, dc: DateContext): LineParseResult | undefined {
  const t = TOKENS;
  if (t.split(line) < 6 || t.digits(0) < 0) return undefined;
  const day = /^(\d{1,2}),$/.exec(t.text(2));
  const month = monthFromName(t.text(1));
  const hm = time(t.text(4));
  if (!day || month < 0 || t.length(3) !== 4 || t.digits(3) < 0 || !hm) return undefined;
  let name = nameAfter(line, t.end[4]);
  let type: EntryType = 'file';
  if (name.length > 1 && name.endsWith('/')) {
    name = name.slice(0, -1);
    type = 'directory';
  }
  const modified = localDate(dc, t.digits(3), month, Number(day[1]), hm.h, hm.m, 0, 0);
  return dated({ name, type, size: t.digits(0) }, modified, false, line.slice(t.start[1], t.end[4]));
}

/** VxWorks: `2048    Feb-28-1998  05:23:30   name <DIR>`. */
export function vxworksLine(line: string, dc: DateContext): LineParseResult | undefined {
  const t = TOKENS;
  if (t.split(line) < 4 || t.digits(0) < 0) return undefined;
  const d = /^([A-Za-z]{3})-(\d{1,2})-(\d{4})$/.exec(t.text(1));
  const hm = time(t.text(2));
  if (!d || !hm) return undefined;
  let name = nameAfter(line, t.end[2]);
  let type: EntryType = 'file';
  if (name.endsWith(' <DIR>')) {
    name = name.slice(0, -6).trimEnd();
    type = 'directory';
  }
  if (name === '') return { error: 'no name in the VxWorks line' };
  const modified = localDate(dc, Number(d[3]), monthFromName(d[1]), Number(d[2]), hm.h, hm.m, hm.s, 0);
  return dated({ name, type, size: t.digits(0) }, modified, hm.seconds, line.slice(t.start[1], t.end[2]));
}

const WEEKDAYS = /^(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?$/i;

/** Nortel wfFtp: `name       1014196  06/03/04  Thur.   10:20:03`. */
export function wfftpLine(line: string, dc: DateContext): LineParseResult | undefined {
  const t = TOKENS;
  if (t.split(line) !== 5 || t.digits(1) < 0 || !WEEKDAYS.test(t.text(3))) return undefined;
  const d = /^(\d{2})\/(\d{2})\/(\d{2})$/.exec(t.text(2));
  const hm = time(t.text(4));
  if (!d || !hm) return undefined;
  const modified = localDate(dc, expandYear(Number(d[3]), 2), Number(d[1]) - 1, Number(d[2]), hm.h, hm.m, hm.s, 0);
  return dated({ name: t.text(0), type: 'file', size: t.digits(1) }, modified, hm.seconds, line.slice(t.start[2], t.end[4]));
}

/** OS-9: `20.20 07/03/29 1026 d-ewrewr 2650 85920 name`. */
export function os9Line(line: string, dc: DateContext): LineParseResult | undefined {
  const t = TOKENS;
  if (t.split(line) < 7 || !/^\d+\.\d+$/.test(t.text(0)) || !/^[d-][s-][e-][w-][r-][e-][w-][r-]$/.test(t.text(3))) return undefined;
  const d = /^(\d{2})\/(\d{2})\/(\d{2})$/.exec(t.text(1));
  const hhmm = /^(\d{2})(\d{2})$/.exec(t.text(2));
  if (!d || !hhmm || t.digits(5) < 0) return undefined;
  const modified = localDate(dc, expandYear(Number(d[1]), 2), Number(d[2]) - 1, Number(d[3]), Number(hhmm[1]), Number(hhmm[2]), 0, 0);
  const entry: FileEntry = {
    name: nameAfter(line, t.end[5]),
    type: t.text(3).startsWith('d') ? 'directory' : 'file',
    size: t.digits(5),
    owner: t.text(0),
    permissions: t.text(3),
  };
  return dated(entry, modified, false, line.slice(t.start[1], t.end[2]));
}

/** HP NonStop: `name 101 528 6-Apr-07 14:21:18 255, 0 "oooo"`. */
export function nonstopLine(line: string, dc: DateContext): LineParseResult | undefined {
  const t = TOKENS;
  const n = t.split(line);
  if (n < 7 || n > 8 || t.digits(1) < 0 || t.digits(2) < 0) return undefined;
  const security = t.text(n - 1);
  if (!/^"[A-Za-z-]{4}"$/.test(security)) return undefined;
  const d = /^(\d{1,2})-([A-Za-z]{3})-(\d{2})$/.exec(t.text(3));
  const hm = time(t.text(4));
  if (!d || !hm) return undefined;
  const owner = line.slice(t.start[5], t.end[n - 2]);
  if (!/^\d+, ?\d+$/.test(owner)) return undefined;
  const modified = localDate(dc, expandYear(Number(d[3]), 2), monthFromName(d[2]), Number(d[1]), hm.h, hm.m, hm.s, 0);
  const entry: FileEntry = { name: t.text(0), type: 'file', size: t.digits(2), owner, permissions: security };
  return dated(entry, modified, hm.seconds, line.slice(t.start[3], t.end[4]));
}

/** Numeric `ls`: `0100644   500  101   12345    123456789       name` (mode in octal with its type bits). */
export function numericUnixLine(line: string): LineParseResult | undefined {
  const t = TOKENS;
  if (t.split(line) < 6 || !/^0?[0-7]{6}$/.test(t.text(0)) || t.digits(1) < 0 || t.digits(2) < 0 || t.digits(3) < 0 || t.digits(4) < 0) {
    return undefined;
  }
  const mode = parseInt(t.text(0), 8);
  const kind = mode & 0o170000;
  const type: EntryType = kind === 0o100000 ? 'file' : kind === 0o040000 ? 'directory' : kind === 0o120000 ? 'symlink' : 'unknown';
  return {
    entry: {
      name: nameAfter(line, t.end[4]),
      type,
      size: t.digits(3),
      modified: t.digits(4) * 1000,
      modifiedPrecision: 'second',
      mode: mode & 0o7777,
      owner: t.text(1),
      group: t.text(2),
    },
  };
}
