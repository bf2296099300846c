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

/** Runs `call` and says whether it was quick (took at most `slowMs`). */
export function quick(call: () => void, slowMs: number): boolean {
  const started = performance.now();
  call();
  return performance.now() - started <= slowMs;
}
