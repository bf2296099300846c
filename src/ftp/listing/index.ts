/**
 * Directory listing parsers. MLSD answers are RFC 3659 fact lines; LIST answers have no standard
 * format, so each line is recognised on its own (a listing may mix formats): `ls -l` style, DOS/IIS
 * style, an MLSD fact line from a server that answers LIST that way, or EPLF. A line no parser reads is
 * returned in `unparsed` with the reason; parsing never throws.
 */
import { FileEntry, LineParseResult, ListingOptions, ListingResult } from './entry';
import { looksLikeUnix, parseUnixLine } from './unix';
import { looksLikeDos, parseDosLine } from './dos';
import { isSelfOrParent, looksLikeMlsx, readMlsxLine, resolveSymlinkTargets } from './mlsx';
import { refuseUnsafeNames } from './names';

export * from './entry';
export { parseUnixLine, looksLikeUnix, modeFromPermissions, serverTimeToUtc } from './unix';
export type { LocalDateTime } from './unix';
export { parseDosLine, looksLikeDos } from './dos';
export { nameProblem } from './names';
export { readMlsxLine, parseMlsxLine, parseMlsdLines, parseMlsxTime, looksLikeMlsx, isSelfOrParent, mlsxType } from './mlsx';

const TOTAL = /^total\s+\d+\s*$/i;
const REPLY_CODE = /^\d{3}[ -]/;
const EPLF = /^\+[^\t]*\t/;

function splitLines(lines: string[] | string): string[] {
  const list = typeof lines === 'string' ? [lines] : lines;
  return list.flatMap((l) => l.split(/\r?\n/)).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * EPLF (Bernstein's Easily Parsed LIST Format, e.g. ftp-srv with its `ep` formatter):
 * `+fact,fact,...<TAB>name`; facts `/` directory, `r` retrievable file, `s<size>`, `m<Unix time>`,
 * `up<octal mode>`, `i<id>`. Times are UTC.
 */
export function parseEplfLine(line: string): LineParseResult {
  const tab = line.indexOf('\t');
  if (!line.startsWith('+') || tab < 0) return { error: 'not an EPLF line' };
  const name = line.slice(tab + 1);
  if (name === '') return { error: 'EPLF line has no name' };
  const entry: FileEntry = { name, type: 'unknown' };
  let dir = false;
  let file = false;
  for (const fact of line.slice(1, tab).split(',')) {
    if (fact === '/') dir = true;
    else if (fact === 'r') file = true;
    else if (/^s\d+$/.test(fact)) entry.size = Number(fact.slice(1));
    else if (/^m\d+$/.test(fact)) {
      const date = new Date(Number(fact.slice(1)) * 1000);
      if (!Number.isNaN(date.getTime())) {
        entry.modified = date;
        entry.modifiedPrecision = 'second';
      }
    } else if (/^up[0-7]{1,4}$/.test(fact)) entry.mode = parseInt(fact.slice(2), 8);
  }
  entry.type = dir ? 'directory' : file ? 'file' : 'unknown';
  return { entry };
}

/** Reads one LIST line in whichever format it is written: Unix `ls -l`, DOS/IIS, an MLSD fact line or EPLF. */
export function parseListLine(line: string, options: ListingOptions = {}): LineParseResult {
  if (looksLikeUnix(line)) return parseUnixLine(line, options);
  if (looksLikeDos(line)) return parseDosLine(line, options);
  if (looksLikeMlsx(line)) return readMlsxLine(line);
  if (EPLF.test(line)) return parseEplfLine(line);
  return { error: 'unrecognised listing format' };
}

/** Reads one MLSD line; a line that is not a fact line but reads as a LIST line is taken as one. */
function parseMlsdLine(line: string, options: ListingOptions): LineParseResult {
  const r = readMlsxLine(line);
  if ('entry' in r) return r;
  if (looksLikeUnix(line) || looksLikeDos(line)) return parseListLine(line, options);
  return r;
}

/**
 * Parses a whole listing (the data connection's text, or its lines). Entries `.` and `..` (and MLSD
 * cdir/pdir) are left out; blank lines and `total N` lines are skipped.
 */
export function parseListing(lines: string[] | string, format: 'mlsd' | 'list', options: ListingOptions = {}): ListingResult {
  const result: ListingResult = { entries: [], unparsed: [] };
  const lineOf = new Map<FileEntry, string>();
  for (const line of splitLines(lines)) {
    if (line.trim() === '') continue;
    if (format === 'list' && TOTAL.test(line.trim())) continue;
    let r: LineParseResult;
    try {
      r = format === 'mlsd' ? parseMlsdLine(line, options) : parseListLine(line, options);
    } catch (e) {
      r = { error: `parser failure: ${errorText(e)}` };
    }
    if ('error' in r) result.unparsed.push({ line, reason: r.error });
    else if (!isSelfOrParent(r.entry)) {
      result.entries.push(r.entry);
      lineOf.set(r.entry, line);
    }
  }
  resolveSymlinkTargets(result.entries);
  return refuseUnsafeNames(result, lineOf);
}

/**
 * The entry of an MLST reply: `250-...`, one line ` facts pathname` (one leading space), `250 End`.
 * Takes the reply's lines with or without the code lines; the type is kept whatever it is (a directory
 * answers `type=cdir`). The name is the pathname as the server wrote it. Undefined if no line reads.
 */
export function parseMlstReply(lines: string[] | string): FileEntry | undefined {
  const all = splitLines(lines);
  try {
    for (const line of all) {
      if (REPLY_CODE.test(line) || line.trim() === '') continue;
      const r = readMlsxLine(line.startsWith(' ') ? line.slice(1) : line);
      if ('entry' in r) return r.entry;
    }
    // Some servers prefix the fact line with the code as well: "250- type=file;size=3; /a".
    for (const line of all) {
      if (!REPLY_CODE.test(line)) continue;
      const rest = line.slice(4);
      const body = rest.startsWith(' ') ? rest.slice(1) : rest;
      if (body !== '' && looksLikeMlsx(body)) {
        const r = readMlsxLine(body);
        if ('entry' in r) return r.entry;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}
