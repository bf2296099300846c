/**
 * VS Code's extension host replaces `net.connect` (@vscode/proxy-agent createNetPatch) with a
 * function that reads settings on every call and, with `http.experimental.systemCertificatesV2`
 * on, makes the socket without the caller's options and connects it a moment later, so a data
 * socket's `onread` (raw-reads.ts) was lost and a big download ended after its first 64 KiB. Data
 * connections are made without it (sockets.ts directSocket: a folder transfer opens one a file);
 * the control connection still goes through it, so what VS Code loads for TLS is loaded before any
 * upgrade. Here `net.connect` is replaced as VS Code replaces it with that setting on, counting its
 * calls, around sessions on vsftpd that list, upload and download (into a reused buffer and not),
 * plain and explicit FTPS, passive: one call a session, and every transfer whole.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { FtpClient } from '../../src/ftp/client';
import type { ConnectOptions } from '../../src/ftp/options';
import { RunningServer, startServer } from '../servers';

// The module object itself (an `import * as` gives a copy of its bindings), as VS Code patches it.
const net = createRequire(__filename)('node:net') as typeof import('node:net');

describe('data connections without net.connect (vsftpd)', () => {
  let server: RunningServer;
  const original = net.connect;
  let calls = 0;

  before(async () => {
    server = await startServer('vsftpd');
    // What VS Code's replacement does with that setting on (patchNetConnect): a bare Socket, its
    // connect called once the system's certificates are loaded (here: the next microtask).
    net.connect = function (...args: unknown[]) {
      calls++;
      const socket = new net.Socket();
      (socket as unknown as { connecting: boolean }).connecting = true;
      void Promise.resolve().then(() => (socket.connect as (...a: unknown[]) => unknown).apply(socket, args));
      return socket;
    } as typeof net.connect;
  });
  after(async () => {
    net.connect = original;
    await server?.stop();
  });

  for (const security of ['off', 'explicit'] as const) {
    test(`FTP security ${security}: one net.connect for the session, none for its 6 data connections`, async () => {
      calls = 0;
      const options: ConnectOptions = {
        host: server.host, port: server.port, user: server.user, password: server.password, secure: security, tls: { ca: server.certPem }, transferMode: 'passive',
      };
      const client = await FtpClient.connect(options);
      try {
        assert.equal(calls, 1, 'the control connection goes through net.connect');
        const small = Buffer.from(`small ${security}\n`);
        const big = crypto.randomBytes(300_000);
        await client.upload(`/hook-${security}-small.txt`, small);
        await client.upload(`/hook-${security}-big.bin`, big);
        const names = (await client.list('/')).entries.map((e) => e.name);
        assert.ok(names.includes(`hook-${security}-big.bin`), `listed: ${names.join(', ')}`);
        assert.deepEqual(await client.download(`/hook-${security}-small.txt`), small);
        assert.ok((await client.download(`/hook-${security}-big.bin`)).equals(big), 'the big download whole'); // size unknown: read into a reused buffer where plain
        assert.deepEqual(await client.downloadSmall(`/hook-${security}-small.txt`, { expectedSize: small.length }), small);
        assert.equal(calls, 1, 'no data connection went through net.connect');
      } finally {
        await client.close();
      }
    });
  }
});
