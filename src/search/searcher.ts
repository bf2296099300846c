/**
 * The downloading and matching half of FTP: Find in Files: files are fed in as the listing finds
 * them; those the globs leave out, with a binary extension or listed over the size cap are counted
 * and never downloaded; the rest are downloaded as many at a time as the site's pool has
 * connections, stopped (ABOR) once they show a NUL byte in their first 8 kB or pass the size cap,
 * and searched line by line. Cancel, a lost site or the result cap stop everything in flight.
 * No `vscode` import: unit-tested with a fake fetcher.
 */
import { FtpError, isFtpError } from '../ftp';
import { SNIFF_BYTES, decodeText, hasBinaryExtension, looksBinary } from './binary';
import { LineMatch, findMatches } from './matcher';
import type { WalkedFile } from './walk';

/**
 * Downloads one file. `begin` is called at the start of each attempt (a dropped connection may make
 * the pool run it again) and returns where that attempt's bytes go.
 */
export type Fetcher = (file: WalkedFile, signal: AbortSignal, begin: () => (chunk: Buffer) => void) => Promise<void>;

export interface SearchCounts {
  searched: number;
  binary: number;
  tooLarge: number;
  unreadable: Array<{ path: string; message: string }>;
  filtered: number;
  results: number;
  filesWithResults: number;
}

export type SearchEnd = { state: 'done' } | { state: 'cancelled' } | { state: 'failed'; error: unknown } | { state: 'stopped'; reason: string };

export interface FileSearchOptions {
  re: RegExp;
  /** Relative path -> searched or not (include/exclude). */
  filter: (rel: string) => boolean;
  maxFileSize: number;
  concurrency: number;
  /** Stop once this many matches were found. */
  maxResults: number;
  fetch: Fetcher;
  onHits(file: WalkedFile, matches: LineMatch[]): void;
  /** Something was counted (for progress). */
  onChange?(): void;
}

/** A binary file this small is downloaded to its end rather than stopped with ABOR (which costs more). */
const NOT_WORTH_ABORTING = 64 * 1024;

/** Failures of one file that say nothing about the others: it is counted as unreadable. */
export function fileFailure(e: unknown): boolean {
  return isFtpError(e) && !e.fatal && ['notFound', 'permission', 'notADirectory', 'server', 'invalidInput', 'interrupted', 'commandRejected', 'transient'].includes(e.kind);
}

export class FileSearch {
  readonly counts: SearchCounts = { searched: 0, binary: 0, tooLarge: 0, unreadable: [], filtered: 0, results: 0, filesWithResults: 0 };
  private readonly queue: WalkedFile[] = [];
  private head = 0;
  private running = 0;
  private closed = false;
  private end?: SearchEnd;
  private readonly controller = new AbortController();
  private settle!: (end: SearchEnd) => void;
  /** How the search ended: done, cancelled, failed (a lost site) or stopped (the result cap). */
  readonly finished: Promise<SearchEnd>;

  constructor(private readonly o: FileSearchOptions) {
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  /** More files from the listing. */
  add(files: WalkedFile[]): void {
    if (this.end) return;
    for (const f of files) {
      if (!this.o.filter(f.rel)) this.counts.filtered++;
      else if (hasBinaryExtension(f.name)) this.counts.binary++;
      else if (f.size !== undefined && f.size > this.o.maxFileSize) this.counts.tooLarge++;
      else if (f.size === 0) this.counts.searched++;
      else this.queue.push(f);
    }
    this.o.onChange?.();
    this.pump();
  }

  /** No more files will come: finished settles once those queued are searched. */
  close(): void {
    this.closed = true;
    this.pump();
  }

  /** Ends the search now; downloads in flight are aborted (ABOR). */
  stop(end: SearchEnd): void {
    if (this.end) return;
    this.end = end;
    this.controller.abort();
    this.pump();
  }

  private pump(): void {
    while (!this.end && this.running < Math.max(1, this.o.concurrency) && this.head < this.queue.length) {
      const file = this.queue[this.head];
      this.queue[this.head++] = undefined as unknown as WalkedFile;
      this.running++;
      void this.searchFile(file).finally(() => {
        this.running--;
        this.pump();
      });
    }
    if (this.running === 0 && (this.end || (this.closed && this.head >= this.queue.length))) this.settle(this.end ?? { state: 'done' });
  }

  private async searchFile(file: WalkedFile): Promise<void> {
    const perFile = new AbortController();
    const stopAll = () => perFile.abort();
    this.controller.signal.addEventListener('abort', stopAll, { once: true });
    let chunks: Buffer[] = [];
    let bytes = 0;
    let start = Buffer.alloc(0);
    let verdict: 'binary' | 'tooLarge' | undefined;
    const skip = (why: 'binary' | 'tooLarge') => {
      verdict = why;
      chunks = [];
      if (why === 'tooLarge' || file.size === undefined || file.size > NOT_WORTH_ABORTING) perFile.abort();
    };
    const begin = () => {
      chunks = [];
      bytes = 0;
      start = Buffer.alloc(0);
      verdict = undefined;
      return (chunk: Buffer) => {
        if (verdict) return;
        if (start.length < SNIFF_BYTES) {
          start = Buffer.concat([start, chunk.subarray(0, SNIFF_BYTES - start.length)]);
          if (looksBinary(start)) return skip('binary');
        }
        bytes += chunk.length;
        if (bytes > this.o.maxFileSize) return skip('tooLarge');
        chunks.push(chunk);
      };
    };
    try {
      await this.o.fetch(file, perFile.signal, begin);
    } catch (e) {
      if (this.end) return;
      if (verdict) {
        this.count(verdict);
        return;
      }
      if (fileFailure(e)) {
        this.counts.unreadable.push({ path: file.path, message: (e as Error).message });
        this.o.onChange?.();
      } else this.stop(isFtpError(e, 'aborted') ? { state: 'cancelled' } : { state: 'failed', error: e });
      return;
    } finally {
      this.controller.signal.removeEventListener('abort', stopAll);
    }
    if (this.end) return;
    if (verdict) return this.count(verdict);
    const matches = findMatches(decodeText(Buffer.concat(chunks)), this.o.re);
    this.counts.searched++;
    if (matches.length) {
      this.counts.filesWithResults++;
      this.counts.results += matches.reduce((n, m) => n + m.count, 0);
      this.o.onHits(file, matches);
      if (this.counts.results >= this.o.maxResults) this.stop({ state: 'stopped', reason: `${this.o.maxResults.toLocaleString('en-US')} results found; narrow the search.` });
    }
    this.o.onChange?.();
  }

  private count(verdict: 'binary' | 'tooLarge'): void {
    if (verdict === 'binary') this.counts.binary++;
    else this.counts.tooLarge++;
    this.o.onChange?.();
  }
}

/** The error a cancelled search's callers see. */
export const cancelled = () => new FtpError('aborted', 'Cancelled.');
