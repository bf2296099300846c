/**
 * Engine options against real servers: certificate trust, name encodings, active-mode bind address,
 * port range and external address, the PASV address, IPv6, MFMT/chmod, streams.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { FtpClient } from '../../src/ftp/client';
import { FtpError } from '../../src/ftp/errors';
import { LogEvent } from '../../src/ftp/log';
import { RunningServer, ServerKind, startServer } from '../servers';

const timeouts = { connectMs: 10_000, replyMs: 15_000, dataConnectMs: 3_000, dataIdleMs: 15_000 };

describe('certificates (proftpd, explicit FTPS)', () => {
  let server: RunningServer;
  before(async () => { server = await startServer('proftpd'); });
  after(async () => server?.stop());
  const base = () => ({ host: server.host, port: server.port, user: server.user, password: server.password, secure: 'explicit' as const, timeouts });

  test('an untrusted certificate is refused, and the error shows it so a UI can offer to trust it', async () => {
    await assert.rejects(FtpClient.connect(base()), (e: FtpError) => {
      assert.equal(e.kind, 'tls');
      assert.equal(e.certificate?.fingerprint256, server.certSha256);
      assert.match(e.certificate?.subject ?? '', /CN=localhost/);
      assert.match(e.message, /not trusted/);
      return true;
    });
  });

  test('the pinned fingerprint is accepted for control and data connections', async () => {
    const c = await FtpClient.connect({ ...base(), tls: { trustedFingerprint256: server.certSha256 }, transferMode: 'passive' });
    await c.upload('/pinned.txt', Buffer.from('pinned'));
    assert.equal((await c.download('/pinned.txt')).toString(), 'pinned');
    await c.close();
  });

  test('another fingerprint is not', async () => {
    const wrong = server.certSha256.replace(/^../, server.certSha256.startsWith('00') ? '11' : '00');
    await assert.rejects(FtpClient.connect({ ...base(), tls: { trustedFingerprint256: wrong } }), (e: FtpError) => e.kind === 'tls');
  });

  test('a trusted CA with the wrong host name is refused', async () => {
    await assert.rejects(FtpClient.connect({ ...base(), tls: { ca: server.certPem, servername: 'ftp.example.org' } }),
      (e: FtpError) => e.kind === 'tls' && /not trusted/.test(e.message));
  });
});

describe('TLS 1.2 and 1.3 with session reuse (vsftpd require_ssl_reuse, proftpd default)', () => {
  for (const kind of ['vsftpd', 'proftpd'] as const) {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      test(`${kind} ${version}: passive and active transfers resume the control session`, async () => {
        const server = await startServer(kind);
        try {
          for (const mode of ['passive', 'active'] as const) {
            const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, secure: 'explicit',
              tls: { ca: server.certPem, minVersion: version, maxVersion: version }, transferMode: mode, timeouts });
            try {
              await c.upload('/tls.txt', Buffer.from(version));
              assert.equal((await c.download('/tls.txt')).toString(), version);
              assert.equal((await c.list('/')).entries.length, 1);
            } finally {
              await c.close();
            }
          }
        } finally {
          await server.stop();
        }
      });
    }
  }
});

describe('a refused upload (proftpd writes as nobody into a read-only directory)', () => {
  for (const mode of ['passive', 'active'] as const) {
    test(`${mode}: a permission error with the server's words, nothing left unhandled, the connection still usable`, async () => {
      const server = await startServer('proftpd');
      const unhandled: unknown[] = [];
      const onUncaught = (e: unknown) => unhandled.push(e);
      process.on('uncaughtException', onUncaught);
      try {
        fs.mkdirSync(path.join(server.root, 'locked'), { mode: 0o555 });
        fs.chownSync(path.join(server.root, 'locked'), 65534, 65534);
        const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, transferMode: mode, timeouts });
        try {
          for (let i = 0; i < 3; i++) {
            await assert.rejects(c.upload('/locked/x.txt', Buffer.alloc(200_000, 1)), (e: FtpError) => e.kind === 'permission' && e.code === 550);
          }
          await new Promise((r) => setTimeout(r, 300));
          assert.deepEqual(unhandled, []);
          await c.upload('/ok.txt', Buffer.from('ok'));
          assert.equal((await c.download('/ok.txt')).toString(), 'ok');
        } finally {
          await c.close();
        }
      } finally {
        process.off('uncaughtException', onUncaught);
        await server.stop();
      }
    });
  }
});

describe('name encodings (vsftpd stores names as bytes)', () => {
  let server: RunningServer;
  before(async () => { server = await startServer('vsftpd'); });
  after(async () => server?.stop());

  for (const [encoding, name, bytes] of [
    ['latin1', 'café.txt', [0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]],
    ['euc-kr', '한글.txt', [0xc7, 0xd1, 0xb1, 0xdb, 0x2e, 0x74, 0x78, 0x74]],
    ['shift_jis', '日本.txt', [0x93, 0xfa, 0x96, 0x7b, 0x2e, 0x74, 0x78, 0x74]],
  ] as const) {
    test(`${encoding}: the name on disk is in ${encoding}, and lists back as ${name}`, async () => {
      const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, encoding, timeouts });
      try {
        await c.upload(`/${name}`, Buffer.from(encoding));
        const onDisk = fs.readdirSync(server.root, { encoding: 'buffer' });
        assert.ok(onDisk.some((b) => b.equals(Buffer.from(bytes))), `bytes on disk: ${onDisk.map((b) => b.toString('hex')).join(' ')}`);
        const { entries } = await c.list('/');
        assert.ok(entries.some((e) => e.name === name));
        await c.delete(`/${name}`);
      } finally {
        await c.close();
      }
    });
  }
});

describe('data connection options (vsftpd)', () => {
  let server: RunningServer;
  let masqueraded: RunningServer;
  before(async () => {
    server = await startServer('vsftpd');
    // 127.0.0.9 has no server: a client that trusts this PASV address fails.
    masqueraded = await startServer('pyftpdlib', { passiveAddress: '127.0.0.9' });
  });
  after(async () => { await server?.stop(); await masqueraded?.stop(); });

  test('active mode listens on the bind address, in the port range, and advertises the external address', async () => {
    const log: LogEvent[] = [];
    const c = await FtpClient.connect({
      host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'active', timeouts,
      active: { bindAddress: '0.0.0.0', portRange: [47100, 47102], externalAddress: '127.0.0.1' }, log: (e) => log.push(e),
    });
    try {
      for (let i = 0; i < 4; i++) assert.equal((await c.list('/')).unparsed.length, 0);
      const eprt = log.filter((e) => e.kind === 'command' && e.text.startsWith('EPRT'));
      assert.equal(eprt.length, 4);
      for (const e of eprt) assert.match(e.text, /^EPRT \|1\|127\.0\.0\.1\|4710[0-2]\|$/);
      assert.ok(log.some((e) => /listening on 0\.0\.0\.0:4710[0-2]/.test(e.text)));
    } finally {
      await c.close();
    }
  });

  test('an external address the server may not connect to is refused as a command (vsftpd port_promiscuous=NO)', async () => {
    const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'active', timeouts,
      active: { externalAddress: '127.0.0.3' } });
    try {
      await assert.rejects(c.list('/'), (e: FtpError) => e.kind === 'dataConnection' && e.attempts?.every((a) => a.failure === 'refused') === true);
    } finally {
      c.disconnect();
    }
  });

  test('PASV with a wrong address: the control address is used by default', async () => {
    const log: LogEvent[] = [];
    const c = await FtpClient.connect({ host: masqueraded.host, port: masqueraded.port, user: masqueraded.user, password: masqueraded.password,
      transferMode: 'passive', methodOrder: ['pasv'], timeouts, log: (e) => log.push(e) });
    try {
      await c.upload('/p.txt', Buffer.from('ok'));
      assert.ok(log.some((e) => /PASV advertised 127\.0\.0\.9; connecting to the control address 127\.0\.0\.1/.test(e.text)));
    } finally {
      await c.close();
    }
  });

  test('PASV with a wrong address: trusting it fails as an unroutable-address data failure', async () => {
    const c = await FtpClient.connect({ host: masqueraded.host, port: masqueraded.port, user: masqueraded.user, password: masqueraded.password,
      transferMode: 'passive', methodOrder: ['pasv'], trustPasvAddress: true, timeouts });
    try {
      await assert.rejects(c.list('/'), (e: FtpError) => e.kind === 'dataConnection' && e.dataFailure === 'unroutableAddress');
    } finally {
      c.disconnect();
    }
  });
});

describe('IPv6 (pyftpdlib on ::1)', () => {
  let server: RunningServer;
  before(async () => { server = await startServer('pyftpdlib', { bindAddress: '::1' }); });
  after(async () => server?.stop());

  for (const mode of ['passive', 'active'] as const) {
    test(`${mode}: ${mode === 'passive' ? 'EPSV' : 'EPRT |2|'} works and PASV/PORT are never tried`, async () => {
      const log: LogEvent[] = [];
      const c = await FtpClient.connect({ host: '::1', port: server.port, user: server.user, password: server.password, transferMode: mode, timeouts, log: (e) => log.push(e) });
      try {
        await c.upload('/v6.txt', Buffer.from('six'));
        assert.equal((await c.download('/v6.txt')).toString(), 'six');
        const methods = log.filter((e) => e.kind === 'command' && /^(EPSV|PASV|EPRT|PORT)/.test(e.text)).map((e) => e.text);
        assert.ok(methods.length >= 2);
        assert.ok(methods.every((m) => (mode === 'passive' ? m === 'EPSV' : /^EPRT \|2\|::1\|\d+\|$/.test(m))), methods.join(', '));
      } finally {
        await c.close();
      }
    });
  }
});

describe('modification times, chmod and streams', () => {
  const kinds: ServerKind[] = ['vsftpd', 'proftpd', 'pureftpd', 'pyftpdlib'];
  for (const kind of kinds) {
    describe(kind, () => {
      let server: RunningServer;
      before(async () => { server = await startServer(kind); });
      after(async () => server?.stop());

      test('setModified and chmod reach the disk', async () => {
        const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, timeouts });
        try {
          await c.upload('/t.txt', Buffer.from('t'));
          const when = new Date('2020-01-02T03:04:05Z');
          await c.setModified('/t.txt', when);
          assert.equal(fs.statSync(path.join(server.root, 't.txt')).mtime.toISOString(), when.toISOString());
          assert.equal((await c.stat('/t.txt')).modified, when.getTime());
          await c.chmod('/t.txt', 0o640);
          assert.equal(fs.statSync(path.join(server.root, 't.txt')).mode & 0o777, 0o640);
        } finally {
          await c.close();
        }
      });

      test('upload from a stream and download into a stream', async () => {
        const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, timeouts });
        try {
          const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i));
          assert.equal(await c.upload('/s.bin', Readable.from(chunks)), 500_000);
          const sink = new PassThrough();
          const received: Buffer[] = [];
          sink.on('data', (b: Buffer) => received.push(b));
          assert.equal(await c.downloadTo('/s.bin', sink), 500_000);
          assert.ok(Buffer.concat(received).equals(Buffer.concat(chunks)));
        } finally {
          await c.close();
        }
      });

      test('a local disk that fails (/dev/full) is the reason told, not the server\'s reply; a cancel is a cancel; the connection works after', async () => {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-local-fail-'));
        const content = crypto.randomBytes(24 * 1024 * 1024);
        fs.writeFileSync(path.join(server.root, 'fail.bin'), content);
        const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, timeouts });
        try {
          for (const localFileAtOnce of [false, true]) {
            const full = await fs.promises.open('/dev/full', 'w');
            try {
              await assert.rejects(c.downloadTo('/fail.bin', full, { localFileAtOnce }), (e: NodeJS.ErrnoException) => {
                assert.equal(e.code, 'ENOSPC', `the local failure${localFileAtOnce ? ' (written at once)' : ''}: ${e.message}`);
                assert.ok(!(e instanceof FtpError), `not taken for the server's: ${e.message}`);
                return true;
              });
            } finally {
              await full.close();
            }
          }
          const controller = new AbortController();
          const target = await fs.promises.open(path.join(scratch, 'cancelled.bin'), 'wx');
          try {
            await assert.rejects(c.downloadTo('/fail.bin', target, { signal: controller.signal, onProgress: (n) => n > 1024 * 1024 && controller.abort() }),
              (e: FtpError) => e instanceof FtpError && e.kind === 'aborted');
          } finally {
            await target.close();
          }
          assert.ok((await c.download('/fail.bin')).equals(content), 'the next download is whole');
        } finally {
          await c.close();
          fs.rmSync(scratch, { recursive: true, force: true });
        }
      });

      // send-file.ts and receive-file.ts: reused buffers, plain connections (passive, and active ones
      // adopted after accept) reading into one reused buffer (raw-reads.ts), TLS ones through 'data'. 20 MiB is more than the
      // staging buffers hold (3 x 4 MiB), so the socket is paused and resumed on the way.
      test('upload from an open file and download into one: plain passive and active, FTPS passive (vsftpd, proftpd)', async () => {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-open-files-'));
        const content = crypto.randomBytes(20 * 1024 * 1024 + 12345);
        const local = path.join(scratch, 'big.bin');
        fs.writeFileSync(local, content);
        try {
          const legs: Array<['off' | 'explicit', 'passive' | 'active']> = [['off', 'passive'], ['off', 'active']];
          if (kind === 'vsftpd' || kind === 'proftpd') legs.push(['explicit', 'passive']);
          for (const [secure, mode] of legs) {
            const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, timeouts, transferMode: mode,
              ...(secure === 'explicit' ? { secure, tls: { ca: server.certPem } } : {}) });
            try {
              const what = `${secure} ${mode}`;
              // Read through the thread pool, and at once (a local disk, as uploadFile does on Linux).
              for (const localFileAtOnce of [true, false]) {
                const source = await fs.promises.open(local, 'r');
                try {
                  assert.equal(await c.upload('/open.bin', source, { localFileAtOnce }), content.length, what);
                } finally {
                  await source.close();
                }
                assert.ok(fs.readFileSync(path.join(server.root, 'open.bin')).equals(content), `${what}${localFileAtOnce ? ', read at once' : ''}: the server has the file as sent`);
              }
              // Written through the thread pool, and at once (a local disk, as downloadFile does on Linux).
              for (const localFileAtOnce of [false, true]) {
                const target = path.join(scratch, `${secure}-${mode}-${localFileAtOnce}.bin`);
                const sink = await fs.promises.open(target, 'wx');
                try {
                  assert.equal(await c.downloadTo('/open.bin', sink, { expectedSize: content.length, localFileAtOnce }), content.length, what);
                } finally {
                  await sink.close();
                }
                assert.ok(fs.readFileSync(target).equals(content), `${what}${localFileAtOnce ? ', written at once' : ''}: the local file has the server's bytes`);
              }
              // An empty file both ways.
              fs.writeFileSync(path.join(scratch, 'empty'), '');
              const empty = await fs.promises.open(path.join(scratch, 'empty'), 'r');
              try {
                assert.equal(await c.upload('/empty.bin', empty), 0);
              } finally {
                await empty.close();
              }
              const emptyTarget = path.join(scratch, `${secure}-${mode}.empty`);
              const emptySink = await fs.promises.open(emptyTarget, 'wx');
              try {
                assert.equal(await c.downloadTo('/empty.bin', emptySink), 0);
              } finally {
                await emptySink.close();
              }
              assert.equal(fs.statSync(emptyTarget).size, 0);
            } finally {
              await c.close();
            }
          }
        } finally {
          fs.rmSync(scratch, { recursive: true, force: true });
        }
      });
    });
  }
});
