/**
 * pyftpdlib (Debian's python3-pyftpdlib), run by test/servers/pyftpdlib_server.py. Plain FTP only
 * (its TLS handler breaks clients that start data TLS before LIST/RETR, pyftpdlib #604). It
 * connects back on PORT/EPRT as soon as the command arrives, unlike the C servers.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import {
  INSTALL_HINT, ManagedServer, REPO, ServerOptions, ServerProcesses, makeRoot, maxPerIp, serverPorts, spawnServer, testCertificate, waitForGreeting,
} from './common';

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

export async function startPyftpdlib(opts: ServerOptions = {}): Promise<ManagedServer> {
  const missing = pyftpdlibMissing();
  if (missing) throw new Error(missing);
  maxPerIp(opts);
  const host = opts.bindAddress ?? '127.0.0.1';
  const ports = await serverPorts(opts);
  // It runs as root here and writes files as root: the test reads them either way.
  const root = makeRoot('pyftpdlib', 0, 0);
  const procs = new ServerProcesses(ports.control, ports, [root]);
  try {
    const args = [SCRIPT, '--host', host, '--port', String(ports.control), '--root', root, '--passive-ports', `${ports.passive[0]}-${ports.passive[1]}`];
    if (opts.passiveAddress) args.push('--masquerade', opts.passiveAddress);
    if (opts.passive === false) args.push('--no-passive');
    if (opts.active === false) args.push('--no-active');
    if (opts.anonymous) args.push('--anonymous');
    if (opts.maxPerIp) args.push('--max-per-ip', String(opts.maxPerIp));
    await procs.start({
      launch: () => spawnServer(PY, args, { netns: opts.netns, env: { PYTHONDONTWRITEBYTECODE: '1' } }),
      ready: (s) => waitForGreeting(host, ports.control, s, 'pyftpdlib', { netns: opts.netns }),
    });
  } catch (e) {
    await procs.stop();
    throw e;
  }
  const cert = testCertificate();
  return {
    kind: 'pyftpdlib', host, port: ports.control, user: 'test', password: 'test', root, owner: { uid: 0, gid: 0 }, tls: { explicit: false, implicit: false },
    certPem: cert.pem, certSha256: cert.sha256, version: pyftpdlibVersion(), netns: opts.netns, ...procs.control(),
  };
}
