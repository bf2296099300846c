/**
 * Sends an open local file over a data socket from a few buffers used again and again (and a small
 * buffer in one write: endWith).
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
import type { FileHandle } from 'node:fs/promises';

const BUFFER_SIZE = 1024 * 1024;
/** Reads in flight per transfer. */
const BUFFERS = 4;
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
 * Writes the file from its start to its end, then ends the socket; resolves once the system has it
 * all. `onBytes` is told each chunk's length as it is handed to the socket.
 */
export async function sendFile(socket: net.Socket, file: FileHandle, onBytes: (n: number) => void): Promise<void> {
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  // Buffers the socket has written; only these are ever read into again (or kept for later).
  const free: Buffer[] = [];
  let taken = 0;
  const fail = (e: Error) => {
    failed ??= e;
    wake?.();
  };
  const closed = () => fail(prematureClose());
  socket.on('error', fail);
  socket.on('close', closed);
  try {
    for (let position = 0; ;) {
      let buf = free.pop();
      if (!buf && taken < BUFFERS) {
        buf = spare.pop() ?? Buffer.allocUnsafeSlow(BUFFER_SIZE);
        taken++;
      }
      if (!buf) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (failed) throw failed;
        continue;
      }
      if (failed) throw failed;
      const { bytesRead } = await file.read(buf, 0, buf.length, position);
      if (failed) throw failed;
      if (bytesRead === 0) break;
      position += bytesRead;
      const chunk = buf;
      socket.write(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead), (e) => {
        if (e) return fail(e);
        free.push(chunk);
        wake?.();
      });
      onBytes(bytesRead);
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
    // A buffer whose write has not called back may still be in the socket: never kept.
    while (free.length && spare.length < KEPT) spare.push(free.pop()!);
  }
}
