/**
 * Feeding a ListingParser from a data connection without holding the event loop. libuv reads a
 * readable socket up to 32 times in one turn, 2 MB on loopback, so a parse in each 'data' handler
 * held the loop for all 32 (130 ms for 100,000 `ls -l` lines). Here a chunk is only decoded and
 * queued; the parse runs in slices of `sliceMs` with a setImmediate turn between them, and the
 * socket is paused while more than `highWater` characters wait (and resumed once they are parsed).
 */
import { ListingParser } from './parser';

/** What the feed asks of its data connection. */
export interface PacedFeedHooks {
  /** Stop reading (too much text waits). */
  pause(): void;
  /** Read again. */
  resume(): void;
  /** After each slice: false stops the feed (a limit was met and the caller failed the transfer). */
  afterSlice(): boolean;
  /** Everything written, ended and parsed. */
  done(): void;
}

export class PacedListingFeed {
  private readonly queue: string[] = [];
  /** Where parsing stands in queue[0]. */
  private offset = 0;
  private queued = 0;
  private scheduled = false;
  private ended = false;
  private stopped = false;
  private paused = false;

  constructor(
    private readonly parser: ListingParser,
    private readonly hooks: PacedFeedHooks,
    private readonly sliceMs = 8,
    private readonly highWater = 1 << 20,
  ) {}

  /** Queues decoded text (any size, lines may be split anywhere). */
  write(text: string): void {
    if (this.stopped || text === '') return;
    this.queue.push(text);
    this.queued += text.length;
    if (this.queued > this.highWater && !this.paused) {
      this.paused = true;
      this.hooks.pause();
    }
    this.schedule();
  }

  /** The last text; done() is called once everything is parsed. */
  end(text = ''): void {
    if (this.ended) return;
    this.write(text);
    this.ended = true;
    this.schedule();
  }

  /** Drops what waits and parses nothing more (the transfer failed). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const deadline = performance.now() + this.sliceMs;
    while (this.queue.length > 0) {
      const text = this.queue[0];
      const at = this.parser.feed(text, this.offset, deadline);
      if (at >= text.length) {
        this.queue.shift();
        this.queued -= text.length;
        this.offset = 0;
      } else {
        this.queued -= at - this.offset;
        this.offset = at;
      }
      if (!this.hooks.afterSlice()) {
        this.stop();
        return;
      }
      if (performance.now() > deadline) break;
    }
    if (this.paused && this.queued <= this.highWater / 2) {
      this.paused = false;
      this.hooks.resume();
    }
    if (this.queue.length > 0) this.schedule();
    else if (this.ended) this.hooks.done();
  }
}
