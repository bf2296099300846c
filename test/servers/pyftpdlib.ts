/**
 * pyftpdlib (Debian's python3-pyftpdlib), run by test/servers/pyftpdlib_server.py. Plain FTP only
 * (its TLS handler breaks clients that start data TLS before LIST/RETR, pyftpdlib #604). It
 * connects back on PORT/EPRT as soon as the command arrives, unlike the C servers.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { INSTALL_HINT, REPO, RunningServer, ServerOptions, Spawned, cleanup, makeRoot, serverPorts, spawnServer, testCertificate, waitForGreeting } from './common';

/** Debian's python sees the apt module; a pyenv python first in PATH does not. */
const PY = '/usr/bin/python3';
const SCRIPT = path.join(REPO, 'test', 'servers', 'pyftpdlib_server.py');

export function pyftpdlibMissing(): string | undefined {
  try {
    execFileSync(PY, ['-c', 'import pyftpdlib'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `pyftpdlib is missing (${PY} cannot import it): ${INSTALL_HINT} (apt package python3-pyftpdlib).`;
  }
}

let version: string | undefined;
function pyftpdlibVersion(): string {
  version ??= execFileSync(PY, ['-c', 'import pyftpdlib; print(pyftpdlib.__ver__)'], { encoding: 'utf8' }).trim();
  return version;
}

export async function startPyftpdlib(opts: ServerOptions = {}): Promise<RunningServer> {
  const missing = pyftpdlibMissing();
  if (missing) throw new Error(missing);
  const host = opts.bindAddress ?? '127.0.0.1';
  const ports = await serverPorts(opts);
  // It runs as root here and writes files as root: the test reads them either way.
  const root = makeRoot('pyftpdlib', 0, 0);
  const spawned: Spawned[] = [];
  const stop = cleanup(spawned, ports, root);
  try {
    const args = [SCRIPT, '--host', host, '--port', String(ports.control), '--root', root, '--passive-ports', `${ports.passive[0]}-${ports.passive[1]}`];
    if (opts.passiveAddress) args.push('--masquerade', opts.passiveAddress);
    if (opts.passive === false) args.push('--no-passive');
    if (opts.active === false) args.push('--no-active');
    if (opts.anonymous) args.push('--anonymous');
    spawned.push(spawnServer(PY, args, { netns: opts.netns, env: { PYTHONDONTWRITEBYTECODE: '1' } }));
    await waitForGreeting(host, ports.control, spawned[0], 'pyftpdlib', { netns: opts.netns });
  } catch (e) {
    await stop();
    throw e;
  }
  const cert = testCertificate();
  return {
    kind: 'pyftpdlib', host, port: ports.control, user: 'test', password: 'test', root, owner: { uid: 0, gid: 0 }, tls: { explicit: false, implicit: false },
    certPem: cert.pem, certSha256: cert.sha256, version: pyftpdlibVersion(), netns: opts.netns, stop,
  };
}
