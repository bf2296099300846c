/**
 * A data port opened ahead: while more uploads wait for a connection, a new file's rename batch
 * (SIZE+RNFR+RNTO; a replaced file's RNFR+RNTO) carries the next transfer's EPSV too, and that STOR goes alone on the port
 * already open (client.ts portAheadCommand, transfer.ts prepare). On the five real servers, each
 * file arrives whole and every STOR sent alone had its port; on the FAKE fault server (a port that
 * is closed by the time it is used, which no real server does on demand) the upload still lands,
 * asked again the usual way, and the method is not blamed. A port opened ahead is used only by the
 * next command on its connection (vsftpd keeps it open across a NOOP; another operation came first).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_SERVERS, ManagedServer, ServerKind, closedPort, startServer } from '../servers';
import { startFaultServer } from '../fakes/fault-server';
import { FtpPool } from '../../src/ftp/pool';
import { safeSave } from '../../src/ftp/save';
import type { LogEvent } from '../../src/ftp/log';
import type { ServerHabits } from '../../src/ftp/habits';

const FILES = 12;
const habitsOf = (pool: FtpPool) => (pool as unknown as { habits: ServerHabits }).habits;

/** Each connection's commands, in order ("+" before one sent in the same write as the one before). */
function byConnection(log: LogEvent[]): string[][] {
  const out = new Map<number, string[]>();
  for (const e of log) {
    if (e.kind !== 'command') continue;
    out.set(e.connection, [...(out.get(e.connection) ?? []), `${e.pipelined ? '+' : ''}${e.text.split(' ')[0]}`]);
  }
  return [...out.values()];
}

/** Uploads FILES new files through the pool at once (more than its connections: some wait), as a folder upload does. */
async function uploadAll(pool: FtpPool, dir: string): Promise<void> {
  // The first one alone: it learns that EPSV works and that commands sent together do.
  await pool.run((c) => safeSave(c, `${dir}/first.txt`, Buffer.from('first\n'), { absent: true, sizeCheckOnly: true }));
  await Promise.all(Array.from({ length: FILES }, (_, i) => pool.run((c) =>
    safeSave(c, `${dir}/f${i}.txt`, Buffer.from(`file ${i}\n`.repeat(i + 1)), { absent: true, sizeCheckOnly: true }))));
}

/** Replaces those FILES files (each listed as there, as a Replace All upload knows them): the rename goes alone, after the check. */
async function replaceAll(pool: FtpPool, dir: string): Promise<void> {
  await Promise.all(Array.from({ length: FILES }, (_, i) => pool.run((c) =>
    safeSave(c, `${dir}/f${i}.txt`, Buffer.from(`again ${i}\n`.repeat(i + 1)), { current: { name: `f${i}.txt`, type: 'file', size: 0 } }))));
}

/**
 * STORs sent without an EPSV just before them (alone, or after the EPSV's answer one at a time);
 * EPSVs that went with a rename (after RNTO, in its write), and how many of those a STOR used.
 */
function aheadCounts(log: LogEvent[]): { alone: number; ahead: number; used: number } {
  let alone = 0;
  let ahead = 0;
  let used = 0;
  for (const cmds of byConnection(log)) {
    cmds.forEach((c, i) => {
      if (c === 'STOR' && cmds[i - 1] !== 'EPSV') alone++;
      if (c === '+EPSV' && cmds[i - 1] === '+RNTO') {
        ahead++;
        if (cmds[i + 1] === 'STOR') used++;
      }
    });
  }
  return { alone, ahead, used };
}

const CASES: Array<[ServerKind, 'off' | 'explicit']> = [...ALL_SERVERS.map((k): [ServerKind, 'off'] => [k, 'off']), ['proftpd', 'explicit']];

for (const [kind, secure] of CASES) {
  describe(`a data port opened ahead with a rename (${kind}, ${secure === 'off' ? 'plain' : 'explicit FTPS'}, passive)`, () => {
    let server: ManagedServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(async () => server?.stop());

    test(`${FILES} new files through 2 connections: each arrives whole; every STOR sent alone went on a port opened ahead`, async () => {
      const log: LogEvent[] = [];
      const pool = new FtpPool({
        host: server.host, port: server.port, user: server.user, password: server.password, secure, tls: secure === 'off' ? {} : { ca: server.certPem },
        transferMode: 'passive', maxConnections: 2, log: (e) => log.push(e),
      });
      const dir = `ahead-${secure}`;
      fs.mkdirSync(path.join(server.root, dir));
      if (server.owner) fs.chownSync(path.join(server.root, dir), server.owner.uid, server.owner.gid);
      try {
        await uploadAll(pool, `/${dir}`);
        for (let i = 0; i < FILES; i++) assert.equal(fs.readFileSync(path.join(server.root, dir, `f${i}.txt`), 'utf8'), `file ${i}\n`.repeat(i + 1));
        const { alone, ahead, used } = aheadCounts(log);
        const all = byConnection(log).map((c) => c.join(' ')).join(' | ');
        assert.equal(used, alone, `a STOR sent alone without a port opened ahead: ${all}`);
        assert.ok(ahead - used <= 2, `more ports opened ahead than connections left unused: ${all}`);
        assert.ok(!log.some((e) => /port opened ahead failed/.test(e.text)), 'no port opened ahead failed');
        if (habitsOf(pool).pipelining === true) {
          assert.ok(alone >= FILES / 3, `${alone} of ${FILES} STORs on a port opened ahead: ${all}`);
          assert.notEqual(habitsOf(pool).portsAhead, false);
          // Replacing them: each rename (RNFR+RNTO, after the new file's check) carries the next EPSV.
          // Counted over the whole log, less the first part: a port opened ahead at the end of that
          // part (its file taken by the other connection) serves the next STOR on its connection.
          const before = aheadCounts(log);
          await replaceAll(pool, `/${dir}`);
          for (let i = 0; i < FILES; i++) assert.equal(fs.readFileSync(path.join(server.root, dir, `f${i}.txt`), 'utf8'), `again ${i}\n`.repeat(i + 1));
          const after = aheadCounts(log);
          const again = { alone: after.alone - before.alone, ahead: after.ahead - before.ahead, used: after.used - before.used };
          const replaced = byConnection(log).map((c) => c.join(' ')).join(' | ');
          assert.equal(again.used, again.alone, `replacing, a STOR sent alone without a port opened ahead: ${replaced}`);
          assert.ok(again.ahead - again.used <= 2, `replacing, ports opened ahead left unused: ${replaced}`);
          // ftp-srv may be found holding replies back only now (three late batches in a row): then
          // nothing goes together any more, and the log says so.
          if (habitsOf(pool).pipelining === true) assert.ok(again.alone >= FILES / 3, `replacing, ${again.alone} of ${FILES} STORs on a port opened ahead: ${replaced}`);
          else assert.ok(log.some((e) => /one command at a time from now on/.test(e.text)), `commands sent together turned off without a word: ${replaced}`);
        } else {
          // A server that holds replies back (ftp-srv) is found out, and then nothing goes together.
          assert.ok(log.some((e) => /one command at a time from now on/.test(e.text)), `commands sent together turned off without a word: ${all}`);
        }
      } finally {
        await pool.close();
      }
    });
  });
}

describe('a data port opened ahead, then another command first (vsftpd, one connection)', () => {
  let server: ManagedServer;
  before(async () => {
    server = await startServer('vsftpd');
  });
  after(async () => server?.stop());

  test('the operation that came first (a NOOP) goes first; the upload after it asks for its own port', async () => {
    const log: LogEvent[] = [];
    const pool = new FtpPool({ host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'passive', maxConnections: 1, log: (e) => log.push(e) });
    const save = (name: string) => pool.run((c) => safeSave(c, `/${name}`, Buffer.from(`${name}\n`), { absent: true, sizeCheckOnly: true }));
    try {
      await save('first.txt'); // EPSV works, and commands sent together do
      const mark = log.length;
      // Queued behind the upload: a NOOP, then another upload, on the one connection.
      await Promise.all([save('a.txt'), pool.run((c) => c.noop()), save('b.txt')]);
      const [cmds] = byConnection(log.slice(mark));
      assert.deepEqual(cmds, ['EPSV', '+STOR', 'SIZE', '+RNFR', '+RNTO', '+EPSV', 'NOOP', 'EPSV', '+STOR', 'SIZE', '+RNFR', '+RNTO']);
      assert.equal(fs.readFileSync(path.join(server.root, 'b.txt'), 'utf8'), 'b.txt\n');
    } finally {
      await pool.close();
    }
  });
});

/**
 * The FAKE fault server answering an EPSV sent with a rename (right after RNTO, in its write) with
 * `answer(n)` (n: how many were answered so; undefined: answered as usual), and FILES new files
 * uploaded through 2 connections: each must arrive whole; then `check`.
 */
async function aheadAnswered(answer: (n: number) => string[] | undefined, check: (pool: FtpPool, log: LogEvent[], answered: number) => void): Promise<void> {
  let answered = 0;
  const srv = await startFaultServer({
    onCommand: (verb, _arg, session) => {
      const before = session.commands[session.commands.length - 2] ?? '';
      if (verb !== 'EPSV' || !session.sentWithPrevious || !before.startsWith('RNTO ')) return undefined;
      const lines = answer(answered);
      if (lines) answered++;
      return lines;
    },
  });
  const log: LogEvent[] = [];
  const pool = new FtpPool({ host: '127.0.0.1', port: srv.port, transferMode: 'passive', maxConnections: 2, timeouts: { connectMs: 5000, replyMs: 5000, dataConnectMs: 3000, dataIdleMs: 5000 }, log: (e) => log.push(e) });
  try {
    fs.mkdirSync(path.join(srv.root, 'ahead'));
    await uploadAll(pool, '/ahead');
    for (let i = 0; i < FILES; i++) assert.equal(fs.readFileSync(path.join(srv.root, 'ahead', `f${i}.txt`), 'utf8'), `file ${i}\n`.repeat(i + 1));
    assert.deepEqual(fs.readdirSync(path.join(srv.root, 'ahead')).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
    check(pool, log, answered);
  } finally {
    await pool.close();
    await srv.stop();
  }
}

describe('the EPSV sent with a rename answered with a reply EPSV has not (FAKE fault server: out of step)', () => {
  test('the connection is dropped, what the server holds decides (each file whole), and nothing goes together after', async () => {
    await aheadAnswered((n) => (n === 0 ? ['250 Fine.'] : undefined), (pool, _log, answered) => {
      assert.equal(answered, 1, 'an EPSV was sent with a rename');
      assert.equal(habitsOf(pool).pipelining, false, 'nothing goes together after replies out of step');
    });
  });
});

describe('a data port opened ahead that is closed by the time it is used (FAKE fault server)', () => {
  test('the upload lands on a port asked for again; EPSV is still the method that works, commands still go together, no port is opened ahead again', async () => {
    // A port nobody listens on: what EPSV sent with a rename is answered with.
    const closed = await closedPort();
    await aheadAnswered(() => [`229 Entering Extended Passive Mode (|||${closed}|)`], (pool, log, stale) => {
      assert.ok(stale >= 1, 'a port was opened ahead');
      assert.ok(stale <= 2, `${stale} ports opened ahead: one a connection at most before the first failed`);
      assert.ok(log.some((e) => e.kind === 'info' && /the data port opened ahead failed .*asking for a new one, and none ahead from now on/.test(e.text)), 'the log says so');
      assert.equal(habitsOf(pool).portsAhead, false);
      assert.equal(habitsOf(pool).pipelining, true, 'commands sent together are not blamed');
      assert.equal(pool.modeMemory.working, 'epsv', 'the method is not blamed');
      assert.ok(!pool.modeMemory.history.some((a) => !a.ok), 'no failed attempt of a method recorded');
    });
  });
});
