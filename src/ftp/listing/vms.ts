/**
 * OpenVMS LIST lines (MultiNet, TCPware, UCX/TCPIP Services), as Apache Commons Net's
 * VMSFTPEntryParser and FileZilla's parser tests document them:
 *
 *   1-JUN.LIS;1              9/9           2-JUN-1998 07:32:04  [GROUP,OWNER]    (RWED,RWED,RWED,RE)
 *   DATA.DIR;1               1/9           2-JUN-1998 07:32:04  [TRANSLATED]     (,RWED,RWED,RE)
 *   FILE.COM;12  1  15-AUG-1996 14:10:38  [POSTWARE,LP]  (RWE,RWE,RWE,RE)
 *   NOTIME.TXT;1    2/8    7-JAN-2000    [IV2_XXX]   (RWED,RWED,RE,)
 *   NAME;1 [SUMMARY] 1/3 2-AUG-2006 13:05 (RWE,RWE,RE,)          (fields in another order)
 *   COMPLEX.TXT;1 2KB 23-SEP-2005 14:57:07.27
 *
 * A long name puts the rest of the entry on the next line (the listing parser joins the two). The
 * name is given without its `;version` (RETR of the bare name gets the newest version; `version` keeps
 * the number and a listing keeps the highest version of each name); `NAME.DIR;1` is the directory
 * `NAME`. The size column is blocks used[/allocated]: size = used x 512, approximate; `2KB` is 2048.
 * The owner is `[GROUP,OWNER]`, `[OWNER]` or a bare identifier; the protection is kept as `permissions`
 * (system, owner, group, world). Every field after the name must be one of these, each at most once,
 * and the date is required; anything else refuses the line. `Directory DISK:[DIR]` and `Total of N
 * files` lines are headers (listing.ts skips them).
 */
import { FileEntry, LineParseResult } from './entry';
import { DateContext, expandYear, localDate, monthFromName } from './dates';
import { Tokens, digitsValue, isBlank, isDigit } from './tokens';

const TOKENS = new Tokens(24);

/** The `;` of a `NAME.EXT;VERSION` first token (1-5 version digits), or -1. */
function versionAt(line: string): { semi: number; end: number } | undefined {
  let i = 0;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  if (i > 0) return undefined; // VMS names start the line
  let end = i;
  while (end < line.length && !isBlank(line.charCodeAt(end))) end++;
  const semi = line.lastIndexOf(';', end - 1);
  if (semi <= 0 || end - semi - 1 < 1 || end - semi - 1 > 5) return undefined;
  if (digitsValue(line, semi + 1, end) < 0) return undefined;
  for (let k = 0; k < semi; k++) {
    const c = line.charCodeAt(k);
    if (c === 59 || c === 47 || c === 91 || c === 40) return undefined; // ; / [ (
  }
  return { semi, end };
}

/** True when the line starts with a VMS file name with a version. */
export function looksLikeVms(line: string): boolean {
  return versionAt(line) !== undefined;
}

/** A VMS name with nothing after it: the entry continues on the next line. */
export function isLoneVmsName(line: string): boolean {
  const v = versionAt(line);
  if (!v) return false;
  for (let i = v.end; i < line.length; i++) if (!isBlank(line.charCodeAt(i))) return false;
  return true;
}

/** `2-JUN-1998`: fills date and returns true; false when the token is not date-shaped. `date.month` -1: unknown month name. */
const date = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, ms: 0, precision: 'day' as 'second' | 'minute' | 'day' };

function readDate(line: string, s: number, e: number): boolean {
  const d1 = line.indexOf('-', s);
  if (d1 < 0 || d1 >= e || d1 - s < 1 || d1 - s > 2) return false;
  const d2 = line.indexOf('-', d1 + 1);
  if (d2 < 0 || d2 >= e || d2 - d1 - 1 < 3 || e - d2 - 1 < 2 || e - d2 - 1 > 4) return false;
  const day = digitsValue(line, s, d1);
  const year = digitsValue(line, d2 + 1, e);
  if (day < 0 || year < 0) return false;
  for (let k = d1 + 1; k < d2; k++) if (((line.charCodeAt(k) | 32) < 97 || (line.charCodeAt(k) | 32) > 122) && line.charCodeAt(k) < 128) return false;
  date.day = day;
  date.month = monthFromName(line.slice(d1 + 1, d2));
  date.year = expandYear(year, e - d2 - 1);
  date.hour = 0;
  date.minute = 0;
  date.second = 0;
  date.ms = 0;
  date.precision = 'day';
  return true;
}

function readTime(line: string, s: number, e: number): boolean {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(line.slice(s, e));
  if (!m) return false;
  date.hour = Number(m[1]);
  date.minute = Number(m[2]);
  date.second = m[3] !== undefined ? Number(m[3]) : 0;
  date.ms = m[4] !== undefined ? Number(m[4].padEnd(3, '0')) : 0;
  date.precision = m[3] !== undefined ? 'second' : 'minute';
  return true;
}

/** Blocks `9`, `9/12`, or `2KB` / `1.5MB`: sets size; false when the token is not a size. */
function readSize(line: string, s: number, e: number, entry: FileEntry): boolean {
  const text = line.slice(s, e);
  const blocks = /^(\d{1,12})(?:\/(\d{1,12}))?$/.exec(text);
  if (blocks) {
    entry.size = Number(blocks[1]) * 512;
    entry.sizeApproximate = true;
    return true;
  }
  const units = /^(\d{1,12}(?:\.\d{1,3})?)([KMGT])B$/i.exec(text);
  if (!units) return false;
  entry.size = Math.round(Number(units[1]) * 1024 ** ('KMGT'.indexOf(units[2].toUpperCase()) + 1));
  entry.sizeApproximate = true;
  return true;
}

/** `(RWED,RWED,RE,)`: four comma-separated sets of R W E D. */
function isProtection(text: string): boolean {
  return /^\((?:[RWED]{0,4},){3}[RWED]{0,4}\)$/.test(text);
}

/** Parses one VMS line (the name and its fields on one line). Never throws. */
export function vmsLine(line: string, dc: DateContext): LineParseResult {
  const v = versionAt(line);
  if (!v) return { error: 'not a VMS listing line' };
  const t = TOKENS;
  const n = t.split(line, v.end);
  if (n === 0) return { error: 'VMS file name without its details (they follow on the next line)' };
  let name = line.slice(0, v.semi);
  const entry: FileEntry = { name, type: 'file', version: digitsValue(line, v.semi + 1, v.end) };
  let haveDate = false;
  let haveTime = false;
  let haveSize = false;
  let haveOwner = false;
  let haveProtection = false;
  for (let k = 0; k < n; k++) {
    const s = t.start[k];
    const e = t.end[k];
    const c = line.charCodeAt(s);
    if (c === 91) {
      // [GROUP,OWNER], [OWNER], or a bracket a long identifier left open
      if (haveOwner) return { error: `a second owner in the VMS line: '${t.text(k)}'` };
      haveOwner = true;
      let last = k;
      while (last < n - 1 && line.charCodeAt(t.end[last] - 1) !== 93 && line.charCodeAt(t.start[last + 1]) !== 40) last++;
      let text = line.slice(s + 1, t.end[last]);
      if (text.endsWith(']')) text = text.slice(0, -1);
      const comma = text.indexOf(',');
      if (comma >= 0) {
        entry.group = text.slice(0, comma).trim();
        entry.owner = text.slice(comma + 1).trim();
      } else entry.owner = text.trim();
      k = last;
    } else if (c === 40) {
      if (haveProtection || !isProtection(t.text(k))) return { error: `invalid VMS protection '${t.text(k)}'` };
      haveProtection = true;
      entry.permissions = line.slice(s + 1, e - 1);
    } else if (isDigit(c) && !haveDate && readDate(line, s, e)) {
      if (date.month < 0) return { error: `invalid date '${t.text(k)}'` };
      haveDate = true;
      if (k + 1 < n && readTime(line, t.start[k + 1], t.end[k + 1])) {
        haveTime = true;
        k++;
      }
    } else if (isDigit(c) && !haveSize && readSize(line, s, e, entry)) {
      haveSize = true;
    } else if (/^[A-Za-z$_][\w$-]*$/.test(t.text(k)) && !haveOwner) {
      haveOwner = true;
      entry.owner = t.text(k);
    } else {
      return { error: `unexpected field '${t.text(k)}' in the VMS line` };
    }
  }
  if (!haveDate) return { error: 'no date in the VMS line' };
  const modified = localDate(dc, date.year, date.month, date.day, date.hour, date.minute, date.second, date.ms);
  if (modified === undefined) return { error: `invalid date in the VMS line` };
  entry.modified = modified;
  entry.modifiedPrecision = haveTime ? date.precision : 'day';
  if (name.length > 4 && name.slice(-4).toUpperCase() === '.DIR') {
    name = name.slice(0, -4);
    entry.type = 'directory';
  }
  entry.name = name;
  return { entry };
}

/** `Directory DISK$USER:[NAME]`, `Total of 6 files, 54/54 blocks.`, `Grand total of ...`, `Total 14 files`. */
export function isVmsHeader(line: string): boolean {
  return /^Directory \S*:?\[[^\]]*\]\s*$/i.test(line) || /^\s*(?:Grand )?Total(?: of)? \d+ (?:files?|directories)\b/i.test(line);
}
