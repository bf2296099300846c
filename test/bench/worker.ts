/**
 * One measurement in a process of its own (run.ts starts it: `node --expose-gc worker.js <job JSON>`),
 * so every run starts with a clean heap and RSS, and the engine and basic-ftp run alike. Prints
 * one JSON line: { ms, rssBase, rssPeak, ... }.
 *
 * The engine runs as the extension runs it: the real FtpFileSystemProvider and commands on an
 * FtpPool (site.ts, with the vscode stub). Logging in and what VS Code does before the operation
 * (the stat before a download, the listing the Explorer showed) come first, untimed. RSS: the
 * process's RSS after a GC before the step (`rssBase`), and its peak during the step (`rssPeak`,
 * /proc/self/status VmHWM after resetting it through /proc/self/clear_refs).
 */
import { inert } from './vscode-stub';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as vscode from 'vscode';
import { FtpClient } from '../../src/ftp/client';
import { parseListing } from '../../src/ftp/listing';
import { download as downloadCommand, upload as uploadCommand } from '../../src/ui/transfer-commands';
import { BenchSite, openSite } from './site';
import { lsListing, mlsdListing } from './listing-parse';
import { Conn, PEERS, TICKS_PER_SECOND } from './common';
import { bareMany } from './bare-client';
import { runBundleApart } from '../../src/boot/code-cache';

export type Who = 'engine' | 'basic-ftp';

export type Job =
  | { kind: 'transfer'; who: Who; conn: Conn; op: 'download-file' | 'download-memory' | 'upload-file' | 'upload-memory'; remote: string; local: string }
  | { kind: 'parse'; who: Who; format: 'list' | 'mlsd'; lines: number }
  /** probe: time the longest synchronous stretch too (a setImmediate loop runs beside the listing). */
  | { kind: 'list'; who: Who; conn: Conn; dir: string; probe: boolean }
  | { kind: 'many'; who: 'engine-command' | 'engine-pool' | 'basic-ftp'; direction: 'upload' | 'download'; conn: Conn; connections: number; local: string; remote: string; warmUp?: { local: string; remote: string } }
  /** bare-client.ts: Node's sockets alone with the engine's commands; the names are those of `namesFrom` (a local folder with the same files: no listing). */
  | { kind: 'bare-many'; direction: 'upload' | 'download'; conn: Conn; connections: number; local: string; remote: string; namesFrom: string }
  | { kind: 'latency'; who: Who; conn: Conn; op: 'open' | 'save'; dir: string; remote: string; local: string }
  | { kind: 'startup'; bundle: string; unbundled: string; waitForFiles?: string[] };

export interface Result {
  ms: number;
  rssBase?: number;
  rssPeak?: number;
  /** Longest gap between event-loop turns during the step (ms). */
  stretch?: number;
  entries?: number;
  /** Start-up: activate() time, codec modules loaded. */
  activateMs?: number;
  activateError?: string;
  codecModules?: number;
  /** What start.js did with the code cache: used, none, stale, damaged, untrusted, rejected. */
  cacheUse?: string;
  /** Start-up: a site's first connection then loading dist/engine.js (src/fs/engine.ts): CPU time, and what became of its code cache. */
  engineCpuMs?: number;
  engineCacheUse?: string;
  /** CPU time (user + system) of the step (start-up: of require + activate), less disturbed by a loaded machine than wall time. */
  cpuMs?: number;
  /** The same, of the main thread alone (Linux): the rest is V8's threads (optimizing compiles, garbage collection) and libuv's. */
  mainCpuMs?: number;
  note?: string;
}

/* eslint-disable @typescript-eslint/no-require-imports */
interface BasicFtpClient {
  access(o: object): Promise<unknown>;
  downloadTo(dest: Writable | string, from: string): Promise<unknown>;
  uploadFrom(src: Readable | string, to: string): Promise<unknown>;
  list(path?: string): Promise<unknown[]>;
  rename(from: string, to: string): Promise<unknown>;
  uploadFromDir(local: string, remote?: string): Promise<void>;
  downloadToDir(local: string, remote?: string): Promise<void>;
  close(): void;
}
function basicFtp(): { Client: new (timeout?: number, o?: object) => BasicFtpClient; parseList(text: string): unknown[] } {
  const dir = path.join(PEERS, 'node_modules', 'basic-ftp', 'dist');
  return { Client: require(path.join(dir, 'index.js')).Client, parseList: require(path.join(dir, 'parseList.js')).parseList };
}
/* eslint-enable @typescript-eslint/no-require-imports */

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** CPU time (user + system, ms) of this process's main thread so far, from /proc (Linux; undefined elsewhere). */
function mainThreadCpuMs(): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function status(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Times `step` after a GC, with the RSS before it and its peak during it. */
async function measured(step: () => Promise<unknown>, probe = false): Promise<Result> {
  // Large buffers are freed by V8 after the GC, on another thread: let RSS settle before the baseline.
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5'); // VmHWM := VmRSS
  } catch {
    /* not Linux or not allowed: the peak is the process's whole life's */
  }
  const rssBase = status('VmRSS');
  let longest = 0;
  let running = true;
  let last = performance.now();
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  if (probe) setImmediate(tick);
  const start = performance.now();
  const cpu = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  last = start;
  const kept = await step(); // kept referenced until the peak is read
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const mainAfter = mainThreadCpuMs();
  running = false;
  longest = Math.max(longest, performance.now() - last);
  const rssPeak = status('VmHWM');
  void kept;
  return { ms, rssBase, rssPeak: Math.max(rssPeak, rssBase), cpuMs: (used.user + used.system) / 1000,
    ...(mainBefore !== undefined && mainAfter !== undefined ? { mainCpuMs: mainAfter - mainBefore } : {}), ...(probe ? { stretch: longest } : {}) };
}

function siteOf(conn: Conn, connections = 2): BenchSite {
  return openSite({
    host: conn.host, port: conn.port, user: conn.user, password: conn.password, secure: conn.secure,
    ca: conn.caFile ? fs.readFileSync(conn.caFile, 'utf8') : undefined, transferMode: conn.mode ?? 'passive', maxConnections: connections,
  });
}

async function basicClient(conn: Conn): Promise<BasicFtpClient> {
  const { Client } = basicFtp();
  const client = new Client(60_000, { maxListingBytes: 256 * 1024 * 1024 });
  await client.access({
    host: conn.host, port: conn.port, user: conn.user, password: conn.password, secure: conn.secure === 'explicit',
    secureOptions: conn.caFile ? { ca: fs.readFileSync(conn.caFile) } : undefined,
  });
  return client;
}

/** A Writable that keeps what it is given, as a program that wants the file in memory does. */
function memorySink(): { sink: Writable; result(): Buffer } {
  const chunks: Buffer[] = [];
  return {
    sink: new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(chunk); cb(); } }),
    result: () => Buffer.concat(chunks),
  };
}

/**
 * A file's bytes as a save hands them to writeFile: in memory this process wrote. The extension host
 * gets them from VS Code's RPC, whose reader copies the socket's chunks into a new buffer for the
 * message (ChunkStream.read, vs/base/parts/ipc/common/ipc.net.ts, as code-server 1.100 ships it);
 * a buffer fs.readFileSync filled was written by the kernel instead, and on this VM the first read
 * of such pages from user space (TLS encrypts there) cost about 300 ms of CPU per 256 MB
 * (docs/benchmarks.md, fifteenth session), which a real save never pays.
 */
function savedContent(file: string): Buffer {
  return Buffer.from(fs.readFileSync(file));
}

const notFound = (e: unknown) => e instanceof vscode.FileSystemError && e.code === 'FileNotFound';

async function transfer(job: Extract<Job, { kind: 'transfer' }>): Promise<Result> {
  if (job.who === 'engine') {
    const site = siteOf(job.conn);
    const uri = site.uri(job.remote);
    try {
      switch (job.op) {
        case 'download-file':
          // FTP: Download... stats the source first; the provider then knows the size.
          await site.provider.stat(uri);
          return await measured(() => site.provider.downloadFile(uri, job.local));
        case 'download-memory':
          // VS Code's readFile: stat, then readFile.
          await site.provider.stat(uri);
          return await measured(() => site.provider.readFile(uri));
        case 'upload-file':
          // FTP: Upload... asks whether the target exists (a stat), then uploadFile.
          await site.provider.stat(uri).catch((e) => { if (!notFound(e)) throw e; });
          return await measured(() => site.provider.uploadFile(uri, job.local));
        case 'upload-memory': {
          // A save from the editor's buffer: VS Code stats, then writeFile with the content.
          const read = savedContent(job.local);
          const content = new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
          await site.provider.stat(uri).catch((e) => { if (!notFound(e)) throw e; });
          return await measured(() => site.provider.writeFile(uri, content, { create: true, overwrite: true }));
        }
      }
    } finally {
      await site.close();
    }
  }
  const client = await basicClient(job.conn);
  try {
    switch (job.op) {
      case 'download-file':
        return await measured(() => client.downloadTo(job.local, job.remote));
      case 'download-memory':
        return await measured(async () => {
          const m = memorySink();
          await client.downloadTo(m.sink, job.remote);
          return m.result();
        });
      case 'upload-file':
        return await measured(() => client.uploadFrom(job.local, job.remote));
      case 'upload-memory': {
        const content = savedContent(job.local);
        return await measured(() => client.uploadFrom(Readable.from(content), job.remote));
      }
    }
  } finally {
    client.close();
  }
}

async function parse(job: Extract<Job, { kind: 'parse' }>): Promise<Result> {
  const text = job.format === 'list' ? lsListing(job.lines) : mlsdListing(job.lines);
  const now = new Date('2026-11-22T15:00:00Z');
  const fn = job.who === 'engine' ? () => parseListing(text, job.format, { now }).entries.length : (() => {
    const { parseList } = basicFtp();
    return () => parseList(text).length;
  })();
  // A parser that has run before (as in an editor that has listed folders): one warm-up, then the
  // median of three (the heap's state after each run changes the next one's GC work).
  fn();
  let entries = 0;
  const runs: Result[] = [];
  for (let i = 0; i < 3; i++) runs.push(await measured(async () => (entries = fn())));
  runs.sort((a, b) => a.ms - b.ms);
  return { ...runs[1], entries };
}

async function list(job: Extract<Job, { kind: 'list' }>): Promise<Result> {
  let entries = 0;
  if (job.who === 'engine') {
    const c = await FtpClient.connect({ host: job.conn.host, port: job.conn.port, user: job.conn.user, password: job.conn.password, transferMode: 'passive' });
    try {
      const r = await measured(async () => (entries = (await c.list(job.dir)).entries.length), job.probe);
      return { ...r, entries };
    } finally {
      await c.close();
    }
  }
  const client = await basicClient(job.conn);
  try {
    const r = await measured(async () => (entries = (await client.list(job.dir)).length), job.probe);
    return { ...r, entries };
  } finally {
    client.close();
  }
}

async function many(job: Extract<Job, { kind: 'many' }>): Promise<Result> {
  if (job.who === 'basic-ftp') {
    const client = await basicClient(job.conn);
    try {
      return await measured(() => (job.direction === 'upload' ? client.uploadFromDir(job.local, job.remote) : client.downloadToDir(job.local, job.remote)));
    } finally {
      client.close();
    }
  }
  const site = siteOf(job.conn, job.connections);
  const p = site.provider;
  try {
    await site.pool.run((c) => c.noop()); // logged in (one connection; the others open as needed, as lftp's do)
    const remote = site.uri(job.remote);
    if (job.who === 'engine-command') {
      // The commands themselves (src/ui/transfer-commands.ts), with their arguments given, confirmed, "replace".
      const command = (to: { local: string; remote: string }) => (job.direction === 'upload'
        ? uploadCommand(p, site.uri(path.posix.dirname(to.remote)), [vscode.Uri.file(to.local)], 'replace', { confirmed: true })
        : downloadCommand(p, site.uri(to.remote), vscode.Uri.file(to.local), 'replace', { confirmed: true }));
      // Run once before, elsewhere and not timed: as in an extension host that has done this before.
      if (job.warmUp) await command(job.warmUp);
      return await measured(() => command(job));
    }
    // The commands' calls per file, all at once: the pool spreads them over its connections.
    if (job.direction === 'upload') {
      return await measured(async () => {
        await vscode.workspace.fs.createDirectory(remote);
        const names = (await fs.promises.readdir(job.local)).sort();
        // As the command does: the destination listed once, then per file a stat (the listing shows
        // none of these files, and a listing may leave out one that is there) and the upload.
        await p.listEntries(remote);
        await Promise.all(names.map(async (name) => {
          const to = vscode.Uri.joinPath(remote, name);
          const there = await p.stat(to).catch((e) => { if (!notFound(e)) throw e; });
          await p.uploadFile(to, path.join(job.local, name), {}, there ? undefined : 'absent');
        }));
      });
    }
    return await measured(async () => {
      await p.stat(remote);
      const entries = await p.readDirectory(remote);
      await fs.promises.mkdir(job.local, { recursive: true });
      await Promise.all(entries.map(async ([name]) => {
        const from = vscode.Uri.joinPath(remote, name);
        await p.stat(from);
        await p.downloadFile(from, path.join(job.local, name));
      }));
    });
  } finally {
    await site.close();
  }
}

async function latency(job: Extract<Job, { kind: 'latency' }>): Promise<Result> {
  const content = fs.readFileSync(job.local);
  if (job.who === 'engine') {
    const site = siteOf(job.conn);
    const uri = site.uri(job.remote);
    try {
      await site.pool.run((c) => c.noop());
      await site.provider.readDirectory(site.uri(job.dir)); // the Explorer showed the folder
      if (job.op === 'open') {
        return await measured(async () => {
          await site.provider.stat(uri);
          return site.provider.readFile(uri);
        });
      }
      return await measured(() => site.provider.writeFile(uri, new Uint8Array(content), { create: true, overwrite: true }));
    } finally {
      await site.close();
    }
  }
  const client = await basicClient(job.conn);
  try {
    await client.list(job.dir);
    if (job.op === 'open') {
      return await measured(async () => {
        const m = memorySink();
        await client.downloadTo(m.sink, job.remote);
        return m.result();
      });
    }
    return await measured(async () => {
      const temp = `${job.remote}.basic-ftp.tmp`;
      await client.uploadFrom(Readable.from(content), temp);
      await client.rename(temp, job.remote);
    });
  } finally {
    client.close();
  }
}

/** An ExtensionContext good enough for activate(): state in memory, every other member inert. */
function fakeContext(): object {
  const memento = () => {
    const m = new Map<string, unknown>();
    return { get: (k: string, d?: unknown) => (m.has(k) ? m.get(k) : d), update: async (k: string, v: unknown) => void m.set(k, v), keys: () => [...m.keys()], setKeysForSync: () => undefined };
  };
  const known: Record<string, unknown> = {
    subscriptions: [], globalState: memento(), workspaceState: memento(),
    secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => new vscode.Disposable(() => undefined) },
    globalStorageUri: vscode.Uri.file('/tmp/ftpws-bench-storage'), storageUri: undefined, extensionUri: vscode.Uri.file(path.resolve(__dirname, '..', '..', '..')),
    extensionPath: path.resolve(__dirname, '..', '..', '..'), extensionMode: 3,
  };
  return new Proxy(known, { get: (t, p) => (typeof p === 'string' && p in t ? t[p] : inert(`context.${String(p)}`)) });
}

/** Node built-ins an extension host has loaded long before any extension activates. */
const HOST_BUILTINS = ['buffer', 'crypto', 'dns/promises', 'fs', 'net', 'os', 'path', 'stream', 'stream/promises', 'string_decoder', 'tls', 'events', 'util', 'url', 'child_process', 'http', 'https', 'zlib'];

async function startup(job: Extract<Job, { kind: 'startup' }>): Promise<Result> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const m of HOST_BUILTINS) require(`node:${m}`);
  const cpu = process.cpuUsage();
  let t = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(job.bundle) as { activate(ctx: object): unknown };
  const ms = performance.now() - t;
  let activateMs: number | undefined;
  let activateError: string | undefined;
  t = performance.now();
  try {
    await ext.activate(fakeContext());
    activateMs = performance.now() - t;
  } catch (e) {
    activateError = String((e as Error)?.message ?? e).slice(0, 200);
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  // What start.js did with the code cache (src/boot/code-cache.ts CACHE_USE).
  const cacheUse = (globalThis as Record<symbol, unknown>)[Symbol.for('ftp-workspace.code-cache')] as string | undefined;
  // A site's first connection then loads the engine, as extension.js does it (src/fs/engine.ts,
  // scripts/build.mjs): through its own code cache, with extension.js's require.
  const dist = path.dirname(job.bundle);
  const engineCpu = process.cpuUsage();
  runBundleApart(dist, 'engine.js', createRequire(path.join(dist, 'extension.js')));
  const engineUsed = process.cpuUsage(engineCpu);
  const engineCpuMs = (engineUsed.user + engineUsed.system) / 1000;
  const engineCacheUse = (globalThis as Record<symbol, unknown>)[Symbol.for('ftp-workspace.code-cache engine.js')] as string | undefined;
  // The first start writes the code caches a few seconds after each file ran (src/boot/code-cache.ts).
  for (const until = Date.now() + 8000; job.waitForFiles?.some((f) => !fs.existsSync(f)) && Date.now() < until;) await new Promise((r) => setTimeout(r, 100));
  // Which modules does start-up load? The bundle hides them; the same code unbundled shows them.
  const before = new Set(Object.keys(require.cache));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const src = require(job.unbundled) as { activate(ctx: object): unknown };
    await src.activate(fakeContext());
  } catch {
    /* counted all the same */
  }
  const codecModules = Object.keys(require.cache).filter((k) => !before.has(k) && /iconv-lite[\\/](encodings|lib[\\/]bom|lib[\\/]streams)/.test(k)).length;
  return { ms, activateMs, activateError, codecModules, cpuMs, cacheUse, engineCpuMs, engineCacheUse };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  let result: Result;
  switch (job.kind) {
    case 'transfer': result = await transfer(job); break;
    case 'parse': result = await parse(job); break;
    case 'list': result = await list(job); break;
    case 'many': result = await many(job); break;
    case 'bare-many': {
      const names = (await fs.promises.readdir(job.namesFrom)).filter((n) => !n.startsWith('.')).sort();
      result = await measured(() => bareMany(job.conn, job.direction, job.local, job.remote, names, job.connections));
      break;
    }
    case 'latency': result = await latency(job); break;
    case 'startup': result = await startup(job); break;
  }
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  });
}
