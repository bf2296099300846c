/**
 * The small-file side of Upload and Download (src/fs/local-files.ts): a whole file read at once
 * only when it is small and not a link, and a download written under a temporary name first.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { SMALL_FILE, readSmallFile, writeThroughTemp } from '../../src/fs/local-files';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-local-files-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readSmallFile', () => {
  test('a small file comes back whole, an empty one empty', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
    fs.writeFileSync(path.join(dir, 'a.bin'), bytes);
    assert.deepEqual(readSmallFile(path.join(dir, 'a.bin')), bytes);
    fs.writeFileSync(path.join(dir, 'empty'), '');
    assert.equal(readSmallFile(path.join(dir, 'empty'))?.length, 0);
  });
  test('exactly SMALL_FILE bytes is small; one more is left to the stream', () => {
    fs.writeFileSync(path.join(dir, 'edge'), Buffer.alloc(SMALL_FILE, 7));
    assert.equal(readSmallFile(path.join(dir, 'edge'))?.length, SMALL_FILE);
    fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(SMALL_FILE + 1, 7));
    assert.equal(readSmallFile(path.join(dir, 'big')), undefined);
  });
  test('a symbolic link is refused, not followed (ELOOP)', () => {
    fs.writeFileSync(path.join(dir, 'secret'), 'key');
    fs.symlinkSync(path.join(dir, 'secret'), path.join(dir, 'link'));
    assert.throws(() => readSmallFile(path.join(dir, 'link')), (e: NodeJS.ErrnoException) => e.code === 'ELOOP');
  });
  test('a FIFO put where a file was is refused at once, not waited on (open would block for good)', () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    assert.throws(() => readSmallFile(path.join(dir, 'fifo')), (e: NodeJS.ErrnoException) => e.code === 'ENOTFILE' && /not a regular file/.test(e.message));
  });
  test('a missing file is an error the caller sees (ENOENT)', () => {
    assert.throws(() => readSmallFile(path.join(dir, 'nothing')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  });
});

describe('writeThroughTemp', () => {
  test('the data lands under the final name and the temporary name is gone', () => {
    const temp = path.join(dir, 'out.part');
    writeThroughTemp(temp, path.join(dir, 'out.txt'), Buffer.from('hello'));
    assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'hello');
    assert.equal(fs.existsSync(temp), false);
  });
  test('a temporary name that exists already (a link put there, say) is not written through', () => {
    fs.writeFileSync(path.join(dir, 'victim'), 'keep');
    fs.symlinkSync(path.join(dir, 'victim'), path.join(dir, 'taken.part'));
    assert.throws(() => writeThroughTemp(path.join(dir, 'taken.part'), path.join(dir, 'x.txt'), Buffer.from('new')), (e: NodeJS.ErrnoException) => e.code === 'EEXIST');
    assert.equal(fs.readFileSync(path.join(dir, 'victim'), 'utf8'), 'keep');
    assert.equal(fs.existsSync(path.join(dir, 'x.txt')), false);
  });
});
