/**
 * Choosing the parser for one LIST line. Every line is recognised on its own (a listing may mix
 * formats), by its shape, cheapest test first: a mode string (`ls -l`, the common case), EPLF's `+`,
 * NetWare's `d [RWCEAFMS]`, then by the first character: digits start DOS/IIS dates, VMS names,
 * OS/2, AS/400 without owner, VShell, VxWorks, OS-9 and numeric `ls` lines; anything else may be MLSD
 * facts, a VMS name, an AS/400, MVS, z/VM, wfFtp or HP NonStop line. A parser that recognises its
 * format answers with the entry or with why it refuses the line; the next one is only asked when it
 * does not recognise it. What no line shows is taken from the context: an MVS SYST answer (or an MVS
 * member/load-module header earlier in the listing) lets bare member names and load modules be read.
 */
import { FileEntry, LineParseResult, ListingContext } from './entry';
import { DateContext, dateContext } from './dates';
import { isDigit, isBlank } from './tokens';
import { lsEntry } from './unix';
import { netwareAt, netwareLine } from './netware';
import { dosLine, looksLikeDos } from './dos';
import { looksLikeMlsx, mlsxEntry } from './mlsx';
import { looksLikeEplf, parseEplfLine } from './eplf';
import { looksLikeVms, vmsLine } from './vms';
import { looksLikeOs2, os2Line } from './os2';
import {
  MvsList, mainframeSystem, mvsBareMemberLine, mvsDatasetLine, mvsLoadModuleLine, mvsMemberLine, os400Line, zvmLine,
} from './mainframe';
import { nonstopLine, numericUnixLine, os9Line, vshellLine, vxworksLine, wfftpLine } from './oddballs';

/** A ListingContext worked out once per listing, plus what the listing itself told so far. */
export interface ParseContext {
  dc: DateContext;
  system: 'mvs' | 'zvm' | 'os400' | undefined;
  /** Set by an MVS header line (or an MVS SYST answer: 'members' is then assumed for bare names). */
  mvsList?: MvsList;
}

export function parseContext(options: ListingContext): ParseContext {
  return { dc: dateContext(options), system: mainframeSystem(options.system) };
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
  if (isDigit(c)) {
    if (looksLikeDos(line)) return unwrap(dosLine(line, dc));
    if (looksLikeVms(line)) return unwrap(vmsLine(line, dc));
    if (looksLikeOs2(line)) return unwrap(os2Line(line, dc));
    const r = numericUnixLine(line) ?? vshellLine(line, dc) ?? vxworksLine(line, dc) ?? os9Line(line, dc) ?? os400Line(line, dc) ?? contextual(line, pc);
    return r ? unwrap(r) : 'unrecognised listing format';
  }
  if (line.indexOf('=') > 0) {
    const r = mlsxEntry(line);
    if (typeof r !== 'string' && looksLikeMlsx(line)) return r;
  }
  if (looksLikeVms(line)) return unwrap(vmsLine(line, dc));
  const r =
    os400Line(line, dc) ?? mvsDatasetLine(line) ?? mvsMemberLine(line, dc) ?? zvmLine(line, dc) ?? wfftpLine(line, dc) ?? nonstopLine(line, dc) ?? contextual(line, pc);
  return r ? unwrap(r) : 'unrecognised listing format';
}

/** Lines only context can tell: MVS load modules and members without statistics. */
function contextual(line: string, pc: ParseContext): LineParseResult | undefined {
  const list = pc.mvsList ?? (pc.system === 'mvs' ? 'members' : undefined);
  if (list === 'loadModules') return mvsLoadModuleLine(line);
  if (list === 'members') return mvsLoadModuleLine(line) ?? mvsBareMemberLine(line);
  return undefined;
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
