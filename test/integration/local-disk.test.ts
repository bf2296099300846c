/**
 * The provider tells the engine where a streamed upload's or download's local file lives
 * (provider.ts `localFileAtOnce: calls.localDisk`): on a local disk the engine reads and writes the
 * open file on the event loop's thread (data/at-once.ts: fs.readSync, fs.writeSync), elsewhere
 * (a network or FUSE file system, where a call may wait on another machine) through the thread
 * pool. The real provider with the `vscode` stub of test/bench, on vsftpd; files of 300 KB (over
 * local-files.ts SMALL_FILE, so streamed). The network folder is a tmpfs folder whose statfs is
 * made to answer NFS's type, the one thing this test can't get from a real mount; the same way, a
 * folder whose disk has little room (local-files.ts `claimRoom`: downloads never fill the disk).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
// The module object itself (not a namespace copy): what is patched here is what the engine calls.
import fs from 'node:fs';
import * as path from 'node:path';
import '../bench/vscode-stub';
import { openSite, BenchSite } from '../bench/site';
import { SMALL_FILE } from '../../src/fs/local-files';
import { RunningServer, startServer } from '../servers';

const NFS_SUPER_MAGIC = 0x6969;
const SIZE = 300 * 1024;

/** Bytes read and written by fs.readSync / writeSync / writevSync on other descriptors than 0-2 while fn runs. */
async function syncCalls(fn: () => Promise<unknown>): Promise<{ read: number; written: number }> {
  const counted = { read: 0, written: 0 };
  const { readSync, writeSync, writevSync } = fs;
  const mine = (fd: number) => fd > 2;
  const patched = fs as { -readonly [K in 'readSync' | 'writeSync' | 'writevSync']: (typeof fs)[K] };
  patched.readSync = ((fd: number, ...rest: unknown[]) => {
    const n = (readSync as (...a: unknown[]) => number)(fd, ...rest);
    if (mine(fd)) counted.read += n;
    return n;
  }) as typeof fs.readSync;
  patched.writeSync = ((fd: number, ...rest: unknown[]) => {
    const n = (writeSync as (...a: unknown[]) => number)(fd, ...rest);
    if (mine(fd)) counted.written += n;
    return n;
  }) as typeof fs.writeSync;
  patched.writevSync = ((fd: number, ...rest: unknown[]) => {
    const n = (writevSync as (...a: unknown[]) => number)(fd, ...rest);
    if (mine(fd)) counted.written += n;
    return n;
  }) as typeof fs.writevSync;
  try {
    await fn();
  } finally {
    Object.assign(patched, { readSync, writeSync, writevSync });
  }
  return counted;
}

describe('a streamed transfer\'s local file: on this thread on a local disk, through the pool elsewhere (the real provider, vsftpd)', () => {
  let server: RunningServer;
  let site: BenchSite;
  let shm: string;
  const content = crypto.randomBytes(SIZE);
  before(async () => {
    assert.ok(SIZE > SMALL_FILE, 'the files must be streamed, not read whole');
    // tmpfs: a local disk by its statfs type. Without /dev/shm this test can't tell the two apart.
    assert.ok(fs.existsSync('/dev/shm'), 'this test needs /dev/shm (tmpfs), which Linux machines have');
    shm = fs.mkdtempSync('/dev/shm/ftpws-local-disk-');
    server = await startServer('vsftpd');
    site = openSite({ host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'passive' });
  });
  after(async () => {
    await site?.close();
    await server?.stop();
    if (shm) fs.rmSync(shm, { recursive: true, force: true });
  });

  /** Uploads `name` from dir, downloads it back into dir under another name; both whole. */
  async function roundTrip(dir: string, name: string) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
    const up = await syncCalls(() => site.provider.uploadFile(site.uri(`/${name}`), path.join(dir, name)));
    assert.deepEqual(fs.readFileSync(path.join(server.root, name)), content, 'uploaded whole');
    const back = path.join(dir, `back-${name}`);
    const down = await syncCalls(() => site.provider.downloadFile(site.uri(`/${name}`), back));
    assert.deepEqual(fs.readFileSync(back), content, 'downloaded whole');
    return { up, down };
  }

  test('a local disk (tmpfs): the engine reads and writes the file on this thread', async () => {
    const { up, down } = await roundTrip(path.join(shm, 'local'), 'local.bin');
    assert.equal(up.read, SIZE, 'the upload read the file with fs.readSync');
    assert.equal(down.written, SIZE, 'the download wrote the file with fs.writeSync / writevSync');
  });

  test('a disk with little room: a download that would fill it is stopped there, with the reason; nothing left behind', async () => {
    const dir = path.join(shm, 'small-disk');
    fs.mkdirSync(dir);
    const big = crypto.randomBytes(3 * 1024 * 1024);
    fs.writeFileSync(path.join(server.root, 'big.bin'), big);
    const statfs = fs.promises.statfs;
    const patched = fs.promises as { statfs: typeof statfs };
    // 2 MiB free: half of it is kept, so at most 1 MiB may be written (by all downloads at once).
    patched.statfs = (async (p: fs.PathLike, opts?: fs.StatFsOptions) => {
      const real = await statfs(p, opts as never);
      return path.resolve(String(p)).startsWith(dir) ? Object.assign(Object.create(Object.getPrototypeOf(real)), real, { bsize: 4096, bavail: 512 }) : real;
    }) as typeof statfs;
    const room = /^The download was stopped after \d+ bytes: the local disk has no more room it may use \(some is always kept free\)\./;
    try {
      // Its size not known before: stopped where the room ends.
      await assert.rejects(site.provider.downloadFile(site.uri('/big.bin'), path.join(dir, 'big.bin')), (e: Error) => room.test(e.message));
      assert.deepEqual(fs.readdirSync(dir), [], 'no file, no temporary file');
      // Its size known (a folder download's listing): not begun.
      await assert.rejects(site.provider.downloadFile(site.uri('/big.bin'), path.join(dir, 'big.bin'), {}, big.length),
        (e: Error) => /^big\.bin is 3(\.0)? MB; the disk holding .*small-disk has room for 1(\.0)? MB more \(256 MB or half of its free space is always kept free\)\.$/.test(e.message));
      // Two at once share the room: 700 KB each, 1 MiB between them.
      fs.writeFileSync(path.join(server.root, 'a.bin'), big.subarray(0, 700 * 1024));
      fs.writeFileSync(path.join(server.root, 'b.bin'), big.subarray(0, 700 * 1024));
      const both = await Promise.allSettled(['a.bin', 'b.bin'].map((n) => site.provider.downloadFile(site.uri(`/${n}`), path.join(dir, n))));
      assert.ok(both.some((r) => r.status === 'rejected' && room.test((r.reason as Error).message)), both.map((r) => r.status).join(', '));
      assert.ok(fs.readdirSync(dir).every((n) => !n.endsWith('.part')), 'no temporary file');
      // With the room it needs, the same download goes through.
      patched.statfs = statfs;
      await site.provider.downloadFile(site.uri('/big.bin'), path.join(dir, 'big.bin'));
      assert.deepEqual(fs.readFileSync(path.join(dir, 'big.bin')), big);
    } finally {
      patched.statfs = statfs;
    }
  });

  test('a folder whose statfs says NFS: every read and write through the thread pool', async () => {
    const dir = path.join(shm, 'network');
    const statfs = fs.promises.statfs;
    const patched = fs.promises as { statfs: typeof statfs };
    patched.statfs = (async (p: fs.PathLike, opts?: fs.StatFsOptions) => {
      const real = await statfs(p, opts as never);
      return path.resolve(String(p)).startsWith(dir) ? Object.assign(Object.create(Object.getPrototypeOf(real)), real, { type: NFS_SUPER_MAGIC }) : real;
    }) as typeof statfs;
    try {
      const { up, down } = await roundTrip(dir, 'network.bin');
      assert.equal(up.read, 0, 'no read made on this thread');
      assert.equal(down.written, 0, 'no write made on this thread');
    } finally {
      patched.statfs = statfs;
    }
  });
});
