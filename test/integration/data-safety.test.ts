/**
 * Data safety on the five real servers: links are never crossed, saves keep the file as it was
 * (mode, link) and replace it in one step. Files are made on disk as the server's own user, as on
 * a real host, so the server may chmod and rename them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FtpClient } from '../../src/ftp/client';
import { FtpError, isFtpError } from '../../src/ftp/errors';
import { safeSave, TEMP_PATTERN } from '../../src/ftp/save';
import { planTree, removeTree } from '../../src/ftp/tree';
import { FtpPool } from '../../src/ftp/pool';
import { ALL_SERVERS, RunningServer, ServerKind, startServer } from '../servers';

const servers = (process.env.FTPWS_SERVERS?.split(',') as ServerKind[] | undefined) ?? ALL_SERVERS;

for (const kind of servers) {
  describe(`data safety on ${kind}`, () => {
    let server: RunningServer;
    let client: FtpClient;
    const disk = (p: string) => path.join(server.root, p);
    const own = (p: string) => fs.lchownSync(disk(p), server.owner.uid, server.owner.gid);
    const dir = (p: string) => {
      fs.mkdirSync(disk(p), { recursive: true });
      // Every folder on the way belongs to the server's user, who may then delete and create in it.
      for (let q = p; q !== '.'; q = path.dirname(q)) own(q);
    };
    const file = (p: string, text: string, mode = 0o644) => {
      fs.writeFileSync(disk(p), text);
      fs.chmodSync(disk(p), mode);
      own(p);
    };
    const link = (p: string, target: string) => {
      fs.symlinkSync(target, disk(p));
      own(p);
    };

    before(async () => {
      server = await startServer(kind);
      client = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password });
    });
    after(async () => {
      await client?.close();
      await server?.stop();
    });

    test('deleting a folder that holds a link to another folder deletes the link, not what it points to', async () => {
      dir('a/shared');
      file('a/shared/keep.txt', 'keep me');
      dir('a/doomed/sub');
      file('a/doomed/sub/x.txt', 'x');
      link('a/doomed/uploads', '../shared');
      link('a/doomed/sub/loop', '..');
      let result;
      try {
        result = await removeTree(client, '/a/doomed');
      } catch (e) {
        // A server that follows links for DELE too can't delete the link: a clear error, nothing lost.
        assert.ok(isFtpError(e) && /link/.test(e.message), String(e));
      }
      assert.equal(fs.readFileSync(disk('a/shared/keep.txt'), 'utf8'), 'keep me', 'the link target is untouched');
      if (result) {
        assert.equal(fs.existsSync(disk('a/doomed')), false, 'the folder is gone');
        assert.ok(result.links.length >= 1, `links deleted as links: ${result.links.join(', ')}`);
      }
    });

    test('deleting a link to a folder, as the parent listing shows it, deletes the link only', async () => {
      dir('b/shared');
      file('b/shared/keep.txt', 'keep me');
      link('b/uploads', 'shared');
      const entry = (await client.list('/b')).entries.find((e) => e.name === 'uploads')!;
      try {
        if (entry.type === 'symlink') await client.delete('/b/uploads');
        else await removeTree(client, '/b/uploads'); // shown as a folder: the tree walk finds out
        assert.equal(fs.lstatSync(disk('b/uploads'), { throwIfNoEntry: false }), undefined, 'the link is gone');
      } catch (e) {
        assert.ok(isFtpError(e) && /link/.test(e.message), String(e));
      }
      assert.deepEqual(fs.readdirSync(disk('b/shared')), ['keep.txt'], 'the folder it points to is untouched');
    });

    test('a save keeps the file\'s permissions and leaves no temporary file', async (t) => {
      dir('c');
      file('c/wp-config.php', '<?php // secret', 0o600);
      file('c/script.cgi', '#!/bin/sh', 0o755);
      const entries = (await client.list('/c')).entries;
      for (const [name, mode] of [['wp-config.php', 0o600], ['script.cgi', 0o755]] as const) {
        const current = entries.find((e) => e.name === name)!;
        const notes: string[] = [];
        const r = await safeSave(client, `/c/${name}`, Buffer.from(`new ${name}`), { current, log: (n) => notes.push(n) });
        assert.equal(fs.readFileSync(disk(`c/${name}`), 'utf8'), `new ${name}`);
        if (r.modeKept) assert.equal(fs.statSync(disk(`c/${name}`)).mode & 0o777, mode, `${name} keeps ${mode.toString(8)}`);
        else if (current.mode === undefined) t.diagnostic(`${kind}'s listing gives no mode for ${name}: nothing to keep`);
        else {
          assert.equal(r.modeKept, false);
          assert.ok(notes.some((n) => /permissions/.test(n)), 'the log says the mode could not be kept');
          t.diagnostic(`${kind} could not keep the mode of ${name}: ${notes.join(' ')}`);
        }
      }
      assert.deepEqual(fs.readdirSync(disk('c')).filter((n) => TEMP_PATTERN.test(n)), []);
    });

    test('a save of a link writes to the file it points to, and the link stays a link', async (t) => {
      dir('d/real');
      file('d/real/page.html', 'old page');
      link('d/page.html', 'real/page.html');
      const current = (await client.list('/d')).entries.find((e) => e.name === 'page.html')!;
      await safeSave(client, '/d/page.html', Buffer.from('new page'), { current });
      if (current.type === 'symlink') {
        assert.ok(fs.lstatSync(disk('d/page.html')).isSymbolicLink(), 'still a link');
        assert.equal(fs.readFileSync(disk('d/real/page.html'), 'utf8'), 'new page', 'its target has the new content');
      } else {
        // This server shows links as plain files (it follows them in listings): it can't be told apart.
        t.diagnostic(`${kind} lists a link to a file as a file; the save replaced the link`);
        assert.equal(fs.readFileSync(disk('d/page.html'), 'utf8'), 'new page');
      }
    });

    test('an upload (throughLinks false) over a link whose target can not be reached is refused; nothing changes', async (t) => {
      dir('f');
      link('f/page.html', '../nowhere/page.html');
      const current = (await client.list('/f')).entries.find((e) => e.name === 'page.html');
      if (current?.type !== 'symlink') {
        t.diagnostic(`${kind} does not list a dangling link as a link (${current?.type ?? 'not listed'}): nothing to check`);
        assert.equal(fs.readlinkSync(disk('f/page.html')), '../nowhere/page.html');
        return;
      }
      await assert.rejects(safeSave(client, '/f/page.html', Buffer.from('uploaded'), { current, throughLinks: false }),
        (e) => isFtpError(e) && /only an editor's save can be written through it/.test(e.message));
      assert.equal(fs.readlinkSync(disk('f/page.html')), '../nowhere/page.html', 'the link is as it was');
      assert.deepEqual(fs.readdirSync(disk('f')), ['page.html'], 'no backup, no temporary file');
      assert.equal(fs.existsSync(disk('nowhere')), false, 'nothing written through the link');
    });

    test('a walk listing on three connections at once finds what the walk on one finds, parents first, never through a link', async (t) => {
      for (const d of ['g/a/a1/a2', 'g/b/b1', 'g/c', 'g/shared']) dir(d);
      for (const f of ['g/top.txt', 'g/a/1.txt', 'g/a/a1/2.txt', 'g/a/a1/a2/3.txt', 'g/b/4.txt', 'g/b/b1/5.txt', 'g/c/6.txt', 'g/shared/secret.txt']) file(f, f);
      link('g/a/to-shared', '../shared');
      link('g/b/b1/up', '../..');
      const pool = new FtpPool({ host: server.host, port: server.port, user: server.user, password: server.password, maxConnections: 3 });
      // The walk's own connection lists slowly, so the helpers surely take folders (on loopback one
      // connection would otherwise list the whole tree before a second one has logged in).
      const counting = (c: FtpClient, slowMs: number, count: () => void) => new Proxy(c, {
        get(target, prop) {
          if (prop === 'list') return async (...args: Parameters<FtpClient['list']>) => {
            count();
            await new Promise((r) => setTimeout(r, slowMs));
            return target.list(...args);
          };
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      try {
        const one = await planTree(client, '/g', { linksByList: true });
        let byHelpers = 0;
        const many = await pool.run((c) => planTree(counting(c, 150, () => undefined), '/g', {
          width: 3, lend: (work) => pool.run((h) => work(counting(h, 0, () => byHelpers++))), linksByList: true,
        }));
        // pyftpdlib's MLSD shows a link as what it points to, its LIST as a link: linksByList finds it.
        if (kind === 'pyftpdlib') assert.deepEqual([...one.links].sort(), ['/g/a/to-shared', '/g/b/b1/up']);
        const sorted = (p: typeof one) => ({ dirs: [...p.dirs].sort(), files: [...p.files].sort(), links: [...p.links].sort(), doubts: p.doubts.map((d) => `${d.path} ${d.kind}`).sort() });
        assert.deepEqual(sorted(many), sorted(one));
        assert.ok(byHelpers >= 1, `the helper connections listed ${byHelpers} folder(s)`);
        assert.equal(many.dirs[0], '/g');
        for (const d of many.dirs.slice(1)) assert.ok(many.dirs.indexOf(d.replace(/\/[^/]+$/, '') || '/') < many.dirs.indexOf(d), `${d} after its parent`);
        if (one.links.length === 0) t.diagnostic(`${kind} shows links as what they point to: the walk can't tell them (both walks alike)`);
        else assert.ok(!many.files.some((f) => f.includes('/to-shared/') || f.includes('/up/')), `no file through a link: ${many.files.join(', ')}`);
      } finally {
        await pool.close();
      }
    });

    test('a walk asking CWD and PWD together finds what one asking them one at a time finds, links included', async (t) => {
      for (const d of ['p/a/a1', 'p/b', 'p/shared']) dir(d);
      for (const f of ['p/top.txt', 'p/a/1.txt', 'p/a/a1/2.txt', 'p/b/3.txt', 'p/shared/secret.txt']) file(f, f);
      link('p/a/to-shared', '../shared');
      link('p/b/up', '..');
      const walk = async (pipelining: boolean) => {
        const sent: string[] = [];
        const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, log: (e) => void (e.kind === 'command' && sent.push(`${e.pipelined ? '+' : ''}${e.text}`)) });
        try {
          c.habits.pipelining = pipelining;
          const start = sent.length;
          const plan = await planTree(c, '/p', { linksByList: true });
          return { plan: { dirs: [...plan.dirs].sort(), files: [...plan.files].sort(), links: [...plan.links].sort(), doubts: plan.doubts.map((d) => d.path).sort() }, sent: sent.slice(start) };
        } finally {
          await c.close();
        }
      };
      const together = await walk(true);
      const alone = await walk(false);
      assert.deepEqual(together.plan, alone.plan);
      // ftp-srv lists a link as what it points to, and its PWD says the path asked: nothing tells it (both walks alike).
      if (kind === 'ftpsrv') t.diagnostic('ftp-srv shows links as what they point to: neither walk can tell them');
      else assert.ok(!together.plan.files.some((f) => f.includes('/to-shared/') || f.includes('/up/')), `no file through a link: ${together.plan.files.join(', ')}`);
      // Every PWD of the together walk but the parent's went in one write with its CWD; none of the
      // other's. ftp-srv holds each reply until the one before is acknowledged (Nagle): after three
      // batches answered late, commands go one at a time there (client.ts noteHeld).
      const pwds = together.sent.flatMap((c, i) => (/^\+?PWD$/.test(c) ? [`${together.sent[i - 1]?.split(' ')[0]} ${c}`] : []));
      const paired = pwds.filter((p) => p === 'CWD +PWD').length;
      if (kind === 'ftpsrv') assert.ok(paired >= 1, together.sent.join(', '));
      else assert.ok(paired >= 4 && pwds.length - paired <= 1, together.sent.join(', '));
      assert.ok(!alone.sent.includes('+PWD'), alone.sent.join(', '));
    });

    test('a walk lends one folder at a time: another operation on the site gets a connection between two folders', async () => {
      for (let i = 0; i < 8; i++) dir(`k/f${i}`);
      file('k/f0/x.txt', 'x');
      const pool = new FtpPool({ host: server.host, port: server.port, user: server.user, password: server.password, maxConnections: 2 });
      const slow = (c: FtpClient) => new Proxy(c, {
        get(target, prop) {
          if (prop === 'list') return async (...args: Parameters<FtpClient['list']>) => {
            await new Promise((r) => setTimeout(r, 100));
            return target.list(...args);
          };
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      try {
        let walkDone = false;
        const walk = pool.run((c) => planTree(slow(c), '/k', { width: 2, lend: (work) => pool.run((h) => work(slow(h))) })).finally(() => (walkDone = true));
        await new Promise((r) => setTimeout(r, 250)); // the root listed, its folders being lent
        const size = await pool.run((c) => c.size('/k/f0/x.txt'));
        assert.equal(size, 1);
        assert.equal(walkDone, false, 'the other operation did not wait for the whole walk');
        assert.equal((await walk).dirs.length, 9);
      } finally {
        await pool.close();
      }
    });

    test('a lent connection that drops costs the walk that connection, not the walk: its folder is listed again', async () => {
      for (const d of ['m/a', 'm/b', 'm/c', 'm/d']) dir(d);
      for (const f of ['m/a/1.txt', 'm/b/2.txt', 'm/c/3.txt', 'm/d/4.txt']) file(f, f);
      const pool = new FtpPool({ host: server.host, port: server.port, user: server.user, password: server.password, maxConnections: 3 });
      const dropping = (c: FtpClient) => new Proxy(c, {
        get(target, prop) {
          if (prop === 'list') return async () => {
            throw new FtpError('connectionLost', 'The server closed the control connection.', { fatal: true });
          };
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      try {
        const one = await planTree(client, '/m');
        const many = await pool.run((c) => planTree(c, '/m', { width: 3, lend: (work) => pool.run((h) => work(dropping(h))) }));
        assert.deepEqual([...many.files].sort(), [...one.files].sort());
        assert.deepEqual([...many.dirs].sort(), [...one.dirs].sort());
      } finally {
        await pool.close();
      }
    });

    // pyftpdlib and ftp-srv run as root here: they can read any folder, so only the others can refuse.
    if (kind !== 'pyftpdlib' && kind !== 'ftpsrv') test('a walk on three connections with one folder it can not list fails whole, no plan with a hole', async () => {
      for (const d of ['h/a/deep', 'h/b', 'h/c', 'h/d']) dir(d);
      file('h/a/deep/x.txt', 'x');
      fs.chmodSync(disk('h/b'), 0o000);
      const pool = new FtpPool({ host: server.host, port: server.port, user: server.user, password: server.password, maxConnections: 3 });
      try {
        await assert.rejects(pool.run((c) => planTree(c, '/h', { width: 3, lend: (work) => pool.run(work) })), (e) => isFtpError(e) && e.kind !== 'protocol');
      } finally {
        fs.chmodSync(disk('h/b'), 0o755);
        await pool.close();
      }
    });

    // pyftpdlib and ftp-srv run as root here: they can read any folder, so only the others can refuse.
    if (kind !== 'pyftpdlib' && kind !== 'ftpsrv') test('an unreadable folder is an error, not an empty folder', async () => {
      dir('e/locked');
      file('e/locked/x.txt', 'x');
      fs.chmodSync(disk('e/locked'), 0o000);
      try {
        await assert.rejects(client.list('/e/locked'), (e) => isFtpError(e) && e.kind !== 'protocol');
      } finally {
        fs.chmodSync(disk('e/locked'), 0o755);
      }
    });
  });
}
