/**
 * The start-up code cache (src/boot/code-cache.ts): a bundle in a temporary folder run through it
 * with no cache, its own, one made for other code of the same length, a damaged one, one V8
 * refuses, one that is not a plain file of ours, and in a folder it can't write. The bundle must
 * run the same every time (as a plain require runs it); only a cache of this very source is used.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { CACHE_USE, CacheUse, runBundleApart, runWithCodeCache } from '../../src/boot/code-cache';

const BUNDLE = [
  "const path = require('node:path');",
  'function twice(x) { return 2 * x; }',
  'module.exports = { answer: twice(21), base: path.basename(__filename), dir: __dirname, self: exports === module.exports,',
  '  where: () => new Error("here").stack.split("\\n")[1], load: () => import("node:path").then((m) => typeof m.join) };',
  '',
].join('\n');

function setUp(source = BUNDLE): { dir: string; file: string; cacheFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-code-cache-'));
  const file = path.join(dir, 'extension.js');
  fs.writeFileSync(file, source);
  return { dir, file, cacheFile: path.join(dir, 'extension.js.cache') };
}

/** Runs the bundle as start.ts does; returns its exports and what became of the cache. */
function run(t: { file: string; cacheFile: string }, writeAfterMs = 0): { exports: Record<string, unknown>; use: CacheUse } {
  const module = { exports: {} as Record<string, unknown> };
  const use = runWithCodeCache({ file: t.file, cacheFile: t.cacheFile, module, require, writeAfterMs });
  assert.equal((globalThis as Record<symbol, unknown>)[CACHE_USE], use, 'the use is left where the bench reads it');
  return { exports: module.exports, use };
}

async function changed(file: string, from?: Buffer): Promise<Buffer> {
  for (let i = 0; i < 200; i++) {
    if (fs.existsSync(file) && (!from || !fs.readFileSync(file).equals(from))) return fs.readFileSync(file);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${file} was not written`);
}

function checkExports(e: Record<string, unknown>, dir: string, answer = 42): void {
  assert.equal(e.answer, answer);
  assert.equal(e.base, 'extension.js');
  assert.equal(e.dir, dir);
  assert.equal(e.self, true);
  // The wrapper adds no line and no column: a stack names the bundle's own line 4, column 16 (as require gives).
  assert.match((e.where as () => string)(), /extension\.js:4:16\)?$/);
}

/** An import() inside the bundle works, as under require (checked once per test: it is async). */
async function checkImport(e: Record<string, unknown>): Promise<void> {
  assert.equal(await (e.load as () => Promise<string>)(), 'function');
}

/** A header for `data` that names `source`, as a cache of ours would. */
function headed(source: string, data: Buffer): Buffer {
  const sha = (d: string | Buffer) => crypto.createHash('sha256').update(d).digest('hex');
  return Buffer.concat([Buffer.from(`ftpws-code-cache 2 ${sha(source)} ${process.versions.v8} ${process.arch} ${data.length} ${sha(data)}\n`, 'latin1'), data]);
}

describe('the start-up code cache', () => {
  test('no cache: runs, then writes one naming the source; the next run uses it and runs the same', async () => {
    const t = setUp();
    const first = run(t);
    assert.equal(first.use, 'none');
    checkExports(first.exports, t.dir);
    const data = await changed(t.cacheFile);
    assert.ok(data.subarray(0, 200).toString('latin1').startsWith(`ftpws-code-cache 2 ${crypto.createHash('sha256').update(BUNDLE).digest('hex')} `));
    const second = run(t);
    assert.equal(second.use, 'used');
    checkExports(second.exports, t.dir);
    await checkImport(first.exports);
    await checkImport(second.exports);
    assert.deepEqual(fs.readdirSync(t.dir).sort(), ['extension.js', 'extension.js.cache'], 'no temporary file left');
  });

  test("a bundle apart (the engine): run with its own cache beside it, its use told under its own name; what it requires resolves from the caller's folder", async () => {
    const t = setUp();
    fs.writeFileSync(path.join(t.dir, 'engine.js'), "module.exports = { part: require('./part.js'), base: require('node:path').basename(__filename) };\n");
    fs.writeFileSync(path.join(t.dir, 'part.js'), 'module.exports = 7;\n');
    const callerRequire = createRequire(t.file); // as extension.js's own require
    const key = Symbol.for('ftp-workspace.code-cache engine.js');
    const main = (globalThis as Record<symbol, unknown>)[CACHE_USE];
    assert.deepEqual(runBundleApart(t.dir, 'engine.js', callerRequire, 0), { part: 7, base: 'engine.js' });
    assert.equal((globalThis as Record<symbol, unknown>)[key], 'none');
    await changed(path.join(t.dir, 'engine.js.cache'));
    assert.deepEqual(runBundleApart(t.dir, 'engine.js', callerRequire, 0), { part: 7, base: 'engine.js' });
    assert.equal((globalThis as Record<symbol, unknown>)[key], 'used');
    assert.equal((globalThis as Record<symbol, unknown>)[CACHE_USE], main, "the main file's use is left as it was");
  });

  test('the bundle edited to the same length (V8 alone would take the old cache): the new code runs, and the cache is replaced', async () => {
    const t = setUp();
    run(t);
    const before = await changed(t.cacheFile);
    fs.writeFileSync(t.file, BUNDLE.replace('2 * x', '3 * x'));
    const next = run(t);
    assert.equal(next.use, 'stale');
    checkExports(next.exports, t.dir, 63);
    await changed(t.cacheFile, before);
    // And back: the cache written for the edited file is not used for the first one.
    fs.writeFileSync(t.file, BUNDLE);
    const back = run(t, 60_000);
    assert.equal(back.use, 'stale');
    checkExports(back.exports, t.dir, 42);
  });

  test('a damaged cache (a byte changed, cut short, garbage, no header) is not given to V8', async () => {
    const t = setUp();
    run(t);
    const good = await changed(t.cacheFile);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 10] ^= 0xff;
    for (const bad of [flipped, good.subarray(0, good.length - 100), crypto.randomBytes(5000), Buffer.alloc(0)]) {
      fs.writeFileSync(t.file, BUNDLE);
      fs.writeFileSync(t.cacheFile, bad);
      const r = run(t, 60_000);
      assert.equal(r.use, 'damaged', `a ${bad.length}-byte cache`);
      checkExports(r.exports, t.dir);
    }
  });

  test("a cache of other code under a header naming this source: V8 refuses it, an ordinary compile", async () => {
    const t = setUp();
    const other = setUp(BUNDLE.replace(/twice/g, 'thrice') + '// longer\n');
    run(other);
    const foreign = (await changed(other.cacheFile)).toString('latin1');
    fs.writeFileSync(t.cacheFile, headed(BUNDLE, Buffer.from(foreign.slice(foreign.indexOf('\n') + 1), 'latin1')));
    const r = run(t);
    assert.equal(r.use, 'rejected');
    checkExports(r.exports, t.dir);
  });

  test("not a plain file of ours: a link, a FIFO, a folder, one too big, another user's, one others may write: never read", async () => {
    const t = setUp();
    run(t);
    const good = await changed(t.cacheFile);
    const elsewhere = path.join(t.dir, 'elsewhere.cache');
    fs.writeFileSync(elsewhere, good);
    const cases: Array<[string, () => void]> = [
      ['a link to a good cache', () => fs.symlinkSync(elsewhere, t.cacheFile)],
      ['a FIFO (would hang a plain read)', () => execFileSync('mkfifo', [t.cacheFile])],
      ['a folder', () => fs.mkdirSync(t.cacheFile)],
      ['17 MB', () => fs.writeFileSync(t.cacheFile, Buffer.concat([good, Buffer.alloc(17 * 1024 * 1024)]))],
      ['writable by others', () => {
        fs.writeFileSync(t.cacheFile, good);
        fs.chmodSync(t.cacheFile, 0o666);
      }],
    ];
    if (process.getuid?.() === 0) {
      cases.push(["another user's", () => {
        fs.writeFileSync(t.cacheFile, good);
        fs.chownSync(t.cacheFile, 65534, 65534);
      }]);
    }
    for (const [what, make] of cases) {
      fs.rmSync(t.cacheFile, { recursive: true, force: true });
      make();
      const r = run(t, 0);
      assert.equal(r.use, 'untrusted', what);
      checkExports(r.exports, t.dir);
      await new Promise((res) => setTimeout(res, 30));
      assert.ok(!fs.lstatSync(t.cacheFile).isFile() || fs.lstatSync(t.cacheFile).nlink === 1, what);
      if (what === "another user's") assert.equal(fs.statSync(t.cacheFile).uid, 65534, 'not replaced');
    }
    fs.rmSync(t.cacheFile, { recursive: true, force: true });
    fs.writeFileSync(t.cacheFile, good);
    assert.equal(run(t).use, 'used', 'the same bytes as a plain file of ours are used');
  });

  test('a temporary file of a write that never finished is removed by the next write; a fresh one is left', async () => {
    const t = setUp();
    const old = `${t.cacheFile}.4242.deadbeef.tmp`;
    const fresh = `${t.cacheFile}.4243.deadbeef.tmp`;
    fs.writeFileSync(old, 'half');
    fs.utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    fs.writeFileSync(fresh, 'being written');
    run(t);
    await changed(t.cacheFile);
    for (let i = 0; i < 100 && fs.existsSync(old); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(fs.readdirSync(t.dir).sort(), ['extension.js', 'extension.js.cache', path.basename(fresh)]);
  });

  test('the pending write does not keep the process alive', () => {
    const t = setUp();
    const script = `const { runWithCodeCache } = require(${JSON.stringify(require.resolve('../../src/boot/code-cache'))}); runWithCodeCache({ file: ${JSON.stringify(t.file)}, cacheFile: ${JSON.stringify(t.cacheFile)}, module: { exports: {} }, require, writeAfterMs: 600000 }); console.log('ran');`;
    // With the timer keeping it alive this would wait 10 minutes; execFileSync's timeout kills it at 20 s.
    assert.equal(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 }).trim(), 'ran');
  });

  test('a folder it cannot write: runs all the same, no error, no file', async () => {
    const t = setUp();
    if (process.getuid?.() === 0) {
      // root writes anywhere: a path under a file stands for a folder that can't be written.
      const r = run({ ...t, cacheFile: path.join(t.file, 'nested.cache') });
      assert.equal(r.use, 'untrusted');
      checkExports(r.exports, t.dir);
    } else {
      fs.chmodSync(t.dir, 0o555);
      try {
        const r = run(t);
        assert.equal(r.use, 'none');
        checkExports(r.exports, t.dir);
      } finally {
        fs.chmodSync(t.dir, 0o755);
      }
    }
    await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(fs.readdirSync(t.dir), ['extension.js']);
  });
});
