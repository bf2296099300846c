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

/**
 * A server with no data port free for a moment answers EPSV with 425 (proftpd: "425 EPSV: Address
 * already in use" once its PassivePorts range is taken): asked twice more, after 250 and 500 ms,
 * before passive mode is blamed. The FAKE fault server answers the first EPSVs 425 (no real server
 * does on demand).
 */
describe('EPSV answered 425 for a moment (FAKE fault server)', () => {
  const busyFor = (count: number) => {
    let left = count;
    return (verb: string) => (verb === 'EPSV' && left-- > 0 ? ['425 EPSV: Address already in use'] : undefined);
  };
  for (const [times, together] of [[1, false], [1, true], [2, false], [2, true]] as const) {
    test(`${times === 1 ? 'once' : 'twice'}${together ? ', the RETR sent with it' : ''}: the download works, EPSV is still the method that works, the log says so`, async () => {
      let busy = busyFor(together ? 0 : times);
      const srv = await startFaultServer({ onCommand: (verb) => busy(verb) });
      fs.writeFileSync(path.join(srv.root, 'a.txt'), 'content\n');
      const log: Array<{ kind: string; text: string }> = [];
      const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, transferMode: 'passive', timeouts: fast, log: (e) => log.push(e) });
      try {
        if (together) {
          // EPSV worked and commands go together: the next RETR goes with its EPSV, answered 425 once.
          assert.equal((await pool.run((c) => c.download('/a.txt'))).toString(), 'content\n');
          await pool.run((c) => c.rename('/a.txt', '/b.txt')); // learns that commands sent together work
          await pool.run((c) => c.rename('/b.txt', '/a.txt'));
          busy = busyFor(times);
        }
        assert.equal((await pool.run((c) => c.download('/a.txt'))).toString(), 'content\n');
        const asked = log.filter((e) => e.kind === 'info' && /^EPSV answered 425 EPSV: Address already in use; asking again in \d+ ms$/.test(e.text));
        assert.equal(asked.length, times, 'the log says so each time');
        assert.equal(pool.modeMemory.working, 'epsv');
        assert.ok(!pool.modeMemory.history.some((a) => !a.ok), 'no failed attempt of a method recorded');
        // The RETR refused with EPSV's 425 goes again after the EPSV that got a port (one per 425).
        if (together) assert.ok(srv.sessions[0].commands.join(', ').includes(`RNTO /a.txt, EPSV, RETR /a.txt, ${'EPSV, '.repeat(times)}RETR /a.txt`), `the RETR sent again after EPSV asked alone ${times} more time(s): ${srv.sessions[0].commands.join(', ')}`);
      } finally {
        await pool.close();
        await srv.stop();
      }
    });
  }

  for (const together of [false, true]) {
    test(`a 425, then the connection closed (proftpd at times)${together ? ', the RETR sent with it' : ''}: asked again on a new connection, the download works, EPSV is not blamed`, async () => {
      // The next EPSV once armed gets a 425; the command after it, on that session, closes the
      // connection. Not sent together: the first download's EPSV (the method not known yet), whose
      // second EPSV 250 ms later meets the close. Sent together: its RETR does.
      let armed = !together;
      const closing = new Set<unknown>();
      const srv = await startFaultServer({
        onCommand: (verb, _arg, session) => {
          if (closing.has(session)) return 'close';
          if (armed && verb === 'EPSV') {
            armed = false;
            closing.add(session);
            return ['425 EPSV: Address already in use'];
          }
          return undefined;
        },
      });
      fs.writeFileSync(path.join(srv.root, 'a.txt'), 'content\n');
      const log: Array<{ kind: string; text: string }> = [];
      const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, transferMode: 'passive', timeouts: fast, log: (e) => log.push(e) });
      try {
        assert.equal((await pool.run((c) => c.download('/a.txt'))).toString(), 'content\n');
        if (together) {
          await pool.run((c) => c.rename('/a.txt', '/b.txt')); // learns that commands sent together work
          await pool.run((c) => c.rename('/b.txt', '/a.txt'));
          armed = true;
          assert.equal((await pool.run((c) => c.download('/a.txt'))).toString(), 'content\n');
        }
        assert.ok(log.some((e) => e.kind === 'info' && /^The server had no data port free \(EPSV: 425 EPSV: Address already in use\) and closed the connection\. Asking again on a new connection in \d+ ms$/.test(e.text)), `the log says so: ${log.filter((e) => e.kind === 'info').map((e) => e.text).join(' | ')}`);
        assert.equal(srv.sessions.length, 2, 'one new connection');
        const first = srv.sessions[0].commands.join(', ');
        assert.ok(first.endsWith(together ? 'EPSV, RETR /a.txt' : 'TYPE I, PWD, EPSV, EPSV'), `the first session ends at the busy EPSV and the command after it: ${first}`);
        assert.equal(pool.modeMemory.working, 'epsv');
        assert.ok(!pool.modeMemory.history.some((a) => !a.ok), 'no failed attempt of a method recorded');
      } finally {
        await pool.close();
        await srv.stop();
      }
    });
  }

  test('a 425 on every connection, each then closed: two new connections, then the error, and the pool runs it no more (even an idempotent one)', async () => {
    const closing = new Set<unknown>();
    let busy = 0;
    const srv = await startFaultServer({
      onCommand: (verb, _arg, session) => {
        if (closing.has(session)) return 'close';
        if (verb !== 'EPSV') return undefined;
        busy++;
        closing.add(session);
        return ['425 EPSV: Address already in use'];
      },
    });
    fs.writeFileSync(path.join(srv.root, 'a.txt'), 'content\n');
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, transferMode: 'passive', methodOrder: ['epsv'], timeouts: fast });
    try {
      await assert.rejects(pool.run((c) => c.download('/a.txt'), { idempotent: true }), /no data port free \(EPSV: 425 EPSV: Address already in use\) and closed the connection/);
      assert.equal(srv.sessions.length, 3, 'the first connection and two new ones');
      assert.equal(busy, 3);
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  test('a 425 with the RETR sent along, the RETR answered as if it ran (150): the connection dropped by us, passive mode blamed as before, no new connection asked for', async () => {
    let armed = false;
    const srv = await startFaultServer({
      onCommand: (verb) => {
        if (armed && verb === 'EPSV') return ['425 EPSV: Address already in use'];
        if (armed && verb === 'RETR') {
          armed = false;
          return ['150 Opening BINARY mode data connection.'];
        }
        return undefined;
      },
    });
    fs.writeFileSync(path.join(srv.root, 'a.txt'), 'content\n');
    const log: Array<{ kind: string; text: string }> = [];
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, transferMode: 'passive', methodOrder: ['epsv'], timeouts: fast, log: (e) => log.push(e) });
    try {
      assert.equal((await pool.run((c) => c.download('/a.txt'))).toString(), 'content\n');
      await pool.run((c) => c.rename('/a.txt', '/b.txt')); // learns that commands sent together work
      await pool.run((c) => c.rename('/b.txt', '/a.txt'));
      armed = true;
      await assert.rejects(pool.run((c) => c.download('/a.txt')), /The server could not prepare a data connection \(EPSV\): 425 EPSV: Address already in use/);
      assert.ok(!log.some((e) => /Asking again on a new connection/.test(e.text)), 'no new connection for it');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  test('cancelled while it waits to ask for a port again: it ends then, asks no more, and the connection serves the next download', async () => {
    let busy = 3;
    const srv = await startFaultServer({ onCommand: (verb) => (verb === 'EPSV' && busy-- > 0 ? ['425 EPSV: Address already in use'] : undefined) });
    fs.writeFileSync(path.join(srv.root, 'a.txt'), 'content\n');
    const cancel = new AbortController();
    // The cancel comes as the wait begins (the log line that announces it).
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, transferMode: 'passive', methodOrder: ['epsv'], timeouts: fast, log: (e) => { if (/asking again in \d+ ms$/.test(e.text)) setImmediate(() => cancel.abort()); } });
    try {
      await assert.rejects(pool.run((c) => c.download('/a.txt', { signal: cancel.signal }), { signal: cancel.signal }), (e: Error & { kind?: string }) => e.kind === 'aborted' && /cancelled/i.test(e.message));
      const sent = srv.sessions[0].commands;
      assert.equal(sent.filter((c) => c === 'EPSV').length, 1, `EPSV asked once, not again after the cancel: ${sent.join(', ')}`);
      busy = 0;
      assert.equal((await pool.run((c) => c.download('/a.txt'))).toString(), 'content\n');
      assert.equal(srv.sessions.length, 1, 'on the same connection');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  test('cancelled while it waits to ask on a new connection (a 425, then the connection closed): it ends then and opens none', async () => {
    const closing = new Set<unknown>();
    const srv = await startFaultServer({
      onCommand: (verb, _arg, session) => {
        if (closing.has(session)) return 'close';
        if (verb !== 'EPSV') return undefined;
        closing.add(session);
        return ['425 EPSV: Address already in use'];
      },
    });
    fs.writeFileSync(path.join(srv.root, 'a.txt'), 'content\n');
    const cancel = new AbortController();
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, transferMode: 'passive', methodOrder: ['epsv'], timeouts: fast, log: (e) => { if (/Asking again on a new connection in \d+ ms$/.test(e.text)) setImmediate(() => cancel.abort()); } });
    try {
      await assert.rejects(pool.run((c) => c.download('/a.txt', { signal: cancel.signal }), { signal: cancel.signal }), (e: Error & { kind?: string }) => e.kind === 'aborted' && /cancelled/i.test(e.message));
      assert.equal(srv.sessions.length, 1, 'no new connection after the cancel');
    } finally {
      await pool.close();
      await srv.stop();
    }
  });

  test('three times in a row: passive mode fails as before, naming the 425', async () => {
    const srv = await startFaultServer({ onCommand: busyFor(3) });
    fs.writeFileSync(path.join(srv.root, 'a.txt'), 'content\n');
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 1, transferMode: 'passive', methodOrder: ['epsv'], timeouts: fast });
    try {
      await assert.rejects(pool.run((c) => c.download('/a.txt')), /425 EPSV: Address already in use/);
    } finally {
      await pool.close();
      await srv.stop();
    }
  });
});
