/**
 * Reading a listing while it arrives. ListingParser takes decoded text in chunks of any size (a chunk
 * may end in the middle of a line, or between the CR and the LF) and parses every line the chunk
 * completes, so the work is spread over the data events instead of done after the transfer; end()
 * parses the last line and returns the result. parseListingYielding does the same for text that is
 * already here (a string, lines, or an async iterable of chunks), yielding to the event loop every
 * `sliceMs` so that no synchronous stretch blocks the extension host.
 *
 * Per line: blank lines and `total N` are skipped, `.`/`..`/cdir/pdir left out, headers of VMS, MVS
 * and `cmd /c dir` listings skipped (an MVS header also tells what the following lines are), a VMS
 * name alone on its line joined with the next line, and older versions of a VMS file dropped. A name
 * that fails names.ts's rule is kept aside with its line and moved to `unparsed` at the end, after
 * MLSD symlink targets are resolved (a target listed by path is absorbed, never an entry). Nothing
 * else is kept per line: no raw line, no match arrays, no facts object for LIST lines.
 */
import { FileEntry, ListingContext, ListingFormat, ListingResult } from './entry';
import { ParseContext, listEntry, mlsdEntry, parseContext } from './detect';
import { isSelfOrParent, resolveSymlinkTargets } from './mlsx';
import { hasEntryProblem, refuseUnsafeNames } from './names';
import { isLoneVmsName, isVmsHeader, looksLikeVms, vmsLine } from './vms';
import { isMainframeHeader, mvsHeader } from './mainframe';
import { isBlank } from './tokens';
import { isTypeChar, lsEntry } from './unix';
import { lsFastEntry } from './unix-fast';

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `total 123` (ls), and the summary lines of `cmd /c dir`. */
function isListHeader(line: string): boolean {
  return (
    /^\s*total\s+\d+\s*$/i.test(line) ||
    /^\s*Volume (?:in drive \S+ (?:is|has)\b|Serial Number is )/.test(line) ||
    /^\s*Directory of \S/.test(line) ||
    /^\s*\d[\d,.]* (?:File\(s\)|Dir\(s\))\s/.test(line)
  );
}

/** Options of parseListingYielding. */
export interface YieldOptions {
  /** How long one synchronous stretch may run before yielding to the event loop (setImmediate). Default 10 ms. */
  sliceMs?: number;
}

/**
 * Usage while a data connection delivers a listing (the text must already be decoded; a stateful
 * decoder keeps a character split between two chunks whole):
 *
 *   const parser = new ListingParser(command === 'MLSD' ? 'mlsd' : 'list', { command, system, serverTimeZoneOffsetMinutes });
 *   socket.on('data', (bytes) => { parser.push(decoder.write(bytes)); if (parser.entryCount > cap) abort(); });
 *   // once the data connection ended and the final reply came:
 *   const { entries, unparsed } = parser.end();
 */
export class ListingParser {
  private readonly pc: ParseContext;
  private readonly format: ListingFormat;
  private rest = '';
  private pendingVms: string | undefined;
  private readonly result: ListingResult = { entries: objectArray(), unparsed: [] };
  /** Entries whose name fails names.ts's rule, with their lines: refused at the end, after symlink targets are resolved. */
  private readonly suspects = new Map<FileEntry, string>();
  private linksToResolve = false;
  private vmsVersions: Map<string, number> | undefined;
  private ended = false;
  /** Non-blank lines read so far. */
  lines = 0;

  /**
   * A parser that lives as long as the module, never used: V8 keeps an object's hidden class only
   * while some object has it, so once the parsers of earlier listings were collected the next one
   * got a new class, and the code compiled for the old one (the whole reading loop) was thrown away
   * ("weak objects" in --trace-deopt): a listing after a garbage collection was read in the
   * interpreter again.
   */
  // Pure for the bundler: a bundle that never uses the parser (extension.js) leaves it out.
  private static readonly keepsItsShape = /* @__PURE__ */ new ListingParser('list');

  /**
   * format: what the data connection answers ('list', 'mlsd', 'nlst'); options.command 'NLST' also
   * makes it 'nlst'. options: the listing context (SYST answer, server time zone, now, date order).
   */
  constructor(format: ListingFormat, options: ListingContext = {}) {
    this.format = /^\s*NLST\b/i.test(options.command ?? '') ? 'nlst' : format;
    this.pc = parseContext(options);
  }

  /** Entries read so far (older VMS versions and `.`/`..` not counted). */
  /** Whether the listing had a line for the folder itself (`.` of `ls -a`, MLSD's cdir): it listed a folder. */
  listedSelf = false;

  get entryCount(): number {
    return this.result.entries.length;
  }

  /** Parses every line the chunk completes; a partial last line waits for the next chunk or end(). */
  push(chunk: string): void {
    this.feed(chunk, 0, Infinity);
  }

  /** Parses one whole line (it may still hold line breaks: each part is a line). */
  pushLine(line: string): void {
    this.flushRest();
    if (line.indexOf('\n') < 0) this.line(line);
    else {
      this.feed(line, 0, Infinity);
      this.flushRest();
    }
  }

  /**
   * Parses the lines of text from `from`, the partial line carried from the last chunk first, and
   * stops after the first line that ends past `deadline` (performance.now() time, checked every 64
   * lines). Returns where it stopped: text.length when the text is used up (a partial last line is
   * then carried). push() is feed(chunk, 0, Infinity).
   */
  feed(text: string, from: number, deadline: number): number {
    if (this.ended) throw new Error('ListingParser: push after end()');
    let start = from;
    // Read here, before the loop: V8 compiles a long loop while it runs (on-stack replacement), and
    // code after it that never ran yet has no type feedback, so the compiled code was thrown away
    // where the loop ended and the next listing started interpreted again.
    const length = text.length;
    if (this.rest !== '') {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        this.rest += text.slice(start);
        return length;
      }
      // The line split between chunks takes the hot path too: the general reader would be compiled
      // for it alone, the first listing of a session paying that (2-3 ms) for a few lines.
      const joined = this.rest + text.slice(start, nl);
      this.rest = '';
      this.lineAt(joined, 0, joined.length > 0 && joined.charCodeAt(joined.length - 1) === 13 ? joined.length - 1 : joined.length);
      start = nl + 1;
    }
    let count = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.lineAt(text, start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      start = nl + 1;
      if ((++count & 63) === 0 && deadline !== Infinity && performance.now() > deadline) return start;
    }
    if (start < length) this.rest = text.slice(start);
    return length;
  }

  /** Parses the last line and returns the listing. The parser can't be used after. */
  end(): ListingResult {
    if (this.ended) return this.result;
    this.flushRest();
    if (this.pendingVms !== undefined) this.result.unparsed.push({ line: this.pendingVms, reason: LONE_VMS });
    this.pendingVms = undefined;
    this.ended = true;
    if (this.linksToResolve) resolveSymlinkTargets(this.result.entries);
    // Every other entry passed the same rule when its line was read (hasEntryProblem).
    if (this.suspects.size > 0) refuseUnsafeNames(this.result, this.suspects);
    return this.result;
  }

  private flushRest(): void {
    if (this.rest === '') return;
    const last = this.rest;
    this.rest = '';
    this.line(last);
  }

  /** text[start, end) is a line: an `ls -l` line is read in place (the hot path: the common shape by one regular expression, unix-fast.ts), any other is cut out first. */
  private lineAt(text: string, start: number, end: number): void {
    if (this.format === 'list' && this.pendingVms === undefined && start < end && isTypeChar(text.charCodeAt(start))) {
      let r: FileEntry | string | undefined = lsFastEntry(text, this.pc.dc, start, end);
      try {
        r ??= lsEntry(text, this.pc.dc, start, end);
      } catch {
        r = undefined; // the general path reports it
      }
      if (r !== undefined && typeof r !== 'string') {
        this.lines++;
        this.add(r, text, start, end);
        return;
      }
    }
    this.line(text.slice(start, end));
  }

  private line(raw: string): void {
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    let i = 0;
    while (i < line.length && isBlank(line.charCodeAt(i))) i++;
    const c = line.charCodeAt(i);
    // Blank as String.prototype.trim sees it (also NBSP, other Unicode spaces, CR, FF).
    const blank = i === line.length || ((c < 32 || c === 0xa0 || c >= 0x1680) && line.trim() === '');
    if (this.pendingVms !== undefined) {
      const pending = this.pendingVms;
      this.pendingVms = undefined;
      if (!blank && !looksLikeVms(line)) {
        const whole = `${pending} ${line}`;
        const joined = vmsLine(whole, this.pc.dc);
        if ('entry' in joined) {
          this.lines++;
          this.add(joined.entry, whole);
          return;
        }
      }
      this.result.unparsed.push({ line: pending, reason: LONE_VMS });
    }
    if (blank) return;
    this.lines++;
    if (this.format === 'nlst') {
      this.nlst(line);
      return;
    }
    let r: FileEntry | string;
    try {
      r = this.format === 'mlsd' ? mlsdEntry(line, this.pc) : listEntry(line, this.pc);
    } catch (e) {
      r = `parser failure: ${errorText(e)}`;
    }
    if (typeof r !== 'string') this.add(r, line);
    else if (this.format === 'list' && i === 0 && isLoneVmsName(line)) this.pendingVms = line;
    else if (!this.header(line)) this.result.unparsed.push({ line, reason: r });
  }

  /** A header line that carries no entry: skipped (and an MVS one tells what follows). */
  private header(line: string): boolean {
    if (this.format === 'mlsd') return false;
    if (isListHeader(line) || isVmsHeader(line) || isMainframeHeader(line)) return true;
    const mvs = mvsHeader(line);
    if (mvs) this.pc.mvsList = mvs;
    return mvs !== undefined;
  }

  private nlst(line: string): void {
    let name = line;
    let type: FileEntry['type'] = 'unknown';
    if (name.length > 1 && name.endsWith('/')) {
      name = name.slice(0, -1);
      type = 'directory';
    }
    this.add({ name, type }, line);
  }

  /** Adds an entry read from text[start, end) (the line is only cut out when it must be kept). */
  private add(entry: FileEntry, text: string, start = 0, end = text.length): void {
    if (isSelfOrParent(entry)) {
      if (entry.name === '.' || entry.facts?.['type']?.toLowerCase() === 'cdir') this.listedSelf = true;
      return;
    }
    const entries = this.result.entries;
    if (entry.version !== undefined) {
      // VMS: keep the highest version of each name, where the first one was listed.
      const key = entry.name.toUpperCase();
      this.vmsVersions ??= new Map();
      const at = this.vmsVersions.get(key);
      if (at !== undefined) {
        if ((entries[at].version ?? 0) < entry.version) entries[at] = entry;
        return;
      }
      this.vmsVersions.set(key, entries.length);
    }
    if (hasEntryProblem(entry)) this.suspects.set(entry, start === 0 && end === text.length ? text : text.slice(start, end));
    if (entry.type === 'symlink' && entry.linkTarget === undefined && entry.facts?.['unique'] !== undefined) this.linksToResolve = true;
    entries.push(entry);
  }
}

const LONE_VMS = 'VMS file name without its details (no continuation line)';

/**
 * An empty array that holds objects from the start. A `[]` starts as an array of small integers in
 * V8 and changes kind at its first push; code compiled for the arrays of earlier listings was then
 * thrown away at each new listing's first entry, and that listing read in the interpreter.
 */
function objectArray<T>(): T[] {
  const a: T[] = [undefined as T];
  a.length = 0;
  return a;
}

/**
 * Parses a listing that is already here without blocking the event loop: the work is cut into
 * stretches of at most about `sliceMs` (default 10 ms), with a setImmediate turn between them.
 * input: the whole text, its lines, or chunks as they come (any iterable or async iterable of strings).
 */
export async function parseListingYielding(
  input: string | readonly string[] | Iterable<string> | AsyncIterable<string>,
  format: ListingFormat,
  options: ListingContext = {},
  yieldOptions: YieldOptions = {},
): Promise<ListingResult> {
  const sliceMs = yieldOptions.sliceMs ?? 10;
  const parser = new ListingParser(format, options);
  let deadline = performance.now() + sliceMs;
  const pause = async (): Promise<void> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    deadline = performance.now() + sliceMs;
  };
  const text = async (chunk: string): Promise<void> => {
    let at = 0;
    while (at < chunk.length) {
      at = parser.feed(chunk, at, deadline);
      if (performance.now() > deadline) await pause();
    }
  };
  if (typeof input === 'string') await text(input);
  else if (Array.isArray(input)) {
    const lines = input as readonly string[];
    for (let k = 0; k < lines.length; k++) {
      parser.pushLine(lines[k]);
      if ((k & 63) === 63 && performance.now() > deadline) await pause();
    }
  } else if (Symbol.asyncIterator in (input as object)) {
    for await (const chunk of input as AsyncIterable<string>) await text(chunk);
  } else {
    for (const chunk of input as Iterable<string>) await text(chunk);
  }
  const result = parser.end();
  return result;
}
