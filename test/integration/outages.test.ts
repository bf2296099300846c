/**
 * Outages and limits on real servers (vsftpd, proftpd, pure-ftpd), through the pool as the provider
 * drives it (reads and stats idempotent, saves as whole safe saves):
 * - one free session slot (the server's per-IP limit): a burst of 200 operations at cap 4 completes;
 * - the server killed and restarted on the same port after 100 of 400 operations: no operation that
 *   had not sent a command fails, every file is old or new and whole, no temporary file, the learnt
 *   mode unchanged;
 * - the server frozen for 3 s (SIGSTOP/SIGCONT): every operation completes or fails clearly, no file corrupt.
 * Prints the figures (operations, errors by kind, peak connections vs cap, wall time).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FtpPool } from '../../src/ftp/pool';
import { isFtpError } from '../../src/ftp/errors';
import { LogEvent } from '../../src/ftp/log';
import { safeSave, TEMP_PATTERN } from '../../src/ftp/save';
import { ManagedServer, ServerKind, sampleSessions, startServer } from '../servers';

const SERVERS: ServerKind[] = ['vsftpd', 'proftpd', 'pureftpd'];
const rows: string[] = [];

const original = (i: number) => `original ${i}\n`.repeat(60);
const saved = /^(saved by op \d+\n){40}$/;

function seed(server: ManagedServer, n: number): void {
  fs.mkdirSync(path.join(server.root, 'w'), { recursive: true });
  fs.chownSync(path.join(server.root, 'w'), server.owner.uid, server.owner.gid);
  for (let i = 0; i < n; i++) {
    const f = path.join(server.root, 'w', `f${i}.txt`);
    fs.writeFileSync(f, original(i));
    fs.chownSync(f, server.owner.uid, server.owner.gid);
  }
}

/** One operation of the mix, the way the provider runs it. */
function operation(pool: FtpPool, i: number): Promise<unknown> {
  const f = `/w/f${i % 20}.txt`;
  switch (i % 4) {
    case 0: return pool.run((c) => c.download(f), { idempotent: true });
    case 1: return pool.run((c) => c.size(f), { idempotent: true });
    case 2: return pool.run((c) => c.list('/w'), { idempotent: true });
    default: return pool.run((c) => safeSave(c, f, Buffer.from(`saved by op ${i}\n`.repeat(40)), { current: { name: f.slice(3), type: 'file' } }), { idempotent: true });
  }
}

function errorsByKind(settled: PromiseSettledResult<unknown>[]): string {
  const kinds = new Map<string, number>();
  for (const r of settled) if (r.status === 'rejected') kinds.set(isFtpError(r.reason) ? r.reason.kind : 'other', (kinds.get(isFtpError(r.reason) ? r.reason.kind : 'other') ?? 0) + 1);
  return kinds.size ? [...kinds].map(([k, n]) => `${k} ${n}`).join(', ') : '0';
}

/** The first few failures' words, for an assertion's message. */
function firstErrors(settled: PromiseSettledResult<unknown>[]): string {
  return settled.flatMap((r, i) => (r.status === 'rejected' ? [`op ${i} (${['download', 'size', 'list', 'save'][i % 4]}): ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : [])).slice(0, 3).join(' | ');
}

function checkFiles(server: ManagedServer): void {
  for (let i = 0; i < 20; i++) {
    const text = fs.readFileSync(path.join(server.root, 'w', `f${i}.txt`), 'utf8');
    assert.ok(text === original(i) || saved.test(text), `f${i}.txt is neither the old nor a new version, whole`);
  }
  assert.deepEqual(fs.readdirSync(path.join(server.root, 'w')).filter((n) => TEMP_PATTERN.test(n)), [], 'no temporary file left');
}

describe('outages and limits on real servers', () => {
  after(() => {
    const table = ['| server | scenario | operations | errors by kind | peak connections / cap | wall time |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
    console.log('\n' + table);
    fs.mkdirSync('test-results', { recursive: true });
    fs.writeFileSync('test-results/outages.md', table + '\n');
  });

  for (const kind of SERVERS) {
    test(`${kind}: one free session slot, a burst of 200 operations at cap 4`, async () => {
      const server = await startServer(kind, { maxPerIp: 1 });
      seed(server, 20);
      const log: LogEvent[] = [];
      const pool = new FtpPool({ host: server.host, port: server.port, user: server.user, password: server.password, maxConnections: 4, log: (e) => log.push(e) });
      const sampler = sampleSessions(server, 5);
      const started = Date.now();
      try {
        const settled = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => operation(pool, i)));
        const ms = Date.now() - started;
        const peak = sampler.stop();
        rows.push(`| ${kind} | one free session slot (maxPerIp 1) | 200 | ${errorsByKind(settled)} | ${peak} / 4 | ${ms} ms |`);
        assert.equal(errorsByKind(settled), '0', `no operation failed: ${firstErrors(settled)}`);
        assert.ok(log.some((e) => /refused another connection/.test(e.text)), 'the log says the cap was lowered');
        checkFiles(server);
      } finally {
        sampler.stop();
        await pool.close();
        await server.stop();
      }
    });

    test(`${kind}: killed and restarted after 100 of 400 operations`, async () => {
      const server = await startServer(kind);
      seed(server, 20);
      const pool = new FtpPool({ host: server.host, port: server.port, user: server.user, password: server.password, maxConnections: 2 });
      const sampler = sampleSessions(server, 5);
      try {
        await pool.run((c) => c.list('/w'));
        const learnt = pool.modeMemory.working;
        let done = 0;
        let restart: Promise<void> | undefined;
        let downFrom = 0;
        let downMs = 0;
        const started = Date.now();
        const ops = Array.from({ length: 400 }, (_, i) => operation(pool, i).finally(() => {
          if (++done === 100) {
            downFrom = Date.now();
            restart = server.restart(200).then(() => void (downMs = Date.now() - downFrom));
          }
        }));
        const settled = await Promise.allSettled(ops);
        await restart;
        const ms = Date.now() - started;
        const peak = sampler.stop();
        rows.push(`| ${kind} | restart after 100 of 400 (down ${downMs} ms) | 400 | ${errorsByKind(settled)} | ${peak} / 2 | ${ms} ms |`);
        assert.equal(errorsByKind(settled), '0', `no operation failed: ${firstErrors(settled)}`);
        assert.ok(peak <= 2, `peak connections ${peak}`);
        await pool.run((c) => c.noop());
        checkFiles(server);
        // Which attempts failed, and why, if an outage was taken for the method's failure.
        const failedAttempts = pool.modeMemory.history.filter((a) => !a.ok).map((a) => `${a.method} ${a.failure ?? ''} ${a.code ?? ''} ${a.message ?? ''}`).join(' | ');
        assert.equal(pool.modeMemory.working, learnt, `the learnt method is unchanged; failed attempts: ${failedAttempts}`);
        assert.equal(pool.modeMemory.refused.size, 0, `no method taken as refused; failed attempts: ${failedAttempts}`);
      } finally {
        sampler.stop();
        await pool.close();
        await server.stop();
      }
    });

    test(`${kind}: frozen for 3 s (SIGSTOP/SIGCONT) during 200 operations`, async () => {
      const server = await startServer(kind);
      seed(server, 20);
      // A reply timeout of 8 s (a site's timeoutSeconds), more than the 3 s freeze: vsftpd's sessions
      // never answer again after SIGCONT, so there the operations in flight wait it out (30 s by default).
      const pool = new FtpPool({ host: server.host, port: server.port, user: server.user, password: server.password, maxConnections: 2, timeouts: { replyMs: 8000 } });
      try {
        await pool.run((c) => c.noop());
        let done = 0;
        let freeze: Promise<void> | undefined;
        const started = Date.now();
        const ops = Array.from({ length: 200 }, (_, i) => operation(pool, i).finally(() => {
          if (++done === 50) freeze = server.freeze(3000);
        }));
        const settled = await Promise.allSettled(ops);
        await freeze;
        const ms = Date.now() - started;
        rows.push(`| ${kind} | frozen 3 s during 200 (reply timeout 8 s) | 200 | ${errorsByKind(settled)} | - / 2 | ${ms} ms |`);
        for (const r of settled) if (r.status === 'rejected') assert.ok(isFtpError(r.reason), `not an FtpError: ${String(r.reason)}`);
        await pool.run((c) => c.noop());
        checkFiles(server);
      } finally {
        await pool.close();
        await server.stop();
      }
    });
  }
});
