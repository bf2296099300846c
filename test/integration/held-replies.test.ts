/**
 * Commands sent together (a stat's SIZE, CWD and MDTM; RNFR with RNTO; EPSV with the data command)
 * save a round trip only where the server answers a batch at once. ftp-srv, inetutils-ftpd and BSD
 * ftpd write each reply on its own with Nagle's algorithm on: a reply waits until the one before
 * is acknowledged, and this side delays that acknowledgement (40 ms on Linux) while it waits for
 * the rest; ftp-srv also looks for a data connection only every 50 ms when the data command came
 * before it. The client learns that after three late stats or three late transfers in a row and
 * goes one command at a time, renames too (client.ts noteHeld). Real ftp-srv and vsftpd, and the FAKE fault server with
 * Nagle on and off (the one switch that makes the difference).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FtpClient } from '../../src/ftp/client';
import type { LogEvent } from '../../src/ftp/log';
import { ManagedServer, ServerKind, startServer } from '../servers';
import { startFaultServer } from '../fakes/fault-server';

const timeouts = { connectMs: 5000, replyMs: 10_000, dataConnectMs: 5000, dataIdleMs: 10_000 };
const LEARNT = /replies to commands sent together came about \d+ ms late 3 times in a row .*one command at a time from now on/;

interface Site { host: string; port: number; user: string; password: string; root: string; owner?: { uid: number; gid: number } }

/** A file on the server's disk, owned as the server writes (so it may rename it). */
function put(site: Site, name: string, text = 'x'.repeat(100)): void {
  const file = path.join(site.root, name);
  fs.writeFileSync(file, text);
  if (site.owner) fs.chownSync(file, site.owner.uid, site.owner.gid);
}

async function connect(site: Site, log: LogEvent[]): Promise<FtpClient> {
  return FtpClient.connect({ host: site.host, port: site.port, user: site.user, password: site.password, transferMode: 'passive', timeouts, log: (e) => log.push(e) });
}

/** The commands sent by fn, "+" before one sent in the same write as the one before. */
async function sent(log: LogEvent[], fn: () => Promise<unknown>): Promise<string[]> {
  const mark = log.length;
  await fn();
  return log.slice(mark).filter((e) => e.kind === 'command').map((e) => `${e.pipelined ? '+' : ''}${e.text.split(' ')[0]}`);
}

/** What each kind sent, whether the log says the client learnt, and pipelining at the end. */
interface Kind { sent: string[][]; learnt: boolean; pipelining?: boolean }

/**
 * Four stats, then a rename, on one client; four downloads on another (each kind is learnt
 * apart; renames are not counted, RNTO may take long on a server that holds nothing, but go one
 * at a time once a stat or a transfer taught the client).
 */
async function fourOfEach(site: Site): Promise<{ stat: Kind; download: Kind; renameAfter: string[] }> {
  for (let i = 0; i < 4; i++) put(site, `f${i}`);
  const kinds = {
    stat: async (c: FtpClient, i: number) => assert.equal((await c.stat(`/f${i}`)).size, 100),
    download: async (c: FtpClient, i: number) => assert.equal((await c.download(`/f${i}`)).length, 100),
  };
  const out = {} as Awaited<ReturnType<typeof fourOfEach>>;
  for (const [kind, op] of Object.entries(kinds) as Array<[keyof typeof kinds, (c: FtpClient, i: number) => Promise<void>]>) {
    const log: LogEvent[] = [];
    const client = await connect(site, log);
    try {
      await client.list('/'); // EPSV has worked here: a download's RETR may go with it
      const each: string[][] = [];
      for (let i = 0; i < 4; i++) each.push(await sent(log, () => op(client, i)));
      out[kind] = { sent: each, learnt: log.some((e) => e.kind === 'info' && LEARNT.test(e.text)), pipelining: client.habits.pipelining };
      if (kind === 'stat') {
        out.renameAfter = await sent(log, () => client.rename('/f0', '/g0'));
        assert.ok(fs.existsSync(path.join(site.root, 'g0')));
        fs.renameSync(path.join(site.root, 'g0'), path.join(site.root, 'f0'));
      }
    } finally {
      await client.close();
    }
  }
  return out;
}

/** How each kind begins when sent together (a download may ask SIZE after, where the 150 named no size). */
const TOGETHER = { stat: ['SIZE', '+CWD', '+MDTM'], download: ['EPSV', '+RETR'] };

function assertLearnt(r: Awaited<ReturnType<typeof fourOfEach>>, learns: boolean): void {
  for (const kind of ['stat', 'download'] as const) {
    const { sent: each, learnt, pipelining } = r[kind];
    const what = `${kind}: ${JSON.stringify(each)}`;
    const start = (i: number) => each[i].slice(0, TOGETHER[kind].length);
    for (let i = 0; i < 3; i++) assert.deepEqual(start(i), TOGETHER[kind], what);
    if (learns) {
      assert.ok(each[3].length >= TOGETHER[kind].length && each[3].every((c) => !c.startsWith('+')), `one at a time: ${what}`);
      if (kind === 'download') assert.deepEqual(start(3), ['EPSV', 'RETR'], what);
    } else assert.deepEqual(start(3), TOGETHER[kind], what);
    assert.equal(learnt, learns, `${kind}: the log says it learnt (${learns})`);
    assert.equal(pipelining, !learns, kind);
  }
  assert.deepEqual(r.renameAfter, learns ? ['RNFR', 'RNTO'] : ['RNFR', '+RNTO'], 'the rename after the stats');
}

for (const [kind, learns] of [['ftpsrv', true], ['vsftpd', false]] as Array<[ServerKind, boolean]>) {
  describe(`${kind}: commands sent together, ${learns ? 'answered late (Nagle on its side)' : 'answered at once'}`, () => {
    let server: ManagedServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(async () => server?.stop());

    test(learns ? 'stats, downloads and renames go one at a time after three late batches, and the log says why' : 'four of each stay together', async () => {
      assertLearnt(await fourOfEach(server), learns);
    });
  });
}

// ftp-srv reads a whole folder before it answers LIST with 150 (20,000 names: about 660 ms): that
// 150 came "late" three times in a row on a big folder, and commands sent together were turned off
// for the site, though nothing was held.
test('a server that reads a big folder before its 150 (FAKE fault server, replies not held): listings stay together', async () => {
  const srv = await startFaultServer({ onTransfer: async (t) => (t.verb === 'LIST' && (await new Promise((r) => setTimeout(r, 600))), false) });
  const log: LogEvent[] = [];
  const client = await connect({ host: '127.0.0.1', port: srv.port, user: 'u', password: 'p', root: srv.root }, log);
  try {
    fs.writeFileSync(path.join(srv.root, 'a.txt'), 'x');
    fs.mkdirSync(path.join(srv.root, 'big'));
    await client.list('/'); // EPSV has worked here: the next listings go with it
    const each: string[][] = [];
    for (let i = 0; i < 4; i++) each.push(await sent(log, () => client.list('/big')));
    assert.deepEqual(each.map((s) => s.slice(0, 2)), Array(4).fill(['EPSV', '+LIST']), JSON.stringify(each));
    assert.ok(!log.some((e) => e.kind === 'info' && LEARNT.test(e.text)), 'nothing learnt');
    assert.equal(client.habits.pipelining, true);
    assert.deepEqual(await sent(log, () => client.rename('/a.txt', '/b.txt')), ['RNFR', '+RNTO'], 'renames still go together');
  } finally {
    await client.close();
    await srv.stop();
  }
});

describe('the FAKE fault server with Nagle on and off (its replies written one by one)', () => {
  for (const holdReplies of [true, false]) {
    test(`Nagle ${holdReplies ? 'on: the client learns to send one at a time' : 'off: commands stay together'}`, async () => {
      const srv = await startFaultServer({ holdReplies });
      try {
        assertLearnt(await fourOfEach({ host: '127.0.0.1', port: srv.port, user: 'u', password: 'p', root: srv.root }), holdReplies);
      } finally {
        await srv.stop();
      }
    });
  }
});
