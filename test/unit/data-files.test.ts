/**
 * The engine's local-file data paths on loopback sockets (no FTP server): receive-file.ts,
 * send-file.ts and raw-reads.ts, in the cases a real server can't be made to produce (a disk that
 * fails under several writes at once, a slow reader, data held before a reader takes raw chunks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { isLocalFileError, receiveFile } from '../../src/ftp/data/receive-file';
import { ReadNow, TURN_MS, WriteNow, readNowFrom, writeNowTo } from '../../src/ftp/data/at-once';
import { dropSpareBuffers, sendBuffer, sendFile } from '../../src/ftp/data/send-file';
import { adoptWithRawReads, connectWithRawReads, setRawSink, useRawReads } from '../../src/ftp/data/raw-reads';
import { testCertificate } from '../servers/common';

type Reads = 'raw' | 'accepted' | 'tls' | 'plain';
const READS_NAME: Record<Reads, string> = { raw: 'raw reads', accepted: 'raw reads, an accepted socket', tls: 'raw reads, TLS', plain: "'data'" };

/**
 * A peer that sends `data` (after `delayMs`), then ends; and our socket from it: one we connected
 * (with raw reads or the usual way), or, as in active mode, one our listener accepted, created paused
 * and given raw reads by adoptWithRawReads.
 */
async function feeding(data: Buffer, reads: Reads | boolean, delayMs = 0): Promise<{ socket: net.Socket; close(): void }> {
  const how: Reads = reads === true ? 'raw' : reads === false ? 'plain' : reads;
  const send = (s: net.Socket) => {
    s.on('error', () => undefined); // the other side may hang up first
    setTimeout(() => s.end(data), delayMs);
  };
  if (how === 'accepted') {
    const listener = net.createServer({ pauseOnConnect: true });
    const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const peer = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
    send(peer);
    const socket = adoptWithRawReads(await accepted);
    socket.on('error', () => undefined);
    return { socket, close: () => (peer.destroy(), listener.close()) };
  }
  if (how === 'tls') {
    // As an FTPS data connection: TCP first, TLS started on it, then read into the reused buffer.
    const { certFile, keyFile } = testCertificate();
    const server = tls.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, send);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const plain = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false });
    secure.on('error', () => undefined);
    await new Promise((r) => secure.once('secureConnect', r));
    return { socket: useRawReads(secure), close: () => server.close() };
  }
  const server = net.createServer(send);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const socket = how === 'raw' ? connectWithRawReads('127.0.0.1', port) : net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  return { socket, close: () => server.close() };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms))]);

/** receiveFile of `data`, sent through a socket of kind `reads`, into `file`, within `ms`; the socket and its peer closed after. */
async function receivedBy(data: Buffer, reads: Reads, file: FileHandle, onBytes: (n: number) => void, ms: number, ...rest: [sizeHint?: number, writeNow?: WriteNow, slowMs?: number]): Promise<void> {
  const { socket, close } = await feeding(data, reads);
  try {
    await within(receiveFile(socket, file, onBytes, ...rest), ms, 'receiveFile');
  } finally {
    socket.destroy();
    close();
  }
}

for (const raw of ['raw', 'accepted', 'tls', 'plain'] as const) {
  test(`receiveFile (${READS_NAME[raw]}): a disk that fails under several writes at once rejects with the first failure, once no write runs`, async () => {
    let started = 0;
    let running = 0;
    let runningAtSettle = -1;
    const full = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const write = () => {
      started++;
      running++;
      // Slow enough that more data comes while the first write runs, even on a loaded machine.
      return new Promise((_, reject) => setTimeout(() => { running--; reject(full()); }, 300 + 10 * started));
    };
    const file = { write, writev: write, truncate: async () => undefined } as unknown as FileHandle;
    const { socket, close } = await feeding(Buffer.alloc(16 * 1024 * 1024, 7), raw);
    try {
      const received = receiveFile(socket, file, () => undefined, 16 * 1024 * 1024).finally(() => (runningAtSettle = running));
      await assert.rejects(within(received, 5000, 'receiveFile'), /ENOSPC/);
      assert.ok(started >= 2, `writes in flight at once: ${started}`);
      assert.equal(runningAtSettle, 0, 'no write still running when it settled');
    } finally {
      socket.destroy();
      close();
    }
  });

  test(`receiveFile (${READS_NAME[raw]}): the file holds exactly what came, in order, even over an older longer content`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-receive-'));
    const target = path.join(dir, 'f.bin');
    fs.writeFileSync(target, Buffer.alloc(9 * 1024 * 1024, 1));
    const data = crypto.randomBytes(5 * 1024 * 1024 + 777);
    const { socket, close } = await feeding(data, raw);
    const file = await fs.promises.open(target, 'r+');
    try {
      let counted = 0;
      await within(receiveFile(socket, file, (n) => (counted += n), 100 * 1024), 10_000, 'receiveFile');
      assert.equal(counted, data.length);
    } finally {
      await file.close();
      socket.destroy();
      close();
    }
    assert.ok(fs.readFileSync(target).equals(data), 'the file is what the socket sent, no older tail');
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

for (const raw of ['raw', 'accepted', 'tls'] as const) {
  test(`raw reads (${READS_NAME[raw]}): with a read target, reads after the first land in its room, in order, and none outside it`, async () => {
    const data = crypto.randomBytes(4 * 1024 * 1024 + 9);
    const { socket, close } = await feeding(data, raw, 50);
    try {
      const room = Buffer.alloc(data.length);
      let filled = 0;
      let inPlace = 0;
      let copied = 0;
      const ended = new Promise((r) => socket.once('end', r));
      assert.equal(setRawSink(socket, (view) => {
        if (view.buffer === room.buffer) {
          assert.equal(view.byteOffset, room.byteOffset + filled, 'read where the target said');
          inPlace++;
        } else {
          view.copy(room, filled);
          copied++;
        }
        filled += view.length;
        return true;
      }, () => (filled < room.length ? room.subarray(filled) : undefined)), true);
      socket.resume();
      await within(ended, 10_000, 'the end');
      assert.equal(filled, data.length);
      assert.ok(room.equals(data), 'every byte in order');
      assert.ok(copied <= 2 && inPlace > 0, `in place: ${inPlace} reads, copied: ${copied} (the first read, and a TLS record decrypted with it)`);
    } finally {
      socket.destroy();
      close();
    }
  });

  test(`receiveFile (${READS_NAME[raw]}): a disk slower than the network (the socket reads in place, pauses, copies what came meanwhile) writes every byte in order`, async () => {
    const data = crypto.randomBytes(24 * 1024 * 1024 + 4321);
    const out = Buffer.alloc(data.length);
    let writes = 0;
    const slowWrite = (buffers: Buffer[], at: number) => new Promise<{ bytesWritten: number }>((resolve) => setTimeout(() => {
      writes++;
      let n = 0;
      for (const b of buffers) n += b.copy(out, at + n);
      resolve({ bytesWritten: n });
    }, 30));
    const file = {
      write: (b: Buffer, off: number, len: number, at: number) => slowWrite([b.subarray(off, off + len)], at),
      writev: (bs: Buffer[], at: number) => slowWrite(bs, at),
      truncate: async () => undefined,
    } as unknown as FileHandle;
    await receivedBy(data, raw, file, () => undefined, 20_000, data.length);
    assert.ok(writes >= 6, `written in staging buffers (${writes} writes)`);
    assert.ok(out.equals(data), 'the file is what the socket sent, in order');
  });
}

/** Waits `ms` on this thread, as a write to a disk that fell behind does. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A file whose writes through the pool are counted into `out`, and a WriteNow into the same. */
function writesInto(out: Buffer, now: (call: number) => void = () => undefined, most = Infinity) {
  const seen = { now: 0, pool: 0 };
  const put = (buffers: Buffer[], at: number) => {
    let n = 0;
    for (const b of buffers) {
      const take = Math.min(b.length, most - n);
      n += b.copy(out, at + n, 0, take);
      if (n >= most) break;
    }
    return n;
  };
  const pool = (buffers: Buffer[], at: number) => {
    seen.pool++;
    return Promise.resolve({ bytesWritten: put(buffers, at) });
  };
  const file = {
    write: (b: Buffer, off: number, len: number, at: number) => pool([b.subarray(off, off + len)], at),
    writev: (bs: Buffer[], at: number) => pool(bs, at),
    truncate: async () => undefined,
  } as unknown as FileHandle;
  const writeNow: WriteNow = (buffers, at) => {
    now(++seen.now);
    return put(buffers, at);
  };
  return { file, writeNow, seen };
}

for (const raw of ['raw', 'accepted', 'tls', 'plain'] as const) {
  test(`receiveFile (${READS_NAME[raw]}), a disk that takes writes at once: every byte written on this thread, in order, none through the pool, short writes written on`, async () => {
    const data = crypto.randomBytes(6 * 1024 * 1024 + 1234);
    const out = Buffer.alloc(data.length);
    // At most 100,000 bytes a write: every write is short, and is written on from where it stopped.
    // (No write counts as slow here, however loaded the machine: the next test is about those.)
    const { file, writeNow, seen } = writesInto(out, undefined, 100_000);
    await receivedBy(data, raw, file, () => undefined, 20_000, data.length, writeNow, 60_000);
    assert.equal(seen.pool, 0, 'no write through the pool');
    assert.ok(seen.now >= data.length / 100_000, `writes made at once: ${seen.now}`);
    assert.ok(out.equals(data), 'the file is what the socket sent, in order');
  });

  test(`receiveFile (${READS_NAME[raw]}): a write made at once that is slow sends the rest through the pool; every byte in order`, async () => {
    const data = crypto.randomBytes(8 * 1024 * 1024 + 99);
    const out = Buffer.alloc(data.length);
    // Slow: over 200 ms here (4 in use), so that only the write made slow counts as slow.
    const { file, writeNow, seen } = writesInto(out, (call) => { if (call === 2) blockFor(260); });
    await receivedBy(data, raw, file, () => undefined, 20_000, data.length, writeNow, 200);
    assert.equal(seen.now, 2, 'no write made at once after the slow one');
    assert.ok(seen.pool >= 1, `writes through the pool: ${seen.pool}`);
    assert.ok(out.equals(data), 'the file is what the socket sent, in order');
  });

  test(`receiveFile (${READS_NAME[raw]}): a write made at once that fails rejects with that failure, told as the local file's, and nothing is written after it`, async () => {
    const data = crypto.randomBytes(6 * 1024 * 1024);
    const out = Buffer.alloc(data.length);
    const full = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const { file, writeNow, seen } = writesInto(out, (call) => { if (call === 2) throw full(); });
    const { socket, close } = await feeding(data, raw);
    try {
      const e = await within(receiveFile(socket, file, () => undefined, data.length, writeNow, 60_000).then(() => undefined, (err: unknown) => err), 20_000, 'receiveFile');
      assert.ok(e instanceof Error && /ENOSPC/.test(e.message), `rejected with the disk's failure: ${String(e)}`);
      assert.ok(isLocalFileError(e), 'told as the local file\'s failure');
    } finally {
      socket.destroy();
      close();
    }
    assert.equal(seen.now, 2, 'no write made at once after the failure');
    assert.equal(seen.pool, 0, 'none through the pool either');
  });
}

const quiet = { handed: () => undefined, written: () => undefined };

/**
 * A reader slower than the disk (it pauses 2 ms after every chunk): the socket backs up, and write
 * callbacks come after the last read. `send` writes to a socket connected to it (TLS when `secure`,
 * as an FTPS data connection); resolves with all it received once the socket ended, rejects if
 * `send` fails.
 */
function slowReader(send: (socket: net.Socket) => Promise<void>, secure = false): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const got: Buffer[] = [];
    const read = (s: net.Socket) => {
      s.on('data', (c: Buffer) => {
        got.push(c);
        s.pause();
        setTimeout(() => s.resume(), 2);
      });
      s.on('end', () => {
        s.end();
        server.close();
        resolve(Buffer.concat(got));
      });
    };
    const cert = secure ? testCertificate() : undefined;
    const server = cert ? tls.createServer({ cert: fs.readFileSync(cert.certFile), key: fs.readFileSync(cert.keyFile) }, read) : net.createServer(read);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      const socket = secure ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.once(secure ? 'secureConnect' : 'connect', () => send(socket).catch(reject));
    });
  });
}

/**
 * Counts what is handed to `socket.write`, the most that waited in the socket at once, and the
 * chunks that were views of `source`'s memory.
 */
function watchWrites(socket: net.Socket, source?: Buffer): { handed: number; most: number; views: number } {
  const seen = { handed: 0, most: 0, views: 0 };
  const write = socket.write.bind(socket) as (chunk: Buffer, cb: (e?: Error | null) => void) => boolean;
  (socket as unknown as { write: typeof write }).write = (chunk, cb) => {
    seen.handed += chunk.length;
    if (source && chunk.buffer === source.buffer) seen.views++;
    const ok = write(chunk, cb);
    seen.most = Math.max(seen.most, socket.writableLength);
    return ok;
  };
  return seen;
}

test('sendFile to a slow reader resolves once the socket has finished, with every byte sent', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-send-'));
  const source = path.join(dir, 'up.bin');
  const data = crypto.randomBytes(12 * 1024 * 1024);
  fs.writeFileSync(source, data);
  const received = await within(slowReader(async (socket) => {
    let finished = false;
    socket.once('finish', () => (finished = true));
    const file = await fs.promises.open(source, 'r');
    try {
      await sendFile(socket, file, quiet);
      assert.ok(finished, "resolved only after the socket's 'finish'");
    } finally {
      await file.close();
    }
  }), 20_000, 'the upload');
  assert.ok(received.equals(data), `the reader got the file (${received.length} of ${data.length} bytes)`);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Counts turns of the event loop (a setImmediate chain) until stopped: `turn()` is the current one. */
function turns(): { turn(): number; most(marks: number[]): number; stop(): void } {
  let n = 0;
  let on = true;
  const tick = () => {
    n++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    turn: () => n,
    most: (marks) => Math.max(0, ...[...marks.reduce((m, t) => m.set(t, (m.get(t) ?? 0) + 1), new Map<number, number>()).values()]),
    stop: () => (on = false),
  };
}

for (const raw of ['raw', 'accepted', 'tls', 'plain'] as const) {
  test(`receiveFile (${READS_NAME[raw]}): writes made at once take at most their share of a turn of the event loop (${TURN_MS} ms), then the socket waits for the next`, async () => {
    const data = crypto.randomBytes(12 * 1024 * 1024);
    const out = Buffer.alloc(data.length);
    const clock = turns();
    const marks: number[] = [];
    // 2 ms a write: at most five in a turn. (A loaded machine makes them longer: fewer in a turn.)
    const { file, writeNow } = writesInto(out, () => {
      marks.push(clock.turn());
      blockFor(2);
    });
    await receivedBy(data, raw, file, () => undefined, 20_000, data.length, writeNow, 60_000).finally(() => clock.stop());
    assert.ok(out.equals(data), 'the file is what the socket sent, in order');
    assert.ok(clock.most(marks) <= 5, `writes made at once in one turn: at most ${clock.most(marks)} (of ${marks.length})`);
  });
}

test('receiveFile: a write made at once that fails in the middle of a chunk being copied in (a file listed small that grew: small staging buffers) is the last write', async () => {
  const data = crypto.randomBytes(6 * 1024 * 1024);
  const out = Buffer.alloc(data.length);
  const full = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const { file, writeNow, seen } = writesInto(out, (call) => { if (call === 2) throw full(); });
  // Listed at 64 KiB: staging buffers of 64 KiB + 1, so a 256 KiB read fills several of them.
  const { socket, close } = await feeding(data, 'raw');
  try {
    const e = await within(receiveFile(socket, file, () => undefined, 64 * 1024, writeNow, 60_000).then(() => undefined, (err: unknown) => err), 20_000, 'receiveFile');
    assert.ok(isLocalFileError(e), `told as the local file's failure: ${String(e)}`);
  } finally {
    socket.destroy();
    close();
  }
  assert.equal(seen.now, 2, 'no write made at once after the failure');
  assert.equal(seen.pool, 0, 'none through the pool either');
});

test('writeNowTo and readNowFrom write and read at the position given, not at the file\'s offset', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-at-once-'));
  const file = await fs.promises.open(path.join(dir, 'f.bin'), 'w+');
  try {
    const write = writeNowTo(file);
    assert.equal(write([Buffer.from('world')], 6), 5);
    assert.equal(write([Buffer.from('hel'), Buffer.from('lo ')], 0), 6);
    const read = readNowFrom(file);
    const buf = Buffer.alloc(5);
    assert.equal(read(buf, 6), 5);
    assert.equal(buf.toString(), 'world');
    assert.equal(read(buf, 11), 0, 'at the end: nothing');
  } finally {
    await file.close();
  }
  assert.equal(fs.readFileSync(path.join(dir, 'f.bin'), 'utf8'), 'hello world');
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * An open-file stand-in over `data`: reads through the pool (`file.read`) and reads made at once
 * (`readNow`) counted; `now` runs before each read made at once (to make one slow, or fail).
 */
function readsFrom(data: Buffer, now: (call: number) => void = () => undefined) {
  const seen = { now: 0, pool: 0 };
  const take = (buf: Buffer, at: number) => data.copy(buf, 0, at, Math.min(data.length, at + buf.length));
  const file = {
    read: async (buf: Buffer, off: number, len: number, at: number) => {
      seen.pool++;
      return { bytesRead: take(buf.subarray(off, off + len), at), buffer: buf };
    },
  } as unknown as FileHandle;
  const readNow: ReadNow = (buf, at) => {
    now(++seen.now);
    return take(buf, at);
  };
  return { file, readNow, seen };
}

for (const secure of [false, true]) {
  const over = secure ? 'over TLS' : 'over a plain socket';
  test(`sendFile ${over}, a disk that answers at once: every byte read on this thread, in order, none through the pool`, async () => {
    const data = crypto.randomBytes(6 * 1024 * 1024 + 4321);
    const { file, readNow, seen } = readsFrom(data);
    // No read counts as slow here, however loaded the machine: the next test is about those.
    const received = await within(slowReader((socket) => sendFile(socket, file, quiet, readNow, 60_000), secure), 20_000, 'the upload');
    assert.ok(received.equals(data), `the reader got the file (${received.length} of ${data.length} bytes)`);
    assert.equal(seen.pool, 0, 'no read through the pool');
    assert.ok(seen.now >= 7, `reads made at once: ${seen.now}`);
  });

  test(`sendFile ${over}: a read made at once that is slow sends the rest through the pool; every byte in order`, async () => {
    const data = crypto.randomBytes(6 * 1024 * 1024 + 4321);
    // Slow: over 200 ms here (4 in use), so that only the read made slow counts as slow.
    const { file, readNow, seen } = readsFrom(data, (call) => { if (call === 2) blockFor(260); });
    const received = await within(slowReader((socket) => sendFile(socket, file, quiet, readNow, 200), secure), 20_000, 'the upload');
    assert.ok(received.equals(data), `the reader got the file (${received.length} of ${data.length} bytes)`);
    assert.equal(seen.now, 2, 'no read made at once after the slow one');
    assert.ok(seen.pool >= 5, `reads through the pool: ${seen.pool}`);
  });

  test(`sendFile ${over}: a read made at once into memory never used before may take longer before it counts as slow (its first touch), one into a buffer used before may not`, async () => {
    const data = crypto.randomBytes(8 * 1024 * 1024);
    dropSpareBuffers();
    // Slow from 100 ms, 400 ms more for a buffer's first read: the first read (a buffer never used)
    // takes 250 ms and goes on at once; the sixth (a buffer used before, over TLS and plain) takes
    // as long and hands the rest to the pool.
    const { file, readNow, seen } = readsFrom(data, (call) => { if (call === 1 || call === 6) blockFor(250); });
    const received = await within(slowReader((socket) => sendFile(socket, file, quiet, readNow, 100, 400), secure), 20_000, 'the upload');
    assert.ok(received.equals(data), `the reader got the file (${received.length} of ${data.length} bytes)`);
    assert.equal(seen.now, 6, 'reads made at once: up to the slow one into a buffer used before');
    assert.ok(seen.pool >= 1, `reads through the pool: ${seen.pool}`);
  });

  test(`sendFile ${over}: reads made at once take at most their share of a turn of the event loop (${TURN_MS} ms), then wait for the next`, async () => {
    const data = crypto.randomBytes(16 * 1024 * 1024);
    const clock = turns();
    const marks: number[] = [];
    // 2 ms a read: at most five in a turn.
    const { file, readNow } = readsFrom(data, () => {
      marks.push(clock.turn());
      blockFor(2);
    });
    try {
      const received = await within(slowReader((socket) => sendFile(socket, file, quiet, readNow, 60_000), secure), 30_000, 'the upload');
      assert.ok(received.equals(data), `the reader got the file (${received.length} of ${data.length} bytes)`);
    } finally {
      clock.stop();
    }
    assert.ok(clock.most(marks) <= 5, `reads made at once in one turn: at most ${clock.most(marks)} (of ${marks.length})`);
  });

  test(`sendFile ${over}: a read made at once that fails rejects with that failure`, async () => {
    const data = crypto.randomBytes(6 * 1024 * 1024);
    const broken = () => Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    const { file, readNow, seen } = readsFrom(data, (call) => { if (call === 3) throw broken(); });
    // A peer that takes everything; closed, with our socket, whatever happens.
    const cert = secure ? testCertificate() : undefined;
    const drain = (peer: net.Socket) => peer.on('error', () => undefined).resume();
    const server = cert ? tls.createServer({ cert: fs.readFileSync(cert.certFile), key: fs.readFileSync(cert.keyFile) }, drain) : net.createServer(drain);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const socket = secure ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let failure: unknown;
    try {
      await new Promise((r) => socket.once(secure ? 'secureConnect' : 'connect', r));
      failure = await within(sendFile(socket, file, quiet, readNow, 60_000).then(() => 'resolved', (e: unknown) => e), 20_000, 'the upload');
    } finally {
      socket.destroy();
      server.close();
    }
    assert.ok(failure instanceof Error && (failure as NodeJS.ErrnoException).code === 'EIO', `rejected with the disk's failure: ${String(failure)}`);
    assert.equal(seen.now, 3, 'no read made at once after the failure');
    assert.equal(seen.pool, 0, 'none through the pool either');
  });
}

test('sendFile over TLS to a slow reader: every byte in order, never more than two 1 MiB buffers waiting in the socket (TLS copies a batch of them into one)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-send-'));
  const source = path.join(dir, 'up.bin');
  const data = crypto.randomBytes(9 * 1024 * 1024 + 3);
  fs.writeFileSync(source, data);
  let writes = { handed: 0, most: 0 };
  const received = await within(slowReader(async (socket) => {
    writes = watchWrites(socket);
    const file = await fs.promises.open(source, 'r');
    try {
      await sendFile(socket, file, quiet);
    } finally {
      await file.close();
    }
  }, true), 20_000, 'the upload');
  fs.rmSync(dir, { recursive: true, force: true });
  assert.ok(received.equals(data), 'the reader got the file, in order');
  assert.ok(writes.most > 1024 * 1024, `the next buffer waits in the socket while one is written (at most ${writes.most} bytes)`);
  assert.ok(writes.most <= 2 * 1024 * 1024, `never more than two: ${writes.most} bytes`);
});

for (const secure of [false, true]) {
  const how = secure
    ? 'over TLS: views of the buffer (OpenSSL reads them; no copy), the next waiting in the socket while one is written, never more than two'
    : "over a plain socket: copies through the reused buffers (the kernel never reads the caller's pages), up to four waiting while the same buffers are filled again";
  test(`sendBuffer ${how}; every byte in order; progress counts what the socket has written, never what still waits in it`, async () => {
    const data = crypto.randomBytes(9 * 1024 * 1024 + 3);
    let writes = { handed: 0, most: 0, views: 0 };
    let ahead = 0;
    const received = await within(slowReader(async (socket) => {
      writes = watchWrites(socket, data);
      let counted = 0;
      let toldHanded = 0;
      let handedBehind = 0;
      await sendBuffer(socket, data, {
        handed: (n) => {
          toldHanded += n;
          // Told as it goes to the socket: a failure from then on is the transfer breaking off.
          handedBehind = Math.max(handedBehind, writes.handed + n - toldHanded);
        },
        written: (n) => {
          counted += n;
          ahead = Math.max(ahead, counted - (writes.handed - socket.writableLength));
        },
      });
      assert.equal(counted, data.length);
      assert.equal(toldHanded, data.length);
      assert.equal(handedBehind, 0, 'each chunk told as handed before it goes to the socket');
    }, secure), 20_000, 'the upload');
    assert.ok(received.equals(data), `the reader got the buffer (${received.length} of ${data.length} bytes)`);
    assert.ok(writes.most > 1024 * 1024, `more than one 1 MiB chunk waiting in the socket at once (at most ${writes.most} bytes)`);
    assert.ok(writes.most <= (secure ? 2 : 4) * 1024 * 1024, `bounded: ${writes.most} bytes`);
    if (secure) assert.equal(writes.views, 10, 'every chunk a view of the buffer');
    else assert.equal(writes.views, 0, `${writes.views} chunks were the caller's memory`);
    assert.equal(ahead, 0, `progress ran ${ahead} bytes ahead of what the socket had written`);
  });
}

test('sendBuffer to a reader that goes away half-way rejects (never hangs), and stops handing chunks to the socket', async () => {
  const data = crypto.randomBytes(16 * 1024 * 1024);
  let handed = 0;
  const result = new Promise<unknown>((resolve) => {
    const server = net.createServer((s) => {
      let got = 0;
      s.on('data', (c: Buffer) => {
        got += c.length;
        if (got > 3 * 1024 * 1024) {
          s.destroy(); // the server drops the data connection
          server.close();
        }
      });
      s.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1', () => {
      const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.once('connect', () => {
        sendBuffer(socket, data, { handed: (n) => (handed += n), written: () => undefined }).then(() => resolve('resolved'), resolve);
      });
    });
  });
  const outcome = await within(result, 10_000, 'sendBuffer to end');
  assert.ok(outcome instanceof Error, `rejected: ${String(outcome)}`);
  assert.ok(handed < data.length, `stopped handing chunks over (${handed} of ${data.length} bytes)`);
});

test('raw reads: what the stream held before a raw sink was set comes first, then the rest, in order', async () => {
  const data = crypto.randomBytes(3 * 1024 * 1024);
  const { socket, close } = await feeding(data, true);
  try {
    // Nobody reads yet: the stream takes copies up to its high-water mark, then the socket pauses.
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(socket.readableLength > 0, 'the stream holds data before the sink is set');
    const chunks: Buffer[] = [];
    const ended = new Promise((r) => socket.once('end', r));
    assert.equal(setRawSink(socket, (view) => (chunks.push(Buffer.from(view)), true)), true);
    socket.resume();
    await within(ended, 5000, 'the end');
    assert.ok(Buffer.concat(chunks).equals(data));
  } finally {
    socket.destroy();
    close();
  }
});

test('raw reads: a socket without a raw sink reads as any other', async () => {
  const data = crypto.randomBytes(2 * 1024 * 1024 + 5);
  const { socket, close } = await feeding(data, true);
  try {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    await within(new Promise((r) => socket.once('end', r)), 5000, 'the end');
    assert.ok(Buffer.concat(chunks).equals(data));
    assert.ok(chunks.every((c) => c.length <= 64 * 1024), 'chunks of at most 64 KiB, as a socket reads');
    const plain = await feeding(data, false);
    assert.equal(setRawSink(plain.socket, () => true), false, 'a socket made the usual way takes no raw sink');
    plain.socket.destroy();
    plain.close();
  } finally {
    socket.destroy();
    close();
  }
});

test('raw reads, an accepted socket: the adopted socket takes a raw sink and gets every byte in order; the listener is left free to close', async () => {
  const data = crypto.randomBytes(5 * 1024 * 1024 + 3);
  const listener = net.createServer({ pauseOnConnect: true });
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const peer = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  peer.on('error', () => undefined);
  const original = await accepted;
  const socket = adoptWithRawReads(original);
  try {
    assert.notEqual(socket, original, 'a new socket holds the connection');
    assert.ok(original.destroyed, 'the accepted one is let go');
    // The listener counted the accepted socket: it closes only once that one is gone.
    const listenerClosed = new Promise((r) => listener.close(r));
    await within(listenerClosed, 2000, "the listener's close");
    // It writes too (a STOR in active mode goes through the same socket).
    const written = new Promise<Buffer>((r) => peer.once('data', r));
    socket.write('back');
    assert.equal((await within(written, 2000, 'the write')).toString(), 'back');
    const chunks: Buffer[] = [];
    assert.equal(setRawSink(socket, (view) => (chunks.push(Buffer.from(view)), true)), true);
    const ended = new Promise((r) => socket.once('end', r));
    peer.end(data);
    await within(ended, 5000, 'the end');
    assert.ok(Buffer.concat(chunks).equals(data), `${Buffer.concat(chunks).length} of ${data.length} bytes, in order`);
  } finally {
    socket.destroy();
    peer.destroy();
  }
});

test('raw reads, TLS: views of one reused buffer, every byte in order though the sink pauses the socket and more comes meanwhile', async () => {
  const data = crypto.randomBytes(6 * 1024 * 1024 + 11);
  const { socket, close } = await feeding(data, 'tls', 50);
  try {
    const chunks: Buffer[] = [];
    const buffers = new Set<ArrayBuffer>();
    let calls = 0;
    const ended = new Promise((r) => socket.once('end', r));
    // As receive-file.ts does when its staging is full: false (the socket stops reading), then
    // resume later. TLS hands over what it has decrypted already even after a false: kept too.
    assert.equal(setRawSink(socket, (view) => {
      buffers.add(view.buffer as ArrayBuffer);
      chunks.push(Buffer.from(view));
      if (++calls % 7 !== 0) return true;
      setTimeout(() => socket.resume(), 1);
      return false;
    }), true, 'the TLS socket takes a raw sink');
    socket.resume();
    await within(ended, 10_000, 'the end');
    assert.ok(Buffer.concat(chunks).equals(data), `${Buffer.concat(chunks).length} of ${data.length} bytes, in order`);
    assert.equal(buffers.size, 1, 'every view is of the one reused buffer (no Buffer allocated per TLS record)');
    assert.ok(calls > 300, `TLS records of at most 16 KiB each (${calls} calls)`);
  } finally {
    socket.destroy();
    close();
  }
});

test('raw reads, TLS: a socket already given a buffer, or closed, is returned as it is', async () => {
  const { socket, close } = await feeding(Buffer.alloc(10), 'tls', 1000);
  try {
    assert.equal(useRawReads(socket as tls.TLSSocket), socket);
    assert.equal(setRawSink(socket, () => true), true);
  } finally {
    socket.destroy();
    close();
  }
  const closed = tls.connect({ port: 1, host: '127.0.0.1' });
  closed.on('error', () => undefined);
  closed.destroy();
  assert.equal(useRawReads(closed), closed);
  assert.equal(setRawSink(closed, () => true), false, 'left to read the usual way');
});

test('raw reads, an accepted socket already closed is returned as it is', async () => {
  const listener = net.createServer({ pauseOnConnect: true });
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const peer = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  const original = await accepted;
  original.destroy();
  assert.equal(adoptWithRawReads(original), original);
  peer.destroy();
  listener.close();
});

test("receiveFile of a data connection that has ended before it was called (an empty file) resolves, and the file is empty", async () => {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // Half-open: the socket stays open after its 'end', as a socket whose 'close' has not come yet.
  const socket = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('end', r));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-empty-'));
  const file = await fs.promises.open(path.join(dir, 'e.bin'), 'wx');
  try {
    await within(receiveFile(socket, file, () => undefined), 3000, 'receiveFile');
  } finally {
    await file.close();
    socket.destroy();
    server.close();
  }
  assert.equal(fs.statSync(path.join(dir, 'e.bin')).size, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});
