/**
 * An operation that fails after it began changing the server (FAKE fault server: a STOR cut off
 * after some bytes, which a real server can't be made to do on demand):
 * what the provider had listed of the name it touched is not given as the truth afterwards. With
 * safe save off, a cut STOR has already truncated the file: a stat must say so, not the listing
 * kept from before. The real provider with the `vscode` stub of test/bench.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startFaultServer } from '../fakes/fault-server';
import { openSite } from '../bench/site';

describe('an operation that fails part-way (FAKE fault server, the real provider)', () => {
  for (const how of ['writeFile', 'uploadFile'] as const) test(`safe save off, a STOR cut after some bytes (${how}): the next stat tells the truncated size, not the listed one`, async () => {
    const srv = await startFaultServer({
      onTransfer: async (t) => {
        if (t.verb !== 'STOR') return false;
        t.send(['150 Ok to send data.']);
        const data = await t.data();
        // What a server does: the file is truncated and takes what arrived before the cut.
        const first = await new Promise<Buffer>((resolve) => data.once('data', resolve));
        fs.writeFileSync(t.disk, first.subarray(0, 100));
        data.destroy();
        t.send(['426 Connection closed; transfer aborted.']);
        return true;
      },
    });
    fs.writeFileSync(path.join(srv.root, 'f.txt'), 'original\n'.repeat(1000));
    const site = openSite({ host: '127.0.0.1', port: srv.port, user: 'anonymous', password: 'x', safeSave: false });
    try {
      const uri = site.uri('/f.txt');
      await site.provider.readDirectory(site.uri('/'));
      assert.equal((await site.provider.stat(uri)).size, 9000, 'listed');
      const local = path.join(srv.root, '..', `${path.basename(srv.root)}-local.bin`);
      fs.writeFileSync(local, Buffer.alloc(3_000_000, 'n'));
      try {
        await assert.rejects(how === 'writeFile' ? site.provider.writeFile(uri, fs.readFileSync(local), { create: true, overwrite: true }) : site.provider.uploadFile(uri, local));
      } finally {
        fs.rmSync(local);
      }
      assert.equal(fs.statSync(path.join(srv.root, 'f.txt')).size, 100, 'the server truncated it');
      assert.equal((await site.provider.stat(uri)).size, 100, 'the stat after the failed save tells what is there now');
    } finally {
      await site.close();
      await srv.stop();
    }
  });
  test('a save through a link whose first STOR is cut (safe save, run again on a new connection): the link stays a link, its target gets the text', async () => {
    let cuts = 0;
    const srv = await startFaultServer({
      onTransfer: async (t) => {
        if (t.verb !== 'STOR' || cuts++ > 0) return false;
        t.send(['150 Ok to send data.']);
        const data = await t.data();
        await new Promise<Buffer>((resolve) => data.once('data', resolve));
        data.destroy();
        t.send(['426 Connection closed; transfer aborted.']);
        return true;
      },
    });
    fs.writeFileSync(path.join(srv.root, 'target.txt'), 'old\n');
    fs.symlinkSync('target.txt', path.join(srv.root, 'link.txt'));
    const site = openSite({ host: '127.0.0.1', port: srv.port, user: 'anonymous', password: 'x' });
    try {
      await site.provider.readDirectory(site.uri('/'));
      const text = Buffer.alloc(300_000, 'n');
      await site.provider.writeFile(site.uri('/link.txt'), text, { create: true, overwrite: true });
      assert.equal(cuts, 2, 'the first STOR was cut, the save ran again');
      assert.ok(fs.lstatSync(path.join(srv.root, 'link.txt')).isSymbolicLink(), 'link.txt is still a link');
      assert.ok(fs.readFileSync(path.join(srv.root, 'target.txt')).equals(text), 'the text went to its target');
    } finally {
      await site.close();
      await srv.stop();
    }
  });
});
