/**
 * Local file reads and writes made on this thread, for an open file on a disk that answers at once
 * (the caller knows: a local file system). Each call handed to libuv's thread pool instead costs a
 * thread's wake-up (about 0.1 ms of this thread's time on the machines measured), the bytes leave the
 * CPU's cache on the way, and the pool's thread competes for a core with the socket and, on
 * loopback, the server (docs/benchmarks.md, sixteenth session). A call that takes longer than
 * `slowMs` (a disk that fell behind: dirty pages throttled, a cold file on a slow disk) sends the
 * rest of that transfer to the pool, so the event loop waits on a slow disk at most once.
 */
import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** A call made at once that took longer than this sends the rest of its transfer to the pool. */
export const SLOW_CALL_MS = 4;

/**
 * More time a read made at once into memory never used before may take: it pays a page fault a
 * page (1 MiB: 256 faults, 3-5 ms on this project's machine, and the process's first read more),
 * which says nothing of the disk. Judged by SLOW_CALL_MS alone, the first read of half the uploads
 * of a fresh process counted as a slow disk and sent that upload, and every transfer for a minute
 * after (slowLately), through the thread pool.
 */
export const FIRST_TOUCH_MS = 8;

/** Writes `buffers` at `at` now; returns the bytes written (the caller writes on after a short write). */
export type WriteNow = (buffers: Buffer[], at: number) => number;
/** Reads into `buf` from `at` now; returns the bytes read (0 at the end). */
export type ReadNow = (buf: Buffer, at: number) => number;

export function writeNowTo(file: FileHandle): WriteNow {
  return (buffers, at) => (buffers.length === 1 ? fs.writeSync(file.fd, buffers[0], 0, buffers[0].length, at) : fs.writevSync(file.fd, buffers, at));
}

export function readNowFrom(file: FileHandle): ReadNow {
  return (buf, at) => fs.readSync(file.fd, buf, 0, buf.length, at);
}

/**
 * Calls made at once take at most this much of one turn of the event loop: past it, the transfer
 * waits for the next turn (a socket reads up to 32 times a turn, and each read may end in a write
 * made at once: a disk just under SLOW_CALL_MS a call could hold the loop 100 ms without this).
 */
export const TURN_MS = 8;

/**
 * A call made at once that was slow (process-wide): for a minute after it, transfers go through the
 * pool from their start (a folder download to a slow disk blocks the loop once, not once a file).
 */
let slowAt = -Infinity;
const SLOW_REMEMBERED_MS = 60_000;

export function slowLately(): boolean {
  return Date.now() - slowAt < SLOW_REMEMBERED_MS;
}

/** The calls made at once of one transfer: each timed, the turn's share counted. */
export class AtOnce {
  /** False after a slow call: the rest of the transfer goes through the pool. */
  on = true;
  private spent = 0;
  private counting = false;

  constructor(private readonly slowMs = SLOW_CALL_MS) {}

  /** Runs `call` now, timed: a slow one (over slowMs, plus `allowanceMs`) turns `on` off. */
  run<T>(call: () => T, allowanceMs = 0): T {
    const started = performance.now();
    try {
      return call();
    } finally {
      const ms = performance.now() - started;
      if (ms > this.slowMs + allowanceMs) {
        this.on = false;
        slowAt = Date.now();
      }
      this.spent += ms;
      if (!this.counting) {
        this.counting = true;
        setImmediate(() => {
          this.spent = 0;
          this.counting = false;
        });
      }
    }
  }

  /** This turn of the event loop has had its share: the caller waits for the next (`nextTurn`). */
  get turnUsed(): boolean {
    return this.spent > TURN_MS;
  }
}

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
