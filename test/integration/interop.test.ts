/**
 * The interop matrix: every real server x every data method x every security it offers x every
 * operation. Uploads are checked byte for byte on the server's disk; the table is printed at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FtpClient } from '../../src/ftp/client';
import { removeTree } from '../../src/ftp/tree';
import { ConnectOptions, SecureMode } from '../../src/ftp/options';
import { DataMethod, modeOfMethod } from '../../src/ftp/data/methods';
import { FtpError, isFtpError } from '../../src/ftp/errors';
import { Reply } from '../../src/ftp/reply';
import { ALL_SERVERS, AnyServerKind, HOLDS_REPLIES, OLD_SERVERS, RunningServer, independentFetch, startServer } from '../servers';
import { Operation, RefusalRow, refusals, rows, writeMatrix } from './matrix-report';

const METHODS: DataMethod[] = ['epsv', 'pasv', 'eprt', 'port'];

/** What each server offers here; checked against the running server so a change can't hide. */
const SECURITY: Record<AnyServerKind, SecureMode[]> = {
  vsftpd: ['off', 'explicit', 'implicit'],
  proftpd: ['off', 'explicit', 'implicit'],
  pureftpd: ['off', 'explicit'],
  pyftpdlib: ['off'],
  ftpsrv: ['off'],
  inetutils: ['off'],
  bsdftpd: ['off'],
};

const timeouts = { connectMs: 10_000, replyMs: 20_000, dataConnectMs: 8_000, dataIdleMs: 20_000 };

/** Every byte value, in several orders, so no byte is mangled (ASCII mode, CRLF, 0xff/IAC). */
function binaryPayload(): Buffer {
  const parts = [Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)), Buffer.from('\r\n\n\r\xff\xff\x00', 'latin1'), crypto.randomBytes(40_000)];
  return Buffer.concat(parts);
}

export function optionsFor(server: RunningServer, security: SecureMode, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    host: server.host,
    port: security === 'implicit' ? server.implicitPort : server.port,
    user: server.user,
    password: server.password,
    secure: security,
    tls: { ca: server.certPem },
    timeouts,
    ...extra,
  };
}

function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

// FTPWS_SERVERS=vsftpd,proftpd narrows the run while developing; CI runs them all.
const only = process.env.FTPWS_SERVERS?.split(',');
for (const kind of [...ALL_SERVERS, ...OLD_SERVERS].filter((k) => !only || only.includes(k))) {
  describe(`interop with ${kind}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(async () => server?.stop());

    test(`${kind} offers the expected security`, () => {
      assert.equal(server.tls.explicit, SECURITY[kind].includes('explicit'), 'explicit FTPS');
      assert.equal(server.tls.implicit, SECURITY[kind].includes('implicit'), 'implicit FTPS');
      if (server.tls.implicit) assert.ok(server.implicitPort, 'implicit port');
    });

    for (const security of SECURITY[kind]) {
      for (const method of METHODS) {
        const label = security === 'off' ? 'plain' : security;
        test(`${kind} ${label} ${method.toUpperCase()}`, async () => {
          const row = { server: kind, security: label, method, results: {} as Partial<Record<Operation, string>> };
          rows.push(row);
          const client = await FtpClient.connect(optionsFor(server, security, { transferMode: modeOfMethod(method), methodOrder: [method] }));
          const base = `/m ${label}-${method}`;
          const dir = `${base}/dir with space ü`;
          const file = `${dir}/file ñ é.bin`;
          const renamed = `${dir}/renamed ü.bin`;
          const payload = binaryPayload();
          const onDisk = (p: string) => path.join(server.root, p);
          const step = async (op: Operation, fn: () => Promise<void>) => {
            try {
              await fn();
              row.results[op] = 'ok';
            } catch (e) {
              row.results[op] = (e as Error).message.slice(0, 200);
              throw e;
            }
          };
          try {
            await step('mkdir', async () => {
              await client.mkdir(dir, { recursive: true });
              assert.ok(fs.statSync(onDisk(dir)).isDirectory());
            });
            await step('upload', async () => {
              await client.upload(file, payload);
              assert.equal(sha256(fs.readFileSync(onDisk(file))), sha256(payload), 'bytes on the server disk');
            });
            await step('list', async () => {
              const { entries, unparsed } = await client.list(dir);
              assert.deepEqual(unparsed, []);
              const e = entries.find((x) => x.name === 'file ñ é.bin');
              assert.ok(e, `listing has the file: ${JSON.stringify(entries.map((x) => x.name))}`);
              assert.equal(e.type, 'file');
              assert.equal(e.size, payload.length);
              const parent = await client.list(base);
              assert.equal(parent.entries.find((x) => x.name === 'dir with space ü')?.type, 'directory');
            });
            await step('stat', async () => {
              const st = await client.stat(file);
              assert.equal(st.type, 'file');
              assert.equal(st.size, payload.length);
              assert.ok(st.modified !== undefined && Math.abs(st.modified - fs.statSync(onDisk(file)).mtimeMs) < 2000, `mtime ${st.modified}`);
              assert.equal((await client.stat(dir)).type, 'directory');
              await assert.rejects(client.stat(`${dir}/missing`), (e: FtpError) => e.kind === 'notFound');
              // Without MLST, SIZE, CWD and MDTM went in one write and were answered in step (client.ts
              // statTogether), or, from a server that holds its replies, late three times: then one at a time.
              if (!client.features.has('MLST')) assert.equal(client.habits.pipelining, !HOLDS_REPLIES.has(kind), 'SIZE, CWD and MDTM in one write, unless the server holds its replies');
            });
            await step('download', async () => {
              assert.equal(sha256(await client.download(file)), sha256(payload));
            });
            await step('rename', async () => {
              await client.rename(file, renamed);
              assert.ok(fs.existsSync(onDisk(renamed)) && !fs.existsSync(onDisk(file)));
              // RNFR and RNTO went in one write and were answered in step (client.ts rename), unless the
              // server was found holding its replies.
              assert.equal(client.habits.pipelining, !HOLDS_REPLIES.has(kind), 'RNFR with RNTO in one write, unless the server holds its replies');
            });
            await step('delete', async () => {
              await client.delete(renamed);
              assert.ok(!fs.existsSync(onDisk(renamed)));
            });
            await step('rmdir', async () => {
              await client.upload(`${dir}/leftover.txt`, Buffer.from('x'));
              await removeTree(client, base);
              assert.ok(!fs.existsSync(onDisk(base)));
            });
          } finally {
            await client.close();
          }
        });
      }
    }

    test(`${kind}: what it offers and refuses (FEAT, MLSD, MFMT, SITE UTIME, MDTM with a time, SIZE, UTF8, a data port below 1024)`, async () => {
      const row: RefusalRow = { server: kind, version: server.version, results: {} };
      refusals.push(row);
      const words = (r: Reply) => `${r.code} ${r.message}`.replace(/\s+/g, ' ').slice(0, 70);
      const answer = (r: Reply) => (r.code >= 200 && r.code < 300 ? 'yes' : `no (${words(r)})`);
      const failure = (e: unknown) => `no (${(e as Error).message}`.replace(/\s+/g, ' ').slice(0, 160) + ")";
      const client = await FtpClient.connect(optionsFor(server, 'off'));
      try {
        await client.upload('/probe.txt', Buffer.from('probe'));
        row.results.FEAT = answer(await client.raw('FEAT'));
        row.results.MLST = answer(await client.raw('MLST /probe.txt'));
        row.results.MFMT = answer(await client.raw('MFMT 20200102030405 /probe.txt'));
        const siteHelp = await client.raw('SITE HELP');
        row.results['SITE UTIME'] = /\bUTIME\b/i.test(siteHelp.lines.join(' ')) || /UTIME/i.test(client.features.get('SITE') ?? '') ? 'yes (SITE HELP)' : `no (SITE HELP: ${words(siteHelp)})`;
        const mdtmSet = await client.raw('MDTM 20210102030405 /probe.txt');
        const setOnDisk = fs.statSync(path.join(server.root, 'probe.txt')).mtime.toISOString() === '2021-01-02T03:04:05.000Z';
        row.results['MDTM <time> <path>'] = setOnDisk ? `sets it (${words(mdtmSet)})` : `no (${words(mdtmSet)})`;
        try {
          await client.setModified('/probe.txt', new Date('2022-03-04T05:06:07Z'));
          assert.equal(fs.statSync(path.join(server.root, 'probe.txt')).mtime.toISOString(), '2022-03-04T05:06:07.000Z', 'setModified reached the disk');
          row.results.setModified = 'yes';
        } catch (e) {
          assert.ok(isFtpError(e, 'commandRejected') && /can't set a file's modification time/.test(e.message), `setModified: ${(e as Error).message}`);
          assert.notEqual(fs.statSync(path.join(server.root, 'probe.txt')).mtime.toISOString(), '2022-03-04T05:06:07.000Z');
          row.results.setModified = 'not supported (error)';
        }
        row.results.SIZE = answer(await client.raw('SIZE /probe.txt'));
        row.results.MDTM = answer(await client.raw('MDTM /probe.txt'));
        row.results.UTF8 = client.features.has('UTF8') ? 'yes' : 'no';
        const mlsd = await FtpClient.connect(optionsFor(server, 'off', { listCommand: 'MLSD' }));
        try {
          await mlsd.list('/');
          row.results.MLSD = 'yes';
        } catch (e) {
          row.results.MLSD = failure(e);
        } finally {
          await mlsd.close();
        }
        const low = await FtpClient.connect(optionsFor(server, 'off', { transferMode: 'active', active: { portRange: [900, 949] } }));
        try {
          await low.list('/');
          row.results['active port < 1024'] = 'yes';
        } catch (e) {
          row.results['active port < 1024'] = failure(e);
        } finally {
          await low.close();
        }
        await client.delete('/probe.txt');
      } finally {
        await client.close();
      }
    });

    test(`${kind}: 50 MB up and down, passive and active`, async () => {
      const big = crypto.randomBytes(50 * 1024 * 1024);
      for (const mode of ['passive', 'active'] as const) {
        const client = await FtpClient.connect(optionsFor(server, 'off', { transferMode: mode }));
        try {
          const name = `/big-${mode}.bin`;
          assert.equal(await client.upload(name, big), big.length);
          assert.equal(sha256(fs.readFileSync(path.join(server.root, name))), sha256(big));
          assert.equal(sha256(await client.download(name)), sha256(big));
          await client.delete(name);
        } finally {
          await client.close();
        }
      }
    });

    test(`${kind}: an independent client reads what we uploaded`, async () => {
      const client = await FtpClient.connect(optionsFor(server, 'off'));
      try {
        const body = Buffer.from('written by FTP Workspace ✓\n');
        await client.upload('/independent ü.txt', body);
        assert.deepEqual(await independentFetch(server, '/independent ü.txt'), body);
        await client.delete('/independent ü.txt');
      } finally {
        await client.close();
      }
    });

    test(`${kind}: no data connection outlives its transfer`, async () => {
      // ftp-srv leaves its side of a data connection open: an idle timer left armed would fire later.
      for (const mode of ['passive', 'active'] as const) {
        const client = await FtpClient.connect(optionsFor(server, 'off', { transferMode: mode, timeouts: { ...timeouts, dataIdleMs: 300 } }));
        try {
          await client.upload('/outlive.bin', Buffer.alloc(70_000, 7));
          await client.download('/outlive.bin');
          await client.list('/');
          await new Promise((r) => setTimeout(r, 700));
          await client.delete('/outlive.bin');
        } finally {
          await client.close();
        }
      }
    });

    test(`${kind}: a cancelled download leaves the connection usable`, async () => {
      const big = crypto.randomBytes(20 * 1024 * 1024);
      fs.writeFileSync(path.join(server.root, 'abort.bin'), big);
      for (const mode of ['passive', 'active'] as const) {
        const client = await FtpClient.connect(optionsFor(server, 'off', { transferMode: mode }));
        try {
          const controller = new AbortController();
          let seen = 0;
          await assert.rejects(
            client.download('/abort.bin', { signal: controller.signal, onProgress: (n) => { seen = n; if (n > 1024 * 1024) controller.abort(); } }),
            (e: FtpError) => e.kind === 'aborted');
          assert.ok(seen < big.length, 'stopped before the end');
          const st = await client.stat('/abort.bin');
          assert.equal(st.size, big.length);
          assert.equal((await client.download('/abort.bin')).length, big.length);
        } finally {
          await client.close();
        }
      }
    });
  });
}

after(() => writeMatrix());
