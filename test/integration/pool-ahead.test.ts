/**
 * A pool's later logins, on real servers (vsftpd plain, proftpd explicit FTPS): connections opened
 * ahead of a batch (FtpPool.warm), and their setup in one write once the server was seen taking
 * commands sent together (session.ts KnownServer). Counted from the engine's log, no times. The
 * setup a server does not take together: test/integration/pool.test.ts (FAKE fault server).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManagedServer, ServerKind, startServer } from '../servers';
import { FtpPool, PoolOptions } from '../../src/ftp/pool';
import type { LogEvent } from '../../src/ftp/log';
import type { ServerHabits } from '../../src/ftp/habits';

/** Each connection's commands, in order ("+" before one sent in the same write as the one before). */
function byConnection(log: LogEvent[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const e of log) {
    if (e.kind !== 'command') continue;
    const list = out.get(e.connection) ?? [];
    list.push(`${e.pipelined ? '+' : ''}${e.text.split(' ')[0]}${e.text.startsWith('OPTS ') || e.text.startsWith('TYPE ') ? ` ${e.text.split(' ')[1]}` : ''}`);
    out.set(e.connection, list);
  }
  return out;
}

/** Resolves once `ok` holds (checked every 10 ms), or fails naming `what` after 10 s. */
async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), `never: ${what}`);
}

const habitsOf = (pool: FtpPool) => (pool as unknown as { habits: ServerHabits }).habits;

for (const [kind, secure] of [['vsftpd', 'off'], ['proftpd', 'explicit']] as Array<[ServerKind, 'off' | 'explicit']>) {
  describe(`connections opened ahead, later logins in one write (${kind}, ${secure === 'off' ? 'plain' : 'explicit FTPS'})`, () => {
    let server: ManagedServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(async () => server?.stop());
    const poolOf = (log: LogEvent[], extra: Partial<PoolOptions> = {}) => new FtpPool({
      host: server.host, port: server.port, user: server.user, password: server.password, secure,
      tls: secure === 'off' ? {} : { ca: server.certPem }, maxConnections: 4, log: (e) => log.push(e), ...extra,
    });
    // What each server's first login sends after the password (proftpd offers UTF8 too).
    const tls = secure === 'off' ? [] : ['PBSZ', 'PROT'];

    test('warm(4) after a login opens three more, which the next operations use: no connection opened for them', async () => {
      const log: LogEvent[] = [];
      const pool = poolOf(log);
      try {
        pool.warm(4); // nothing open yet: nothing is opened (a wrong password is never tried four times at once)
        assert.deepEqual(pool.stats, { idle: 0, busy: 0, connecting: 0, waiting: 0, cap: 4 });
        await pool.run((c) => c.noop());
        pool.warm(9); // never above the cap
        assert.equal(pool.stats.connecting, 3);
        await until(() => pool.stats.idle === 4, 'four idle connections');
        const logins = () => log.filter((e) => e.kind === 'command' && e.text.startsWith('USER ')).length;
        assert.equal(logins(), 4);
        pool.warm(4); // all there: nothing more
        assert.equal(pool.stats.connecting, 0);
        const sizes = await Promise.all([0, 1, 2, 3].map(() => pool.run(async (c) => {
          await new Promise((r) => setTimeout(r, 50)); // each holds its connection a while: four at once
          return c.pwd();
        })));
        assert.equal(sizes.length, 4);
        assert.equal(logins(), 4, 'the operations found their connections logged in');
        assert.ok(log.some((e) => e.kind === 'info' && /opening 3 more connections/.test(e.text)), 'the log says why they were opened');
      } finally {
        await pool.close();
      }
    });

    test('a later login, where commands sent together work: its setup in one write, FEAT and SYST not asked again', async () => {
      const log: LogEvent[] = [];
      const pool = poolOf(log);
      try {
        await pool.run((c) => c.noop());
        habitsOf(pool).pipelining = true; // as a first stat or rename finds on these servers
        pool.warm(2);
        await until(() => pool.stats.idle === 2, 'two idle connections');
        const [first, second] = [...byConnection(log).values()];
        const setup = (cmds: string[]) => cmds.slice(cmds.indexOf('PASS') + 1).filter((c) => c !== 'NOOP');
        assert.deepEqual(setup(first), [...tls, 'FEAT', 'SYST', 'OPTS UTF8', 'TYPE I', 'PWD'], `first: ${first.join(', ')}`);
        assert.deepEqual(setup(second), [...tls, 'OPTS UTF8', 'TYPE I', 'PWD'].map((c, i) => (i ? `+${c}` : c)), `second: ${second.join(', ')}`);
        // It works as the first one does: same features, same home, a listing through its data connection.
        const features = await Promise.all([0, 1].map(() => pool.run(async (c) => {
          await new Promise((r) => setTimeout(r, 50));
          const entries = (await c.list('/')).entries;
          return [[...c.features.keys()].sort().join(','), c.home, c.system, Array.isArray(entries)];
        })));
        assert.deepEqual(features[0], features[1]);
      } finally {
        await pool.close();
      }
    });

    test('where commands sent together are not known to work, a later login sets up one command at a time', async () => {
      const log: LogEvent[] = [];
      const pool = poolOf(log);
      try {
        await pool.run((c) => c.noop());
        habitsOf(pool).pipelining = undefined;
        pool.warm(2);
        await until(() => pool.stats.idle === 2, 'two idle connections');
        for (const cmds of byConnection(log).values()) {
          assert.ok(cmds.includes('FEAT') && !cmds.some((c) => c.startsWith('+')), cmds.join(', '));
        }
      } finally {
        await pool.close();
      }
    });
  });
}
