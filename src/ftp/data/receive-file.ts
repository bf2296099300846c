/**
 * Receives a data socket's bytes into an open local file, a few megabytes per write, each write at
 * its position, up to WRITES of them running while the socket goes on reading; the socket pauses
 * only while all of them wait on the disk.
 *
 * A socket that reads into one reused buffer (raw-reads.ts) reads straight into staging buffers used
 * again and again (a ReadTarget: the free room of the one being filled), so the download allocates
 * and copies almost nothing; what it reads while every staging buffer waits on the disk lands in its
 * own buffer and is copied in later (the socket pauses meanwhile). Any other socket
 * (a small download; TLS where Node's fields for it can't be found) hands over chunks of their own: they are kept as they are and written together
 * (writev), with no copy. Both beat a write stream here (whose socket waits while one disk write is
 * slow), and the first by far (see docs/benchmarks.md).
 *
 * A file on a disk that answers at once (the caller knows: a local file system) is written on this
 * thread instead (at-once.ts), 512 KiB at a time from one staging buffer, as lftp and curl write: a
 * 256 MB download on loopback went 1180-1550 MB/s through the pool, 1580-2050 written here
 * (docs/benchmarks.md). A write slower than `slowMs` sends the rest through the pool; writes made at
 * once take at most at-once.ts's TURN_MS of a turn of the event loop (the socket waits for the next).
 */
import * as net from 'node:net';
import type { FileHandle } from 'node:fs/promises';
import { AtOnce, SLOW_CALL_MS, WriteNow, nextTurn } from './at-once';
import { setRawSink } from './raw-reads';
import { prematureClose } from './send-file';

/** Marks a failure of the local file's writes (transfer.ts lets it be the reason told). */
const LOCAL_FILE = Symbol('localFile');

export function isLocalFileError(e: unknown): e is Error {
  return e instanceof Error && (e as unknown as Record<symbol, unknown>)[LOCAL_FILE] === true;
}

/**
 * Bytes the local disk may still take, shared by the downloads writing to it at once (a folder
 * download runs several): `take` counts a chunk in, false when it would go past.
 */
export interface DiskRoom {
  take(bytes: number): boolean;
}

const WRITE_SIZE = 4 * 1024 * 1024;
const WRITES = 3;
/** Less room than this in a staging buffer is filled by copies: a read into a sliver costs a system call for little. */
const LEAST_READ = 64 * 1024;
/** Writes made at once on this thread: this big, from one staging buffer used again and again. */
const WRITE_NOW_SIZE = 512 * 1024;

/**
 * Writes what the socket sends into `file` from its start until the socket ends, and cuts the file
 * there; resolves once all of it is written, rejects with the first failure once no write is still
 * running (whichever way it ends, the caller may close the file next). `sizeHint`: the expected size,
 * so a small file doesn't get a 4 MiB staging buffer. `writeNow`: the file's disk takes writes at
 * once (see above), until one takes longer than `slowMs`. `room`: what the disk may still take
 * (DiskRoom, shared by the downloads under way into one disk); a chunk it won't take fails the
 * download as the local file's failure (a server sending without end would fill the disk).
 */
export function receiveFile(socket: net.Socket, file: FileHandle, onBytes: (n: number) => void, sizeHint?: number, writeNow?: WriteNow, slowMs = SLOW_CALL_MS, room?: DiskRoom): Promise<void> {
  const poolStageSize = Math.min(WRITE_SIZE, Math.max(64 * 1024, (sizeHint ?? WRITE_SIZE) + 1));
  // Writes made at once while `atOnce.on` (until one was slow).
  const atOnce = writeNow ? new AtOnce(slowMs) : undefined;
  let stageSize = atOnce ? Math.min(WRITE_NOW_SIZE, poolStageSize) : poolStageSize;
  return new Promise<void>((resolve, reject) => {
    let position = 0;
    let writing = 0;
    let ended = false;
    let failed: Error | undefined;
    let settled = false;
    let paused = false;
    // Writes made at once had this turn's share of the event loop: the socket waits for the next.
    let resting = false;
    // Raw views: staging buffers, the one being filled, and copies of what came while all were busy.
    const spare: Buffer[] = [];
    let made = 0;
    let stage: Buffer | undefined;
    let filled = 0;
    const waiting: Buffer[] = [];
    // Chunks of their own: kept until written together.
    let batch: Buffer[] = [];
    let batched = 0;
    let received = 0;
    /** False (and the download failed) once the disk's room won't take the next chunk. */
    const within = (n: number): boolean => {
      if (!room || room.take(n)) {
        received += n;
        return true;
      }
      fail(Object.assign(new Error(`The download was stopped after ${received} bytes: the local disk has no more room it may use (some is always kept free).`), { [LOCAL_FILE]: true }));
      return false;
    };

    const settle = () => {
      if (writing > 0 || settled) return; // a write still running: the caller may close the file next
      settled = true;
      cleanup();
      if (failed) reject(failed);
      // The file holds exactly what came (no older tail, should the caller reuse a written file).
      else file.truncate(position).then(() => resolve(), reject);
    };
    const fail = (e: Error) => {
      if (failed) return;
      failed = e;
      socket.destroy();
      settle();
    };
    const write = (buffers: Buffer[], bytes: number, done: () => void) => {
      const at = position;
      position += bytes;
      writing++;
      writeAll(file, buffers, at).then(() => {
        writing--;
        done();
        if (failed) settle();
        else drain();
      }, (e: Error) => {
        writing--;
        // Several writes may fail (a full disk): the first failure is the one told, and the last
        // write to finish settles.
        if (failed) settle();
        else fail(Object.assign(e, { [LOCAL_FILE]: true }));
      });
    };
    /** Writes at once; true while writes stay at once: after a slow write (or a failure) the rest goes through the pool. */
    const wroteNow = (buffers: Buffer[], bytes: number): boolean => {
      if (failed) return false;
      try {
        atOnce!.run(() => {
          for (let at = position; buffers.length;) {
            const n = writeNow!(buffers, at);
            if (n <= 0) throw new Error('The local disk took none of the bytes written.');
            at += n;
            buffers = skipBytes(buffers, n);
          }
        });
      } catch (e) {
        fail(Object.assign(e as Error, { [LOCAL_FILE]: true }));
        return false;
      }
      position += bytes;
      if (atOnce!.on) return true;
      stageSize = poolStageSize;
      return false;
    };
    /** True when writes made at once had this turn's share: the socket waits for the next turn. */
    const rest = (): boolean => {
      if (!atOnce?.on || resting || !atOnce.turnUsed) return false;
      resting = true;
      void nextTurn().then(() => {
        resting = false;
        if (!failed && !paused) socket.resume();
      });
      return true;
    };
    const flushStage = () => {
      const buf = stage!;
      const n = filled;
      filled = 0;
      if (atOnce?.on) {
        // Written at once, the same staging buffer is filled again; after a slow write (or a
        // failure) it is let go, and the pool's bigger ones take over.
        if (wroteNow([buf.subarray(0, n)], n)) return;
        stage = undefined;
        made--;
        return;
      }
      stage = undefined;
      write([buf.subarray(0, n)], n, () => spare.push(buf));
    };
    const flushBatch = () => {
      const buffers = batch;
      const n = batched;
      batch = [];
      batched = 0;
      if (atOnce?.on) wroteNow(buffers, n);
      else write(buffers, n, () => undefined);
    };
    const takeStage = () => (stage = spare.pop() ?? (made < WRITES ? (made++, Buffer.allocUnsafeSlow(stageSize)) : undefined));
    /** Copies `chunk` from `off` while a staging buffer has room; returns where it stopped. */
    const fill = (chunk: Buffer, off: number): number => {
      while (!failed && off < chunk.length && (stage || takeStage())) {
        const n = chunk.copy(stage!, filled, off);
        filled += n;
        off += n;
        if (filled === stage!.length) flushStage();
      }
      return off;
    };
    /** Where the socket reads next (raw-reads.ts): the staging buffer's free room, if one is free. */
    const readTarget = (): Buffer | undefined => {
      if (failed || waiting.length || (!stage && !takeStage()) || stage!.length - filled < LEAST_READ) return undefined;
      return stage!.subarray(filled);
    };
    /** A raw view (raw-reads.ts): in place, or copied now. False: no room, the socket pauses. */
    const acceptView = (view: Buffer): boolean => {
      if (failed || !within(view.length)) return false;
      onBytes(view.length);
      if (stage && view.buffer === stage.buffer && view.byteOffset === stage.byteOffset + filled) {
        filled += view.length; // read into the room readTarget gave
        if (filled === stage.length) flushStage();
        return !rest(); // false pauses the socket (raw-reads.ts)
      }
      const off = waiting.length ? 0 : fill(view, 0);
      if (off === view.length) return !rest();
      waiting.push(Buffer.from(view.subarray(off))); // the view is read into again: a copy
      paused = true;
      return false;
    };
    /** A chunk of its own ('data'): kept, written with the next ones. */
    const onData = (chunk: Buffer) => {
      if (failed || !within(chunk.length)) return;
      onBytes(chunk.length);
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= (atOnce?.on ? WRITE_NOW_SIZE : WRITE_SIZE)) flushBatch();
      if (rest()) socket.pause();
      if (writing >= WRITES && !paused) {
        paused = true;
        socket.pause();
      }
    };
    /** A write finished: take in what waited, go on reading, or finish. */
    const drain = () => {
      while (waiting.length) {
        const off = fill(waiting[0], 0);
        if (off < waiting[0].length) {
          waiting[0] = waiting[0].subarray(off);
          return;
        }
        waiting.shift();
      }
      if (paused && !ended && writing < WRITES) {
        paused = false;
        socket.resume();
      }
      if (ended) {
        if (filled) flushStage();
        else if (batched) flushBatch();
        // Nothing left (what was written at once is done; a write to the pool settles when it ends).
        if (!filled && !batched) settle();
      }
    };
    const onEnd = () => {
      ended = true;
      if (!waiting.length) drain();
    };
    const onClose = () => {
      if (!ended) fail(prematureClose());
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
    if (!setRawSink(socket, acceptView, readTarget)) socket.on('data', onData);
    // An empty file's data connection may have ended (and 'end' been emitted) before this handler
    // ran, while the command's reply was awaited: nothing more will come.
    if (socket.readableEnded) onEnd();
    else socket.resume(); // flowing: 'data' (or, with a raw sink, just 'end') is emitted
  });
}

/** Writes all of `buffers` at `at`, again from where a short write stopped. */
async function writeAll(file: FileHandle, buffers: Buffer[], at: number): Promise<void> {
  while (buffers.length) {
    const { bytesWritten } = buffers.length === 1 ? await file.write(buffers[0], 0, buffers[0].length, at) : await file.writev(buffers, at);
    if (bytesWritten <= 0) throw new Error('The local disk took none of the bytes written.');
    at += bytesWritten;
    buffers = skipBytes(buffers, bytesWritten);
  }
}

/** `buffers` without their first `n` bytes (those a short write took). */
function skipBytes(buffers: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < buffers.length && n >= buffers[i].length) n -= buffers[i++].length;
  const rest = buffers.slice(i);
  if (n > 0) rest[0] = rest[0].subarray(n);
  return rest;
}
