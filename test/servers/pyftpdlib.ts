/** pyftpdlib (Debian's python3-pyftpdlib): connects back at once on PORT/EPRT. Plain FTP only. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO, RunningServer, ServerOptions, freePort, freeRange, makeRoot, removeDirs, spawnServer, stopSpawned, testCertificate, waitForGreeting } from './common';

const PY = '/usr/bin/python3'; // Debian's python sees the apt module; a pyenv python does not

export function pyftpdlibMissing(): string | undefined {
  try {
    execFileSync(PY, ['-c', 'import pyftpdlib'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'pyftpdlib is missing: run `sudo bash scripts/install-test-servers.sh` (apt package python3-pyftpdlib).';
  }
}

export async function startPyftpdlib(opts: ServerOptions = {}): Promise<RunningServer> {
  const missing = pyftpdlibMissing();
  if (missing) throw new Error(missing);
  const host = opts.bindAddress ?? '127.0.0.1';
  const root = makeRoot('pyftpdlib', 0, 0);
  const pasv = opts.passivePorts ?? (await freeRange(20));
  const port = opts.netns ? 2121 : await freePort();
  const args = [path.join(REPO, 'test', 'servers', 'pyftpdlib_server.py'), '--host', host, '--port', String(port), '--root', root, '--passive-ports', `${pasv[0]}-${pasv[1]}`];
  if (opts.passiveAddress) args.push('--masquerade', opts.passiveAddress);
  if (opts.passive === false) args.push('--no-passive');
  if (opts.active === false) args.push('--no-active');
  if (opts.anonymous) args.push('--anonymous');
  const spawned = spawnServer(PY, args, { netns: opts.netns });
  const stop = async () => {
    await stopSpawned(spawned);
    removeDirs(root);
  };
  try {
    await waitForGreeting(host, port, spawned, 'pyftpdlib', opts.netns);
  } catch (e) {
    await stop();
    throw e;
  }
  const cert = testCertificate();
  return {
    kind: 'pyftpdlib', host, port, user: 'test', password: 'test', root, tls: { explicit: false, implicit: false }, certPem: cert.pem, certSha256: cert.sha256,
    version: execFileSync(PY, ['-c', 'import pyftpdlib; print(pyftpdlib.__ver__)'], { encoding: 'utf8' }).trim(), stop,
  };
}
