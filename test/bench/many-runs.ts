/**
 * Figures, not a row of run.ts: the many-files command run again and again in one process, as a
 * long-running extension host would, with Node's sockets alone (bare-client.ts) and lftp's mirror
 * (a process each run, as the bench runs it) beside it. It tells
 * how much of the fresh-process row is V8 warming up a larger body of code, and what a full garbage
 * collection between runs does to code already optimized.
 *
 *   npm run compile-tests && node --expose-gc out/test/bench/many-runs.js [runs=7]
 *
 * vsftpd on 127.0.0.1 with its root on tmpfs, 1,000 files of 4 KB, 4 connections, plain passive:
 * the bench's many-files setting. Each line: a run's wall time and the process's CPU time. With
 * `FTPWS_RUNS_GC=1` two full collections come before every run (as the bench's `measured` does).
 */
import './vscode-stub';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { upload, download } from '../../src/ui/transfer-commands';
import { bareMany } from './bare-client';
import { ownedDir, writeManyFiles } from './common';
import { lftpTimed, lq } from './peers';
import { startBenchServer, shmDir } from './servers';
import { openSite } from './site';

const RUNS = Number(process.argv[2] ?? 7);
const FILES = 1000;
const CONNECTIONS = 4;
const fullGc = process.env.FTPWS_RUNS_GC === '1';

async function timed(label: string, step: () => Promise<unknown>): Promise<void> {
  if (fullGc) {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('FTPWS_RUNS_GC=1 needs node --expose-gc');
    gc();
    await new Promise((r) => setTimeout(r, 100));
    gc();
  }
  const start = performance.now();
  const cpu = process.cpuUsage();
  await step();
  const used = process.cpuUsage(cpu);
  console.log(`${label}: ${(performance.now() - start).toFixed(0)} ms, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms`);
}

async function main(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-runs-'));
  const server = await startBenchServer('vsftpd', scratch);
  const local = shmDir('runs');
  try {
    const owned = (rel: string) => ownedDir(server.realRoot, rel, server.owner);
    const src = path.join(local.dir, 'many');
    writeManyFiles(src, server.realRoot, 'many', server.owner, FILES, 4096);
    const names = fs.readdirSync(src).sort();
    const conn = { host: server.host, port: server.port, user: server.user, password: server.password };
    console.log(`${FILES} files of 4 KB, ${CONNECTIONS} connections, vsftpd, ${RUNS} runs in one process${fullGc ? ', two full collections before each' : ''}`);
    const site = openSite({ ...conn, transferMode: 'passive', maxConnections: CONNECTIONS });
    try {
      await site.pool.run((c) => c.noop());
      for (let i = 0; i < RUNS; i++) {
        owned(`up-runs-${i}`);
        await timed(`engine upload, run ${i + 1}`, () => upload(site.provider, site.uri(`/up-runs-${i}`), [vscode.Uri.file(src)], 'replace', { confirmed: true }));
      }
      for (let i = 0; i < RUNS; i++) {
        await timed(`engine download, run ${i + 1}`, () => download(site.provider, site.uri('/many'), vscode.Uri.file(path.join(local.dir, `dl-runs-${i}`)), 'replace', { confirmed: true }));
      }
    } finally {
      await site.close();
    }
    for (let i = 0; i < RUNS; i++) {
      owned(`up-bare-${i}/many`);
      await timed(`Node's sockets alone, upload, run ${i + 1}`, () => bareMany(conn, 'upload', src, `/up-bare-${i}/many`, names, CONNECTIONS));
    }
    for (let i = 0; i < RUNS; i++) {
      const to = path.join(local.dir, `dl-bare-${i}`);
      fs.mkdirSync(to);
      await timed(`Node's sockets alone, download, run ${i + 1}`, () => bareMany(conn, 'download', to, '/many', names, CONNECTIONS));
    }
    if (spawnSync('lftp', ['--version']).status !== 0) {
      console.log('lftp: NOT FOUND, so no lftp runs (npm run bench installs it)');
      return;
    }
    // lftp's own timing (between two markers in its script, login not counted), as run.ts times it.
    for (let i = 0; i < RUNS; i++) {
      owned(`up-lftp-${i}`);
      const ms = await lftpTimed(conn, [`mirror -R --parallel=${CONNECTIONS} ${lq(src)} ${lq(`/up-lftp-${i}/many`)}`]);
      console.log(`lftp mirror -R --parallel=${CONNECTIONS}, run ${i + 1}: ${ms.toFixed(0)} ms`);
    }
    for (let i = 0; i < RUNS; i++) {
      const ms = await lftpTimed(conn, [`mirror --parallel=${CONNECTIONS} ${lq('/many')} ${lq(path.join(local.dir, `dl-lftp-${i}`))}`]);
      console.log(`lftp mirror --parallel=${CONNECTIONS}, run ${i + 1}: ${ms.toFixed(0)} ms`);
    }
  } finally {
    await server.stop();
    local.remove();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
