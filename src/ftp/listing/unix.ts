/**
 * `ls -l` style LIST lines, as most Unix-like servers (and many others imitating them) send:
 *
 *   -rw-r--r--   1 owner    group        1234 Nov 22 12:01 name
 *   drwxr-xr-x+  2 owner    Domain Users 4096 Nov 22  2024 dir
 *   lrwxrwxrwx   1 owner    group           7 2024-11-22 12:01 link -> target
 *   crw-rw-rw-   1 root     root         1, 3 Nov 22 12:01 null
 *
 * The columns between the permissions and the name vary (no link count, no group, owners and groups
 * with spaces), so the line is not split on whitespace: the date is found first (the leftmost
 * "size date" run of tokens), everything before the size is link count / owner / group, and the name
 * is everything after the single space that follows the date, spaces kept.
 *
 * Also read: NetWare's `d [RWCEAFMS] owner size date name`, Japanese/Korean `6月 3日 2003年` dates,
 * `22 Nov 12:01` day-first dates, BSD `ls -lT` `Nov 22 12:01:33 2024`, ISO `2024-11-22 12:01` and
 * `--full-iso` times with a zone.
 */
import { EntryType, FileEntry, LineParseResult, ListingOptions } from './entry';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
  january: 0, february: 1, march: 2, april: 3, june: 5, july: 6, august: 7, sept: 8, september: 8,
  october: 9, november: 10, december: 11,
};

/** The first character of the mode string: what kind of file it is. */
const TYPE_CHARS = '-fdlebcpsD';
/** Permissions: 9 characters, each exec position may also be s/S/t/T (and l/L, Solaris mandatory locking). */
const PERMS = /^([-fdlebcpsD])((?:[-r?][-w?][-xsStTlL?]){3})([+.@]?)([\s\S]*)$/;
/** Some servers print only 8 permission characters (the last exec bit missing) followed by spaces. */
const PERMS_8 = /^([-fdlebcpsD])((?:[-r?][-w?][-xsStTlL?]){2}[-r?][-w?])(\s[\s\S]*)$/;
const NETWARE = /^([d-])\s+\[([RWCEAFMS-]{8})\]\s+([\s\S]*)$/;

/** A date and time as the server printed it, in the server's local time unless `zoneMinutes` says otherwise. */
export interface LocalDateTime {
  year?: number;
  /** 0-11 */
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  millisecond?: number;
  /** Explicit zone printed in the line (`--full-iso`), minutes east of UTC; overrides the server offset. */
  zoneMinutes?: number;
}

function validDay(year: number, month: number, day: number): boolean {
  if (month < 0 || month > 11 || day < 1 || day > 31) return false;
  const d = new Date(Date.UTC(2000, 0, 1));
  d.setUTCFullYear(year, month, day);
  return d.getUTCMonth() === month && d.getUTCDate() === day;
}

function utcMs(year: number, t: LocalDateTime): number {
  const d = new Date(Date.UTC(2000, 0, 1));
  d.setUTCFullYear(year, t.month, t.day);
  d.setUTCHours(t.hour ?? 0, t.minute ?? 0, t.second ?? 0, t.millisecond ?? 0);
  return d.getTime();
}

/**
 * Converts a server-local date to UTC (UTC = local - offset). Without a year, the year is the latest one
 * that puts the date no more than a day after `now` (ls prints a time instead of a year for recent
 * files, i.e. the last six months or so; the day allows for clock and zone slack).
 * Returns undefined for impossible dates (Feb 30, 25:00).
 */
export function serverTimeToUtc(t: LocalDateTime, options: ListingOptions = {}): Date | undefined {
  if ((t.hour ?? 0) > 23 || (t.minute ?? 0) > 59 || (t.second ?? 0) > 59) return undefined;
  const offset = t.zoneMinutes ?? options.serverTimeZoneOffsetMinutes ?? 0;
  let year = t.year;
  if (year === undefined) {
    const nowLocal = (options.now ?? new Date()).getTime() + offset * MINUTE_MS;
    const thisYear = new Date(nowLocal).getUTCFullYear();
    for (let y = thisYear + 1; y >= thisYear - 8; y--) {
      if (validDay(y, t.month, t.day) && utcMs(y, t) <= nowLocal + DAY_MS) {
        year = y;
        break;
      }
    }
    if (year === undefined) return undefined;
  } else if (!validDay(year, t.month, t.day)) {
    return undefined;
  }
  return new Date(utcMs(year, t) - offset * MINUTE_MS);
}

/** Unix permission bits (0o7777) of a 9-character `rwxr-sr-t` string. */
export function modeFromPermissions(p: string): number {
  let mode = 0;
  const specials = [0o4000, 0o2000, 0o1000];
  for (let i = 0; i < 3; i++) {
    const shift = (2 - i) * 3;
    if (p[i * 3] === 'r') mode |= 4 << shift;
    if (p[i * 3 + 1] === 'w') mode |= 2 << shift;
    const x = p[i * 3 + 2];
    if (x === 'x' || x === 's' || x === 't') mode |= 1 << shift;
    if (x === 's' || x === 'S' || x === 't' || x === 'T' || (i === 1 && (x === 'l' || x === 'L'))) mode |= specials[i];
  }
  return mode;
}

function typeOf(c: string): EntryType {
  if (c === '-' || c === 'f') return 'file';
  if (c === 'd') return 'directory';
  if (c === 'l' || c === 'e') return 'symlink'; // 'e': z/OS external link
  return 'unknown'; // b c p s D: devices, fifos, sockets, doors
}

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  for (const m of s.matchAll(/\S+/g)) tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return tokens;
}

function monthOf(text: string): number | undefined {
  const en = MONTHS[text.toLowerCase().replace(/\.$/, '')];
  if (en !== undefined) return en;
  const cjk = /^(\d{1,2})[月월]$/.exec(text);
  if (cjk) return Number(cjk[1]) - 1;
  return undefined;
}

function dayOf(text: string): number | undefined {
  const m = /^(\d{1,2})[日일.]?$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The third date token: `12:01`, `12:01:33` or a year (`2024`, `2024年`). */
function timeOrYear(text: string): Pick<LocalDateTime, 'year' | 'hour' | 'minute' | 'second'> | undefined {
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (time) return { hour: Number(time[1]), minute: Number(time[2]), second: time[3] !== undefined ? Number(time[3]) : undefined };
  const year = /^(\d{4})[年년]?$/.exec(text);
  if (year) return { year: Number(year[1]) };
  return undefined;
}

interface DateMatch {
  time: LocalDateTime;
  precision: 'second' | 'minute' | 'day';
  /** Index of the first and last tokens of the date. */
  first: number;
  last: number;
}

/** Tries to read a date starting at token j. */
function dateAt(tokens: Token[], j: number): DateMatch | undefined {
  const a = tokens[j]?.text;
  const b = tokens[j + 1]?.text;
  const c = tokens[j + 2]?.text;
  if (a === undefined || b === undefined) return undefined;

  // 2024-11-22 12:01, 2024-11-22 12:01:33, 2024-11-22 12:01:33.123456789 +0100 (ls --time-style=full-iso)
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(a);
  if (iso) {
    const t = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/.exec(b);
    if (!t) return undefined;
    const time: LocalDateTime = {
      year: Number(iso[1]), month: Number(iso[2]) - 1, day: Number(iso[3]),
      hour: Number(t[1]), minute: Number(t[2]),
      second: t[3] !== undefined ? Number(t[3]) : undefined,
      millisecond: t[4] !== undefined ? Number(t[4].slice(0, 3).padEnd(3, '0')) : undefined,
    };
    let last = j + 1;
    const zone = t[4] !== undefined && c !== undefined ? /^([+-])(\d{2})(\d{2})$/.exec(c) : null;
    if (zone) {
      time.zoneMinutes = (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3]));
      last = j + 2;
    }
    return { time, precision: time.second !== undefined ? 'second' : 'minute', first: j, last };
  }

  if (c === undefined) return undefined;
  let month = monthOf(a);
  let day = dayOf(b);
  if (month === undefined || day === undefined) {
    // Day first: 22 Nov 12:01
    month = monthOf(b);
    day = dayOf(a);
    if (month === undefined || day === undefined || /[月월]$/.test(b)) return undefined;
  }
  const ty = timeOrYear(c);
  if (!ty) return undefined;
  const time: LocalDateTime = { month, day, ...ty };
  // BSD `ls -lT`: Nov 22 12:01:33 2024
  const bsdYear = ty.second !== undefined ? /^(\d{4})$/.exec(tokens[j + 3]?.text ?? '') : null;
  if (bsdYear) time.year = Number(bsdYear[1]);
  const precision = ty.year !== undefined ? 'day' : ty.second !== undefined ? 'second' : 'minute';
  return { time, precision, first: j, last: bsdYear ? j + 3 : j + 2 };
}

interface Located {
  date: DateMatch;
  /** Index of the first size token. */
  sizeIndex: number;
  size?: number;
  device?: { major: number; minor: number };
  name: string;
}

/** Finds the leftmost `size date SP name` in the text after the permissions. */
function locate(rest: string, tokens: Token[]): Located | { error: string } | undefined {
  for (let j = 1; j < tokens.length; j++) {
    const date = dateAt(tokens, j);
    if (!date) continue;
    const sizeText = tokens[j - 1].text;
    let located: Omit<Located, 'name'> | undefined;
    const dev = /^(\d+),(\d+)$/.exec(sizeText);
    if (dev) {
      located = { date, sizeIndex: j - 1, device: { major: Number(dev[1]), minor: Number(dev[2]) } };
    } else if (/^\d+$/.test(sizeText)) {
      const major = j >= 2 ? /^(\d+),$/.exec(tokens[j - 2].text) : null;
      located = major
        ? { date, sizeIndex: j - 2, device: { major: Number(major[1]), minor: Number(sizeText) } }
        : { date, sizeIndex: j - 1, size: Number(sizeText) };
    }
    if (!located) continue;
    const name = rest.slice(tokens[date.last].end + 1);
    if (name === '') return { error: 'no name after the date' };
    return { ...located, name };
  }
  return undefined;
}

/** Link count, owner and group from the text between the permissions and the size. */
function splitOwnerGroup(prefix: string): { owner?: string; group?: string } {
  let text = prefix.trim();
  if (text === '') return {};
  const first = /^(\S+)(\s+|$)/.exec(text)!;
  const hasMore = first[2] !== '';
  if (/^\d+$/.test(first[1])) {
    // A leading number followed by more columns is the link count; alone, a number is the link count too.
    if (!hasMore) return {};
    text = text.slice(first[0].length);
  }
  // Columns are usually padded: a run of 2+ spaces separates owner from group even when either has spaces.
  const gap = /\s{2,}/.exec(text);
  if (gap) return { owner: text.slice(0, gap.index), group: text.slice(gap.index + gap[0].length) };
  const space = text.indexOf(' ');
  if (space < 0) return { owner: text };
  return { owner: text.slice(0, space), group: text.slice(space + 1) };
}

function build(
  typeChar: string,
  perms: string | undefined,
  rest: string,
  options: ListingOptions,
  netware: boolean,
): LineParseResult {
  const tokens = tokenize(rest);
  const found = locate(rest, tokens);
  if (!found) return { error: 'no size and date found in the Unix listing line' };
  if ('error' in found) return found;
  const modified = serverTimeToUtc(found.date.time, options);
  if (!modified) {
    return { error: `invalid date '${rest.slice(tokens[found.date.first].start, tokens[found.date.last].end)}'` };
  }
  const type = typeOf(typeChar);
  let name = netware ? found.name.trimStart() : found.name;
  const entry: FileEntry = { name, type, modified, modifiedPrecision: found.date.precision };
  if (type === 'symlink') {
    const arrow = name.indexOf(' -> ');
    if (arrow > 0) {
      entry.linkTarget = name.slice(arrow + 4);
      name = entry.name = name.slice(0, arrow);
    }
  }
  if (found.size !== undefined) entry.size = found.size;
  if (found.device) entry.device = found.device;
  if (perms !== undefined) {
    entry.permissions = perms;
    if (!netware) entry.mode = modeFromPermissions(perms);
  }
  const { owner, group } = netware
    ? { owner: rest.slice(0, tokens[found.sizeIndex].start).trim() || undefined, group: undefined }
    : splitOwnerGroup(rest.slice(0, tokens[found.sizeIndex].start));
  if (owner !== undefined) entry.owner = owner;
  if (group !== undefined) entry.group = group;
  return { entry };
}

/** True when the line starts like an `ls -l` line (a mode string) or a NetWare one. */
export function looksLikeUnix(line: string): boolean {
  const s = line.trimStart();
  const m = PERMS.exec(s);
  if (m) return m[4] === '' || /^[\s\d]/.test(m[4]);
  return PERMS_8.test(s) || NETWARE.test(s);
}

/** Parses one `ls -l` style line. LIST times are server-local: see ListingOptions. Never throws. */
export function parseUnixLine(line: string, options: ListingOptions = {}): LineParseResult {
  const s = line.trimStart();
  const m = PERMS.exec(s);
  if (m && (m[4] === '' || /^[\s\d]/.test(m[4]))) return build(m[1], m[2], m[4], options, false);
  const m8 = PERMS_8.exec(s);
  if (m8) return build(m8[1], m8[2] + '-', m8[3], options, false);
  const nw = NETWARE.exec(s);
  if (nw) return build(nw[1], `[${nw[2]}]`, nw[3], options, true);
  if (s !== '' && !TYPE_CHARS.includes(s[0])) return { error: 'not a Unix listing line' };
  return { error: 'no valid Unix permissions at the start of the line' };
}
