/**
 * The production bundle as a window's start-up reads it (scripts/build.mjs): the vscode API
 * imported once (not one copy of it per file), and iconv-lite (480 KB) apart in iconv-lite.js,
 * loaded only when a site needs an encoding other than UTF-8, and working from there; the import
 * of site lists, the connection doctor, the search, Upload/Download, Change Permissions, the
 * engine's connecting and transferring parts and the listing parsers apart too, required when first
 * used; the main file, start.js, runs extension.js with a code cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');

test('the production bundle imports vscode once and keeps iconv-lite in a file of its own, which decodes latin1', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-bundle-'));
  try {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs'), '--production', '--outdir', dir], { cwd: REPO, stdio: 'pipe' });
    const bundle = fs.readFileSync(path.join(dir, 'extension.js'), 'utf8');
    assert.equal(bundle.match(/require\("vscode"\)/g)?.length, 1, 'one require("vscode") in the bundle');
    // The engine's codecs (in engine.js, which a window reads when a site first connects) require it from its own file.
    const engine = fs.readFileSync(path.join(dir, 'engine.js'), 'utf8');
    assert.equal(engine.match(/require\("\.\/iconv-lite\.js"\)/g)?.length, 1, 'iconv-lite required from its own file');
    for (const file of [bundle, engine]) assert.ok(!file.includes('windows1252') && !file.includes('shiftjis'), "iconv-lite's codec tables are not in extension.js nor engine.js");
    const kb = (f: string) => `${f} ${(fs.statSync(path.join(dir, f)).size / 1024).toFixed(0)} KB`;
    console.log(['extension.js', 'engine.js', 'iconv-lite.js', 'import.js', 'doctor.js', 'search.js', 'transfers.js', 'permissions.js', 'listing.js'].map(kb).join(', '));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const iconv = require(path.join(dir, 'iconv-lite.js')) as { decode(b: Buffer, e: string): string; encodingExists(e: string): boolean };
    assert.equal(iconv.decode(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'latin1'), 'café');
    assert.ok(iconv.encodingExists('cp1251'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the import of site lists, the connection doctor, the search, Upload/Download, Change Permissions, the engine and the listing parsers are files of their own, required (not import()ed) when first used, the engine with its own code cache', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-bundle-'));
  try {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs'), '--production', '--outdir', dir], { cwd: REPO, stdio: 'pipe' });
    const bundle = fs.readFileSync(path.join(dir, 'extension.js'), 'utf8');
    // What each file holds, by a text minification keeps (the XML parser's (saxes) error, the
    // doctor's, the engine's), and which file requires it: the listing parsers are the engine's.
    const apartFiles = [
      ['import.js', 'text data outside of root node.', 'extension.js'], ['doctor.js', 'The diagnosis was cancelled.', 'extension.js'],
      ['search.js', 'The search text is empty.', 'extension.js'], ['transfers.js', 'Local files to read and send:', 'extension.js'],
      ['permissions.js', 'Also everything inside (recursive)', 'extension.js'], ['engine.js', 'Could not read the port in the EPSV reply', 'extension.js'],
      ['listing.js', 'VMS file name without its details (no continuation line)', 'engine.js'],
    ] as const;
    for (const [file, inside, by] of apartFiles) {
      const from = fs.readFileSync(path.join(dir, by), 'utf8');
      // The extension host gives `vscode` to require calls: an import() of the file would bypass it.
      // The engine is run with a code cache of its own (src/boot/code-cache.ts runBundleApart), given extension.js's require.
      const how = file === 'engine.js' ? `runBundleApart(__dirname,"${file}",require)` : `require("./${file}")`;
      assert.equal(from.split(how).length - 1, 1, `${by} loads ./${file} once, by ${how}`);
      if (file === 'engine.js') assert.ok(!from.includes(`require("./${file}")`), `no plain require of ./${file}`);
      assert.ok(!from.includes(`import("./${file}")`), `no import() of ./${file}`);
      const apart = fs.readFileSync(path.join(dir, file), 'utf8');
      assert.ok(apart.includes(inside) && !bundle.includes(inside), `"${inside}" is in ${file}, not in extension.js`);
      // The import and the search show their own messages (vscode required once); the doctor, the engine and the listing parsers are engine code (never).
      assert.equal(apart.match(/require\("vscode"\)/g)?.length ?? 0, file === 'doctor.js' || file === 'listing.js' || file === 'engine.js' ? 0 : 1, `${file} requires vscode`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every file a bundle loads from its folder is one .vscodeignore lets into the package', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-bundle-'));
  try {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs'), '--production', '--outdir', dir], { cwd: REPO, stdio: 'pipe' });
    const packaged = new Set(fs.readFileSync(path.join(REPO, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!dist/')).map((l) => l.slice('!dist/'.length)));
    const loaded = new Set<string>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/require\("\.\/([^"]+)"\)|runBundleApart\(__dirname,"([^"]+)"/g)) loaded.add(m[1] ?? m[2]);
    }
    assert.ok(loaded.has('engine.js') && loaded.has('listing.js'), `found ${[...loaded].join(', ')}`);
    for (const f of loaded) assert.ok(packaged.has(f), `dist/${f} is loaded but .vscodeignore leaves it out of the .vsix`);
    assert.ok(packaged.has('start.js'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the package's main file is start.js: a few KB, only Node's built-ins; it runs extension.js, writes a code cache naming extension.js's SHA-256, and the next start uses it", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-bundle-'));
  try {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs'), '--production', '--outdir', dir], { cwd: REPO, stdio: 'pipe' });
    assert.equal(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).main, './dist/start.js');
    const start = fs.readFileSync(path.join(dir, 'start.js'), 'utf8');
    assert.ok(start.length < 8192, `start.js is ${start.length} bytes`);
    const required = [...start.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.ok(required.length > 0 && required.every((r) => r.startsWith('node:')), `start.js requires ${required.join(', ')}`);
    // Run with `vscode` stubbed as the bench does; it prints what became of the cache (code-cache.ts CACHE_USE).
    const script = `require(${JSON.stringify(path.join(REPO, 'out', 'test', 'bench', 'vscode-stub.js'))}); const e = require(${JSON.stringify(path.join(dir, 'start.js'))}); console.log(typeof e.activate, globalThis[Symbol.for('ftp-workspace.code-cache')]); setTimeout(() => {}, +process.argv[1]);`;
    assert.equal(execFileSync(process.execPath, ['-e', script, '3500'], { encoding: 'utf8' }).trim(), 'function none');
    const hash = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'extension.js'))).digest('hex');
    const cache = fs.readFileSync(path.join(dir, 'extension.js.cache'));
    assert.ok(cache.subarray(0, 200).toString('latin1').startsWith(`ftpws-code-cache 2 ${hash} `), 'the cache names this extension.js');
    assert.equal(execFileSync(process.execPath, ['-e', script, '0'], { encoding: 'utf8' }).trim(), 'function used');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
