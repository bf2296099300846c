/**
 * Benchmark, not a test: parsing 100,000 `ls -l` lines and 100,000 MLSD lines with the engine's
 * listing reader and with basic-ftp's parseList, interleaved (ABBA), several repetitions, medians of
 * wall time and of CPU time (all threads, so the GC helpers count); then the
 * longest synchronous stretch while 100,000 lines are parsed without blocking (parseListingYielding,
 * and ListingParser fed 64 KiB chunks as a data connection would). Figures are printed, never asserted.
 *
 * basic-ftp is loaded from /work/main/.test-tools/bench-peers (FTPWS_BENCH_PEERS overrides); if it is
 * not there the bench installs it with `npm install --prefix <dir> basic-ftp`, or says it could not.
 * Run: npx tsc -p tsconfig.test.json && node --expose-gc out/test/bench/listing-parse.js
 * (FTPWS_BENCH_LINES, FTPWS_BENCH_REPS change the size and the repetitions.)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ListingParser, parseListing, parseListingYielding } from '../../src/ftp/listing';

const LINES = Number(process.env.FTPWS_BENCH_LINES ?? 100_000);
const REPS = Number(process.env.FTPWS_BENCH_REPS ?? 11);
const PEERS = process.env.FTPWS_BENCH_PEERS ?? '/work/main/.test-tools/bench-peers';

type PeerParse = (text: string) => unknown[];

function loadBasicFtp(): { parse: PeerParse; version: string } | string {
  const dist = path.join(PEERS, 'node_modules', 'basic-ftp', 'dist', 'parseList.js');
  if (!fs.existsSync(dist)) {
    try {
      console.log(`basic-ftp not found in ${PEERS}: installing it there (npm install --prefix ${PEERS} basic-ftp)`);
      fs.mkdirSync(PEERS, { recursive: true });
      execFileSync('npm', ['install', '--prefix', PEERS, 'basic-ftp'], { stdio: 'ignore', timeout: 120_000 });
    } catch (e) {
      return `basic-ftp is not installed in ${PEERS} and could not be installed (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(dist) as { parseList: PeerParse };
  const version = (JSON.parse(fs.readFileSync(path.join(PEERS, 'node_modules', 'basic-ftp', 'package.json'), 'utf8')) as { version: string }).version;
  return { parse: mod.parseList, version };
}

/** Deterministic pseudo-random numbers. */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w: number, c = ' ') => String(n).padStart(w, c);

/** `ls -l` lines as vsftpd/ProFTPD print them: files, directories, symlinks, recent and old dates, names with spaces. */
export function lsListing(count: number): string {
  const rnd = random(7);
  const out: string[] = ['total 123456'];
  for (let i = 0; i < count; i++) {
    const kind = rnd(20);
    const type = kind === 0 ? 'l' : kind < 4 ? 'd' : '-';
    const perms = type === 'd' ? 'rwxr-xr-x' : type === 'l' ? 'rwxrwxrwx' : rnd(3) === 0 ? 'rwxr-xr-x' : 'rw-r--r--';
    const size = type === 'd' ? 4096 : rnd(50_000_000);
    const month = MONTHS[rnd(12)];
    const day = 1 + rnd(28);
    const when = rnd(3) === 0 ? `${2010 + rnd(15)}` : `${pad(rnd(24), 2, '0')}:${pad(rnd(60), 2, '0')}`;
    const name = rnd(5) === 0 ? `report ${i} final.txt` : `file-${pad(i, 6, '0')}.${['txt', 'php', 'jpg', 'html'][rnd(4)]}`;
    const target = type === 'l' ? ` -> ../shared/target-${i}` : '';
    out.push(`${type}${perms}   ${pad(1 + rnd(3), 2)} www-data www-data ${pad(size, 10)} ${month} ${pad(day, 2)} ${when.padStart(5)} ${name}${target}`);
  }
  return out.join('\r\n') + '\r\n';
}

/** MLSD lines as ProFTPD sends them (every fact, mixed-case UNIX.* names). */
export function mlsdListing(count: number): string {
  const rnd = random(11);
  const out: string[] = ['modify=20261122120000;perm=flcdmpe;type=cdir;unique=FE00U1;UNIX.group=33;UNIX.groupname=www-data;UNIX.mode=0755;UNIX.owner=33;UNIX.ownername=www-data; .'];
  for (let i = 0; i < count; i++) {
    const dir = rnd(8) === 0;
    const stamp = `${2015 + rnd(12)}${pad(1 + rnd(12), 2, '0')}${pad(1 + rnd(28), 2, '0')}${pad(rnd(24), 2, '0')}${pad(rnd(60), 2, '0')}${pad(rnd(60), 2, '0')}`;
    const name = rnd(5) === 0 ? `report ${i} final.txt` : `file-${pad(i, 6, '0')}.txt`;
    out.push(
      dir
        ? `modify=${stamp};perm=flcdmpe;type=dir;unique=FE00U${i.toString(16)};UNIX.group=33;UNIX.groupname=www-data;UNIX.mode=0755;UNIX.owner=33;UNIX.ownername=www-data; ${name}`
        : `modify=${stamp};perm=adfrw;size=${rnd(50_000_000)};type=file;unique=FE00U${i.toString(16)};UNIX.group=33;UNIX.groupname=www-data;UNIX.mode=0644;UNIX.owner=33;UNIX.ownername=www-data; ${name}`,
    );
  }
  return out.join('\r\n') + '\r\n';
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Wall time and CPU time (user + system, all threads: GC helpers included) of one run. */
function timed(fn: () => number): { ms: number; cpu: number; entries: number } {
  gc();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const entries = fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpu: (used.user + used.system) / 1000, entries };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The longest gap between event-loop turns while `work` runs (a setImmediate probe measures it). */
async function longestStretch(work: () => Promise<unknown>): Promise<{ longest: number; total: number; turns: number }> {
  let last = performance.now();
  let longest = 0;
  let turns = 0;
  let running = true;
  const probe = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    turns++;
    if (running) setImmediate(probe);
  };
  gc();
  const start = performance.now();
  last = start;
  setImmediate(probe);
  await work();
  running = false;
  const end = performance.now();
  longest = Math.max(longest, end - last);
  return { longest, total: end - start, turns };
}

async function main(): Promise<void> {
  const peer = loadBasicFtp();
  const ls = lsListing(LINES);
  const mlsd = mlsdListing(LINES);
  const now = new Date('2026-11-22T15:00:00Z');
  console.log(`Listing parse, ${LINES.toLocaleString('en')} lines, ${REPS} interleaved repetitions, medians (node ${process.version})`);
  if (typeof peer === 'string') console.log(peer);
  else console.log(`peer: basic-ftp ${peer.version} parseList (dist/parseList.js); it reads no ls dates (keeps them as text), we build a Date per entry`);

  const runs: Record<string, number[]> = { lsOurs: [], lsPeer: [], mlsdOurs: [], mlsdPeer: [] };
  const cpu: Record<string, number[]> = { lsOurs: [], lsPeer: [], mlsdOurs: [], mlsdPeer: [] };
  let counts = '';
  for (let r = 0; r < REPS; r++) {
    // ABBA: every other repetition the peer goes first, so neither always runs on a fresher heap.
    const peerFirst = r % 2 === 1;
    const ours = (text: string, format: 'list' | 'mlsd') => timed(() => parseListing(text, format, { now }).entries.length);
    const theirs = (text: string) => (typeof peer === 'string' ? undefined : timed(() => peer.parse(text).length));
    let a, b, c, d;
    if (peerFirst) {
      b = theirs(ls);
      a = ours(ls, 'list');
      d = theirs(mlsd);
      c = ours(mlsd, 'mlsd');
    } else {
      a = ours(ls, 'list');
      b = theirs(ls);
      c = ours(mlsd, 'mlsd');
      d = theirs(mlsd);
    }
    runs.lsOurs.push(a.ms);
    runs.mlsdOurs.push(c.ms);
    cpu.lsOurs.push(a.cpu);
    cpu.mlsdOurs.push(c.cpu);
    if (b) {
      runs.lsPeer.push(b.ms);
      cpu.lsPeer.push(b.cpu);
    }
    if (d) {
      runs.mlsdPeer.push(d.ms);
      cpu.mlsdPeer.push(d.cpu);
    }
    counts = `entries: ls ${a.entries}${b ? ` / ${b.entries}` : ''}, mlsd ${c.entries}${d ? ` / ${d.entries}` : ''}`;
  }
  console.log(counts);
  console.log('');
  console.log('| listing | engine ms | basic-ftp ms | engine / basic-ftp | engine CPU ms | basic-ftp CPU ms | CPU ratio |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, key] of [['ls -l', 'ls'], ['MLSD', 'mlsd']] as const) {
    const o = median(runs[`${key}Ours`]);
    const t = runs[`${key}Peer`].length ? median(runs[`${key}Peer`]) : NaN;
    const oc = median(cpu[`${key}Ours`]);
    const tc = cpu[`${key}Peer`].length ? median(cpu[`${key}Peer`]) : NaN;
    const f = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
    const ratio = (a: number, b: number) => (Number.isNaN(b) ? '-' : (a / b).toFixed(2));
    console.log(`| ${label} | ${f(o)} | ${f(t)} | ${ratio(o, t)} | ${f(oc)} | ${f(tc)} | ${ratio(oc, tc)} |`);
  }

  console.log('');
  console.log('Without blocking the event loop (longest synchronous stretch, measured by a setImmediate probe):');
  const yielding = await longestStretch(() => parseListingYielding(ls, 'list', { now }, { sliceMs: 10 }));
  console.log(`  parseListingYielding(${LINES} ls lines as one string, sliceMs 10): longest ${yielding.longest.toFixed(1)} ms, total ${yielding.total.toFixed(0)} ms, ${yielding.turns} turns`);
  const yieldingMlsd = await longestStretch(() => parseListingYielding(mlsd, 'mlsd', { now }, { sliceMs: 10 }));
  console.log(`  parseListingYielding(${LINES} MLSD lines as one string, sliceMs 10): longest ${yieldingMlsd.longest.toFixed(1)} ms, total ${yieldingMlsd.total.toFixed(0)} ms`);
  const CHUNK = 64 * 1024;
  const chunked = await longestStretch(async () => {
    const parser = new ListingParser('list', { now });
    for (let at = 0; at < ls.length; at += CHUNK) {
      parser.push(ls.slice(at, at + CHUNK));
      await new Promise<void>((resolve) => setImmediate(resolve)); // the next data event
    }
    return parser.end();
  });
  console.log(`  ListingParser.push of 64 KiB chunks (${Math.ceil(ls.length / CHUNK)} chunks) + end(): longest ${chunked.longest.toFixed(1)} ms, total ${chunked.total.toFixed(0)} ms`);
  const blocking = await longestStretch(async () => parseListing(ls, 'list', { now }));
  console.log(`  for comparison, parseListing (synchronous) of the same: ${blocking.longest.toFixed(1)} ms in one stretch`);
}

if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exit(1);
});
