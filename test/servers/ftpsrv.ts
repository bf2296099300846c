/**
 * ftp-srv 4.6.3 (npm devDependency), run by test/servers/ftpsrv-main.mjs in a child node process,
 * never in the test's own process. It connects back on PORT/EPRT at once; no MLSD.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManagedServer, REPO, ServerOptions, ServerProcesses, makeRoot, serverPorts, spawnServer, testCertificate, waitForGreeting } from './common';

const PKG = path.join(REPO, 'node_modules', 'ftp-srv', 'package.json');
/** Plain ESM next to this file's source; the compiled harness finds it through REPO. */
const MAIN = path.join(REPO, 'test', 'servers', 'ftpsrv-main.mjs');
/** ftp-srv's FTPS (explicit AUTH TLS and implicit); FTPWS_FTPSRV_TLS=1 turns it on to try it. */
export const FTPSRV_TLS = process.env.FTPWS_FTPSRV_TLS === '1';
/** FTPWS_FTPSRV_NODELAY=1: replies sent at once (Nagle off), as the demo's ftp-srv does (test/bench/held-replies.ts). */
const FTPSRV_NODELAY = process.env.FTPWS_FTPSRV_NODELAY === '1';

export function ftpsrvMissing(): string | undefined {
  return fs.existsSync(PKG) ? undefined : `ftp-srv is missing (${PKG}): run \`npm ci\` (it is a devDependency).`;
}

export async function startFtpsrv(opts: ServerOptions = {}): Promise<ManagedServer> {
  const missing = ftpsrvMissing();
  if (missing) throw new Error(missing);
  if (opts.maxPerIp !== undefined) {
    throw new Error('ftp-srv has no limit of sessions per client address (maxPerIp is not supported); use vsftpd, proftpd, pure-ftpd or pyftpdlib for that scenario.');
  }
  const host = opts.bindAddress ?? '127.0.0.1';
  const ports = await serverPorts(opts);
  const root = makeRoot('ftpsrv', 0, 0);
  const procs = new ServerProcesses(ports.control, ports, [root]);
  const cert = testCertificate();
  const config = {
    host, port: ports.control, root, user: 'test', password: 'test', pasv: ports.passive, pasvImplicit: ports.passiveImplicit,
    passiveAddress: opts.passiveAddress, passive: opts.passive, active: opts.active, anonymous: opts.anonymous, noDelay: FTPSRV_NODELAY,
    ...(FTPSRV_TLS ? { certFile: cert.certFile, keyFile: cert.keyFile, implicitPort: ports.implicit } : {}),
  };
  try {
    // One process serves both ports; it is up once both answer.
    await procs.start({
      launch: () => spawnServer(process.execPath, [MAIN, JSON.stringify(config)], { netns: opts.netns, cwd: REPO }),
      ready: async (s) => {
        await waitForGreeting(host, ports.control, s, 'ftp-srv', { netns: opts.netns });
        if (FTPSRV_TLS) await waitForGreeting(host, ports.implicit, s, 'ftp-srv (implicit FTPS)', { netns: opts.netns, tls: true });
      },
    });
  } catch (e) {
    await procs.stop();
    throw e;
  }
  return {
    kind: 'ftpsrv', host, port: ports.control, implicitPort: FTPSRV_TLS ? ports.implicit : undefined, user: 'test', password: 'test', root, owner: { uid: 0, gid: 0 },
    tls: { explicit: FTPSRV_TLS, implicit: FTPSRV_TLS }, certPem: cert.pem, certSha256: cert.sha256,
    version: JSON.parse(fs.readFileSync(PKG, 'utf8')).version, netns: opts.netns, ...procs.control(),
  };
}
