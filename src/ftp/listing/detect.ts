/**
 * Choosing the parser for one LIST line. Every line is recognised on its own (a listing may mix
 * formats), by its shape, cheapest test first: a mode string (`ls -l`, the common case), EPLF's `+`,
 * NetWare's `d [RWCEAFMS]`, a DOS/IIS date, MLSD facts. A parser that recognises its format answers
 * with the entry or with why it refuses the line; the next one is only asked when it does not
 * recognise it.
 */
import { FileEntry, LineParseResult, ListingContext } from './entry';
import { DateContext, dateContext } from './dates';
import { isDigit, isBlank } from './tokens';
import { lsEntry } from './unix';
import { netwareAt, netwareLine } from './netware';
import { dosLine, looksLikeDos } from './dos';
import { looksLikeMlsx, mlsxEntry } from './mlsx';
import { looksLikeEplf, parseEplfLine } from './eplf';

/** A ListingContext worked out once per listing. */
export interface ParseContext {
  dc: DateContext;
}

export function parseContext(options: ListingContext): ParseContext {
  return { dc: dateContext(options) };
}

function firstNonBlank(line: string): number {
  let i = 0;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  return i;
}

/** Reads one LIST line in whichever format it is written. Never throws. */
export function listLine(line: string, pc: ParseContext): LineParseResult {
  const r = listEntry(line, pc);
  return typeof r === 'string' ? { error: r } : { entry: r };
}

function unwrap(r: LineParseResult): FileEntry | string {
  return 'entry' in r ? r.entry : r.error;
}

/** listLine's entry, or why not (a string): the listing parser's path, without the wrapper object. */
export function listEntry(line: string, pc: ParseContext): FileEntry | string {
  const dc = pc.dc;
  const ls = lsEntry(line, dc);
  if (ls !== undefined) return ls;
  const i = firstNonBlank(line);
  const c = line.charCodeAt(i);
  if (c === 43 && looksLikeEplf(line)) return unwrap(parseEplfLine(line));
  if (netwareAt(line) >= 0) return unwrap(netwareLine(line, dc));
  if (isDigit(c)) return looksLikeDos(line) ? unwrap(dosLine(line, dc)) : 'unrecognised listing format';
  if (line.indexOf('=') > 0) {
    const r = mlsxEntry(line);
    if (typeof r !== 'string' && looksLikeMlsx(line)) return r;
  }
  return 'unrecognised listing format';
}

/** Reads one MLSD line; a line that is not a fact line but reads as a LIST line (`ls -l` or DOS) is taken as one. */
export function mlsdLine(line: string, pc: ParseContext): LineParseResult {
  const r = mlsdEntry(line, pc);
  return typeof r === 'string' ? { error: r } : { entry: r };
}

export function mlsdEntry(line: string, pc: ParseContext): FileEntry | string {
  const r = mlsxEntry(line);
  if (typeof r !== 'string') return r;
  const ls = lsEntry(line, pc.dc);
  if (ls !== undefined) return ls;
  if (looksLikeDos(line)) return unwrap(dosLine(line, pc.dc));
  return r;
}
