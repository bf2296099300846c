/** ftp-srv (npm), in a child process: connects back at once on PORT/EPRT; no MLSD. Plain FTP. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, RunningServer, ServerOptions, freePort, freeRange, makeRoot, removeDirs, spawnServer, stopSpawned, testCertificate, waitForGreeting } from './common';

const PKG = path.join(REPO, 'node_modules', 'ftp-srv', 'package.json');

export function ftpsrvMissing(): string | undefined {
  return fs.existsSync(PKG) ? undefined : 'ftp-srv is missing: run `npm ci` (it is a devDependency).';
}

export async function startFtpsrv(opts: ServerOptions = {}): Promise<RunningServer> {
  const missing = ftpsrvMissing();
  if (missing) throw new Error(missing);
  const host = opts.bindAddress ?? '127.0.0.1';
  const root = makeRoot('ftpsrv', 0, 0);
  const pasv = opts.passivePorts ?? (await freeRange(20));
  const port = opts.netns ? 2121 : await freePort();
  const config = { host, port, root, user: 'test', password: 'test', pasv, passiveAddress: opts.passiveAddress, passive: opts.passive, active: opts.active, anonymous: opts.anonymous };
  const spawned = spawnServer(process.execPath, [path.join(REPO, 'test', 'servers', 'ftpsrv-main.mjs'), JSON.stringify(config)], { netns: opts.netns, cwd: REPO });
  const stop = async () => {
    await stopSpawned(spawned);
    removeDirs(root);
  };
  try {
    await waitForGreeting(host, port, spawned, 'ftp-srv', opts.netns);
  } catch (e) {
    await stop();
    throw e;
  }
  const cert = testCertificate();
  return {
    kind: 'ftpsrv', host, port, user: 'test', password: 'test', root, tls: { explicit: false, implicit: false }, certPem: cert.pem, certSha256: cert.sha256,
    version: JSON.parse(fs.readFileSync(PKG, 'utf8')).version, stop,
  };
}
