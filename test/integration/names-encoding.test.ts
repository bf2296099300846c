/**
 * Names keep their bytes on real servers: a file named with latin1 bytes (`caf\xE9.txt`, written to
 * the server's disk as bytes, as an old upload or a Windows tool leaves it) and a folder of them are
 * listed, opened, saved, renamed, deleted and deleted recursively through the engine, with the
 * site's encoding left at utf8 (the name holds the raw byte as U+EFE9 and goes back as E9) and set
 * to latin1 (the name reads café.txt). With utf8 the log says which encoding fits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { FtpClient } from '../../src/ftp/client';
import { safeSave } from '../../src/ftp/save';
import { removeTree } from '../../src/ftp/tree';
import { describeName } from '../../src/ftp/encoding';
import { LogEvent } from '../../src/ftp/log';
import { AnyServerKind, RunningServer, startServer } from '../servers';

const timeouts = { connectMs: 10_000, replyMs: 20_000, dataConnectMs: 8_000, dataIdleMs: 20_000 };
const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** A path on the server's disk as bytes (Node takes a Buffer for a file name as it is). */
function disk(server: RunningServer, ...parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(server.root), ...parts.flatMap((p) => [Buffer.from('/'), p])]);
}

function own(server: RunningServer, p: Buffer): void {
  fs.chownSync(p, server.owner.uid, server.owner.gid);
}

// The old servers (where such names live), and vsftpd (LIST) and proftpd (MLSD) for the two listing paths.
const only = process.env.FTPWS_SERVERS?.split(',');
const SERVERS: AnyServerKind[] = ['bsdftpd', 'inetutils', 'vsftpd', 'proftpd'];
for (const kind of SERVERS.filter((k) => !only || only.includes(k))) {
  describe(`a latin1 name on ${kind}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(async () => server?.stop());

    for (const encoding of ['utf8', 'latin1']) {
      test(`encoding ${encoding}: list, open, save, rename, delete, recursive delete keep the bytes`, async () => {
        const top = latin1(`names-${encoding}`);
        const cafe = latin1('caf\xe9.txt');
        const folder = latin1('d\xe9j\xe0 vu');
        fs.mkdirSync(disk(server, top));
        own(server, disk(server, top));
        fs.writeFileSync(disk(server, top, cafe), 'latin1 name\n');
        own(server, disk(server, top, cafe));
        fs.mkdirSync(disk(server, top, folder));
        own(server, disk(server, top, folder));
        for (const f of [latin1('\xfcber.txt'), latin1('plain.txt')]) {
          fs.writeFileSync(disk(server, top, folder, f), 'inside\n');
          own(server, disk(server, top, folder, f));
        }
        const log: LogEvent[] = [];
        const client = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, timeouts, encoding, log: (e) => log.push(e) });
        try {
          const dir = `/names-${encoding}`;
          // list: the name maps back to exactly the bytes on disk
          const { entries, unparsed } = await client.list(dir);
          assert.deepEqual(unparsed, []);
          const file = entries.find((e) => client.codec.encode(e.name).equals(cafe));
          const sub = entries.find((e) => client.codec.encode(e.name).equals(folder));
          assert.ok(file && sub, `listed: ${JSON.stringify(entries.map((e) => describeName(e.name)))}`);
          assert.equal(file.type, 'file');
          assert.equal(sub.type, 'directory');
          if (encoding === 'utf8') {
            assert.equal(file.name, 'caf\uEFE9.txt');
            assert.equal(describeName(file.name), 'caf\\xE9.txt');
            // The log says which encoding fits, and the client has the finding for a UI.
            assert.equal(client.encodingGuess?.suggested, 'cp1252');
            assert.ok(log.some((e) => /names on 127\.0\.0\.1 look like cp1252.*set "encoding": "cp1252"/.test(e.text)), 'log line');
          } else {
            assert.equal(file.name, 'café.txt');
            assert.equal(sub.name, 'déjà vu');
            assert.equal(client.encodingGuess?.fits, true);
            assert.ok(!log.some((e) => /look like/.test(e.text)));
          }
          const path = `${dir}/${file.name}`;
          // open
          assert.equal((await client.download(path)).toString(), 'latin1 name\n');
          assert.equal((await client.stat(path)).type, 'file');
          // save (the safe way: temp file, rename over)
          await safeSave(client, path, Buffer.from('saved\n'), { current: file });
          assert.equal(fs.readFileSync(disk(server, top, cafe)).toString(), 'saved\n');
          // rename
          const renamed = `${dir}/${file.name.replace('.txt', '-2.txt')}`;
          await client.rename(path, renamed);
          assert.ok(!fs.existsSync(disk(server, top, cafe)));
          assert.equal(fs.readFileSync(disk(server, top, latin1('caf\xe9-2.txt'))).toString(), 'saved\n');
          // delete
          await client.delete(renamed);
          assert.ok(!fs.existsSync(disk(server, top, latin1('caf\xe9-2.txt'))));
          // recursive delete of a folder with such names, inside and out
          const deleted: string[] = [];
          await removeTree(client, `${dir}/${sub.name}`, { onDeleted: (p) => deleted.push(describeName(p)) });
          assert.equal(deleted.length, 3, JSON.stringify(deleted));
          assert.ok(!fs.existsSync(disk(server, top, folder)));
          // a new name typed in the site's encoding reaches the disk in it
          await client.upload(`${dir}/né.txt`, Buffer.from('new\n'));
          const expected = encoding === 'latin1' ? latin1('n\xe9.txt') : Buffer.from('né.txt');
          assert.equal(fs.readFileSync(disk(server, top, expected)).toString(), 'new\n');
          await client.delete(`${dir}/né.txt`);
          await client.rmdir(dir);
          assert.ok(!fs.existsSync(disk(server, top)));
        } finally {
          await client.close();
        }
      });
    }
  });
}
