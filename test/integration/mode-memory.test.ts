/**
 * The mode memory from the first connection of a pool, against the FAKE fault server (it counts
 * what each session sent): a burst of operations on a new pool pays a refused EPSV or EPRT once,
 * not once per connection.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FtpPool } from '../../src/ftp/pool';
import { startFaultServer } from '../fakes/fault-server';

const fast = { connectMs: 3000, replyMs: 3000, dataConnectMs: 2000, dataIdleMs: 3000 };

describe('mode memory shared from the first connection (FAKE fault server)', () => {
  for (const [mode, refusedVerb, methodOrder] of [['passive', 'EPSV', undefined], ['active', 'EPRT', undefined], ['auto', 'EPSV', ['EPSV', 'PASV', 'EPRT', 'PORT']]] as const) {
    test(`${mode}: a burst of 12 listings on 4 new connections sends ${refusedVerb} once`, async () => {
      const srv = await startFaultServer({ onCommand: (verb) => (verb === refusedVerb ? [`500 '${refusedVerb}': command not understood.`] : undefined) });
      for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(srv.root, `f${i}.txt`), 'x');
      const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 4, transferMode: mode, methodOrder, timeouts: fast });
      try {
        const listings = await Promise.all(Array.from({ length: 12 }, () => pool.run((c) => c.list('/'), { idempotent: true })));
        assert.ok(listings.every((l) => l.entries.length === 5));
        const sent = srv.sessions.flatMap((s) => s.commands.map((c) => c.split(' ')[0].toUpperCase()));
        assert.ok(srv.sessions.length >= 2, `sessions: ${srv.sessions.length}`);
        assert.equal(sent.filter((v) => v === refusedVerb).length, 1, `${refusedVerb} sent by ${srv.sessions.map((s) => s.commands.filter((c) => c.startsWith(refusedVerb)).length).join('/')} sessions`);
        assert.ok(pool.modeMemory.refused.has(refusedVerb.toLowerCase() as 'epsv'));
      } finally {
        await pool.close();
        await srv.stop();
      }
    });
  }
});
