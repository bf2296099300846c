/**
 * A folder of 100,000 files on a real server (vsftpd, `ls -l` lines; proftpd, MLSD): `list()` reads
 * every entry while the extension host's event loop keeps running. The listing is parsed as it
 * arrives, in slices between event-loop turns (listing/paced.ts): the test asserts the entries and
 * that timers ran all along the listing, and prints the longest stretch the loop was held (a figure,
 * never asserted: timings belong to benchmarks; `npm run bench` compares it with basic-ftp), with
 * the longest GC pause and the longest hold outside GC: what holds the loop longest now is V8's
 * young-generation GC (every entry survives a scavenge), not the parse.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { FtpClient } from '../../src/ftp/client';
import { ServerKind, startServer } from '../servers';

const COUNT = 100_000;
const rows: string[] = [];

/** Creates COUNT empty files in dir, owned by the server's user. */
function manyFiles(dir: string, owner: { uid: number; gid: number }): void {
  fs.mkdirSync(dir);
  fs.chownSync(dir, owner.uid, owner.gid);
  for (let i = 0; i < COUNT; i++) {
    const f = path.join(dir, `file-${String(i).padStart(6, '0')}.txt`);
    fs.closeSync(fs.openSync(f, 'w'));
    fs.chownSync(f, owner.uid, owner.gid);
  }
}

describe(`a listing of ${COUNT.toLocaleString('en')} entries on real servers`, () => {
  for (const kind of ['vsftpd', 'proftpd'] as ServerKind[]) {
    test(`${kind}: every entry, and the event loop runs while it arrives`, async () => {
      const server = await startServer(kind);
      try {
        manyFiles(path.join(server.root, 'big'), server.owner);
        const client = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password });
        try {
          // A timer every 2 ms: how often it ran, and the longest gap between two of its runs; and
          // V8's garbage collections meanwhile, so that the figure says what held the loop.
          let ticks = 0;
          let longest = 0;
          let longestNotGc = 0;
          const gaps: Array<[number, number]> = [];
          const gcs: Array<[number, number]> = [];
          const observer = new PerformanceObserver((list) => {
            for (const e of list.getEntries()) gcs.push([e.startTime, e.startTime + e.duration]);
          });
          observer.observe({ entryTypes: ['gc'] });
          let last = performance.now();
          const timer = setInterval(() => {
            const now = performance.now();
            if (now - last > 10) gaps.push([last, now]);
            longest = Math.max(longest, now - last);
            last = now;
            ticks++;
          }, 2);
          const started = performance.now();
          let result;
          try {
            result = await client.list('/big');
          } finally {
            clearInterval(timer);
          }
          const ms = performance.now() - started;
          await new Promise((r) => setTimeout(r, 50)); // the last GC entries are delivered
          observer.disconnect();
          // A gap's time outside every collection it overlaps: what the process itself held.
          for (const [from, to] of gaps) {
            let gc = 0;
            for (const [s, e] of gcs) gc += Math.max(0, Math.min(to, e) - Math.max(from, s));
            longestNotGc = Math.max(longestNotGc, to - from - gc);
          }
          const longestGc = Math.max(0, ...gcs.map(([s, e]) => e - s));
          assert.equal(result.entries.length, COUNT, 'every entry');
          assert.deepEqual(result.unparsed, []);
          assert.equal(new Set(result.entries.map((e) => e.name)).size, COUNT, 'no name twice');
          // One synchronous parse of the whole listing would leave the timer a single turn or two.
          assert.ok(ticks >= 10, `the event loop ran only ${ticks} times during the listing`);
          rows.push(`| ${kind} | ${client.features.has('MLST') ? 'MLSD' : 'LIST -a'} | ${COUNT} | ${ms.toFixed(0)} ms | ${ticks} | ${longest.toFixed(1)} ms | ${longestGc.toFixed(1)} ms | ${longestNotGc.toFixed(1)} ms |`);
        } finally {
          await client.close();
        }
      } finally {
        await server.stop();
      }
    });
  }

  test('figures', () => {
    assert.ok(rows.length > 0, 'no listing was measured');
    console.log(['', '| server | command | entries | list() | timer turns (2 ms) | longest hold of the event loop | longest GC pause meanwhile | longest hold outside GC |', '| --- | --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n'));
  });
});
