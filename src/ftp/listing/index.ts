/**
 * Directory listing parsers. MLSD answers are RFC 3659 fact lines; LIST answers have no standard
 * format, so each line is recognised on its own (a listing may mix formats; detect.ts): `ls -l` in
 * its variants, NetWare, DOS/IIS, an MLSD fact line from a server that answers LIST that way, EPLF,
 * VMS, OS/2, IBM i, MVS, z/VM and a few rarer ones. A line no parser reads is returned in `unparsed`
 * with the reason; parsing never throws. ListingParser (parser.ts) reads a listing while it arrives,
 * parseListingYielding without blocking the event loop; parseListing is the synchronous whole.
 */
import { FileEntry, LineParseResult, ListingFormat, ListingOptions, ListingResult } from './entry';
import { dateContext } from './dates';
import { looksLikeLs, unixLine } from './unix';
import { looksLikeNetware, netwareAt, netwareLine } from './netware';
import { looksLikeMlsx, readMlsxLine } from './mlsx';
import { listLine, parseContext } from './detect';
import { ListingParser } from './parser';

export * from './entry';
export { modeFromPermissions } from './unix';
export { serverTimeToUtc, monthFromName, FUTURE_DAYS } from './dates';
export type { LocalDateTime } from './dates';
export { parseDosLine, looksLikeDos } from './dos';
export { parseEplfLine, looksLikeEplf } from './eplf';
export { looksLikeNetware } from './netware';
export { looksLikeVms } from './vms';
export { nameProblem } from './names';
export { readMlsxLine, parseMlsxLine, parseMlsdLines, parseMlsxTime, looksLikeMlsx, isSelfOrParent, mlsxType } from './mlsx';
export { ListingParser, parseListingYielding } from './parser';
export { PacedListingFeed } from './paced';
export type { YieldOptions } from './parser';

/** True when the line starts like an `ls -l` line (a mode string) or a NetWare one. */
export function looksLikeUnix(line: string): boolean {
  return looksLikeLs(line) || looksLikeNetware(line);
}

/** Parses one `ls -l` style (or NetWare) line. LIST times are server-local: see ListingContext. Never throws. */
export function parseUnixLine(line: string, options: ListingOptions = {}): LineParseResult {
  const dc = dateContext(options);
  return netwareAt(line) >= 0 ? netwareLine(line, dc) : unixLine(line, dc);
}

/** Reads one LIST line in whichever format it is written. Never throws. */
export function parseListLine(line: string, options: ListingOptions = {}): LineParseResult {
  try {
    return listLine(line, parseContext(options));
  } catch (e) {
    return { error: `parser failure: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Parses a whole listing (the data connection's text, or its lines). Entries `.` and `..` (and MLSD
 * cdir/pdir) are left out; blank lines, `total N` lines and other headers are skipped. Synchronous:
 * for a large listing use ListingParser while it arrives, or parseListingYielding.
 */
export function parseListing(lines: readonly string[] | string, format: ListingFormat, options: ListingOptions = {}): ListingResult {
  const parser = new ListingParser(format, options);
  if (typeof lines === 'string') parser.push(lines);
  else for (const line of lines) parser.pushLine(line);
  return parser.end();
}

const REPLY_CODE = /^\d{3}[ -]/;

function splitLines(lines: readonly string[] | string): string[] {
  const list = typeof lines === 'string' ? [lines] : lines;
  return list.flatMap((l) => l.split(/\r?\n/)).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * The entry of an MLST reply: `250-...`, one line ` facts pathname` (one leading space), `250 End`.
 * Takes the reply's lines with or without the code lines; the type is kept whatever it is (a directory
 * answers `type=cdir`). The name is the pathname as the server wrote it. Undefined if no line reads.
 */
export function parseMlstReply(lines: readonly string[] | string): FileEntry | undefined {
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
