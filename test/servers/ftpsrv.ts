/**
 * ftp-srv 4.6.3 (npm devDependency), run by test/servers/ftpsrv-main.mjs in a child node process,
 * never in the test's own process. It connects back on PORT/EPRT at once; no MLSD.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, RunningServer, ServerOptions, Spawned, cleanup, makeRoot, serverPorts, spawnServer, testCertificate, waitForGreeting } from './common';

const PKG = path.join(REPO, 'node_modules', 'ftp-srv', 'package.json');
/** Plain ESM next to this file's source; the compiled harness finds it through REPO. */
const MAIN = path.join(REPO, 'test', 'servers', 'ftpsrv-main.mjs');
/** ftp-srv's FTPS (explicit AUTH TLS and implicit); FTPWS_FTPSRV_TLS=1 turns it on to try it. */
export const FTPSRV_TLS = process.env.FTPWS_FTPSRV_TLS === '1';

export function ftpsrvMissing(): string | undefined {
  return fs.existsSync(PKG) ? undefined : `ftp-srv is missing (${PKG}): run \`npm ci\` (it is a devDependency).`;
}

export async function startFtpsrv(opts: ServerOptions = {}): Promise<RunningServer> {
  const missing = ftpsrvMissing();
  if (missing) throw new Error(missing);
  const host = opts.bindAddress ?? '127.0.0.1';
  const ports = await serverPorts(opts);
  const root = makeRoot('ftpsrv', 0, 0);
  const spawned: Spawned[] = [];
  const stop = cleanup(spawned, ports, root);
  const cert = testCertificate();
  const config = {
    host, port: ports.control, root, user: 'test', password: 'test', pasv: ports.passive, pasvImplicit: ports.passiveImplicit,
    passiveAddress: opts.passiveAddress, passive: opts.passive, active: opts.active, anonymous: opts.anonymous,
    ...(FTPSRV_TLS ? { certFile: cert.certFile, keyFile: cert.keyFile, implicitPort: ports.implicit } : {}),
  };
  try {
    spawned.push(spawnServer(process.execPath, [MAIN, JSON.stringify(config)], { netns: opts.netns, cwd: REPO }));
    await waitForGreeting(host, ports.control, spawned[0], 'ftp-srv', { netns: opts.netns });
    if (FTPSRV_TLS) await waitForGreeting(host, ports.implicit, spawned[0], 'ftp-srv (implicit FTPS)', { netns: opts.netns, tls: true });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    kind: 'ftpsrv', host, port: ports.control, implicitPort: FTPSRV_TLS ? ports.implicit : undefined, user: 'test', password: 'test', root, owner: { uid: 0, gid: 0 },
    tls: { explicit: FTPSRV_TLS, implicit: FTPSRV_TLS }, certPem: cert.pem, certSha256: cert.sha256,
    version: JSON.parse(fs.readFileSync(PKG, 'utf8')).version, netns: opts.netns, stop,
  };
}
