/**
 * Receives a data socket's bytes into an open local file through a few reused staging buffers.
 *
 * Each chunk is copied into a staging buffer; a full one is written with one positional write while
 * the next fills, and the socket pauses only while every staging buffer waits on the disk. Compared
 * with a write stream this keeps no socket chunk alive until the disk takes it (with raw reads,
 * raw-reads.ts, the socket allocates nothing), and a slow disk write holds up nothing until all
 * staging buffers are waiting.
 */
import * as net from 'node:net';
import type { FileHandle } from 'node:fs/promises';
import { setRawSink } from './raw-reads';

const STAGE_SIZE = 4 * 1024 * 1024;
const STAGES = 3;

/**
 * Writes what the socket sends into `file` from its start until the socket ends; resolves once all
 * of it is written (and no write is still running, whichever way it ends). `sizeHint`: the expected
 * size, so a small file doesn't get a 4 MiB staging buffer.
 */
export function receiveFile(socket: net.Socket, file: FileHandle, onBytes: (n: number) => void, sizeHint?: number): Promise<void> {
  const size = Math.min(STAGE_SIZE, Math.max(64 * 1024, (sizeHint ?? STAGE_SIZE) + 1));
  return new Promise<void>((resolve, reject) => {
    const free: Buffer[] = [];
    let made = 0;
    let current: Buffer | undefined;
    let filled = 0;
    let position = 0;
    let writing = 0;
    let ended = false;
    let failed: Error | undefined;
    let paused = false;
    // Chunks that came while every staging buffer was waiting on the disk (copies, in order).
    const waiting: Buffer[] = [];

    const settle = () => {
      if (writing > 0) return; // a write still running: the caller may close the file next
      cleanup();
      if (failed) reject(failed);
      else resolve();
    };
    const fail = (e: Error) => {
      if (failed) return;
      failed = e;
      socket.destroy();
      settle();
    };
    const take = () => (current = free.pop() ?? (made < STAGES ? (made++, Buffer.allocUnsafeSlow(size)) : undefined));
    const flush = () => {
      const buf = current!;
      const n = filled;
      const at = position;
      position += n;
      current = undefined;
      filled = 0;
      writing++;
      file.write(buf, 0, n, at).then(() => {
        writing--;
        free.push(buf);
        if (failed) return settle();
        drain();
      }, (e: Error) => {
        writing--;
        fail(e);
      });
    };
    /** Copies `chunk` from `off` while a staging buffer has room; returns where it stopped. */
    const fill = (chunk: Buffer, off: number): number => {
      while (off < chunk.length && (current || take())) {
        const n = chunk.copy(current!, filled, off);
        filled += n;
        off += n;
        if (filled === current!.length) flush();
      }
      return off;
    };
    const accept = (chunk: Buffer): boolean => {
      if (failed) return false;
      onBytes(chunk.length);
      const off = waiting.length ? 0 : fill(chunk, 0);
      if (off === chunk.length) return true;
      waiting.push(Buffer.from(chunk.subarray(off))); // the view may be read into again: a copy
      paused = true;
      return false;
    };
    /** A staging buffer came free: take in what waited, go on reading, or finish. */
    const drain = () => {
      while (waiting.length) {
        const off = fill(waiting[0], 0);
        if (off < waiting[0].length) {
          waiting[0] = waiting[0].subarray(off);
          return;
        }
        waiting.shift();
      }
      if (paused && !ended) {
        paused = false;
        socket.resume();
      }
      if (ended) {
        if (filled) flush();
        else settle();
      }
    };
    const onData = (chunk: Buffer) => {
      if (!accept(chunk)) socket.pause();
    };
    const onEnd = () => {
      ended = true;
      if (!waiting.length) drain();
    };
    // As stream.pipeline says it: the transfer reads this as broken off (transfer.ts).
    const onClose = () => {
      if (!ended) fail(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', fail);
      socket.off('close', onClose);
    };
    socket.on('end', onEnd);
    socket.on('error', fail);
    socket.on('close', onClose);
    if (!setRawSink(socket, accept)) socket.on('data', onData);
    socket.resume(); // flowing: 'data' (or, with a raw sink, just 'end') is emitted
  });
}
