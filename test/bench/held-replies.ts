/**
 * Benchmark, not a test: what commands sent together cost on servers that answer them late (see
 * test/integration/held-replies.test.ts), through the real provider (test/bench/site.ts, 2
 * connections): 40 stats of files not listed, 40 saves (safe save) and 40 reads, with commands
 * - "together": always sent together (the client before it learnt to stop: pipelining pinned on),
 * - "learnt": as the client does now (together until three batches of a kind came late),
 * - "one at a time": from the start.
 * Each a fresh site, rotating the order, FTPWS_BENCH_REPS rounds (default 3); wall times printed.
 * Run: npx tsc -p tsconfig.test.json && node out/test/bench/held-replies.js [servers...]
 * (default: ftpsrv vsftpd; FTPWS_FTPSRV_NODELAY=1 runs ftp-srv with its replies sent at once, as the demo's).
 */
import './vscode-stub';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManagedServer, ServerKind, serverMissing, startServer } from '../servers';
import { openSite } from './site';
import type { ServerHabits } from '../../src/ftp/habits';

type Mode = 'together' | 'learnt' | 'one at a time';
const MODES: Mode[] = ['together', 'learnt', 'one at a time'];
const N = 40;
const REPS = Number(process.env.FTPWS_BENCH_REPS ?? 3);

async function round(srv: ManagedServer, mode: Mode): Promise<number[]> {
  const site = openSite({ host: srv.host, port: srv.port, user: srv.user, password: srv.password, maxConnections: 2 });
  const habits = (site.pool as unknown as { habits: ServerHabits }).habits;
  if (mode === 'together') Object.defineProperty(habits, 'pipelining', { get: () => true, set: () => undefined });
  if (mode === 'one at a time') habits.pipelining = false;
  const dir = `/held-${Math.random().toString(36).slice(2, 8)}`;
  fs.mkdirSync(path.join(srv.root, dir));
  fs.chownSync(path.join(srv.root, dir), srv.owner.uid, srv.owner.gid);
  for (let i = 0; i < N; i++) {
    fs.writeFileSync(path.join(srv.root, dir, `f${i}`), 'x'.repeat(100));
    fs.chownSync(path.join(srv.root, dir, `f${i}`), srv.owner.uid, srv.owner.gid);
  }
  try {
    await site.provider.stat(site.uri('/')); // logged in: not timed
    const timed = async (fn: (i: number) => Promise<unknown>) => {
      const t = performance.now();
      for (let i = 0; i < N; i++) await fn(i);
      return performance.now() - t;
    };
    const stats = await timed((i) => site.provider.stat(site.uri(`${dir}/f${i}`)));
    await site.provider.readDirectory(site.uri(dir));
    const saves = await timed((i) => site.provider.writeFile(site.uri(`${dir}/f${i}`), Buffer.from('y'.repeat(200)), { create: true, overwrite: true }));
    const reads = await timed((i) => site.provider.readFile(site.uri(`${dir}/f${i}`)));
    return [stats, saves, reads];
  } finally {
    await site.close();
    fs.rmSync(path.join(srv.root, dir), { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const kinds = (process.argv.length > 2 ? process.argv.slice(2) : ['ftpsrv', 'vsftpd']) as ServerKind[];
  console.log(`${N} stats, saves, reads through the provider, 2 connections; ms, medians of ${REPS} rounds${process.env.FTPWS_FTPSRV_NODELAY === '1' ? '; ftp-srv with Nagle off' : ''}`);
  console.log('| server | commands | 40 stats | 40 saves | 40 reads |\n| --- | --- | ---: | ---: | ---: |');
  for (const kind of kinds) {
    const missing = serverMissing(kind);
    if (missing) {
      console.log(`| ${kind} | NOT RUN: ${missing} | | | |`);
      continue;
    }
    const srv = await startServer(kind);
    try {
      const figures = new Map<Mode, number[][]>(MODES.map((m) => [m, []]));
      for (let r = 0; r < REPS; r++) {
        for (let k = 0; k < MODES.length; k++) {
          const mode = MODES[(k + r) % MODES.length];
          figures.get(mode)!.push(await round(srv, mode));
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
      for (const mode of MODES) {
        const runs = figures.get(mode)!;
        console.log(`| ${kind} | ${mode} | ${[0, 1, 2].map((j) => median(runs.map((x) => x[j])).toFixed(0)).join(' | ')} |`);
      }
    } finally {
      await srv.stop();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
