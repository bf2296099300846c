/**
 * RFC 3659 machine listings: MLSD data lines and the body line of an MLST reply.
 *
 *   entry = [ facts ] SP pathname        facts = 1*( factname "=" value ";" )
 *
 * Fact names are case-insensitive. The pathname is everything after the single space that follows
 * the last fact's ";", so names with spaces, semicolons or "=" survive. An MLST reply body line has
 * one more space in front ("250-" ... " type=file;size=3; /a/b" ... "250 End"); MLSD lines have none,
 * but some servers send it there too, which is accepted.
 */
import { FileEntry, LineParseResult, ListingResult } from './entry';
import { refuseUnsafeNames } from './names';

/** Fact names RFC 3659 and the common UNIX.* extensions define; a LIST line must use one to be taken as MLSD. */
const KNOWN_FACTS = new Set([
  'type', 'size', 'sizd', 'modify', 'create', 'perm', 'unique', 'lang', 'media-type', 'charset',
  'unix.mode', 'unix.owner', 'unix.group', 'unix.uid', 'unix.gid', 'unix.ownername', 'unix.groupname',
]);

const FACT_NAME = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** RFC 3659 time-val: 14 digits, UTC, optional fraction of any length (kept to the millisecond). */
export function parseMlsxTime(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // unlike Date.UTC, keeps years 0-99 as they are
  date.setUTCHours(h, mi, s, ms);
  // Feb 30 would have rolled over into March.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date;
}

/** Splits `fact=value;fact=value;` into lower-cased names and raw values; undefined if it is not a fact list. */
function parseFacts(text: string): Record<string, string> | undefined {
  const facts: Record<string, string> = {};
  const body = text.endsWith(';') ? text.slice(0, -1) : text;
  let count = 0;
  for (const part of body.split(';')) {
    if (part === '') continue; // tolerate ";;"
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq);
    if (!FACT_NAME.test(key)) return undefined;
    facts[key.toLowerCase()] = part.slice(eq + 1);
    count++;
  }
  return count > 0 ? facts : undefined;
}

/**
 * Reads `facts SP pathname` exactly as RFC 3659 writes it (no extra leading space): the facts end at
 * the first "; " (a value never holds ";"); a server that forgets the last ";" is read up to the first space.
 * A line starting with a space has no facts at all.
 */
function readStrict(line: string): LineParseResult {
  if (line.startsWith(' ')) {
    const name = line.slice(1);
    return name === '' ? { error: 'MLSD line has no name' } : { entry: { name, type: 'unknown', facts: {} } };
  }
  let factText: string;
  let name: string;
  const end = line.indexOf('; ');
  if (end >= 0) {
    factText = line.slice(0, end + 1);
    name = line.slice(end + 2);
  } else {
    const space = line.indexOf(' ');
    if (space < 0) return { error: 'MLSD line has no space before the name' };
    factText = line.slice(0, space);
    name = line.slice(space + 1);
  }
  const facts = parseFacts(factText);
  if (!facts) return { error: 'not an MLSD fact list' };
  if (name === '') return { error: 'MLSD line has no name' };
  return { entry: entryFromFacts(facts, name) };
}

function entryFromFacts(facts: Record<string, string>, name: string): FileEntry {
  const entry: FileEntry = { name, type: 'unknown', facts };
  const type = facts['type'];
  if (type !== undefined) {
    const t = type.toLowerCase();
    if (t === 'file') entry.type = 'file';
    else if (t === 'dir' || t === 'cdir' || t === 'pdir') entry.type = 'directory';
    else {
      // OS.unix=slink:/target (RFC 3659 7.7.4 example), OS.unix=symlink, and the unprefixed spellings.
      const link = /^(?:os\.unix=)?(?:slink|symlink|link)(?::(.*))?$/is.exec(type);
      if (link) {
        entry.type = 'symlink';
        if (link[1]) entry.linkTarget = link[1];
      }
    }
  }
  // sizd is a directory's own size: used when size is missing and the entry is (or may be) a directory.
  const size = facts['size'] ?? (entry.type === 'directory' || type === undefined ? facts['sizd'] : undefined);
  if (size !== undefined && /^\d+$/.test(size)) entry.size = Number(size);
  const modified = facts['modify'] !== undefined ? parseMlsxTime(facts['modify']) : undefined;
  if (modified) {
    entry.modified = modified;
    entry.modifiedPrecision = 'second';
  }
  const mode = facts['unix.mode'];
  if (mode !== undefined && /^[0-7]{1,7}$/.test(mode)) entry.mode = parseInt(mode, 8) & 0o7777;
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
  const strict = readStrict(line);
  if (line.startsWith(' ') && line.length > 1 && !line.startsWith('  ')) {
    const shifted = readStrict(line.slice(1));
    if ('entry' in shifted) return shifted;
  }
  return strict;
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
  const t = mlsxType(entry);
  return t === 'cdir' || t === 'pdir' || entry.name === '.' || entry.name === '..';
}

/**
 * True when a line of a LIST answer is an MLSD fact line (some servers answer LIST that way): it must
 * carry at least one fact RFC 3659 or the UNIX.* extension defines, so a file name with "=" is not taken for one.
 */
export function looksLikeMlsx(line: string): boolean {
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
