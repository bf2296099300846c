/**
 * The start-up code cache (src/boot/code-cache.ts): a bundle in a temporary folder run through it,
 * with no cache, its own, another build's, a damaged one and one V8 refuses, and in a folder it
 * can't write. The bundle must run the same every time; only a cache of this build and V8 is used.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CacheUse, runWithCodeCache } from '../../src/boot/code-cache';

const BUNDLE = [
  "const path = require('node:path');",
  'function twice(x) { return 2 * x; }',
  'module.exports = { answer: twice(21), base: path.basename(__filename), dir: __dirname, self: exports === module.exports,',
  '  where: () => new Error("here").stack.split("\\n")[1] };',
  '',
].join('\n');

function setUp(source = BUNDLE): { dir: string; file: string; cacheFile: string; hash: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-code-cache-'));
  const file = path.join(dir, 'extension.js');
  fs.writeFileSync(file, source);
  return { dir, file, cacheFile: path.join(dir, 'extension.js.cache'), hash: crypto.createHash('sha256').update(source).digest('hex') };
}

/** Runs the bundle as start.ts does; returns its exports and what became of the cache. */
function run(t: { file: string; cacheFile: string; hash: string }, writeAfterMs = 0): { exports: Record<string, unknown>; use: CacheUse } {
  const module = { exports: {} as Record<string, unknown> };
  const use = runWithCodeCache({ file: t.file, buildHash: t.hash, cacheFile: t.cacheFile, module, require, writeAfterMs });
  return { exports: module.exports, use };
}

async function written(file: string): Promise<Buffer> {
  for (let i = 0; i < 100 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
  return fs.readFileSync(file);
}

function checkExports(e: Record<string, unknown>, dir: string): void {
  assert.equal(e.answer, 42);
  assert.equal(e.base, 'extension.js');
  assert.equal(e.dir, dir);
  assert.equal(e.self, true);
  // The wrapper adds no line and no column: a stack names the bundle's own line 4, column 16 (as require gives).
  assert.match((e.where as () => string)(), /extension\.js:4:16\)?$/);
}

describe('the start-up code cache', () => {
  test('no cache: runs, then writes one; the next run uses it and runs the same', async () => {
    const t = setUp();
    const first = run(t);
    assert.equal(first.use, 'none');
    checkExports(first.exports, t.dir);
    const data = await written(t.cacheFile);
    assert.match(data.subarray(0, 200).toString('latin1'), new RegExp(`^ftpws-code-cache 1 ${t.hash} `));
    const second = run(t);
    assert.equal(second.use, 'used');
    checkExports(second.exports, t.dir);
    assert.deepEqual(fs.readdirSync(t.dir).sort(), ['extension.js', 'extension.js.cache'], 'no temporary file left');
  });

  test("another build's cache is not used, though V8 would take it (same length), and is replaced", async () => {
    const t = setUp();
    run(t);
    await written(t.cacheFile);
    // The same length, other code: V8 checks the length only.
    const other = BUNDLE.replace('2 * x', '3 * x');
    fs.writeFileSync(t.file, other);
    const before = fs.readFileSync(t.cacheFile);
    const next = run({ ...t, hash: crypto.createHash('sha256').update(other).digest('hex') });
    assert.equal(next.use, 'stale');
    assert.equal(next.exports.answer, 63, 'the new code runs');
    for (let i = 0; i < 100 && fs.readFileSync(t.cacheFile).equals(before); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(!fs.readFileSync(t.cacheFile).equals(before), 'the cache was written anew');
  });

  test('a damaged cache (a byte changed, cut short, garbage, no header) is not given to V8', async () => {
    const t = setUp();
    run(t);
    const good = await written(t.cacheFile);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 10] ^= 0xff;
    for (const bad of [flipped, good.subarray(0, good.length - 100), crypto.randomBytes(5000), Buffer.alloc(0)]) {
      fs.writeFileSync(t.cacheFile, bad);
      const r = run(t, 60_000);
      assert.equal(r.use, bad.length ? 'damaged' : 'damaged', `use for a ${bad.length}-byte cache`);
      checkExports(r.exports, t.dir);
    }
  });

  test('a cache V8 refuses (made for other source) costs an ordinary compile', async () => {
    const t = setUp();
    const other = setUp(BUNDLE.replace('twice', 'thrice').replace('twice', 'thrice') + '// longer\n');
    run(other);
    const foreign = (await written(other.cacheFile)).toString('latin1');
    // Its header rewritten for this build (as a same-length edit would slip past V8 without ours).
    const data = Buffer.from(foreign.slice(foreign.indexOf('\n') + 1), 'latin1');
    const head = `ftpws-code-cache 1 ${t.hash} ${process.versions.v8} ${process.arch} ${data.length} ${crypto.createHash('sha256').update(data).digest('hex')}\n`;
    fs.writeFileSync(t.cacheFile, Buffer.concat([Buffer.from(head, 'latin1'), data]));
    const r = run(t);
    assert.equal(r.use, 'rejected');
    checkExports(r.exports, t.dir);
  });

  test('a folder it cannot write: runs all the same, no error', async () => {
    if (process.getuid?.() === 0) {
      // root writes anywhere: a path under a file stands for a folder that can't be written.
      const t = setUp();
      const r = run({ ...t, cacheFile: path.join(t.file, 'nested.cache') });
      assert.equal(r.use, 'none');
      checkExports(r.exports, t.dir);
      await new Promise((res) => setTimeout(res, 50));
      assert.deepEqual(fs.readdirSync(t.dir), ['extension.js']);
      return;
    }
    const t = setUp();
    fs.chmodSync(t.dir, 0o555);
    try {
      const r = run(t);
      checkExports(r.exports, t.dir);
      await new Promise((res) => setTimeout(res, 50));
      assert.deepEqual(fs.readdirSync(t.dir), ['extension.js']);
    } finally {
      fs.chmodSync(t.dir, 0o755);
    }
  });
});
