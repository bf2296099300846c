/**
 * An upload sent again on a new connection goes to a new temporary name (client.ts
 * UploadOptions.freshName, save.ts replaceFile). vsftpd creates and locks the file a STOR names
 * before it waits for the data connection; a session whose data connection never comes holds that
 * lock until its accept timeout (20 s in the test config, 60 s by default), even after the control
 * connection is gone. The same name sent again on a new connection waited that long.
 *
 * The fault: a control-connection proxy in front of the real vsftpd names a port where nothing
 * listens in the 229 answering the first EPSV sent in one write with a STOR, or with the file
 * before's rename (a port opened ahead); no real server can be made to do that on demand. The engine
 * connects, is refused, drops the connection (the server has the STOR) and sends the upload again
 * on a new connection.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ManagedServer, closedPort, startServer } from '../servers';
import { FtpPool } from '../../src/ftp/pool';
import { safeSave } from '../../src/ftp/save';
import type { LogEvent } from '../../src/ftp/log';

/** Forwards control connections to `target`; the 229 answering the first EPSV sent in a write that matches `sentWith` names `port`. */
async function lyingProxy(target: number, port: number, sentWith: RegExp): Promise<{ port: number; lied: () => number; close: () => Promise<void> }> {
  let lies = 0;
  let armed = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    let lieNext = false;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (d: Buffer) => {
      if (armed && sentWith.test(d.toString('latin1'))) {
        armed = false;
        lieNext = true;
      }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      if (lieNext && /^229 /m.test(text)) {
        lieNext = false;
        lies++;
        return void client.write(Buffer.from(text.replace(/\(\|\|\|\d+\|\)/, `(|||${port}|)`), 'latin1'));
      }
      client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    lied: () => lies,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('an upload sent again on a new connection (vsftpd behind a proxy that names a closed data port once)', () => {
  let server: ManagedServer;
  before(async () => {
    server = await startServer('vsftpd');
  });
  after(async () => server?.stop());

  test('goes to a new temporary name, lands whole, and leaves no temporary file behind', async () => {
    const proxy = await lyingProxy(server.port, await closedPort(), /EPSV\r\nSTOR /);
    const log: LogEvent[] = [];
    const pool = new FtpPool({ host: '127.0.0.1', port: proxy.port, user: server.user, password: server.password, transferMode: 'passive', maxConnections: 1, log: (e) => log.push(e) });
    try {
      // The first save learns that EPSV works and that commands sent together do.
      await pool.run((c) => safeSave(c, '/first.txt', Buffer.from('first\n'), { absent: true, sizeCheckOnly: true }));
      const mark = log.length;
      const data = Buffer.from('the file sent again\n'.repeat(50));
      await pool.run((c) => safeSave(c, '/again.txt', data, { absent: true, sizeCheckOnly: true }));
      assert.equal(proxy.lied(), 1, 'the proxy named a closed port once');
      assert.deepEqual(fs.readFileSync(path.join(server.root, 'again.txt')), data);
      const stors = log.slice(mark).filter((e) => e.kind === 'command' && e.text.startsWith('STOR ')).map((e) => e.text);
      assert.equal(stors.length, 2, stors.join(', '));
      assert.notEqual(stors[1], stors[0], 'sent again under a new name');
      assert.ok(log.some((e) => e.kind === 'info' && /STOR sent with EPSV failed .*asking again one command at a time/.test(e.text)), 'the log says it was sent again');
      assert.deepEqual(fs.readdirSync(server.root).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
    } finally {
      await pool.close();
      await proxy.close();
    }
  });
  test('on a data port opened ahead (the EPSV sent with the file before\'s rename): a new temporary name too, every file whole, none left', async () => {
    const proxy = await lyingProxy(server.port, await closedPort(), /RNTO [^\r\n]*\r\nEPSV\r\n/);
    const log: LogEvent[] = [];
    const pool = new FtpPool({ host: '127.0.0.1', port: proxy.port, user: server.user, password: server.password, transferMode: 'passive', maxConnections: 1, log: (e) => log.push(e) });
    const save = (name: string) => pool.run((c) => safeSave(c, `/ahead/${name}`, Buffer.from(`${name}\n`.repeat(40)), { absent: true, sizeCheckOnly: true }));
    fs.mkdirSync(path.join(server.root, 'ahead'));
    if (server.owner) fs.chownSync(path.join(server.root, 'ahead'), server.owner.uid, server.owner.gid);
    try {
      await save('first.txt');
      const mark = log.length;
      // Queued together: the first one's rename carries the EPSV for the second.
      await Promise.all(['a.txt', 'b.txt', 'c.txt'].map(save));
      assert.equal(proxy.lied(), 1, 'the proxy named a closed port once');
      for (const name of ['a.txt', 'b.txt', 'c.txt']) assert.equal(fs.readFileSync(path.join(server.root, 'ahead', name), 'utf8'), `${name}\n`.repeat(40));
      assert.ok(log.some((e) => e.kind === 'info' && /the data port opened ahead failed/.test(e.text)), 'the log says so');
      const stors = log.slice(mark).filter((e) => e.kind === 'command' && e.text.startsWith('STOR ')).map((e) => e.text);
      const ofB = stors.filter((t) => t.includes('/.b.txt.'));
      assert.equal(ofB.length, 2, stors.join(', '));
      assert.notEqual(ofB[1], ofB[0], 'sent again under a new name');
      assert.deepEqual(fs.readdirSync(path.join(server.root, 'ahead')).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
    } finally {
      await pool.close();
      await proxy.close();
    }
  });
});
