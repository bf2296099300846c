/** SNI and verification of startTls against a Node TLS server on loopback (no FTP involved). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { TlsSettings, secureContextFor, startTls } from '../../src/ftp/sockets';
import { FtpError } from '../../src/ftp/errors';

describe('TLS client start', () => {
  let server: tls.Server;
  let port: number;
  let cert: string;
  const names: string[] = [];
  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-sni-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'),
      '-days', '2', '-subj', '/CN=ftp.test', '-addext', 'subjectAltName=DNS:ftp.test'], { stdio: 'ignore' });
    cert = fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
    const key = fs.readFileSync(path.join(dir, 'k.pem'));
    const context = tls.createSecureContext({ key, cert });
    // SNICallback runs only when the client sends a server name.
    server = tls.createServer({ key, cert, SNICallback: (name, cb) => { names.push(name); cb(null, context); } }, (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    fs.rmSync(dir, { recursive: true });
  });
  after(() => server.close());

  test('the host name is sent as SNI and checked against the certificate', async () => {
    const s = await startTls({ host: '127.0.0.1', port, settings: { ca: cert, servername: 'ftp.test' }, timeoutMs: 5000, what: 'test' });
    s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(names.at(-1), 'ftp.test');
  });

  test('an IP address is never sent as SNI', async () => {
    const before = names.length;
    await assert.rejects(startTls({ host: '127.0.0.1', port, settings: { ca: cert }, timeoutMs: 5000, what: 'test' }), (e: FtpError) => e.kind === 'tls');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(names.length, before);
  });

  test('settings with a CA get one secure context for all their connections, which still verifies', async () => {
    const settings = { ca: cert, servername: 'ftp.test' };
    const first = secureContextFor(settings);
    assert.ok(first);
    assert.equal(secureContextFor(settings), first);
    for (let i = 0; i < 2; i++) {
      const s = await startTls({ host: '127.0.0.1', port, settings, timeoutMs: 5000, what: 'test' });
      assert.ok(s.authorized);
      s.destroy();
    }
    assert.equal(secureContextFor(settings), first);
    // Other settings, or the same object with another CA or version, never get that context.
    assert.notEqual(secureContextFor({ ca: cert }), first);
    const list: TlsSettings = { ...settings, ca: [cert] };
    let previous = secureContextFor(list);
    assert.notEqual(previous, first);
    const changes: Array<(t: TlsSettings) => void> = [
      (t) => (t.ca as string[]).push(cert), // a CA list changed in place
      (t) => (t.minVersion = 'TLSv1.3'),
      (t) => (t.maxVersion = 'TLSv1.3'),
      (t) => (t.ca = `${cert}\n`),
    ];
    for (const change of changes) {
      change(list);
      const now = secureContextFor(list);
      assert.notEqual(now, previous);
      assert.equal(secureContextFor(list), now);
      previous = now;
    }
    assert.equal(secureContextFor({ servername: 'ftp.test' }), undefined);
  });

  test('a context made for one CA does not trust a server another CA vouches for', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-sni-other-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'),
      '-days', '2', '-subj', '/CN=ftp.test', '-addext', 'subjectAltName=DNS:ftp.test'], { stdio: 'ignore' });
    const otherCa = fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
    fs.rmSync(dir, { recursive: true });
    const settings = { ca: otherCa, servername: 'ftp.test' };
    for (let i = 0; i < 2; i++) {
      await assert.rejects(startTls({ host: '127.0.0.1', port, settings, timeoutMs: 5000, what: 'test' }), (e: FtpError) => e.kind === 'tls' && /not trusted/.test(e.message));
    }
  });

  test('two connections with the same settings build one secure context, with the root certificates and the given CA in it', async () => {
    // sockets.ts and Node's tls.connect both call it through the module object (an import's namespace only reads it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tlsModule = require('node:tls') as { createSecureContext: typeof tls.createSecureContext };
    const original = tlsModule.createSecureContext;
    const made: tls.SecureContextOptions[] = [];
    tlsModule.createSecureContext = (o) => {
      made.push(o ?? {});
      return original(o);
    };
    try {
      const settings = { ca: Buffer.from(cert), servername: 'ftp.test' };
      for (let i = 0; i < 2; i++) (await startTls({ host: '127.0.0.1', port, settings, timeoutMs: 5000, what: 'test' })).destroy();
      assert.equal(made.length, 1);
      const ca = made[0].ca as Array<string | Buffer>;
      assert.ok(ca.includes(tls.rootCertificates[0]) && ca.length === tls.rootCertificates.length + 1);
      // The same Buffer changed in place (its last byte: the PEM still reads) is another CA.
      settings.ca[settings.ca.length - 1] = 0x20;
      (await startTls({ host: '127.0.0.1', port, settings, timeoutMs: 5000, what: 'test' })).destroy();
      assert.equal(made.length, 2);
    } finally {
      tlsModule.createSecureContext = original;
    }
  });

  test('the TLS versions of settings with a CA are kept: the highest, and the lowest against a server that has no higher', async () => {
    const s = await startTls({ host: '127.0.0.1', port, settings: { ca: cert, servername: 'ftp.test', maxVersion: 'TLSv1.2' }, timeoutMs: 5000, what: 'test' });
    assert.equal(s.getProtocol(), 'TLSv1.2');
    s.destroy();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-sni-12-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'),
      '-days', '2', '-subj', '/CN=ftp.test', '-addext', 'subjectAltName=DNS:ftp.test'], { stdio: 'ignore' });
    const old = tls.createServer({ key: fs.readFileSync(path.join(dir, 'k.pem')), cert: fs.readFileSync(path.join(dir, 'c.pem')), maxVersion: 'TLSv1.2' }, (c) => c.end());
    const oldCa = fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
    fs.rmSync(dir, { recursive: true });
    await new Promise<void>((r) => old.listen(0, '127.0.0.1', r));
    try {
      const oldPort = (old.address() as { port: number }).port;
      const ok = await startTls({ host: '127.0.0.1', port: oldPort, settings: { ca: oldCa, servername: 'ftp.test' }, timeoutMs: 5000, what: 'test' });
      assert.equal(ok.getProtocol(), 'TLSv1.2');
      ok.destroy();
      await assert.rejects(startTls({ host: '127.0.0.1', port: oldPort, settings: { ca: oldCa, servername: 'ftp.test', minVersion: 'TLSv1.3' }, timeoutMs: 5000, what: 'test' }), (e: FtpError) => e.kind === 'tls');
    } finally {
      old.close();
    }
  });
});
