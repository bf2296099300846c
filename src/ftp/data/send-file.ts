/**
 * Sends an open local file over a data socket from a few buffers used again and again (sendFile), a
 * buffer in memory through the same buffers or, over TLS, in views of it (sendBuffer), a small
 * buffer in one write (endWith).
 *
 * A file read stream allocates a fresh buffer for every read; on the machines measured, touching
 * fresh memory costs more than reading the file (a page fault per 4 KiB), and a 512 MB upload ran at
 * half of curl's speed. Here at most BUFFERS reads are in flight between the disk and the socket; a
 * buffer is read into again only once the socket says it has written it (its write callback).
 * Reads give their position, so a transfer that has to start over (another data method) reads
 * the file again from its start.
 */
import * as net from 'node:net';
import { Stream } from 'node:stream';
import * as tls from 'node:tls';
import type { FileHandle } from 'node:fs/promises';
import { AtOnce, FIRST_TOUCH_MS, ReadNow, SLOW_CALL_MS, nextTurn } from './at-once';

const BUFFER_SIZE = 1024 * 1024;
/** Reads (or copies) in flight per transfer over a plain socket. */
const BUFFERS = 4;
/**
 * Chunks handed to the socket and not yet written, over TLS: two, one written while the next waits. More waiting go to TLS together (writev), which copies them
 * into one fresh buffer before encrypting: a 256 MB FTPS upload from a file used 520-580 ms of CPU
 * with four, 350-460 with two.
 */
const WAITING = 2;
/** Buffers kept between transfers (process-wide), for the next upload to use again. */
const KEPT = 4;
const spare: Buffer[] = [];

/** A data socket closed before its side was done, as stream.pipeline says it: the transfer reads it as broken off (transfer.ts). */
export function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/** Writes `data` and ends the socket; resolves once all of it is handed to the system. */
export function endWith(socket: net.Socket, data: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (e?: Error) => {
      socket.off('error', settle);
      socket.off('close', closed);
      if (e) reject(e);
      else resolve();
    };
    const closed = () => settle(prematureClose());
    socket.once('error', settle);
    socket.once('close', closed);
    socket.end(data, (e?: Error | null) => settle(e ?? undefined));
  });
}

/** Whether an upload's source is an open file (fs.promises.open): not a stream (a file stream has an fd and a read() too). */
export function isFileHandle(source: unknown): source is FileHandle {
  if (typeof source !== 'object' || source === null || source instanceof Stream) return false;
  const f = source as FileHandle;
  return typeof f.fd === 'number' && typeof f.read === 'function' && typeof f.readFile === 'function';
}

/**
 * Told of each chunk: `handed` when it goes to the socket (the transfer has begun: a failure from
 * then on is the transfer breaking off, not the data method failing, transfer.ts), `written` once
 * the socket has written it (the progress a user sees: never megabytes ahead).
 */
export interface SendProgress {
  handed(n: number): void;
  written(n: number): void;
}

/**
 * Writes the file from its start to its end, then ends the socket; resolves once the system has it
 * all. `readNow`: the file's disk answers at once, so it is read on this thread (at-once.ts) until a
 * read takes longer than `slowMs` (a 256 MB upload on loopback: 1890-2210 MB/s read through the
 * thread pool, 1860-2530 read here, a fifth less CPU); the rest through the pool. A buffer's first
 * read may take `firstTouchMs` more: the faults of its fresh memory are not the disk's.
 */
export function sendFile(socket: net.Socket, file: FileHandle, progress: SendProgress, readNow?: ReadNow, slowMs = SLOW_CALL_MS, firstTouchMs = FIRST_TOUCH_MS): Promise<void> {
  const atOnce = readNow ? new AtOnce(slowMs) : undefined;
  return sendStaged(socket, (buf, position, fresh) => {
    // A buffer just allocated pays a page fault a page in its first read: not the disk's time.
    const read = () => (atOnce?.on ? atOnce.run(() => readNow!(buf, position), fresh ? firstTouchMs : 0) : file.read(buf, 0, buf.length, position).then((r) => r.bytesRead));
    // Reads made at once had this turn's share of the event loop: the next one waits for the next turn.
    return atOnce?.on && atOnce.turnUsed ? nextTurn().then(read) : read();
  }, progress);
}

/**
 * Writes `data`, then ends the socket. Over TLS in views of BUFFER_SIZE (no copy: OpenSSL reads
 * them and the socket is handed what it encrypted): one being written, the next waiting, so the
 * socket never waits for us. Never more waiting: the socket would hand them to its handle together
 * (writev), and a TLS socket copies such a batch into one new buffer before encrypting it (with
 * four waiting, writev was a fifth of the CPU profile of an FTPS upload from memory).
 *
 * Over a plain socket through the buffers a file upload uses, a copy of each part first: there the
 * kernel reads the bytes itself, and on the VMs measured the first time it reads a page this
 * process wrote costs a fault (a save's bytes are such pages: VS Code's RPC copies them into a new
 * buffer). 256 MB written by JavaScript went to vsftpd at 620-660 MB/s with 380-440 ms of CPU sent
 * in views, at 2140-2330 MB/s with 86-98 ms copied through the reused buffers (docs/benchmarks.md,
 * fifteenth session); elsewhere the copy costs a memcpy.
 */
export async function sendBuffer(socket: net.Socket, data: Buffer, progress: SendProgress): Promise<void> {
  if (!(socket instanceof tls.TLSSocket)) return sendStaged(socket, (buf, position) => data.copy(buf, 0, position, Math.min(data.length, position + buf.length)), progress);
  let offset = 0;
  await pump(socket, WAITING, async () => (offset < data.length ? data.subarray(offset, (offset += BUFFER_SIZE)) : undefined), () => undefined, progress);
}

/** Tests: the buffers kept between uploads are dropped, so the next upload allocates its own. */
export function dropSpareBuffers(): void {
  spare.length = 0;
}

/**
 * Writes what `fill` puts into reused buffers (how many bytes, from `position` on; 0 at the end),
 * then ends the socket. A buffer is filled again only once the socket has written it. `fresh`: the
 * buffer was just allocated (its memory never touched).
 */
async function sendStaged(socket: net.Socket, fill: (buf: Buffer, position: number, fresh: boolean) => number | Promise<number>, progress: SendProgress): Promise<void> {
  // Buffers the socket has written; only these are ever filled again (or kept for later).
  const free: Buffer[] = [];
  let position = 0;
  try {
    await pump(socket, socket instanceof tls.TLSSocket ? WAITING : BUFFERS, async () => {
      const reused = free.pop() ?? spare.pop();
      const buf = reused ?? Buffer.allocUnsafeSlow(BUFFER_SIZE);
      const n = await fill(buf, position, !reused);
      if (n === 0) {
        free.push(buf);
        return undefined;
      }
      position += n;
      return n === buf.length ? buf : buf.subarray(0, n);
    }, (chunk) => free.push(Buffer.from(chunk.buffer, chunk.byteOffset, BUFFER_SIZE)), progress);
  } finally {
    // A buffer whose write has not called back may still be in the socket: never kept.
    while (free.length && spare.length < KEPT) spare.push(free.pop()!);
  }
}

/**
 * Hands the socket what `next` gives, up to `most` chunks whose writes have not called back, then
 * ends it; `written` gets each chunk back once the socket has written it (its write callback).
 */
async function pump(socket: net.Socket, most: number, next: () => Promise<Buffer | undefined>, written: (chunk: Buffer) => void, progress: SendProgress): Promise<void> {
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  let inFlight = 0;
  const fail = (e: Error) => {
    failed ??= e;
    wake?.();
  };
  const closed = () => fail(prematureClose());
  socket.on('error', fail);
  socket.on('close', closed);
  try {
    for (;;) {
      while (inFlight >= most && !failed) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (failed) throw failed;
      const chunk = await next();
      if (failed) throw failed;
      if (!chunk) break;
      inFlight++;
      progress.handed(chunk.length);
      socket.write(chunk, (e) => {
        if (e) return fail(e);
        inFlight--;
        written(chunk);
        wake?.();
        progress.written(chunk.length);
      });
    }
    await new Promise<void>((resolve, reject) => {
      if (failed) return reject(failed);
      // Writes still finishing call wake too: only a failure ends this early.
      wake = () => {
        if (failed) reject(failed);
      };
      socket.end((e?: Error | null) => (e ? reject(e) : resolve()));
    });
  } finally {
    socket.off('error', fail);
    socket.off('close', closed);
  }
}
