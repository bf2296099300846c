/**
 * Faults a real server can't be made to produce on demand, against the FAKE fault server
 * (test/fakes/fault-server.ts). Everything else is tested against real servers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FtpClient } from '../../src/ftp/client';
import { FtpPool } from '../../src/ftp/pool';
import { FtpError } from '../../src/ftp/errors';
import { LogEvent } from '../../src/ftp/log';
import { startFaultServer } from '../fakes/fault-server';

const fast = { connectMs: 2000, replyMs: 1500, dataConnectMs: 1000, dataIdleMs: 2000 };

describe('faults (fake server)', () => {
  test('a 120 greeting then 220 and a multi-line 220 are accepted', async () => {
    const srv = await startFaultServer({ greeting: ['120 Ready in 1 minute', '220-Welcome', '220-to the', '220 fake'] });
    try {
      const c = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, timeouts: fast });
      assert.equal(c.connected, true);
      await c.close();
    } finally { await srv.stop(); }
  });

  test('a server that stops answering gives a timeout, not a hang', async () => {
    const srv = await startFaultServer({ onCommand: (v) => (v === 'SIZE' ? 'silence' : undefined) });
    try {
      const c = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, timeouts: fast });
      const started = Date.now();
      await assert.rejects(c.size('/x'), (e: FtpError) => e.kind === 'timeout' && e.fatal);
      assert.ok(Date.now() - started < 10_000);
      // The next operation reconnects by itself.
      await c.noop();
      assert.equal(srv.sessions.length, 2);
      await c.close();
    } finally { await srv.stop(); }
  });

  test('garbage on the control connection is a protocol error', async () => {
    const srv = await startFaultServer({ greeting: ['HTTP/1.1 400 Bad Request'] });
    try {
      await assert.rejects(FtpClient.connect({ host: '127.0.0.1', port: srv.port, timeouts: fast }), (e: FtpError) => e.kind === 'protocol');
    } finally { await srv.stop(); }
  });

  test('an over-long reply line is refused', async () => {
    const srv = await startFaultServer({ onCommand: (v) => (v === 'SYST' ? ['215 ' + 'x'.repeat(70_000)] : undefined) });
    try {
      await assert.rejects(FtpClient.connect({ host: '127.0.0.1', port: srv.port, timeouts: fast }), (e: FtpError) => e.kind === 'protocol');
    } finally { await srv.stop(); }
  });

  test('530 at login is loginRefused with the server words', async () => {
    const srv = await startFaultServer({ onCommand: (v) => (v === 'PASS' ? ['530 Login incorrect.'] : undefined) });
    try {
      await assert.rejects(FtpClient.connect({ host: '127.0.0.1', port: srv.port, user: 'u', password: 'p', timeouts: fast }),
        (e: FtpError) => e.kind === 'loginRefused' && e.code === 530 && /Login incorrect/.test(e.message) && !/\bp\b/.test(e.message.replace(/"u"/, '')));
    } finally { await srv.stop(); }
  });

  test('anonymous login sends an e-mail address as the password', async () => {
    const srv = await startFaultServer();
    try {
      const c = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, timeouts: fast });
      await c.close();
      assert.ok(srv.sessions[0].commands.includes('USER anonymous'));
      assert.ok(srv.sessions[0].commands.some((l) => /^PASS \S+@\S+$/.test(l)));
    } finally { await srv.stop(); }
  });

  test('the password never reaches the log', async () => {
    const srv = await startFaultServer();
    const log: LogEvent[] = [];
    try {
      const c = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, user: 'u', password: 'hunter2-secret', timeouts: fast, log: (e) => log.push(e) });
      await c.close();
      assert.ok(log.some((e) => e.text === 'PASS ****'));
      assert.ok(!log.some((e) => e.text.includes('hunter2')));
    } finally { await srv.stop(); }
  });

  test('an unsolicited 421 closes the connection and the pool retries an idempotent operation on a new one', async () => {
    let sizeCalls = 0;
    const srv = await startFaultServer({ file: Buffer.from('abc'), onCommand: (v) => (v === 'SIZE' && ++sizeCalls === 1 ? ['421 Timeout, closing control connection.'] : undefined) });
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, timeouts: fast });
    try {
      assert.equal(await pool.run((c) => c.size('/f'), { idempotent: true }), 3);
      assert.equal(srv.sessions.length, 2);
      sizeCalls = 0;
      await assert.rejects(pool.run((c) => c.size('/f')), (e: FtpError) => e.kind === 'connectionLost' && e.code === 421);
    } finally { await pool.close(); await srv.stop(); }
  });

  test('426 before any data: auto mode falls back to active and remembers it', async () => {
    const file = Buffer.from('payload');
    let epsvUsed = false;
    const srv = await startFaultServer({
      file,
      onCommand: (v) => {
        if (v === 'EPSV') epsvUsed = true;
        if (v === 'EPRT') epsvUsed = false;
        return v === 'RETR' && epsvUsed ? ['426 Connection closed; transfer aborted.'] : undefined;
      },
    });
    try {
      const c = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, timeouts: fast });
      const events: string[] = [];
      c.modeMemory.onFallback((e) => events.push(`${e.failed.map((f) => f.method + ':' + f.failure).join(',')} -> ${e.method}`));
      assert.deepEqual(await c.download('/f'), file);
      assert.equal(c.modeMemory.working, 'eprt');
      assert.deepEqual(events, ['epsv:reply426 -> eprt']);
      await c.close();
    } finally { await srv.stop(); }
  });

  test('a data connection from another address than the server is refused (active mode)', async () => {
    const srv = await startFaultServer({ file: Buffer.from('x'), activeFromAddress: '127.0.0.2' });
    const log: LogEvent[] = [];
    try {
      const c = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, transferMode: 'active', timeouts: fast, log: (e) => log.push(e) });
      await assert.rejects(c.download('/f'), (e: FtpError) => e.kind === 'dataConnection' && /Active mode failed/.test(e.message));
      assert.ok(log.some((e) => /refused a data connection from 127\.0\.0\.2/.test(e.text)));
      c.disconnect();
    } finally { await srv.stop(); }
  });

  test('the pool never opens more than maxConnections and shares a failed connect', async () => {
    const srv = await startFaultServer({ file: Buffer.from('data') });
    const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, maxConnections: 2, timeouts: fast });
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => pool.run((c) => c.download('/f'))));
      assert.ok(results.every((b) => b.toString() === 'data'));
      assert.equal(srv.maxConcurrent, 2);
      assert.equal(srv.sessions.length, 2);
    } finally { await pool.close(); await srv.stop(); }

    const dead = new FtpPool({ host: '127.0.0.1', port: 1, maxConnections: 1, timeouts: fast });
    const errors = await Promise.allSettled(Array.from({ length: 3 }, () => dead.run((c) => c.noop())));
    assert.ok(errors.every((r) => r.status === 'rejected' && (r.reason as FtpError).kind === 'unreachable'));
    await dead.close();
  });

  test('an IIS-like server that refuses LIST -a gets plain LIST, remembered, and its DOS listing is read', async () => {
    const srv = await startFaultServer({
      listing: ['11-22-26  12:01PM       <DIR>          web root', '11-22-26  01:15PM                 1234 default.htm'],
      onCommand: (v, arg) => (v === 'LIST' && arg === '-a' ? ['501 Invalid option -a'] : undefined),
    });
    try {
      const c = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, timeouts: fast });
      for (let i = 0; i < 2; i++) {
        const { entries, unparsed } = await c.list('/');
        assert.deepEqual(unparsed, []);
        assert.deepEqual(entries.map((e) => [e.name, e.type, e.size]), [['web root', 'directory', undefined], ['default.htm', 'file', 1234]]);
      }
      await c.close();
      const lists = srv.sessions[0].commands.filter((l) => l.startsWith('LIST'));
      assert.deepEqual(lists, ['LIST -a', 'LIST', 'LIST'], 'LIST -a is tried once, then plain LIST is remembered');
    } finally { await srv.stop(); }
  });

  test('the pool closes idle connections and keeps others alive with NOOP', async () => {
    const srv = await startFaultServer();
    const said: string[] = [];
    const idle = new FtpPool({ host: '127.0.0.1', port: srv.port, idleTimeoutMs: 150, timeouts: fast, log: (e) => said.push(`${e.kind} ${e.text}`) });
    try {
      await idle.run((c) => c.noop());
      assert.equal(idle.stats.idle, 1);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(idle.stats.idle, 0);
      assert.ok(srv.sessions[0].commands.includes('QUIT'), 'closed politely');
      // The log says why before the QUIT, which would otherwise stand there unexplained.
      const why = said.findIndex((l) => l === 'info closing the connection: unused for 150 ms (it opens again when needed)');
      assert.ok(why >= 0 && why < said.indexOf('command QUIT'), said.slice(-4).join(' | '));
    } finally { await idle.close(); }

    const kept = new FtpPool({ host: '127.0.0.1', port: srv.port, idleTimeoutMs: 0, keepaliveIntervalMs: 100, timeouts: fast });
    try {
      await kept.run((c) => c.noop());
      await new Promise((r) => setTimeout(r, 450));
      const noops = srv.sessions[1].commands.filter((l) => l === 'NOOP').length;
      assert.ok(noops >= 4, `NOOPs sent while idle: ${noops}`);
      assert.equal(kept.stats.idle, 1);
    } finally { await kept.close(); await srv.stop(); }
  });

  test('a name with CR/LF is refused before anything is sent', async () => {
    const srv = await startFaultServer();
    try {
      const c = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, timeouts: fast });
      const before = srv.sessions[0].commands.length;
      for (const bad of ['/a\r\nDELE /b', '/a\nb', '/a\u0000b']) {
        await assert.rejects(c.delete(bad), (e: FtpError) => e.kind === 'invalidInput');
        await assert.rejects(c.rename('/ok', bad), (e: FtpError) => e.kind === 'invalidInput');
        await assert.rejects(c.list(bad), (e: FtpError) => e.kind === 'invalidInput');
      }
      await c.noop();
      assert.deepEqual(srv.sessions[0].commands.slice(before), ['NOOP']);
      await c.close();
    } finally { await srv.stop(); }
  });

  test('a server that asks for an account gets ACCT', async () => {
    const srv = await startFaultServer({ onCommand: (v) => (v === 'PASS' ? ['332 Need account for login.'] : v === 'ACCT' ? ['230 Logged in with account'] : undefined) });
    try {
      await assert.rejects(FtpClient.connect({ host: '127.0.0.1', port: srv.port, user: 'u', password: 'p', timeouts: fast }), (e: FtpError) => e.kind === 'loginRefused' && /account/.test(e.message));
      const c = await FtpClient.connect({ host: '127.0.0.1', port: srv.port, user: 'u', password: 'p', account: 'billing', timeouts: fast });
      assert.ok(srv.sessions[1].commands.includes('ACCT billing'));
      await c.close();
    } finally { await srv.stop(); }
  });
});
