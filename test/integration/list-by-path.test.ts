/**
 * A folder listed by path (`LIST -a /a/b/`, `MLSD /a/b/`, no CWD first) gives what CWD and a
 * listing without argument give, on every real server: the same entries for a folder, an empty
 * folder, a link to a folder, a folder whose name holds a space or a glob character (those go the
 * CWD way), and the same error kind for a file, a link to a file and a missing path. And a stat
 * without MLST (SIZE first once SIZE of a folder is known refused) tells files, folders, links and
 * missing paths apart as CWD, SIZE and MDTM did.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FtpClient } from '../../src/ftp/client';
import { isFtpError } from '../../src/ftp/errors';
import { ALL_SERVERS, AnyServerKind, HOLDS_REPLIES, ManagedServer, OLD_SERVERS, startServer } from '../servers';

const FOLDERS = ['sub', 'empty', 'dlink', 'a b', 'star*', 'sub/deeper'];
const NOT_FOLDERS = ['f.txt', 'flink', 'nope'];

function fixture(root: string, owner: { uid: number; gid: number }): void {
  const r = path.join(root, 'lp');
  fs.mkdirSync(path.join(r, 'sub', 'deeper'), { recursive: true });
  fs.mkdirSync(path.join(r, 'empty'));
  fs.mkdirSync(path.join(r, 'a b'));
  fs.mkdirSync(path.join(r, 'star*'));
  fs.writeFileSync(path.join(r, 'sub', 'inner.txt'), 'hello');
  fs.writeFileSync(path.join(r, 'sub', '.hidden'), 'h');
  fs.writeFileSync(path.join(r, 'sub', 'deeper', 'x'), 'x');
  fs.writeFileSync(path.join(r, 'a b', 'in.txt'), 'x');
  fs.writeFileSync(path.join(r, 'star*', 'only-here.txt'), 'x');
  fs.writeFileSync(path.join(r, 'f.txt'), '12345');
  fs.writeFileSync(path.join(r, 'zero.txt'), ''); // ftp-srv's SIZE says "213 File status" for it
  fs.symlinkSync('sub', path.join(r, 'dlink'));
  fs.symlinkSync('f.txt', path.join(r, 'flink'));
  const all = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => [path.join(d, e.name), ...(e.isDirectory() && !e.isSymbolicLink() ? all(path.join(d, e.name)) : [])]);
  for (const p of [r, ...all(r)]) fs.lchownSync(p, owner.uid, owner.gid);
}

const names = (r: { entries: Array<{ name: string }> }) => r.entries.map((e) => e.name).sort();
const outcome = (p: Promise<{ entries: Array<{ name: string }> }>) => p.then((r) => ({ names: names(r) }), (e: unknown) => ({ error: isFtpError(e) ? e.kind : String(e) }));

/** The servers that offer no MLST (their FEAT, as the interop matrix shows it). */
const WITHOUT_MLST: AnyServerKind[] = ['vsftpd', 'ftpsrv', 'inetutils', 'bsdftpd'];

for (const kind of [...ALL_SERVERS, ...OLD_SERVERS] as AnyServerKind[]) {
  describe(`listing by path = listing after CWD (${kind})`, () => {
    let server: ManagedServer;
    let client: FtpClient;
    let base: string;
    before(async () => {
      server = await startServer(kind);
      fixture(server.root, server.owner);
      client = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'passive' });
      base = (client.home === '/' ? '' : client.home!.replace(/\/$/, '')) + '/lp';
    });
    after(async () => {
      await client?.close();
      await server?.stop();
    });

    for (const unixStyle of [false, true]) {
      test(`${unixStyle ? 'LIST' : 'the site\'s listing command'}: folders, links, files, missing paths`, async () => {
        for (const name of [...FOLDERS, ...NOT_FOLDERS]) {
          const p = `${base}/${name}`;
          await client.cd(base); // elsewhere: the listing goes by path where it can
          const byPath = await outcome(client.list(p, { unixStyle }));
          // The old way: CWD, then a listing without argument (cwd = path).
          const cwdWay = await client.cd(p).then(() => outcome(client.list(p, { unixStyle })), (e: unknown) => ({ error: isFtpError(e) ? e.kind : String(e) }));
          assert.deepEqual(byPath, cwdWay, `${kind} ${p}`);
          if (FOLDERS.includes(name)) assert.ok('names' in byPath, `${p} listed: ${JSON.stringify(byPath)}`);
          else assert.ok('error' in byPath, `${p} is no folder, yet listed: ${JSON.stringify(byPath)}`);
        }
      });
    }

    // Only where there is no MLST (stat's SIZE-first path); the others answer stat with MLST. Both
    // ways: SIZE, CWD and MDTM sent together, and one command at a time (a server found not to take that).
    for (const together of [true, false]) {
      if (WITHOUT_MLST.includes(kind)) test(`stat without MLST, ${together ? 'SIZE, CWD and MDTM sent together' : 'one command at a time (SIZE first where SIZE of a folder is refused)'}: files, folders, links, missing paths`, async () => {
        const fresh = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'passive' });
        if (!together) fresh.habits.pipelining = false;
        try {
          assert.equal(fresh.features.has('MLST'), false, `${kind} offers MLST now: move it out of WITHOUT_MLST`);
          const kinds: Record<string, string> = {};
          for (const name of ['f.txt', 'sub', 'f.txt', 'dlink', 'flink', 'nope', 'empty', 'sub/inner.txt', 'zero.txt']) {
            kinds[name] = await fresh.stat(`${base}/${name}`).then((e) => `${e.type}${e.type === 'file' ? ` ${e.size}` : ''}`, (e: unknown) => (isFtpError(e) ? e.kind : String(e)));
          }
          assert.deepEqual(kinds, { 'f.txt': 'file 5', sub: 'directory', dlink: 'directory', flink: 'file 5', nope: 'notFound', empty: 'directory', 'sub/inner.txt': 'file 5', 'zero.txt': 'file 0' });
          assert.equal(await fresh.size(`${base}/zero.txt`), 0);
          // Read without a size known first: the check after it asks SIZE (ftp-srv: "213 File status").
          assert.equal((await fresh.download(`${base}/zero.txt`)).length, 0);
          // Together until a server that holds its replies was found out (three late stats), then one at a time.
          assert.equal(fresh.habits.pipelining, together && !HOLDS_REPLIES.has(kind));
        } finally {
          await fresh.close();
        }
      });

      // A stat of a folder leaves the connection in it; the folder may be replaced by a file meanwhile
      // (another connection, another user): the next stat of that path asks the server again.
      if (WITHOUT_MLST.includes(kind)) test(`stat without MLST (${together ? 'sent together' : 'one at a time'}): a folder the connection stands in, replaced by a file, is a file`, async () => {
        const o = { host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'passive' as const };
        const [a, b] = [await FtpClient.connect(o), await FtpClient.connect(o)];
        if (!together) a.habits.pipelining = false;
        const p = `${base}/swap-${together ? 't' : 'o'}`;
        try {
          await b.mkdir(p);
          assert.equal((await a.stat(p)).type, 'directory');
          await b.rmdir(p);
          await b.upload(p, Buffer.from('a file now'));
          const now = await a.stat(p);
          assert.deepEqual([now.type, now.size], ['file', 10]);
        } finally {
          await a.close();
          await b.close();
        }
      });
    }
  });
}
