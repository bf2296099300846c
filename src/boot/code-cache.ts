/**
 * Runs a CommonJS bundle with V8's code cache kept next to it. The extension host compiles an
 * extension's main file afresh at every start (VS Code 1.100 keeps no code cache for extensions):
 * for our 235 KB bundle that is 9-17 ms of a window's start, with the cache about 2 ms.
 *
 * The cache is trusted no more than the bundle: it lives in the bundle's own folder (a folder only
 * the user can write, as the code itself), and it is used only when its header names this exact
 * build (the bundle's SHA-256, given by the build; V8 itself checks only the source's length) and
 * this V8, and its bytes match the checksum written with them (V8 may not verify a code cache's
 * checksum, and a damaged one must not crash the extension host). Anything else, or V8 refusing
 * it, means an ordinary compile and a new cache written a few seconds later (a temporary file
 * renamed into place: another window may be reading it). A folder we can't write costs nothing.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

export interface CachedRun {
  /** The bundle to run. */
  file: string;
  /** The bundle's SHA-256 (hex), from the build; the cache of another build is never used. */
  buildHash: string;
  /** Where the cache is kept. */
  cacheFile: string;
  /** The module and require the bundle gets, as if it were the one required. */
  module: { exports: unknown };
  require: NodeJS.Require;
  /** How long after the run the cache is written, when there was none to use (ms). */
  writeAfterMs: number;
}

/** What happened to the cache, for tests and the bench. */
export type CacheUse = 'used' | 'none' | 'stale' | 'damaged' | 'rejected';

const MAGIC = 'ftpws-code-cache 1';

/** The header line: what build and V8 the data is for, and the data's length and checksum. */
function header(buildHash: string, data: Buffer): string {
  return `${MAGIC} ${buildHash} ${process.versions.v8} ${process.arch} ${data.length} ${crypto.createHash('sha256').update(data).digest('hex')}\n`;
}

function readCache(o: CachedRun): { data?: Buffer; use: CacheUse } {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(o.cacheFile);
  } catch {
    return { use: 'none' };
  }
  const end = raw.indexOf(10);
  if (end < 0 || end > 512) return { use: 'damaged' };
  const head = raw.subarray(0, end + 1).toString('latin1');
  const data = raw.subarray(end + 1);
  const fields = head.trimEnd().split(' ');
  // "ftpws-code-cache 1 <build> <v8> <arch> <length> <sha256>"
  if (fields.length !== 7 || `${fields[0]} ${fields[1]}` !== MAGIC) return { use: 'damaged' };
  if (fields[2] !== o.buildHash || fields[3] !== process.versions.v8 || fields[4] !== process.arch) return { use: 'stale' };
  if (head !== header(o.buildHash, data)) return { use: 'damaged' };
  return { data, use: 'used' };
}

/** Compiles and runs the bundle (with the cache when it is good); returns what became of the cache. */
export function runWithCodeCache(o: CachedRun): CacheUse {
  const source = fs.readFileSync(o.file, 'utf8');
  const cached = readCache(o);
  // The wrapper on a line of its own, so the bundle's lines and columns (and source maps) stay as they are.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: o.file,
    lineOffset: -1,
    cachedData: cached.data,
  });
  const use: CacheUse = cached.data && script.cachedDataRejected ? 'rejected' : cached.use;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(o.module.exports, o.module.exports, o.require, o.module, o.file, path.dirname(o.file));
  if (use !== 'used') {
    // Later, so the functions activation compiled are in it, and off the start's path.
    setTimeout(() => void writeCache(o, script), o.writeAfterMs).unref();
  }
  return use;
}

async function writeCache(o: CachedRun, script: vm.Script): Promise<void> {
  const tmp = `${o.cacheFile}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    const data = script.createCachedData();
    await fs.promises.writeFile(tmp, Buffer.concat([Buffer.from(header(o.buildHash, data), 'latin1'), data]), { mode: 0o644 });
    await fs.promises.rename(tmp, o.cacheFile);
  } catch {
    // A read-only install: every start compiles, as without the cache.
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
  }
}
