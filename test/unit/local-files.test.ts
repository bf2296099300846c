/**
 * The small-file side of Upload and Download (src/fs/local-files.ts): a whole file read at once
 * only when it is small and not a link, and a download written under a temporary name first, with
 * the permission bits of the file it replaces. Each the same with the calls made on this thread
 * (AT_ONCE) and through the thread pool (POOLED); then which of the two a folder gets.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { AT_ONCE, LocalCalls, POOLED, SMALL_FILE, keepMode, localCalls, modeToKeep, readSmallFile, onLocalDisk, writeThroughTemp } from '../../src/fs/local-files';

const top = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-local-files-'));
after(() => fs.rmSync(top, { recursive: true, force: true }));

for (const [how, calls] of [['at once', AT_ONCE], ['through the thread pool', POOLED]] as Array<[string, LocalCalls]>) {
  const dir = fs.mkdtempSync(path.join(top, 'calls-'));

  describe(`readSmallFile (${how})`, () => {
    test('a small file comes back whole, an empty one empty', async () => {
      const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
      fs.writeFileSync(path.join(dir, 'a.bin'), bytes);
      assert.deepEqual(await readSmallFile(calls, path.join(dir, 'a.bin')), bytes);
      fs.writeFileSync(path.join(dir, 'empty'), '');
      assert.equal((await readSmallFile(calls, path.join(dir, 'empty')))?.length, 0);
    });
    test('exactly SMALL_FILE bytes is small; one more is left to the stream', async () => {
      const edge = Buffer.alloc(SMALL_FILE, 7);
      edge[SMALL_FILE - 1] = 9;
      fs.writeFileSync(path.join(dir, 'edge'), edge);
      assert.deepEqual(await readSmallFile(calls, path.join(dir, 'edge')), edge);
      fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(SMALL_FILE + 1, 7));
      assert.equal(await readSmallFile(calls, path.join(dir, 'big')), undefined);
    });
    test('a symbolic link is refused, not followed (ELOOP)', async () => {
      fs.writeFileSync(path.join(dir, 'secret'), 'key');
      fs.symlinkSync(path.join(dir, 'secret'), path.join(dir, 'link'));
      await assert.rejects(readSmallFile(calls, path.join(dir, 'link')), (e: NodeJS.ErrnoException) => e.code === 'ELOOP');
    });
    test('a FIFO put where a file was is refused at once, not waited on (open would block for good)', async () => {
      execFileSync('mkfifo', [path.join(dir, 'fifo')]);
      await assert.rejects(readSmallFile(calls, path.join(dir, 'fifo')), (e: NodeJS.ErrnoException) => e.code === 'ENOTFILE' && /not a regular file/.test(e.message));
    });
    test('a file that grew past the size its fstat said while it was read is left to the stream (undefined)', async () => {
      const bytes = Buffer.alloc(1000, 3);
      fs.writeFileSync(path.join(dir, 'growing'), bytes);
      // fstat as it was a moment before the file grew by 10 bytes.
      const earlier: LocalCalls = { ...calls, fstat: async (fd) => Object.assign(Object.create(fs.Stats.prototype) as fs.Stats, await calls.fstat(fd), { size: 990 }) };
      assert.equal(await readSmallFile(earlier, path.join(dir, 'growing')), undefined);
      assert.deepEqual(await readSmallFile(calls, path.join(dir, 'growing')), bytes, 'and whole with the true size');
    });
    test('a missing file is an error the caller sees (ENOENT)', async () => {
      await assert.rejects(readSmallFile(calls, path.join(dir, 'nothing')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    });
  });

  describe(`writeThroughTemp (${how})`, () => {
    test('the data lands under the final name and the temporary name is gone', async () => {
      const temp = path.join(dir, 'out.part');
      await writeThroughTemp(calls, temp, path.join(dir, 'out.txt'), Buffer.from('hello'));
      assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'hello');
      assert.equal(fs.existsSync(temp), false);
    });
    test('a temporary name that exists already (a link put there, say) is not written through', async () => {
      fs.writeFileSync(path.join(dir, 'victim'), 'keep');
      fs.symlinkSync(path.join(dir, 'victim'), path.join(dir, 'taken.part'));
      await assert.rejects(writeThroughTemp(calls, path.join(dir, 'taken.part'), path.join(dir, 'x.txt'), Buffer.from('new')), (e: NodeJS.ErrnoException) => e.code === 'EEXIST');
      assert.equal(fs.readFileSync(path.join(dir, 'victim'), 'utf8'), 'keep');
      assert.equal(fs.existsSync(path.join(dir, 'x.txt')), false);
    });
  });

  describe(`the permission bits a replaced file keeps (${how})`, () => {
    const modeOf = (p: string) => fs.lstatSync(p).mode & 0o7777;
    test('a regular file\'s bits, without setuid, setgid and sticky; nothing for a link, a folder or no file', async () => {
      for (const [name, mode] of [['script.sh', 0o755], ['readonly.txt', 0o444], ['private', 0o600], ['suid', 0o4755]] as const) {
        fs.writeFileSync(path.join(dir, name), 'x');
        fs.chmodSync(path.join(dir, name), mode);
      }
      assert.deepEqual(await Promise.all(['script.sh', 'readonly.txt', 'private', 'suid'].map((n) => modeToKeep(calls, path.join(dir, n)))), [0o755, 0o444, 0o600, 0o755]);
      fs.symlinkSync(path.join(dir, 'private'), path.join(dir, 'to-private'));
      assert.equal(await modeToKeep(calls, path.join(dir, 'to-private')), undefined, 'a link is not followed');
      fs.mkdirSync(path.join(dir, 'folder'));
      assert.equal(await modeToKeep(calls, path.join(dir, 'folder')), undefined);
      assert.equal(await modeToKeep(calls, path.join(dir, 'none')), undefined);
    });
    test('writeThroughTemp gives the new file exactly that mode, whatever the umask', async () => {
      const old = process.umask(0o077);
      try {
        await writeThroughTemp(calls, path.join(dir, 'r.part'), path.join(dir, 'r.txt'), Buffer.from('new'), 0o444);
        await writeThroughTemp(calls, path.join(dir, 'x.part'), path.join(dir, 'x.sh'), Buffer.from('#!/bin/sh\n'), 0o755);
      } finally {
        process.umask(old);
      }
      assert.deepEqual([modeOf(path.join(dir, 'r.txt')), modeOf(path.join(dir, 'x.sh'))], [0o444, 0o755]);
      assert.equal(fs.readFileSync(path.join(dir, 'r.txt'), 'utf8'), 'new');
    });
    test('keepMode: the temporary file has the kept mode before a byte is in it (a 0600 file never sits readable by others); a disk that refuses is no failure', async () => {
      const old = process.umask(0o022);
      let fd: number | undefined;
      try {
        // Opened 0644, as a disk that ignores the mode given at open would leave it: keepMode sets 0600.
        fd = fs.openSync(path.join(dir, 'key.part'), 'wx', 0o644);
        assert.equal(fs.fstatSync(fd).mode & 0o777, 0o644);
        await keepMode(calls, fd, 0o600);
        assert.equal(fs.fstatSync(fd).size, 0);
        assert.equal(fs.fstatSync(fd).mode & 0o777, 0o600);
        await keepMode(calls, fd, undefined);
        assert.equal(fs.fstatSync(fd).mode & 0o777, 0o600, 'nothing to keep: left as created');
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
        process.umask(old);
      }
      await assert.doesNotReject(keepMode(calls, -1, 0o644), 'fchmod refused (here: a descriptor Node turns down): the download goes on');
    });
  });
}

describe('where the calls run', () => {
  // The synchronous functions, replaced for one test: each call counted, or refused.
  const SYNC = ['openSync', 'fstatSync', 'readSync', 'writeSync', 'fchmodSync', 'closeSync', 'renameSync', 'lstatSync'] as const;
  async function withSync<T>(refuse: boolean, run: () => Promise<T>): Promise<{ result: T; calls: number }> {
    // The module object itself (this file's `fs` is a namespace of getters over it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mutable = require('node:fs') as Record<string, (...args: unknown[]) => unknown>;
    const saved = SYNC.map((name) => mutable[name]);
    let calls = 0;
    SYNC.forEach((name, i) => {
      mutable[name] = (...args: unknown[]) => {
        calls++;
        if (refuse) throw new Error(`${name} called`);
        return saved[i](...args);
      };
    });
    try {
      return { result: await run(), calls };
    } finally {
      SYNC.forEach((name, i) => (mutable[name] = saved[i]));
    }
  }
  const dir = fs.mkdtempSync(path.join(top, 'where-'));
  const work = async (calls: LocalCalls) => {
    fs.writeFileSync(path.join(dir, 'in.txt'), 'content');
    const read = await readSmallFile(calls, path.join(dir, 'in.txt'));
    await writeThroughTemp(calls, path.join(dir, 'out.part'), path.join(dir, 'out.txt'), read!, await modeToKeep(calls, path.join(dir, 'in.txt')));
    return fs.readFileSync(path.join(dir, 'out.txt'), 'utf8');
  };

  test('through the thread pool: no synchronous call at all (each would hold the extension host on a network disk)', async () => {
    const { result } = await withSync(true, () => work(POOLED));
    assert.equal(result, 'content');
  });
  test('at once: synchronous calls, no thread-pool round trip', async () => {
    const { result, calls } = await withSync(false, () => work(AT_ONCE));
    assert.equal(result, 'content');
    // open, fstat, read, read (0: the end), close; lstat; open, fchmod, write, close, rename: every one at once.
    assert.equal(calls, 11, `${calls} synchronous calls`);
  });
});

describe('which calls a folder gets', () => {
  test('onLocalDisk: tmpfs on Linux yes; a kernel file system (/proc), a missing folder, any other platform no', async () => {
    if (process.platform !== 'linux') {
      assert.equal(await onLocalDisk(top), false, 'not Linux: the thread pool writes');
      return;
    }
    assert.equal(await onLocalDisk('/dev/shm'), true, 'tmpfs');
    assert.equal(await onLocalDisk('/proc'), false, 'proc: not a disk');
    assert.equal(await onLocalDisk(path.join(top, 'no-such-folder')), false, 'cannot be told: the thread pool writes');
  });

  test('localCalls: at once on a local disk; through the pool on a file system that is not one (/proc here, NFS or sshfs for a user); big files at once only where a local disk was told', async () => {
    const here = await localCalls(top);
    assert.equal(here.atOnce, true, `${top}: small files at once`);
    if (process.platform !== 'linux') {
      assert.equal(here.localDisk, false, 'not Linux: the type is not told, big files go through the pool');
      return;
    }
    assert.equal(here, AT_ONCE, `${top}: a local disk`);
    assert.equal(here.localDisk, true, 'big files at once too');
    const proc = await localCalls('/proc/self');
    assert.equal(proc, POOLED, 'proc is no local disk');
    assert.equal(proc.localDisk, false);
  });
});
