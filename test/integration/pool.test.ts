/**
 * The pool against refusals, outages and misread faults (FAKE fault server: a per-IP limit, a
 * restart on the same port, a data port refused by a server that went away). The same on real
 * servers: test/integration/outages.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FtpPool } from '../../src/ftp/pool';
import { FtpClient } from '../../src/ftp/client';
import { FtpError, isFtpError } from '../../src/ftp/errors';
import { LogEvent } from '../../src/ftp/log';
import { safeSave, TEMP_PATTERN } from '../../src/ftp/save';
import type { ServerHabits } from '../../src/ftp/habits';
import { startFaultServer } from '../fakes/fault-server';

const fast = { connectMs: 2000, replyMs: 2000, dataConnectMs: 1000, dataIdleMs: 2000 };

function seed(root: string, n: number): void {
  for (let i = 0; i < n; i++) fs.writeFileSync(path.join(root, `f${i}.txt`), `content of file ${i}\n`.repeat(50));
}

describe('the pool (FAKE fault server)', () => {
  test('one free session slot: a burst of 200 operations at cap 4 completes through the one connection', async () => {
    const srv = await startFaultServer({ maxSessions: 1 });
    seed(srv.root, 10);
    const log: LogEvent[] = [];
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 4, timeouts: fast, log: (e) => log.push(e) });
    try {
      const ops = Array.from({ length: 200 }, (_, i) => pool.run((c) => (i % 2 ? c.size(`/f${i % 10}.txt`) : c.download(`/f${i % 10}.txt`).then((b) => b.length)), { idempotent: true }));
      const settled = await Promise.allSettled(ops);
      const failed = settled.filter((r) => r.status === 'rejected');
      assert.equal(failed.length, 0, `failed: ${failed.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3).join('; ')}`);
      assert.equal(srv.maxConcurrent, 1, 'only one session ever got in');
      assert.ok(srv.refused >= 1 && srv.refused <= 3, `refused connects: ${srv.refused} (the pool stops asking)`);
      assert.ok(log.some((e) => /refused another connection.*using at most 1/.test(e.text)), 'the log says the cap was lowered');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  // proftpd's MaxClientsPerHost counts sessions that have not logged in yet and answers PASS with
  // 530: four connects at once are all refused, though one alone gets in.
  test('a per-host limit answered at PASS: connects made together all refused, one alone gets in, the burst completes', async () => {
    const srv = await startFaultServer({
      onCommand: (verb) => (verb === 'PASS' && srv.sessions.filter((x) => !x.socket.destroyed).length > 1 ? ['530 Sorry, the maximum number of clients (1) from your host are already connected.'] : undefined),
    });
    seed(srv.root, 10);
    const log: LogEvent[] = [];
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 4, timeouts: fast, log: (e) => log.push(e) });
    try {
      const ops = Array.from({ length: 40 }, (_, i) => pool.run((c) => c.size(`/f${i % 10}.txt`), { idempotent: true }));
      const settled = await Promise.allSettled(ops);
      const failed = settled.filter((r) => r.status === 'rejected');
      assert.equal(failed.length, 0, `failed ${failed.length} of 40: ${failed.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 2).join('; ')}`);
      assert.ok(log.some((e) => /one connection alone/.test(e.text)), 'the log says why it tried again');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  // Before: when the operations whose logins were refused together were all cancelled while they
  // waited to try alone, one queued behind them was never woken and waited for ever.
  test('a per-host limit at PASS, the operations refused together cancelled while they wait to try alone: the one queued behind them runs', async () => {
    const srv = await startFaultServer({
      onCommand: (verb) => (verb === 'PASS' && srv.sessions.filter((x) => !x.socket.destroyed).length > 1 ? ['530 Sorry, the maximum number of clients (1) from your host are already connected.'] : undefined),
    });
    seed(srv.root, 1);
    const cancel = new AbortController();
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 2, timeouts: fast, log: (e) => { if (/one connection alone/.test(e.text)) setImmediate(() => cancel.abort()); } });
    let hung: NodeJS.Timeout | undefined;
    try {
      const cancelled = [0, 1].map(() => pool.run((c) => c.size('/f0.txt'), { signal: cancel.signal }));
      const queued = pool.run((c) => c.size('/f0.txt'));
      for (const r of await Promise.allSettled(cancelled)) assert.ok(r.status === 'rejected' && isFtpError(r.reason, 'aborted'), `the two cancelled: ${r.status === 'rejected' ? String(r.reason) : 'ran'}`);
      const size = await Promise.race([queued, new Promise<never>((_, reject) => (hung = setTimeout(() => reject(new Error('the queued operation was never woken')), 5000)))]);
      assert.equal(size, fs.statSync(path.join(srv.root, 'f0.txt')).size);
    } finally {
      clearTimeout(hung);
      await pool.close();
      await srv.stop();
    }
  });

  // Before: the operation whose connect failed waited for a connection to be released, while the
  // one released meanwhile sat idle: it waited for ever when nothing else ran on the site.
  test('a connect that fails as a limit after another connection went idle: the operation takes the idle one', async () => {
    const srv = await startFaultServer({ onCommand: (verb, _arg, s) => (verb === 'USER' && srv.sessions.indexOf(s) > 0 ? 'silence' : undefined) });
    seed(srv.root, 2);
    const log: LogEvent[] = [];
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 2, timeouts: { ...fast, replyMs: 500 }, log: (e) => log.push(e) });
    try {
      await pool.run((c) => c.noop());
      let hung: NodeJS.Timeout | undefined;
      const sizes = await Promise.race([
        Promise.all([0, 1].map((i) => pool.run(async (c) => {
          await new Promise((r) => setTimeout(r, 100)); // the first holds its connection: the second opens one, which the server never logs in
          return c.size(`/f${i}.txt`);
        }))),
        new Promise<never>((_, reject) => (hung = setTimeout(() => reject(new Error('still waiting 10 s later: the idle connection was never taken')), 10_000))),
      ]).finally(() => clearTimeout(hung));
      assert.deepEqual(sizes, [0, 1].map((i) => `content of file ${i}\n`.repeat(50).length));
      assert.ok(log.some((e) => /refused another connection.*using at most 1/.test(e.text)), 'taken for a limit');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  // An idle connection the server dropped (a restart) is no sign that a login works now: warm()
  // opened connections into the restart and took their refusals for a limit (cap 1 for 60 s).
  test('warm() while the server restarts: its dead idle connection is not counted, nothing is opened, the cap stays', async () => {
    const srv = await startFaultServer();
    const log: LogEvent[] = [];
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 4, timeouts: fast, log: (e) => log.push(e) });
    try {
      const client = await pool.run(async (c) => {
        await c.noop();
        return c;
      });
      const restarted = srv.restart(1000);
      for (let i = 0; i < 500 && client.connected; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(client.connected, false, 'the client saw its connection dropped');
      pool.warm(4);
      assert.equal(pool.stats.connecting, 0, 'nothing opened while no login is known to work');
      await restarted;
      assert.equal(pool.stats.cap, 4);
      assert.ok(!log.some((e) => /refused another connection/.test(e.text)), log.map((e) => e.text).join(' | '));
      assert.equal(await pool.run((c) => c.pwd()), '/', 'the next operation connects as usual');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  // Before: a reply nobody asked for stayed queued on the connection, the pool handed it on, and
  // each command after read its predecessor's answer: every later operation failed, or worse, read
  // a wrong one (a file stat'ed as a folder).
  test('a reply nobody asked for (a NOOP answered twice, a line while idle): that connection is closed, the next operations read their own answers', async () => {
    let noops = 0;
    const srv = await startFaultServer({ onCommand: (verb) => (verb === 'NOOP' && ++noops === 1 ? ['200 NOOP ok.', '200 NOOP ok, again.'] : undefined) });
    seed(srv.root, 2);
    const log: LogEvent[] = [];
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, timeouts: fast, log: (e) => log.push(e) });
    const size = `content of file 0\n`.repeat(50).length;
    try {
      await pool.run((c) => c.noop());
      assert.equal(await pool.run((c) => c.size('/f0.txt')), size, 'SIZE read its own answer');
      assert.ok(log.some((e) => e.text === 'closing the connection: the server sent a reply nobody asked for (200 NOOP ok, again.), so the next one could be misread'), 'the log says why');
      assert.equal(srv.sessions.length, 2, 'a new connection for the SIZE');
      // A line while the connection is idle in the pool.
      srv.sessions[1].socket.write('226 Transfer complete.\r\n');
      for (let i = 0; i < 100 && !log.some((e) => e.kind === 'reply' && /^226/.test(e.text)); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal((await pool.run((c) => c.stat('/f1.txt')))?.type, 'file', 'the stat read its own answers');
      assert.equal(srv.sessions.length, 3);
      assert.ok(log.some((e) => /nobody asked for \(226 Transfer complete\.\)/.test(e.text)));
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  test('a STOR answered twice (226, 226) in a run of saves on one connection: at most that save fails, every later one lands, the file is whole', async () => {
    let stors = 0;
    const srv = await startFaultServer({
      onCommand: (verb, _arg, session) => {
        if (verb !== 'STOR' || ++stors !== 2) return undefined;
        // This STOR's 226 is written twice: the second is a reply nobody asked for.
        const write = session.socket.write.bind(session.socket) as (data: string | Buffer) => boolean;
        session.socket.write = ((data: string | Buffer) => write(String(data).startsWith('226 ') ? `${data}${data}` : data)) as typeof session.socket.write;
        return undefined;
      },
    });
    fs.writeFileSync(path.join(srv.root, 'a.txt'), 'OLD');
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, timeouts: fast });
    try {
      const results: string[] = [];
      for (let i = 0; i < 8; i++) {
        results.push(await pool.run((c) => safeSave(c, '/a.txt', Buffer.from(`version ${i}`), { current: { name: 'a.txt', type: 'file', size: 3 } }), { idempotent: true })
          .then(() => 'ok', (e: FtpError) => `${e.kind}: ${e.message}`));
      }
      assert.ok(results.filter((r) => r !== 'ok').length <= 1, results.join(' | '));
      assert.equal(fs.readFileSync(path.join(srv.root, 'a.txt'), 'utf8'), 'version 7');
      assert.equal((await pool.run((c) => c.stat('/a.txt')))?.type, 'file');
      assert.deepEqual(fs.readdirSync(srv.root).filter((n) => TEMP_PATTERN.test(n)), [], 'no temporary file left');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  // Before: the first of the connects refused together (the server down) was taken for a connection
  // limit because the others were still connecting, and the site was held to fewer connections for
  // a minute after the server was back.
  test('a server down for a moment, operations waiting on it together: an outage, not a connection limit; all connections usable after', async () => {
    const srv = await startFaultServer();
    seed(srv.root, 8);
    const log: LogEvent[] = [];
    const outages: boolean[] = [];
    const pool: FtpPool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 4, timeouts: fast, log: (e) => log.push(e), onOutageChange: () => outages.push(pool.outage !== undefined) });
    try {
      const client = await pool.run(async (c) => {
        await c.noop();
        return c;
      });
      const restarted = srv.restart(800);
      // Wait for the drop, so the operations below connect while nothing listens.
      for (let i = 0; i < 50 && client.connected; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(client.connected, false, 'the client saw its connection dropped');
      const sizes = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.run((c) => c.size(`/f${i}.txt`), { idempotent: true })));
      await restarted;
      assert.ok(sizes.every((n) => n === `content of file 0\n`.repeat(50).length), String(sizes));
      assert.ok(log.some((e) => /could not reconnect/.test(e.text)), 'the connects were refused while it was down');
      assert.ok(!log.some((e) => /refused another connection/.test(e.text)), log.map((e) => e.text).filter((t) => /refused|reconnect/.test(t)).join(' | '));
      assert.equal(pool.stats.cap, 4, 'the cap stays');
      assert.deepEqual(outages, [true, false], 'told once when the outage began, once when it ended');
      // Four operations held open at once after it: four connections.
      let open = 0;
      let most = 0;
      await Promise.all(Array.from({ length: 4 }, () => pool.run(async (c) => {
        most = Math.max(most, ++open);
        await new Promise((r) => setTimeout(r, 200));
        open--;
        return c.noop();
      })));
      assert.equal(most, 4);
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  // Before: a connect cancelled while another operation waited for its slot left that one waiting
  // for a release that never came.
  test('a connect cancelled during its login: the operation waiting for its slot opens one and completes', async () => {
    const srv = await startFaultServer({ onCommand: (verb, _arg, s) => (verb === 'USER' && srv.sessions.indexOf(s) === 0 ? 'silence' : undefined) });
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, timeouts: fast });
    try {
      const cancel = new AbortController();
      const first = pool.run((c) => c.noop(), { signal: cancel.signal });
      const second = pool.run((c) => c.pwd());
      for (let i = 0; i < 500 && !srv.sessions[0]?.commands.some((c) => c.startsWith('USER')); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(pool.stats.waiting, 1, 'the second waits for the one slot');
      cancel.abort();
      await assert.rejects(first, (e: FtpError) => isFtpError(e, 'aborted'));
      let hung: NodeJS.Timeout | undefined;
      const home = await Promise.race([second, new Promise<never>((_, reject) => (hung = setTimeout(() => reject(new Error('still waiting 10 s later')), 10_000)))]).finally(() => clearTimeout(hung));
      assert.equal(home, '/');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  // A server that answered commands sent together elsewhere (a rename) but drops those that come
  // with another one after a login: the later connection's setup in one write goes unanswered.
  test('a login setup sent in one write left unanswered: that login is made again one command at a time, the operations complete, nothing goes together after', async () => {
    const srv = await startFaultServer({ onCommand: (verb, _arg, s) => (verb === 'TYPE' && s.sentWithPrevious ? 'silence' : undefined) });
    seed(srv.root, 4);
    const log: LogEvent[] = [];
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 2, timeouts: { ...fast, replyMs: 500 }, log: (e) => log.push(e) });
    try {
      await pool.run((c) => c.noop());
      (pool as unknown as { habits: ServerHabits }).habits.pipelining = true;
      const sizes = await Promise.all([0, 1].map((i) => pool.run(async (c) => {
        await new Promise((r) => setTimeout(r, 100)); // each holds its connection: the second one opens
        return c.size(`/f${i}.txt`);
      }, { idempotent: true })));
      assert.deepEqual(sizes, [0, 1].map((i) => `content of file ${i}\n`.repeat(50).length));
      const [, together, alone] = srv.sessions;
      assert.ok(together?.commands.includes('TYPE I') && !together.commands.includes('FEAT'), `the setup sent together: ${together?.commands.join(', ')}`);
      assert.ok(alone?.commands.includes('FEAT') && alone.commands.includes('TYPE I'), `then one at a time: ${alone?.commands.join(', ')}`);
      assert.equal(srv.sessions.length, 3, 'one connection more, no lowered cap');
      assert.equal((pool as unknown as { habits: ServerHabits }).habits.pipelining, false);
      assert.ok(log.some((e) => /setup sent in one write failed/.test(e.text)), 'the log says so');
      assert.ok(!log.some((e) => /refused another connection/.test(e.text)), 'not taken for a connection limit');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  test('a wrong password, connects made together: every operation fails with the refusal, one lone login more at most', async () => {
    const srv = await startFaultServer({ onCommand: (verb) => (verb === 'PASS' ? ['530 Login incorrect.'] : undefined) });
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 4, timeouts: fast });
    try {
      const settled = await Promise.allSettled(Array.from({ length: 40 }, () => pool.run((c) => c.noop(), { idempotent: true })));
      assert.ok(settled.every((r) => r.status === 'rejected' && isFtpError(r.reason, 'loginRefused')), 'every operation fails as a refused login');
      const logins = srv.sessions.filter((x) => x.commands.some((c) => c.startsWith('PASS'))).length;
      assert.ok(logins >= 1 && logins <= 5, `logins tried: ${logins}`);
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  test('a restart after 100 of 400 operations: none that had not sent a command fails, every file whole, no temp file, the learnt mode kept', async () => {
    const srv = await startFaultServer();
    seed(srv.root, 20);
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 2, timeouts: fast });
    try {
      await pool.run((c) => c.list('/'));
      const learnt = pool.modeMemory.working;
      assert.equal(learnt, 'epsv');
      let done = 0;
      const started: Array<Promise<unknown>> = [];
      const kinds: string[] = [];
      let restart: Promise<void> | undefined;
      for (let i = 0; i < 400; i++) {
        const f = `/f${i % 20}.txt`;
        const kind = ['read', 'size', 'list', 'save'][i % 4];
        kinds.push(kind);
        const op = kind === 'read' ? pool.run((c) => c.download(f), { idempotent: true })
          : kind === 'size' ? pool.run((c) => c.size(f), { idempotent: true })
            : kind === 'list' ? pool.run((c) => c.list('/'), { idempotent: true })
              : pool.run((c) => safeSave(c, f, Buffer.from(`saved by op ${i}\n`.repeat(40)), { current: { name: f.slice(1), type: 'file' } }), { idempotent: true });
        started.push(op.finally(() => {
          if (++done === 100) restart = srv.restart(300);
        }));
      }
      const settled = await Promise.allSettled(started);
      await restart;
      const failed = settled.map((r, i) => ({ r, kind: kinds[i] })).filter((x) => x.r.status === 'rejected');
      assert.equal(failed.length, 0, `failed: ${failed.map((x) => `${x.kind}: ${(x.r as PromiseRejectedResult).reason}`).slice(0, 5).join('; ')}`);
      for (let i = 0; i < 20; i++) {
        const text = fs.readFileSync(path.join(srv.root, `f${i}.txt`), 'utf8');
        assert.ok(text === `content of file ${i}\n`.repeat(50) || /^(saved by op \d+\n){40}$/.test(text), `f${i}.txt is whole`);
      }
      assert.ok(srv.sessions.length > 2, `the restart cut live connections (sessions: ${srv.sessions.length})`);
      await pool.run((c) => c.noop());
      assert.deepEqual(fs.readdirSync(srv.root).filter((n) => TEMP_PATTERN.test(n)), [], 'no temporary file left');
      assert.equal(pool.modeMemory.working, learnt, 'the learnt method is unchanged');
      assert.equal(pool.modeMemory.refused.size, 0, 'no method was taken as refused');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  test('a server that stays down: queued operations fail after the outage window, not at once and not never', async () => {
    const srv = await startFaultServer();
    seed(srv.root, 1);
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 2, timeouts: fast, outageRetryMs: 1500 });
    await pool.run((c) => c.noop());
    await srv.stop();
    const started = Date.now();
    const settled = await Promise.allSettled(Array.from({ length: 20 }, () => pool.run((c) => c.size('/f0.txt'), { idempotent: true })));
    const ms = Date.now() - started;
    // One more right after: it fails at once, saying since when no connection got in (no wait of its own).
    const later = await pool.run((c) => c.size('/f0.txt'), { idempotent: true }).then(() => 'done', (e: Error) => e.message);
    await pool.close();
    assert.match(later, /^The server can't be reached \(no connection got in since \d\d:\d\d:\d\d\): Connection to 127\.0\.0\.1:\d+: the connection was refused/);
    assert.ok(settled.every((r) => r.status === 'rejected' && isFtpError(r.reason) && ['unreachable', 'connectionLost'].includes(r.reason.kind)), JSON.stringify(settled.map((r) => r.status === 'rejected' && String(r.reason)).slice(0, 2)));
    assert.ok(ms >= 1000 && ms < 6000, `gave up after ${ms} ms`);
  });

  test('a 421 crossing EPSV is a closed connection, not a refused EPSV', async () => {
    let first = true;
    const srv = await startFaultServer({ onCommand: (v) => (v === 'EPSV' && first ? ((first = false), ['421 Timeout, closing.']) : undefined) });
    seed(srv.root, 1);
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, timeouts: fast });
    try {
      await pool.run((c) => c.download('/f0.txt'), { idempotent: true });
      assert.equal(pool.modeMemory.refused.size, 0);
      assert.equal(pool.modeMemory.working, 'epsv');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  test('a data port refused because the server went away is connection loss: no mode advice, no learnt change', async () => {
    const srv = await startFaultServer({
      onCommand: (v, _a, s) => {
        if (v !== 'EPSV') return undefined;
        s.socket.end('229 Entering Extended Passive Mode (|||1|)\r\n'); // the server dies right after answering
        return 'silence';
      },
    });
    seed(srv.root, 1);
    const client = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, timeouts: fast });
    client.modeMemory.working = 'epsv';
    await assert.rejects(client.download('/f0.txt'), (e: FtpError) => e.kind === 'connectionLost' && !/mode/i.test(e.message.replace(/Passive|Active/g, '')));
    assert.equal(client.modeMemory.working, 'epsv');
    assert.equal(client.modeMemory.refused.size, 0);
    client.disconnect();
    await srv.stop();
  });

  test('Cancel during the greeting and the login is at once, not after the timeout', async () => {
    for (const script of [{ greeting: [] as string[] }, { onCommand: (v: string) => (v === 'PASS' ? ('silence' as const) : undefined) }]) {
      const srv = await startFaultServer(script);
      const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, timeouts: { ...fast, connectMs: 10_000, replyMs: 10_000 } });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      const started = Date.now();
      await assert.rejects(pool.run((c) => c.noop(), { signal: controller.signal }), (e: FtpError) => e.kind === 'aborted');
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
      await pool.close();
      await srv.stop();
    }
  });
});
