/**
 * `npm run bench`: the engine and its peers (curl, lftp, Python ftplib, basic-ftp) in one run,
 * interleaved (each repetition runs every client once, in an order that rotates), N repetitions,
 * medians. Prints every row as `engine | best peer (name) | ratio | goal` and writes the table to
 * test-results/bench.md. Figures only: nothing here passes or fails on a time.
 *
 * Environment:
 *   FTPWS_BENCH_REPS   repetitions (default 5)
 *   FTPWS_BENCH_MB     the big file's size in MB (default 512)
 *   FTPWS_BENCH_ONLY   groups to run, comma-separated: transfers,listings,many,roundtrips,latency,startup
 *   FTPWS_BENCH_CONNECTIONS   the site's connections for the many-files rows (default 4)
 *   FTPWS_BENCH_PACKAGE=0     don't run `npm run package` for the .vsix size and the production bundle
 *   FTPWS_BENCH_PEERS  where basic-ftp is (default /work/main/.test-tools/bench-peers)
 *   FTPWS_BENCH_NODE_FLAGS    more flags for each worker's node, space-separated: e.g.
 *                      "--cpu-prof --cpu-prof-dir=/tmp/prof" profiles every run (Node refuses them in NODE_OPTIONS)
 *   FTPWS_BENCH_EACH=1 also print every run's figure as it comes (a median hides runs that differ by 3x)
 *   FTPWS_BENCH_WARMUP  uncounted repetitions before the counted ones (default 1; 0 for none)
 *
 * Servers: vsftpd (plain rows, listings, many files, round trips, latency) and proftpd (FTPS rows,
 * round trips), from test/servers, roots on /dev/shm (servers.ts). Local files on /dev/shm too.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Conn, REPO, ownedDir, writeManyFiles } from './common';
import { BenchServer, SHM, shmDir, startBenchServer } from './servers';
import { LatencyRelay } from '../servers/latency-relay';
import { PeerInfo, curlSteps, curlTimed, findPeers, ftplibTimed, lftpTimed, lq } from './peers';
import type { Job, Result } from './worker';
import { OPERATIONS, commandNames, countOperation, makeFixture } from './round-trips';

const REPS = Number(process.env.FTPWS_BENCH_REPS ?? 5);
const NODE_FLAGS = (process.env.FTPWS_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const MB_SIZE = Number(process.env.FTPWS_BENCH_MB ?? 512);
const SIZE = Math.round(MB_SIZE * 1024 * 1024);
const ONLY = new Set((process.env.FTPWS_BENCH_ONLY ?? 'transfers,listings,many,roundtrips,latency,startup').split(',').map((s) => s.trim()));
const CONNECTIONS = Number(process.env.FTPWS_BENCH_CONNECTIONS ?? 4);
/** Only the transfer rows whose label matches (e.g. `download to a file, plain active`): one row measured without the rest. */
const TRANSFER_ROWS = process.env.FTPWS_BENCH_TRANSFERS ? new RegExp(process.env.FTPWS_BENCH_TRANSFERS) : undefined;
const EACH = process.env.FTPWS_BENCH_EACH === '1';
/**
 * Repetitions run before the counted ones, their figures dropped: the first run of a row was often
 * the slowest for whoever ran it first, lftp included (a 256 MB download 412 MB/s in a whole run,
 * 1584-2257 in the row's own runs; 756 for lftp once): cold caches and the server's first session.
 */
const WARMUP = Number(process.env.FTPWS_BENCH_WARMUP ?? 1);
/** Whether a repetition's figures count (warm-up repetitions are numbered below 0). */
const counted = (rep: number) => rep >= 0;
const MANY = 1000;
const MANY_SIZE = 4096;
const ONE_WAY_MS = 25;
const MB = 1024 * 1024;

type Unit = 'MB/s' | 'ms' | 'files/s' | 'MB' | 'modules';

interface Row {
  group: string;
  name: string;
  unit: Unit;
  /** true: more is better (throughput); false: less is better (time, memory). */
  higher: boolean;
  engine: number[];
  peers: Map<string, number[]>;
  /** The goal as text, and how to check it against the row. */
  goal: string;
  met?: (row: Row) => boolean | undefined;
  errors: string[];
  /** Shown under the table. */
  note?: string;
}

const rows: Row[] = [];
const log = (s: string) => process.stdout.write(`${s}\n`);

function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function newRow(group: string, name: string, unit: Unit, higher: boolean, goal: string, met?: (row: Row) => boolean | undefined): Row {
  const row: Row = { group, name, unit, higher, engine: [], peers: new Map(), goal, met, errors: [] };
  rows.push(row);
  return row;
}

/** The best peer's name and median. */
function best(row: Row): { name: string; value: number } | undefined {
  let found: { name: string; value: number } | undefined;
  for (const [name, values] of row.peers) {
    const m = median(values);
    if (Number.isNaN(m)) continue;
    if (!found || (row.higher ? m > found.value : m < found.value)) found = { name, value: m };
  }
  return found;
}

/** engine ÷ best peer (throughput: >= 1 is as fast; times: <= 1 is as fast). */
function ratio(row: Row): number {
  const b = best(row);
  return b ? median(row.engine) / b.value : NaN;
}

const ratioGoal = (min: number) => (row: Row) => {
  const r = ratio(row);
  return Number.isNaN(r) ? undefined : row.higher ? r >= min : r <= 1 / min;
};

function fmt(v: number, unit: Unit): string {
  if (Number.isNaN(v)) return '-';
  if (unit === 'ms') return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
  if (unit === 'MB') return v.toFixed(1);
  if (unit === 'modules') return v.toFixed(0);
  return v < 100 ? v.toFixed(1) : v.toFixed(0);
}

function describeRow(row: Row): string[] {
  const b = best(row);
  const r = ratio(row);
  const met = row.met?.(row);
  return [
    row.name,
    `${fmt(median(row.engine), row.unit)} ${row.unit}`,
    b ? `${fmt(b.value, row.unit)} (${b.name})` : '-',
    Number.isNaN(r) ? '-' : r.toFixed(2),
    row.goal,
    met === undefined ? '' : met ? 'yes' : 'NO',
  ];
}

const T0 = Date.now();
const elapsed = () => {
  const s = Math.round((Date.now() - T0) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

function printRow(row: Row): void {
  const [name, engine, peer, r, goal, met] = describeRow(row);
  log(`  [${elapsed()}] ${name} | engine ${engine} | best peer ${peer} | ratio ${r} | goal ${goal}${met ? ` | met: ${met}` : ''}${row.errors.length ? ` | ${row.errors.length} failed run(s): ${row.errors[0].slice(0, 200)}` : ''}`);
}

// ---- Running workers and peers -------------------------------------------------------------------

const WORKER = path.join(__dirname, 'worker.js');

function runWorker(job: Job, timeoutMs = 900_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', ...NODE_FLAGS, WORKER, JSON.stringify(job)], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`worker ${job.kind}/${'who' in job ? job.who : ''} failed: ${stderr.trim().split('\n').slice(-4).join(' | ') || err.message}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Result);
      } catch {
        reject(new Error(`worker printed no result: ${stdout.slice(-300)}`));
      }
    });
  });
}

interface Client {
  name: string;
  /** Runs once; returns the row's value for this run (and may record more, only if `counted(rep)`). */
  run(rep: number): Promise<number>;
}

/** The clients of repetition `rep` (negative for a warm-up), starting one further along each time (engine, peer, ...). */
function rotated<T>(clients: T[], rep: number): T[] {
  const n = clients.length;
  const start = ((rep % n) + n) % n;
  return [...clients.slice(start), ...clients.slice(0, start)];
}

/** What EACH prints for one run. */
const runLabel = (rep: number) => (counted(rep) ? `run ${rep + 1}` : 'warm-up (not counted)');

/**
 * WARMUP uncounted repetitions, then REPS counted ones; each runs every client once, in rotated
 * order. `record` gets each counted run's figure, `failed` each failure; `after` follows every run.
 */
async function repeated(clients: Client[], unit: Unit, record: (client: string, v: number) => void, failed: (client: string, message: string) => void,
  after?: (client: string) => void | Promise<void>): Promise<void> {
  for (let rep = -WARMUP; rep < REPS; rep++) {
    for (const c of rotated(clients, rep)) {
      try {
        const v = await c.run(rep);
        if (EACH) log(`    ${runLabel(rep)}: ${c.name} ${fmt(v, unit)} ${unit}`);
        if (counted(rep)) record(c.name, v);
      } catch (e) {
        failed(c.name, `${c.name}: ${(e as Error).message}`);
      } finally {
        await after?.(c.name);
      }
    }
  }
}

/** `repeated` into one row: the engine's figures and each peer's; then the row is printed. */
async function interleaved(row: Row, clients: Client[], after?: (client: string) => void | Promise<void>): Promise<void> {
  await repeated(clients, row.unit, (client, v) => {
    if (client === 'engine') row.engine.push(v);
    else row.peers.set(client, [...(row.peers.get(client) ?? []), v]);
  }, (_client, message) => row.errors.push(message), after);
  printRow(row);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- Fixtures -----------------------------------------------------------------------------------

function writeRandomFile(file: string, size: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let left = size; left > 0;) {
      const n = Math.min(left, 16 * MB);
      fs.writeSync(fd, crypto.randomBytes(n));
      left -= n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function fileCount(dir: string): number {
  try {
    return fs.readdirSync(dir).filter((n) => !n.startsWith('.')).length;
  } catch {
    return 0;
  }
}

const connOf = (s: BenchServer, o: Partial<Conn> = {}): Conn => ({ host: s.host, port: s.port, user: s.user, password: s.password, caFile: s.caFile, ...o });

// ---- Groups -------------------------------------------------------------------------------------

interface Env {
  vsftpd: BenchServer;
  proftpd: BenchServer;
  local: string;
  peers: Map<string, PeerInfo>;
  /** Peak RSS growth per client per transfer row, for the memory rows. */
  rss: Map<string, Map<string, number[]>>;
}

const has = (env: Env, peer: string) => !!env.peers.get(peer)?.available;

async function transfers(env: Env): Promise<void> {
  log(`\n== Transfers: ${MB_SIZE} MB, to and from files and memory (plain: vsftpd, explicit FTPS: proftpd)`);
  const bigLocal = path.join(env.local, 'big.bin');
  for (const secure of ['off', 'explicit'] as const) {
    const server = secure === 'off' ? env.vsftpd : env.proftpd;
    for (const mode of ['passive', 'active'] as const) {
      for (const direction of ['download', 'upload'] as const) {
        for (const sink of ['file', 'memory'] as const) {
          const conn = connOf(server, { secure, mode });
          const label = `${MB_SIZE} MB ${direction} ${sink === 'file' ? (direction === 'download' ? 'to a file' : 'from a file') : direction === 'download' ? 'into memory (readFile)' : 'from memory (writeFile)'}, ${secure === 'off' ? 'plain' : 'explicit FTPS'} ${mode} (${server.kind})`;
          if (TRANSFER_ROWS && !TRANSFER_ROWS.test(label)) continue;
          const row = newRow('transfers', label, 'MB/s', true, '>= 0.95 x best', ratioGoal(0.95));
          const op = `${direction}-${sink}` as 'download-file' | 'download-memory' | 'upload-file' | 'upload-memory';
          const rssKey = `${op} ${secure} ${mode}`;
          const rss = new Map<string, number[]>();
          env.rss.set(rssKey, rss);
          const keepRss = (rep: number, who: string, r: { rssBase?: number; rssPeak?: number }) => {
            if (counted(rep) && r.rssBase !== undefined && r.rssPeak !== undefined) rss.set(who, [...(rss.get(who) ?? []), (r.rssPeak - r.rssBase) / MB]);
          };
          const remoteOf = (who: string) => `/up-${who}.bin`;
          const localOf = (who: string) => (direction === 'download' ? path.join(env.local, `dl-${who}.bin`) : bigLocal);
          const check = (who: string) => {
            // A transfer that moved the wrong number of bytes is no figure.
            const file = direction === 'download' ? (sink === 'file' ? localOf(who) : undefined) : path.join(server.realRoot, remoteOf(who));
            if (file) {
              const size = fs.existsSync(file) ? fs.statSync(file).size : -1;
              if (size !== SIZE) throw new Error(`${who} moved ${size} bytes, not ${SIZE}`);
            }
          };
          const mbps = (ms: number) => SIZE / MB / (ms / 1000);
          const engineCpu: number[] = [];
          const clients: Client[] = [{
            name: 'engine',
            run: async (rep) => {
              const r = await runWorker({ kind: 'transfer', who: 'engine', conn, op, remote: direction === 'download' ? '/big.bin' : remoteOf('engine'), local: localOf('engine') });
              check('engine');
              keepRss(rep, 'engine', r);
              if (counted(rep) && r.cpuMs !== undefined) engineCpu.push(r.cpuMs);
              return mbps(r.ms);
            },
          }];
          if (mode === 'passive' && has(env, 'basic-ftp')) {
            clients.push({
              name: 'basic-ftp',
              run: async (rep) => {
                const r = await runWorker({ kind: 'transfer', who: 'basic-ftp', conn, op, remote: direction === 'download' ? '/big.bin' : remoteOf('basic-ftp'), local: localOf('basic-ftp') });
                check('basic-ftp');
                keepRss(rep, 'basic-ftp', r);
                return mbps(r.ms);
              },
            });
          }
          if (has(env, 'curl') && !(secure === 'explicit' && mode === 'active')) {
            clients.push({
              name: 'curl',
              run: async () => {
                const step = direction === 'download'
                  ? curlSteps.download(conn, '/big.bin', sink === 'file' ? localOf('curl') : '/dev/null')
                  : curlSteps.upload(conn, bigLocal, remoteOf('curl'));
                const ms = await curlTimed(conn, '/warm.txt', step);
                check('curl');
                return mbps(ms);
              },
            });
          }
          if (has(env, 'lftp')) {
            clients.push({
              name: 'lftp',
              run: async () => {
                const step = direction === 'download'
                  ? (sink === 'file' ? `get /big.bin -o ${lq(localOf('lftp'))}` : 'cat /big.bin > /dev/null')
                  : `put ${lq(bigLocal)} -o ${remoteOf('lftp')}`;
                const ms = await lftpTimed(conn, [step]);
                check('lftp');
                return mbps(ms);
              },
            });
          }
          if (has(env, 'ftplib')) {
            clients.push({
              name: 'ftplib',
              run: async (rep) => {
                const r = await ftplibTimed(conn, { op, remote: direction === 'download' ? '/big.bin' : remoteOf('ftplib'), local: localOf('ftplib') });
                check('ftplib');
                keepRss(rep, 'ftplib', r);
                return mbps(r.ms);
              },
            });
          }
          await interleaved(row, clients, (who) => {
            fs.rmSync(path.join(server.realRoot, remoteOf(who)), { force: true });
            if (direction === 'download') fs.rmSync(localOf(who), { force: true });
          });
          // CPU moves less than wall time on a shared machine: the figure to compare two versions by.
          if (engineCpu.length) log(`         engine CPU per run: median ${Math.round(median(engineCpu))} ms (${engineCpu.map(Math.round).join(', ')})`);
          if (op === 'download-memory') {
            // The same runs, against the peers that also end with the bytes in memory: curl and lftp
            // write to /dev/null and never touch new memory (page faults cost much on this VM).
            row.note = 'peers: curl and lftp write to /dev/null, ftplib into a bytearray, basic-ftp into a Buffer (next row: those two only)';
            const inMemory = newRow('transfers', `${label}: vs peers that keep the file in memory`, 'MB/s', true, '>= 0.95 x best', ratioGoal(0.95));
            inMemory.engine = row.engine;
            for (const who of ['ftplib', 'basic-ftp']) if (row.peers.has(who)) inMemory.peers.set(who, row.peers.get(who)!);
            printRow(inMemory);
          }
        }
      }
    }
  }
  memoryRows(env);
}

function memoryRows(env: Env): void {
  log(`\n== Memory: RSS growth during the transfers above (peak VmHWM minus RSS before, per process)`);
  const add = (name: string, key: string, goal: string, met: (row: Row) => boolean | undefined) => {
    const rss = env.rss.get(key);
    if (!rss) return;
    const row = newRow('memory', name, 'MB', false, goal, met);
    row.engine = rss.get('engine') ?? [];
    for (const [who, v] of rss) if (who !== 'engine') row.peers.set(who, v);
    printRow(row);
  };
  const size = SIZE / MB;
  add(`readFile of a ${MB_SIZE} MB file: peak RSS growth (plain passive)`, 'download-memory off passive', `<= ${(1.1 * size).toFixed(0)} MB (1.1 x the file)`, (r) => median(r.engine) <= 1.1 * size);
  add(`writeFile of a ${MB_SIZE} MB buffer: peak RSS growth (plain passive)`, 'upload-memory off passive', '-', () => undefined);
  add(`downloadFile (streamed, ${MB_SIZE} MB): RSS growth (plain passive)`, 'download-file off passive', '< 64 MB', (r) => median(r.engine) < 64);
  add(`uploadFile (streamed, ${MB_SIZE} MB): RSS growth (plain passive)`, 'upload-file off passive', '< 64 MB', (r) => median(r.engine) < 64);
  add(`downloadFile (streamed, ${MB_SIZE} MB): RSS growth (explicit FTPS passive)`, 'download-file explicit passive', '< 64 MB', (r) => median(r.engine) < 64);
}

async function listings(env: Env): Promise<void> {
  log('\n== Listings');
  for (const lines of [10_000, 100_000]) {
    for (const format of ['list', 'mlsd'] as const) {
      const row = newRow('listings', `${format === 'list' ? '`ls -l`' : 'MLSD'} parser alone, ${lines.toLocaleString('en')} lines (median of 3 after a warm-up)`, 'ms', false, '<= basic-ftp', ratioGoal(1));
      const clients: Client[] = [{ name: 'engine', run: async () => (await runWorker({ kind: 'parse', who: 'engine', format, lines })).ms }];
      if (has(env, 'basic-ftp')) clients.push({ name: 'basic-ftp', run: async () => (await runWorker({ kind: 'parse', who: 'basic-ftp', format, lines })).ms });
      await interleaved(row, clients);
    }
  }
  const conn = connOf(env.vsftpd, { mode: 'passive' });
  for (const n of [20_000, 100_000]) {
    const dir = `/list${n / 1000}k`;
    const row = newRow('listings', `list() of ${n.toLocaleString('en')} entries (vsftpd, LIST)`, 'ms', false, '< basic-ftp and lftp', ratioGoal(1));
    const stretch = n === 100_000 ? newRow('listings', `longest synchronous stretch during list() of ${n.toLocaleString('en')} entries`, 'ms', false, '<= 50 ms', (r) => median(r.engine) <= 50) : undefined;
    const count = (rep: number, r: Result, who: string) => {
      if (r.entries !== n) throw new Error(`${who} listed ${r.entries} entries, not ${n}`);
      if (counted(rep) && stretch && r.stretch !== undefined) {
        if (who === 'engine') stretch.engine.push(r.stretch);
        else stretch.peers.set(who, [...(stretch.peers.get(who) ?? []), r.stretch]);
      }
      return r.ms;
    };
    const clients: Client[] = [{ name: 'engine', run: async (rep) => count(rep, await runWorker({ kind: 'list', who: 'engine', conn, dir, probe: !!stretch }), 'engine') }];
    if (has(env, 'basic-ftp')) clients.push({ name: 'basic-ftp', run: async (rep) => count(rep, await runWorker({ kind: 'list', who: 'basic-ftp', conn, dir, probe: !!stretch }), 'basic-ftp') });
    if (has(env, 'lftp')) clients.push({ name: 'lftp', run: () => lftpTimed(conn, [`cls -1 ${dir} > /dev/null`]) });
    await interleaved(row, clients);
    if (stretch) printRow(stretch);
  }
}

async function manyFiles(env: Env): Promise<void> {
  log(`\n== Many files: ${MANY} files of ${MANY_SIZE / 1024} KB, ${CONNECTIONS} connections (vsftpd, passive)`);
  const conn = connOf(env.vsftpd, { mode: 'passive' });
  const src = path.join(env.local, 'many');
  const filesPerSec = (ms: number) => MANY / (ms / 1000);
  for (const direction of ['upload', 'download'] as const) {
    const cmd = newRow('many', `${direction === 'upload' ? 'Upload' : 'Download'} of a folder of ${MANY}: the FTP: ${direction === 'upload' ? 'Upload' : 'Download'} command (maxConnections ${CONNECTIONS})`, 'files/s', true, `>= lftp mirror --parallel=${CONNECTIONS}`, ratioGoal(1));
    // The same command in a worker that ran it once before (another folder, not timed): an
    // extension host that has uploaded before has the engine's code optimized; a fresh process doesn't.
    const warm = newRow('many', `${direction === 'upload' ? 'Upload' : 'Download'} of a folder of ${MANY}: the command, run once before in the same process`, 'files/s', true, `>= lftp mirror --parallel=${CONNECTIONS}`, ratioGoal(1));
    const pool = newRow('many', `${direction === 'upload' ? 'Upload' : 'Download'} of a folder of ${MANY}: the command's per-file calls all at once through FtpPool(${CONNECTIONS})`, 'files/s', true, `>= lftp mirror --parallel=${CONNECTIONS}`, ratioGoal(1));
    // CPU per file of the client's own process: load-independent, and where the time goes (the
    // server's share is not in it: our safe upload sends 5 commands a file in 2 round trips, lftp's mirror -R 3 in 3: PASV, STOR, SITE CHMOD).
    const cpu = newRow('many', `${direction === 'upload' ? 'Upload' : 'Download'} of a folder of ${MANY}: CPU time per file of the client's process (the command; lftp's mirror step, from its /proc stat)`, 'ms', false, 'as low as lftp\'s', ratioGoal(1));
    const cpuWarm = newRow('many', `${direction === 'upload' ? 'Upload' : 'Download'} of a folder of ${MANY}: CPU time per file, the command run once before in the same process`, 'ms', false, 'as low as lftp\'s', ratioGoal(1));
    // The same on the main thread alone: the rest is V8's optimizing compiles and garbage collection.
    const mainCpu: number[] = [];
    const mainCpuWarm: number[] = [];
    let seq = 0;
    const target = (who: string) => `${who}-${seq}`;
    const verify = (who: string, dir: string) => {
      const n = fileCount(dir);
      if (n !== MANY) throw new Error(`${who} moved ${n} files, not ${MANY}`);
    };
    const place = (who: string) => {
      seq++;
      if (direction === 'upload') {
        const parent = `up-many-${target(who)}`;
        ownedDir(env.vsftpd.realRoot, parent, env.vsftpd.owner);
        return { remote: `/${parent}/many`, local: src, check: path.join(env.vsftpd.realRoot, parent, 'many') };
      }
      const local = path.join(env.local, `dl-many-${target(who)}`);
      return { remote: '/many', local, check: local };
    };
    const cleanup = () => {
      for (const name of fs.readdirSync(env.vsftpd.realRoot)) if (name.startsWith('up-many-')) fs.rmSync(path.join(env.vsftpd.realRoot, name), { recursive: true, force: true });
      for (const name of fs.readdirSync(env.local)) if (name.startsWith('dl-many-')) fs.rmSync(path.join(env.local, name), { recursive: true, force: true });
    };
    // One set of peer runs per repetition serves both engine rows.
    const peerRuns = new Map<string, number[]>();
    const engineClient = (who: 'engine-command' | 'engine-pool', row: Row, warmUp = false): Client => ({
      name: warmUp ? `${who}-warm` : who,
      run: async (rep) => {
        const before = warmUp ? place(`${who}-warm-up`) : undefined;
        const p = place(warmUp ? `${who}-warm` : who);
        const r = await runWorker({ kind: 'many', who, direction, conn, connections: CONNECTIONS, local: p.local, remote: p.remote, ...(before && { warmUp: { local: before.local, remote: before.remote } }) });
        verify(who, p.check);
        const v = filesPerSec(r.ms);
        if (!counted(rep)) return v;
        row.engine.push(v);
        if (who === 'engine-command' && r.cpuMs !== undefined) (warmUp ? cpuWarm : cpu).engine.push(r.cpuMs / MANY);
        if (who === 'engine-command' && r.mainCpuMs !== undefined) (warmUp ? mainCpuWarm : mainCpu).push(r.mainCpuMs / MANY);
        return v;
      },
    });
    const clients: Client[] = [engineClient('engine-command', cmd), engineClient('engine-command', warm, true), engineClient('engine-pool', pool)];
    if (has(env, 'lftp')) {
      const name = `lftp mirror${direction === 'upload' ? ' -R' : ''} --parallel=${CONNECTIONS}`;
      clients.push({
        name,
        run: async (rep) => {
          const p = place('lftp');
          const step = direction === 'upload' ? `mirror -R --parallel=${CONNECTIONS} ${lq(p.local)} ${lq(p.remote)}` : `mirror --parallel=${CONNECTIONS} ${lq(p.remote)} ${lq(p.local)}`;
          let cpuMs: number | undefined;
          const ms = await lftpTimed(conn, [step], undefined, { onCpuMs: (v) => (cpuMs = v) });
          verify('lftp', p.check);
          if (counted(rep) && cpuMs !== undefined) for (const row of [cpu, cpuWarm]) row.peers.set(name, [...(row.peers.get(name) ?? []), cpuMs / MANY]);
          return filesPerSec(ms);
        },
      });
    }
    // lftp doing the safe work too (xfer:use-temp-file: each file to a temporary name, then renamed
    // over its own, as the engine's uploads and downloads are): not the goal's peer, a reference of
    // what that safety costs lftp itself (each upload's rename is two more commands for the server).
    const safe = newRow('many', `${direction === 'upload' ? 'Upload' : 'Download'} of a folder of ${MANY}: the command, against lftp doing the same safe work (xfer:use-temp-file: a temporary name, then a rename)`, 'files/s', true, 'a figure: the goal is plain lftp\'s', () => undefined);
    const safeWarm = newRow('many', `${direction === 'upload' ? 'Upload' : 'Download'} of a folder of ${MANY}: the command run once before, against lftp doing the same safe work`, 'files/s', true, 'a figure', () => undefined);
    const safeRuns = new Map<string, number[]>();
    if (has(env, 'lftp')) {
      const name = `lftp mirror${direction === 'upload' ? ' -R' : ''} --parallel=${CONNECTIONS}, xfer:use-temp-file`;
      clients.push({
        name,
        run: async (rep) => {
          const p = place('lftp-temp');
          const step = direction === 'upload' ? `mirror -R --parallel=${CONNECTIONS} ${lq(p.local)} ${lq(p.remote)}` : `mirror --parallel=${CONNECTIONS} ${lq(p.remote)} ${lq(p.local)}`;
          const ms = await lftpTimed(conn, [step], ['set xfer:use-temp-file yes', 'quote NOOP']);
          verify('lftp (temporary files)', p.check);
          const v = filesPerSec(ms);
          if (counted(rep)) safeRuns.set(name, [...(safeRuns.get(name) ?? []), v]);
          return v;
        },
      });
    }
    // Not a peer: what Node's sockets do alone with the engine's commands (bare-client.ts), in its own row.
    const bare = newRow('many', `${direction === 'upload' ? 'Upload' : 'Download'} of a folder of ${MANY}: reference, not the engine: Node's sockets alone sending the engine's commands (test/bench/bare-client.ts), fresh process`, 'files/s', true, 'a figure: what Node reaches here', () => undefined);
    const bareCpu = newRow('many', `${direction === 'upload' ? 'Upload' : 'Download'} of a folder of ${MANY}: reference: CPU time per file of Node's sockets alone`, 'ms', false, 'a figure', () => undefined);
    clients.push({
      name: 'node sockets alone',
      run: async (rep) => {
        const p = place('bare');
        // The engine and lftp make the destination folder; this client only moves files.
        if (direction === 'download') fs.mkdirSync(p.local, { recursive: true });
        else ownedDir(path.dirname(p.check), 'many', env.vsftpd.owner);
        const r = await runWorker({ kind: 'bare-many', direction, conn, connections: CONNECTIONS, local: p.local, remote: p.remote, namesFrom: src });
        verify('node sockets alone', p.check);
        const v = filesPerSec(r.ms);
        if (counted(rep)) {
          bare.engine.push(v);
          if (r.cpuMs !== undefined) bareCpu.engine.push(r.cpuMs / MANY);
        }
        return v;
      },
    });
    if (has(env, 'basic-ftp')) {
      clients.push({
        name: `basic-ftp ${direction === 'upload' ? 'uploadFromDir' : 'downloadToDir'} (1 connection)`,
        run: async () => {
          const p = place('basic-ftp');
          const r = await runWorker({ kind: 'many', who: 'basic-ftp', direction, conn, connections: 1, local: p.local, remote: p.remote });
          verify('basic-ftp', p.check);
          return filesPerSec(r.ms);
        },
      });
    }
    // Run all clients interleaved into a scratch row, then give each engine row the peers' figures.
    const scratch: Row = { group: 'many', name: '', unit: 'files/s', higher: true, engine: [], peers: peerRuns, goal: '', errors: [] };
    // The engine's clients and the reference record their own figures; the peers' go to peerRuns.
    await repeated(clients, 'files/s', (client, v) => {
      if (!client.startsWith('engine') && client !== 'node sockets alone' && !client.endsWith('xfer:use-temp-file')) peerRuns.set(client, [...(peerRuns.get(client) ?? []), v]);
    }, (client, message) => (client === 'engine-command' ? cmd : client === 'engine-command-warm' ? warm : client === 'engine-pool' ? pool : scratch).errors.push(message), cleanup);
    for (const row of [cmd, warm, pool, bare]) {
      row.peers = new Map(peerRuns);
      row.errors.push(...scratch.errors);
      printRow(row);
    }
    for (const [row, of] of [[safe, cmd], [safeWarm, warm]] as const) {
      row.engine = [...of.engine];
      row.peers = new Map(safeRuns);
      if (safeRuns.size) printRow(row);
    }
    printRow(cpu);
    printRow(cpuWarm);
    bareCpu.peers = new Map(cpu.peers);
    printRow(bareCpu);
    if (mainCpu.length && mainCpuWarm.length) {
      log(`         of which the main thread: ${fmt(median(mainCpu), 'ms')} / ${fmt(median(mainCpuWarm), 'ms')} ms per file (fresh / run once before); the rest on V8's threads (optimizing compiles, garbage collection)`);
    }
  }
}

async function roundTrips(env: Env): Promise<string[]> {
  log('\n== Round trips per VS Code operation, from the engine\'s log (round trips + data connections; login not counted; +: a command sent with the one before it)');
  const md = ['| server | operation (provider calls) | round trips + data connections | commands (+: sent with the one before) | goal (issue 11) |', '| --- | --- | --- | --- | --- |'];
  for (const server of [env.vsftpd, env.proftpd]) {
    makeFixture(server.realRoot, server.owner);
    for (const op of OPERATIONS) {
      const trips = await countOperation({ host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'passive' }, op);
      const line = `${trips.roundTrips} + ${trips.data}`;
      const goal = op.goal(server.kind === 'proftpd');
      log(`  ${server.kind} | ${op.label} | ${line} | ${commandNames(trips).join(', ') || '-'} | goal ${goal}`);
      md.push(`| ${server.kind} | ${op.label} | ${line} | ${commandNames(trips).join(', ') || '-'} | ${goal} |`);
    }
  }
  return md;
}

/** Files in the folder upload timed at the relay's round trip: enough for every connection to move several. */
const LATENCY_FILES = 40;

/**
 * A folder of LATENCY_FILES small files uploaded, then downloaded, through the relay: the Upload and
 * Download commands (4 connections) against lftp mirror (-R) --parallel=4. Where each round trip
 * costs 50 ms, the commands a file needs and the logins, not the CPU, set the pace.
 */
async function latencyFolders(conn: Conn, env: Env): Promise<void> {
  const src = path.join(env.local, 'lat-many');
  fs.mkdirSync(src, { recursive: true });
  for (let i = 0; i < LATENCY_FILES; i++) fs.writeFileSync(path.join(src, `file-${String(i).padStart(3, '0')}.txt`), crypto.randomBytes(MANY_SIZE));
  // The download's source: the same files on the server.
  const served = ownedDir(env.vsftpd.realRoot, 'lat-dl/lat-many', env.vsftpd.owner);
  ownedDir(env.vsftpd.realRoot, 'lat-dl', env.vsftpd.owner);
  for (const name of fs.readdirSync(src)) {
    fs.copyFileSync(path.join(src, name), path.join(served, name));
    fs.chownSync(path.join(served, name), env.vsftpd.owner.uid, env.vsftpd.owner.gid);
  }
  for (const direction of ['upload', 'download'] as const) {
    const up = direction === 'upload';
    const row = newRow('latency', `${up ? 'Upload' : 'Download'} of a folder of ${LATENCY_FILES} files of ${MANY_SIZE / 1024} KB at ${2 * ONE_WAY_MS} ms RTT: the ${up ? 'Upload' : 'Download'} command (maxConnections ${CONNECTIONS})`, 'files/s', true, `>= lftp mirror${up ? ' -R' : ''} --parallel=${CONNECTIONS}`, ratioGoal(1));
    let seq = 0;
    const place = (who: string) => {
      if (!up) {
        const local = path.join(env.local, `lat-dl-${who}-${++seq}`);
        return { remote: '/lat-dl/lat-many', local, check: local };
      }
      const parent = `lat-up-${who}-${++seq}`;
      ownedDir(env.vsftpd.realRoot, parent, env.vsftpd.owner);
      return { remote: `/${parent}/lat-many`, local: src, check: path.join(env.vsftpd.realRoot, parent, 'lat-many') };
    };
    const done = (who: string, check: string, ms: number) => {
      const n = fileCount(check);
      if (n !== LATENCY_FILES) throw new Error(`${who} moved ${n} files, not ${LATENCY_FILES}`);
      return LATENCY_FILES / (ms / 1000);
    };
    const clients: Client[] = [{
      name: 'engine',
      run: async () => {
        const p = place('engine');
        return done('engine', p.check, (await runWorker({ kind: 'many', who: 'engine-command', direction, conn, connections: CONNECTIONS, local: p.local, remote: p.remote })).ms);
      },
    }];
    if (has(env, 'lftp')) {
      clients.push({
        name: `lftp mirror${up ? ' -R' : ''} --parallel=${CONNECTIONS}`,
        run: async () => {
          const p = place('lftp');
          const step = up ? `mirror -R --parallel=${CONNECTIONS} ${lq(src)} ${lq(p.remote)}` : `mirror --parallel=${CONNECTIONS} ${lq(p.remote)} ${lq(p.local)}`;
          return done('lftp', p.check, await lftpTimed(conn, [step], undefined, { ignorePasvAddress: true }));
        },
      });
    }
    await interleaved(row, clients, () => {
      for (const name of fs.readdirSync(env.vsftpd.realRoot)) if (name.startsWith('lat-up-')) fs.rmSync(path.join(env.vsftpd.realRoot, name), { recursive: true, force: true });
      for (const name of fs.readdirSync(env.local)) if (name.startsWith('lat-dl-')) fs.rmSync(path.join(env.local, name), { recursive: true, force: true });
    });
  }
}

async function latencyRows(env: Env): Promise<string | undefined> {
  log(`\n== At ${2 * ONE_WAY_MS} ms RTT (userland relay on 127.0.0.2 in front of vsftpd's control port and passive range)`);
  const s = env.vsftpd;
  const ports = [s.port];
  for (let p = s.passivePorts[0]; p <= s.passivePorts[1]; p++) ports.push(p);
  let relay: LatencyRelay;
  try {
    relay = await LatencyRelay.start({ listenHost: '127.0.0.2', targetHost: '127.0.0.1', ports, oneWayMs: ONE_WAY_MS });
  } catch (e) {
    return `the relay could not start: ${(e as Error).message}`;
  }
  try {
    const conn: Conn = { host: '127.0.0.2', port: s.port, user: s.user, password: s.password, mode: 'passive' };
    const dir = ownedDir(s.realRoot, 'lat', s.owner);
    const content = Buffer.from('line of text in the file being edited\n'.repeat(256)); // ~10 KB
    const local = path.join(env.local, 'lat-file.txt');
    fs.writeFileSync(local, content);
    const file = path.join(dir, 'file.txt');
    const reset = () => {
      fs.writeFileSync(file, content, { mode: 0o644 });
      fs.chownSync(file, s.owner.uid, s.owner.gid);
      for (const n of fs.readdirSync(dir)) if (n !== 'file.txt') fs.rmSync(path.join(dir, n), { force: true });
    };
    reset();
    for (const op of ['open', 'save'] as const) {
      const row = newRow('latency', op === 'open'
        ? `open a file just listed at ${2 * ONE_WAY_MS} ms RTT (VS Code: stat + readFile; peers: the download)`
        : `save an existing file at ${2 * ONE_WAY_MS} ms RTT (writeFile; peers: upload to a temporary name + rename)`, 'ms', false, '<= best peer', ratioGoal(1));
      const clients: Client[] = [{ name: 'engine', run: async () => (await runWorker({ kind: 'latency', who: 'engine', conn, op, dir: '/lat', remote: '/lat/file.txt', local })).ms }];
      if (has(env, 'basic-ftp')) clients.push({ name: 'basic-ftp', run: async () => (await runWorker({ kind: 'latency', who: 'basic-ftp', conn, op, dir: '/lat', remote: '/lat/file.txt', local })).ms });
      if (has(env, 'curl')) {
        clients.push({
          name: op === 'open' ? 'curl' : 'curl temp+rename',
          run: () => curlTimed(conn, '/lat/', op === 'open' ? curlSteps.download(conn, '/lat/file.txt', '/dev/null') : curlSteps.safeUpload(conn, local, '/lat/file.txt')),
        });
      }
      if (has(env, 'lftp')) {
        clients.push({
          name: op === 'open' ? 'lftp' : 'lftp put+mv',
          run: () => lftpTimed(conn, op === 'open' ? ['cat /lat/file.txt > /dev/null'] : [`put ${lq(local)} -o /lat/.file.txt.lftp.tmp`, 'mv /lat/.file.txt.lftp.tmp /lat/file.txt'],
            ['cls -1 /lat > /dev/null'], { ignorePasvAddress: true }),
        });
      }
      if (has(env, 'ftplib')) {
        clients.push({ name: op === 'open' ? 'ftplib' : 'ftplib stor+rename', run: async () => (await ftplibTimed(conn, { op, dir: '/lat', remote: '/lat/file.txt', local })).ms });
      }
      await interleaved(row, clients, reset);
    }
    await latencyFolders(conn, env);
    return `${relay.connections} connections relayed`;
  } finally {
    await relay.close();
  }
}

async function startup(): Promise<string[]> {
  log('\n== Start-up');
  const notes: string[] = [];
  // The package's main file (dist/start.js), which runs dist/extension.js with its code cache.
  const bundle = path.join(REPO, JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).main as string);
  const extension = path.join(REPO, 'dist', 'extension.js');
  const cache = path.join(REPO, 'dist', 'extension.js.cache');
  const engineCache = path.join(REPO, 'dist', 'engine.js.cache');
  let vsix: string | undefined;
  if (process.env.FTPWS_BENCH_PACKAGE !== '0') {
    try {
      const out = execFileSync(process.execPath, [path.join(REPO, 'scripts', 'package.mjs')], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
      vsix = /vsix:\s+(.*)$/m.exec(out)?.[1];
      notes.push(`npm run package: ${out.trim().split('\n').filter((l) => /^(bundle|vsix):/.test(l)).join('; ')}`);
    } catch (e) {
      notes.push(`npm run package failed (${(e as Error).message.split('\n')[0]}); building the production bundle only`);
      try {
        execFileSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs'), '--production'], { cwd: REPO, stdio: 'ignore', timeout: 300_000 });
      } catch {
        /* measured if present */
      }
    }
  }
  if (!fs.existsSync(bundle) || !fs.existsSync(extension)) {
    notes.push(`no ${path.relative(REPO, bundle)} or dist/extension.js: start-up not measured (npm run package)`);
    return notes;
  }
  const kb = (f: string) => `${(fs.statSync(f).size / 1024).toFixed(0)} KB`;
  // A window's first start after an install or update compiles extension.js and writes its code
  // cache; every later start reads it. Both are measured, the first ones without a cache each time.
  const firstRow = newRow('startup', `first start after an install (no code cache yet): require of ${path.relative(REPO, bundle)} + extension.js (${kb(extension)})`, 'ms', false, 'a figure', () => undefined);
  const firstActivateRow = newRow('startup', 'first start after an install: activate()', 'ms', false, 'a figure', () => undefined);
  // Not at start: a site's first connection loads the engine (src/fs/engine.ts), with a code cache of its own.
  const engineFile = path.join(REPO, 'dist', 'engine.js');
  const firstEngineRow = newRow('startup', `first start after an install: a site's first connection loads dist/engine.js (${fs.existsSync(engineFile) ? kb(engineFile) : 'missing'}), CPU`, 'ms', false, 'a figure', () => undefined);
  for (let rep = 0; rep < REPS; rep++) {
    fs.rmSync(cache, { force: true });
    fs.rmSync(engineCache, { force: true });
    try {
      const r = await runWorker({ kind: 'startup', bundle, unbundled: path.join(REPO, 'out', 'src', 'extension.js') });
      if (r.cacheUse !== 'none') notes.push(`a first start found the code cache ${r.cacheUse ?? 'unreported'}`);
      if (r.engineCacheUse !== 'none') notes.push(`a first connection found the engine's code cache ${r.engineCacheUse ?? 'unreported'}`);
      firstRow.engine.push(r.ms);
      if (r.activateMs !== undefined) firstActivateRow.engine.push(r.activateMs);
      if (r.engineCpuMs !== undefined) firstEngineRow.engine.push(r.engineCpuMs);
    } catch (e) {
      firstRow.errors.push((e as Error).message);
    }
  }
  printRow(firstRow);
  printRow(firstActivateRow);
  printRow(firstEngineRow);
  fs.rmSync(cache, { force: true });
  fs.rmSync(engineCache, { force: true });
  await runWorker({ kind: 'startup', bundle, unbundled: path.join(REPO, 'out', 'src', 'extension.js'), waitForFiles: [cache, engineCache] });
  if (!fs.existsSync(cache)) notes.push('the first start wrote no code cache (dist/extension.js.cache): the later starts below compiled afresh');
  else notes.push(`code cache written by the first start: dist/extension.js.cache, ${kb(cache)}`);
  const requireRow = newRow('startup', `later starts: require of ${path.relative(REPO, bundle)} + extension.js with its code cache, in a fresh Node, its Node built-ins loaded before (as in an extension host)`, 'ms', false, 'activation adds < 20 ms (with activate)', () => undefined);
  const activateRow = newRow('startup', 'later starts: activate() with the vscode stub (registrations do nothing)', 'ms', false, 'require + activate < 20 ms', undefined);
  const cpuRow = newRow('startup', 'later starts: CPU time (user + system) of require + activate', 'ms', false, '< 20 ms', (r) => (r.engine.length ? median(r.engine) < 20 : undefined));
  const codecs = newRow('startup', 'iconv-lite encoding modules loaded by require + activate (unbundled, out/src)', 'modules', false, '0 (loaded when a site needs one)', (r) => median(r.engine) === 0);
  const engineRow = newRow('startup', "later starts: a site's first connection loads dist/engine.js with its code cache, CPU", 'ms', false, 'a figure', () => undefined);
  let activateError: string | undefined;
  for (let rep = 0; rep < REPS; rep++) {
    try {
      const r = await runWorker({ kind: 'startup', bundle, unbundled: path.join(REPO, 'out', 'src', 'extension.js') });
      if (r.cacheUse !== 'used') notes.push(`a later start found the code cache ${r.cacheUse ?? 'unreported'}, not used`);
      requireRow.engine.push(r.ms);
      if (r.activateMs !== undefined) activateRow.engine.push(r.activateMs);
      activateError ??= r.activateError;
      if (r.codecModules !== undefined) codecs.engine.push(r.codecModules);
      if (r.cpuMs !== undefined && r.activateMs !== undefined) cpuRow.engine.push(r.cpuMs);
      if (r.engineCacheUse !== 'used') notes.push(`a later first connection found the engine's code cache ${r.engineCacheUse ?? 'unreported'}, not used`);
      if (r.engineCpuMs !== undefined) engineRow.engine.push(r.engineCpuMs);
    } catch (e) {
      requireRow.errors.push((e as Error).message);
    }
  }
  activateRow.met = () => (activateRow.engine.length ? median(requireRow.engine) + median(activateRow.engine) < 20 : undefined);
  requireRow.met = activateRow.met;
  if (activateError) notes.push(`activate() with the stub threw: ${activateError}; only require is measured`);
  printRow(requireRow);
  printRow(activateRow);
  printRow(cpuRow);
  printRow(codecs);
  printRow(engineRow);
  if (vsix) {
    const vsixKb = Number(/([\d.]+) KB/.exec(vsix)?.[1]);
    const row = newRow('startup', `.vsix size (${vsix.split(' ')[0]})`, 'MB', false, '< 1 MB', (r) => median(r.engine) < 1);
    row.engine = [vsixKb / 1024];
    printRow(row);
  }
  return notes;
}

// ---- Main ---------------------------------------------------------------------------------------

function machine(): string[] {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
  let distro = '';
  try {
    distro = /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    /* none */
  }
  return [
    `${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM, ${distro}, kernel ${os.release()}`,
    `Node ${process.version}; load average at the start: ${load}`,
  ];
}

async function main(): Promise<void> {
  const started = new Date();
  log(`FTP Workspace bench: ${REPS} repetitions after ${WARMUP} warm-up (not counted), interleaved, medians; big file ${MB_SIZE} MB; groups: ${[...ONLY].join(', ')}`);
  for (const l of machine()) log(l);
  const peerList = findPeers();
  log('Peers:');
  for (const p of peerList) log(`  ${p.name} ${p.version ?? ''}: ${p.available ? '' : 'NOT AVAILABLE: '}${p.how}`);
  const env: Env = { peers: new Map(peerList.map((p) => [p.name, p])), rss: new Map() } as Env;
  const scratch = shmDir('local');
  env.local = scratch.dir;
  const servers: BenchServer[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    scratch.remove();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  const notes: string[] = [];
  let rtTable: string[] = [];
  try {
    env.vsftpd = await startBenchServer('vsftpd', scratch.dir);
    servers.push(env.vsftpd);
    env.proftpd = await startBenchServer('proftpd', scratch.dir);
    servers.push(env.proftpd);
    log(`Servers: vsftpd ${env.vsftpd.version} on ${env.vsftpd.host}:${env.vsftpd.port}, proftpd ${env.proftpd.version} on ${env.proftpd.host}:${env.proftpd.port}; roots on ${SHM}`);

    // Fixtures: the big file, a small one to warm curl's connection, 1,000 small files, two big folders.
    log('Preparing the files...');
    const big = path.join(env.local, 'big.bin');
    if (ONLY.has('transfers')) {
      writeRandomFile(big, SIZE);
      for (const s of servers) fs.copyFileSync(big, path.join(s.realRoot, 'big.bin'));
    }
    for (const s of servers) fs.writeFileSync(path.join(s.realRoot, 'warm.txt'), 'warm\n');
    if (ONLY.has('many')) {
      writeManyFiles(path.join(env.local, 'many'), env.vsftpd.realRoot, 'many', env.vsftpd.owner, MANY, MANY_SIZE);
    }
    if (ONLY.has('listings')) {
      for (const n of [20_000, 100_000]) {
        const dir = ownedDir(env.vsftpd.realRoot, `list${n / 1000}k`, env.vsftpd.owner);
        for (let i = 0; i < n; i++) fs.writeFileSync(path.join(dir, `file-${String(i).padStart(6, '0')}.txt`), 'x'.repeat(i % 200));
      }
    }

    if (ONLY.has('transfers')) await transfers(env);
    if (ONLY.has('listings')) await listings(env);
    if (ONLY.has('many')) await manyFiles(env);
    if (ONLY.has('roundtrips')) rtTable = await roundTrips(env);
    if (ONLY.has('latency')) {
      const n = await latencyRows(env);
      if (n) notes.push(`latency relay: ${n}`);
    }
    if (ONLY.has('startup')) notes.push(...(await startup()));
  } finally {
    await stopAll();
  }
  await sleep(10);
  const minutes = ((Date.now() - started.getTime()) / 60000).toFixed(1);
  writeReport(started, minutes, peerList, rtTable, notes);
}

function writeReport(started: Date, minutes: string, peerList: PeerInfo[], rtTable: string[], notes: string[]): void {
  const md: string[] = [
    `# Bench, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC (${minutes} min)`,
    '',
    ...machine().map((l) => `- ${l.replace('at the start', 'at the end')}`),
    `- ${REPS} repetitions after ${WARMUP} not counted, interleaved (each repetition runs every client once, the order rotating), medians; big file ${MB_SIZE} MB`,
    `- peers: ${peerList.map((p) => `${p.name} ${p.version ?? ''}${p.available ? '' : ' (missing)'}`).join(', ')}`,
    '',
    '| measure | engine | best peer | ratio (engine ÷ peer) | goal | met |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const row of rows) md.push(`| ${describeRow(row).join(' | ')} |`);
  md.push('', 'Ratio: for MB/s and files/s, engine ÷ best peer (1 = as fast, more is faster); for ms and MB, engine ÷ best peer (less is better).', '');
  md.push('## Every client, medians [min-max]', '', '| measure | client | median | runs | range |', '| --- | --- | ---: | ---: | --- |');
  for (const row of rows) {
    for (const [who, values] of [['engine', row.engine] as const, ...row.peers]) {
      if (!values.length) continue;
      md.push(`| ${row.name} | ${who} | ${fmt(median(values), row.unit)} ${row.unit} | ${values.length} | ${fmt(Math.min(...values), row.unit)}-${fmt(Math.max(...values), row.unit)} |`);
    }
  }
  const failures = rows.filter((r) => r.errors.length);
  if (failures.length) {
    md.push('', '## Failed runs', '');
    for (const r of failures) for (const e of r.errors.slice(0, 5)) md.push(`- ${r.name}: ${e.replace(/\|/g, '\\|').slice(0, 400)}`);
  }
  if (rtTable.length) md.push('', '## Round trips per VS Code operation (engine log)', '', ...rtTable);
  const rowNotes = rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
  if (notes.length || rowNotes.length) md.push('', '## Notes', '', ...notes.map((n) => `- ${n}`), ...rowNotes);
  const out = path.join(REPO, 'test-results', 'bench.md');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, md.join('\n') + '\n');
  log(`\n${md.slice(0, 9 + rows.length).join('\n')}\n\nWritten to ${path.relative(process.cwd(), out) || out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
