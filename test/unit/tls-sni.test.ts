/** SNI and verification of startTls against a Node TLS server on loopback (no FTP involved). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { startTls } from '../../src/ftp/sockets';
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
});
