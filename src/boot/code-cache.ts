/**
 * Runs a CommonJS bundle with V8's code cache kept next to it. The extension host compiles an
 * extension's main file afresh at every start (VS Code 1.100 keeps no code cache for extensions):
 * for our 235 KB bundle that is 9-17 ms of a window's start, with the cache about 2 ms.
 *
 * V8 checks a cache against the source's length only, and a cache whose data is damaged behind a
 * good checksum can crash the process (the whole extension host). So a cache is used only when:
 * - it is a regular file (not a link, a FIFO, a device), at most MAX_BYTES, owned by this user and
 *   writable by no one else (someone who can only add files to the folder can't plant one);
 * - its header names the SHA-256 of the very source compiled now (an extension.js edited since,
 *   even to the same length, gets a fresh compile), this V8 and this architecture;
 * - its data matches the header's length and checksum (damage on disk).
 * Anything else, or V8 refusing it, means an ordinary compile and a new cache written a few seconds
 * later (a temporary file renamed into place: another window may be reading it). A folder we can't
 * write costs nothing but the compile.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

export interface CachedRun {
  /** The bundle to run. */
  file: string;
  /** Where the cache is kept. */
  cacheFile: string;
  /** The module and require the bundle gets, as if it were the one required. */
  module: { exports: unknown };
  require: NodeJS.Require;
  /** How long after the run the cache is written, when there was none to use (ms). */
  writeAfterMs: number;
  /** Where what became of the cache is left (globalThis); CACHE_USE unless said. */
  useKey?: symbol;
}

/** What happened to the cache (also left at globalThis[CACHE_USE], for tests and the bench). */
export type CacheUse = 'used' | 'none' | 'stale' | 'damaged' | 'untrusted' | 'rejected';

export const CACHE_USE = Symbol.for('ftp-workspace.code-cache');

const MAGIC = 'ftpws-code-cache 2';
/** Our bundle's cache is about 120-350 KB; anything far bigger is not ours. */
const MAX_BYTES = 16 * 1024 * 1024;
/** A temporary file this old is left over from a write that never finished (a killed window). */
const STALE_TEMP_MS = 60_000;

const sha256 = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** The header line: what source and V8 the data is for, and the data's length and checksum. */
function header(sourceHash: string, data: Buffer): string {
  return `${MAGIC} ${sourceHash} ${process.versions.v8} ${process.arch} ${data.length} ${sha256(data)}\n`;
}

/** The cache file's bytes, if it is a file we may trust (see the file comment). */
function readTrusted(file: string): { raw?: Buffer; use: CacheUse } {
  let fd: number;
  try {
    // No link followed; O_NONBLOCK: a FIFO put there does not hang the start.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { use: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : 'untrusted' };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > MAX_BYTES) return { use: 'untrusted' };
    const uid = process.getuid?.();
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return { use: 'untrusted' };
    return { raw: fs.readFileSync(fd), use: 'used' };
  } catch {
    return { use: 'damaged' };
  } finally {
    fs.closeSync(fd);
  }
}

function readCache(cacheFile: string, sourceHash: string): { data?: Buffer; use: CacheUse } {
  const { raw, use } = readTrusted(cacheFile);
  if (!raw) return { use };
  const end = raw.indexOf(10);
  if (end < 0 || end > 512) return { use: 'damaged' };
  const head = raw.subarray(0, end + 1).toString('latin1');
  const data = raw.subarray(end + 1);
  const fields = head.trimEnd().split(' ');
  // "ftpws-code-cache 2 <source sha256> <v8> <arch> <length> <data sha256>"
  if (fields.length !== 7 || `${fields[0]} ${fields[1]}` !== MAGIC) return { use: 'damaged' };
  if (fields[2] !== sourceHash || fields[3] !== process.versions.v8 || fields[4] !== process.arch) return { use: 'stale' };
  if (head !== header(sourceHash, data)) return { use: 'damaged' };
  return { data, use: 'used' };
}

/** Compiles and runs the bundle (with the cache when it is good); returns what became of the cache. */
export function runWithCodeCache(o: CachedRun): CacheUse {
  const source = fs.readFileSync(o.file, 'utf8');
  const sourceHash = sha256(source);
  const cached = readCache(o.cacheFile, sourceHash);
  // The wrapper on a line of its own, so the bundle's lines and columns stay as they are.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: o.file,
    lineOffset: -1,
    cachedData: cached.data,
    // An import() inside resolves as it would under require (Node 20.?+; without it, it throws).
    ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER && { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }),
  });
  const use: CacheUse = cached.data && script.cachedDataRejected ? 'rejected' : cached.use;
  (globalThis as Record<symbol, unknown>)[o.useKey ?? CACHE_USE] = use;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(o.module.exports, o.module.exports, o.require, o.module, o.file, path.dirname(o.file));
  // Later, so the functions activation compiled are in it, and off the start's path. Not over a
  // file we don't trust: it is not ours to replace.
  if (use !== 'used' && use !== 'untrusted') setTimeout(() => void writeCache(o, script, sourceHash), o.writeAfterMs).unref();
  return use;
}

/**
 * A bundle apart (scripts/build.mjs: the engine, loaded when a site first connects) run the same
 * way, with its own cache beside it (`<file>.cache`): its exports. `require` is the caller's, so
 * what the bundle requires resolves from the caller's folder, which is the bundle's. What became
 * of its cache is left at `Symbol.for('ftp-workspace.code-cache <file>')`.
 */
export function runBundleApart(dir: string, file: string, require: NodeJS.Require, writeAfterMs = 3000): unknown {
  const module = { exports: {} };
  runWithCodeCache({ file: path.join(dir, file), cacheFile: path.join(dir, `${file}.cache`), module, require, writeAfterMs, useKey: Symbol.for(`ftp-workspace.code-cache ${file}`) });
  return module.exports;
}

async function writeCache(o: CachedRun, script: vm.Script, sourceHash: string): Promise<void> {
  const dir = path.dirname(o.cacheFile);
  const base = path.basename(o.cacheFile);
  const tmp = `${o.cacheFile}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    const data = script.createCachedData();
    await fs.promises.writeFile(tmp, Buffer.concat([Buffer.from(header(sourceHash, data), 'latin1'), data]), { mode: 0o644, flag: 'wx' });
    await fs.promises.rename(tmp, o.cacheFile);
    // Temporary files of writes that never finished (a window killed between write and rename).
    for (const name of await fs.promises.readdir(dir)) {
      if (!name.startsWith(`${base}.`) || !name.endsWith('.tmp')) continue;
      const old = path.join(dir, name);
      const st = await fs.promises.lstat(old).catch(() => undefined);
      if (st?.isFile() && Date.now() - st.mtimeMs > STALE_TEMP_MS) await fs.promises.rm(old, { force: true });
    }
  } catch {
    // A read-only install: every start compiles, as without the cache.
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
  }
}
