/**
 * RFC 3659 machine listings: MLSD data lines and the body line of an MLST reply.
 *
 *   entry = [ facts ] SP pathname        facts = 1*( factname "=" value ";" )
 *
 * Fact names are case-insensitive (`Type=`, `TYPE=`, `UNIX.mode`, `unix.MODE` are the same fact). The
 * pathname is everything after the single space that follows the last fact's ";", so names with
 * spaces, semicolons or "=" survive; a TAB there instead of the space (seen from some servers) is
 * accepted too. A server that leaves out the last ";" (drafts before mlst-07) is read up to the first
 * space, but then every fact must have a value: `modify= name` is refused, it is no fact list. An MLST
 * reply body line has one more space in front (" type=file;size=3; /a/b"); MLSD lines have none, but
 * some servers send it there too, which is accepted. A fact whose value is impossible (modify=20241332,
 * size=abc) is dropped and the entry kept: the facts are independent and the name and type still hold.
 *
 * The line is read by index, without split or regular expressions; well-known fact names are
 * returned as shared strings.
 */
import { FileEntry, LineParseResult, ListingResult, newEntry } from './entry';
import { refuseUnsafeNames } from './names';
import { wallClockMs } from './dates';
import { RecentStrings, isDigit } from './tokens';

const VALUES = new RecentStrings(12);

/** Fact names RFC 3659 and the common UNIX.* extensions define; a LIST line must use one to be taken as MLSD. */
const KNOWN_FACTS = new Set([
  'type', 'size', 'sizd', 'modify', 'create', 'perm', 'unique', 'lang', 'media-type', 'charset',
  'unix.mode', 'unix.owner', 'unix.group', 'unix.uid', 'unix.gid', 'unix.ownername', 'unix.groupname',
]);
const SHARED_NAMES = [...KNOWN_FACTS];

/** RFC 3659 time-val: 14 digits, UTC, optional fraction of any length (kept to the millisecond). */
export function parseMlsxTime(value: string): Date | undefined {
  const ms = mlsxTimeMs(value);
  return ms === undefined ? undefined : new Date(ms);
}

/** parseMlsxTime as UTC milliseconds (what an entry keeps). */
export function mlsxTimeMs(value: string): number | undefined {
  let s = 0;
  let e = value.length;
  while (s < e && value.charCodeAt(s) <= 32) s++;
  while (e > s && value.charCodeAt(e - 1) <= 32) e--;
  if (e - s < 14) return undefined;
  for (let i = s; i < s + 14; i++) if (!isDigit(value.charCodeAt(i))) return undefined;
  let ms = 0;
  if (e - s > 14) {
    if (value.charCodeAt(s + 14) !== 46 || e - s === 15) return undefined;
    for (let i = s + 15; i < e; i++) {
      const c = value.charCodeAt(i);
      if (!isDigit(c)) return undefined;
      if (i < s + 18) ms += (c - 48) * 10 ** (2 - (i - s - 15));
    }
  }
  const n = (from: number, len: number): number => {
    let v = 0;
    for (let i = s + from; i < s + from + len; i++) v = v * 10 + value.charCodeAt(i) - 48;
    return v;
  };
  const hour = n(8, 2);
  if (hour > 23) return undefined;
  const wall = wallClockMs(n(0, 4), n(4, 2) - 1, n(6, 2), hour, n(10, 2), n(12, 2), ms);
  return Number.isNaN(wall) ? undefined : wall;
}

/** Fact name at line[s, e), lower-cased; the known ones as shared strings. undefined when it is not a fact name. */
function factName(line: string, s: number, e: number): string | undefined {
  const len = e - s;
  if (len === 0) return undefined;
  let lower = true;
  for (let i = s; i < e; i++) {
    const c = line.charCodeAt(i);
    const letter = (c | 32) >= 97 && (c | 32) <= 122;
    if (i === s ? !letter : !(letter || isDigit(c) || c === 46 || c === 95 || c === 45)) return undefined;
    if (c >= 65 && c <= 90) lower = false;
  }
  for (const known of SHARED_NAMES) {
    if (known.length !== len) continue;
    let k = 0;
    while (k < len && (line.charCodeAt(s + k) | (isDigit(line.charCodeAt(s + k)) ? 0 : 32)) === known.charCodeAt(k)) k++;
    if (k === len) return known;
  }
  const text = line.slice(s, e);
  return lower ? text : text.toLowerCase();
}

/**
 * Splits line[0, end) (`fact=value;fact=value;`) into lower-cased names and raw values; a string
 * saying why when it is not a fact list. `terminated`: the list ended with "; " (else an empty value
 * is refused).
 */
function readFacts(line: string, end: number, terminated: boolean): Record<string, string> | string {
  const facts: Record<string, string> = {};
  let count = 0;
  let i = 0;
  while (i < end) {
    let semi = line.indexOf(';', i);
    if (semi < 0 || semi > end) semi = end;
    if (semi === i) {
      i++; // tolerate ";;"
      continue;
    }
    const eq = line.indexOf('=', i);
    if (eq < 0 || eq >= semi) return 'not an MLSD fact list';
    const key = factName(line, i, eq);
    if (key === undefined) return 'not an MLSD fact list';
    if (eq + 1 === semi && !terminated) return 'an MLSD fact without a value must end with ";"';
    // Values that repeat from line to line (type, perm, UNIX.*) are shared; size, modify and unique are not.
    facts[key] = key === 'size' || key === 'modify' || key === 'unique' ? line.slice(eq + 1, semi) : VALUES.take(line, eq + 1, semi);
    count++;
    i = semi + 1;
  }
  return count > 0 ? facts : 'not an MLSD fact list';
}

/**
 * Reads `facts SP pathname` exactly as RFC 3659 writes it (no extra leading space): the facts end at
 * the first ";" followed by a space or a TAB (a value never holds ";"); a server that forgets the last
 * ";" is read up to the first space. A line starting with a space has no facts at all.
 */
function readStrict(line: string): FileEntry | string {
  if (line.charCodeAt(0) === 32) {
    const name = line.slice(1);
    return name === '' ? 'MLSD line has no name' : { name, type: 'unknown', facts: {} };
  }
  let end = -1;
  for (let p = line.indexOf(';'); p >= 0; p = line.indexOf(';', p + 1)) {
    const c = line.charCodeAt(p + 1);
    if (c === 32 || c === 9) {
      end = p;
      break;
    }
  }
  let facts: Record<string, string> | string;
  let name: string;
  if (end >= 0) {
    facts = readFacts(line, end + 1, true);
    name = line.slice(end + 2);
  } else {
    const space = line.indexOf(' ');
    if (space < 0) return 'MLSD line has no space before the name';
    facts = readFacts(line, space, false);
    name = line.slice(space + 1);
  }
  if (typeof facts === 'string') return facts;
  if (name === '') return 'MLSD line has no name';
  return entryFromFacts(facts, name);
}

/** 1 to 7 octal digits as a number, else -1. */
function octal(text: string): number {
  if (text.length === 0 || text.length > 7) return -1;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 7) return -1;
    v = v * 8 + c;
  }
  return v;
}

function isDigits(text: string, max: number): boolean {
  if (text.length === 0 || text.length > max) return false;
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

function symlinkType(type: string): { target?: string } | undefined {
  // OS.unix=slink:/target (RFC 3659 7.7.4 example), OS.unix=symlink, and the unprefixed spellings.
  let t = type;
  if (t.length > 8 && t.slice(0, 8).toLowerCase() === 'os.unix=') t = t.slice(8);
  const colon = t.indexOf(':');
  const word = (colon < 0 ? t : t.slice(0, colon)).toLowerCase();
  if (word !== 'slink' && word !== 'symlink' && word !== 'link') return undefined;
  const target = colon < 0 ? '' : t.slice(colon + 1);
  return target === '' ? {} : { target };
}

function entryFromFacts(facts: Record<string, string>, name: string): FileEntry {
  const entry = newEntry(name, 'unknown');
  entry.facts = facts;
  const type = facts['type'];
  if (type !== undefined) {
    const t = type.length <= 4 ? type.toLowerCase() : type;
    if (t === 'file') entry.type = 'file';
    else if (t === 'dir' || t === 'cdir' || t === 'pdir') entry.type = 'directory';
    else {
      const link = symlinkType(type);
      if (link) {
        entry.type = 'symlink';
        if (link.target !== undefined) entry.linkTarget = link.target;
      }
    }
  }
  // sizd is a directory's own size: used when size is missing and the entry is (or may be) a directory.
  const size = facts['size'] ?? (entry.type === 'directory' || type === undefined ? facts['sizd'] : undefined);
  if (size !== undefined && isDigits(size, 16) && Number.isSafeInteger(Number(size))) entry.size = Number(size);
  const modify = facts['modify'];
  if (modify !== undefined) {
    const modified = mlsxTimeMs(modify);
    if (modified !== undefined) {
      entry.modified = modified;
      entry.modifiedPrecision = 'second';
    }
  }
  const mode = facts['unix.mode'];
  if (mode !== undefined) {
    const bits = octal(mode);
    if (bits >= 0) entry.mode = bits & 0o7777;
  }
  if (facts['perm'] !== undefined) entry.permissions = facts['perm'];
  const owner = facts['unix.ownername'] || facts['unix.owner'] || facts['unix.uid'];
  if (owner) entry.owner = owner;
  const group = facts['unix.groupname'] || facts['unix.group'] || facts['unix.gid'];
  if (group) entry.group = group;
  return entry;
}

/**
 * Parses one MLSD line (or an MLST body line) into an entry whatever its type, cdir and pdir included.
 * A single leading space (MLST style) is accepted in front of the facts.
 */
export function readMlsxLine(line: string): LineParseResult {
  const r = mlsxEntry(line);
  return typeof r === 'string' ? { error: r } : { entry: r };
}

/** readMlsxLine's entry, or why not (a string): the listing parser's path, without the wrapper object. */
export function mlsxEntry(line: string): FileEntry | string {
  if (line.charCodeAt(0) === 32 && line.length > 1 && line.charCodeAt(1) !== 32) {
    const shifted = readStrict(line.slice(1));
    if (typeof shifted !== 'string') return shifted;
  }
  return readStrict(line);
}

/** One fact line as an entry, or undefined if it is not one. See readMlsxLine. */
export function parseMlsxLine(line: string): FileEntry | undefined {
  const r = readMlsxLine(line);
  return 'entry' in r ? r.entry : undefined;
}

/** The type fact in lower case ('cdir', 'pdir', 'file', 'os.unix=slink:/x', ...), if any. */
export function mlsxType(entry: FileEntry): string | undefined {
  return entry.facts?.['type']?.toLowerCase();
}

/** True for the entries a listing leaves out: the directory itself and its parent. */
export function isSelfOrParent(entry: FileEntry): boolean {
  if (entry.name === '.' || entry.name === '..') return true;
  const t = entry.facts?.['type'];
  return t !== undefined && t.length === 4 && (t.toLowerCase() === 'cdir' || t.toLowerCase() === 'pdir');
}

/**
 * True when a line of a LIST answer is an MLSD fact line (some servers answer LIST that way): it must
 * carry at least one fact RFC 3659 or the UNIX.* extension defines, so a file name with "=" is not taken for one.
 */
export function looksLikeMlsx(line: string): boolean {
  const eq = line.indexOf('=');
  if (eq < 0) return false;
  const r = readMlsxLine(line);
  if (!('entry' in r)) return false;
  const facts = r.entry.facts ?? {};
  return Object.keys(facts).some((k) => KNOWN_FACTS.has(k) || k.startsWith('os.') || k.startsWith('unix.'));
}

/**
 * Parses MLSD lines: cdir/pdir entries and names "." and ".." are left out; blank lines are skipped;
 * anything else that is not a fact line goes to `unparsed`. Symlinks given as `type=OS.unix=symlink`
 * without a target get one when the server also lists the target under the same `unique` fact;
 * a target listed by absolute path (outside the directory) is then not an entry of its own.
 */
export function parseMlsdLines(lines: string[]): ListingResult {
  const result: ListingResult = { entries: [], unparsed: [] };
  const lineOf = new Map<FileEntry, string>();
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const r = readMlsxLine(line);
    if ('error' in r) result.unparsed.push({ line, reason: r.error });
    else if (!isSelfOrParent(r.entry)) {
      result.entries.push(r.entry);
      lineOf.set(r.entry, line);
    }
  }
  resolveSymlinkTargets(result.entries);
  return refuseUnsafeNames(result, lineOf);
}

/** Fills in symlink targets from entries sharing their `unique` fact (see parseMlsdLines); mutates the array. */
export function resolveSymlinkTargets(entries: FileEntry[]): void {
  const byUnique = new Map<string, FileEntry>();
  for (const e of entries) {
    const u = e.facts?.['unique'];
    if (u !== undefined && e.type !== 'symlink' && !byUnique.has(u)) byUnique.set(u, e);
  }
  const absorbed = new Set<FileEntry>();
  for (const e of entries) {
    const u = e.facts?.['unique'];
    if (e.type !== 'symlink' || e.linkTarget !== undefined || u === undefined) continue;
    const target = byUnique.get(u);
    if (!target) continue;
    e.linkTarget = target.name;
    if (target.name.includes('/')) absorbed.add(target);
  }
  if (absorbed.size === 0) return;
  const kept = entries.filter((e) => !absorbed.has(e));
  entries.length = 0;
  entries.push(...kept);
}
