/**
 * The end-to-end run's FTP server: pyftpdlib (passive and active both work) on 127.0.0.1, started
 * with the shared harness (test/servers), but with a password of its own: the harness's servers all
 * use the user name as password, and the run checks the password is nowhere in settings.json, which
 * holds the user name. `down()` kills it (every session dies, nothing listens on its port) and
 * `up()` starts it again on the same ports with the same files: the failing-site step.
 */
import * as path from 'node:path';
import { REPO, RunningServer, Spawned, cleanup, makeRoot, serverPorts, spawnServer, stopSpawned, waitForGreeting } from '../servers/common';
import { serverMissing } from '../servers';

export interface E2eServer extends RunningServer {
  /** Kills the server (SIGKILL, as a crash); its port refuses connections until up(). */
  down(): Promise<void>;
  /** Starts it again on the same ports and root; resolves once it answers 220. */
  up(): Promise<void>;
  /** How many logins the server has accepted so far (from its log, across down/up). */
  logins(): number;
  /** The server's log (its last 2,000 lines, across down/up): written beside the screenshots on a failure. */
  log(): string;
}

export async function startE2eServer(user: string, password: string): Promise<E2eServer> {
  const missing = serverMissing('pyftpdlib');
  if (missing) throw new Error(missing);
  const host = '127.0.0.1';
  const ports = await serverPorts({});
  // pyftpdlib runs as root here and writes files as root.
  const root = makeRoot('e2e-pyftpdlib', 0, 0);
  const spawned: Spawned[] = [];
  const stopAll = cleanup(spawned, ports, root);
  let logins = 0;
  const logLines: string[] = [];
  const start = async () => {
    const s = spawnServer('/usr/bin/python3', [path.join(REPO, 'test', 'servers', 'pyftpdlib_server.py'), '--host', host, '--port', String(ports.control),
      '--root', root, '--user', user, '--password', password, '--passive-ports', `${ports.passive[0]}-${ports.passive[1]}`], { env: { PYTHONDONTWRITEBYTECODE: '1' } });
    spawned.push(s);
    // pyftpdlib logs "USER 'name' logged in." on stderr for every accepted login.
    let partial = '';
    s.child.stderr!.on('data', (b: Buffer) => {
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop()!;
      logins += lines.filter((l) => / logged in\.$/.test(l)).length;
      logLines.push(...lines);
      if (logLines.length > 2000) logLines.splice(0, logLines.length - 2000);
    });
    await waitForGreeting(host, ports.control, s, 'pyftpdlib', { timeoutMs: 60_000 });
  };
  try {
    await start();
  } catch (e) {
    await stopAll();
    throw e;
  }
  return {
    kind: 'pyftpdlib', host, port: ports.control, user, password, root, owner: { uid: 0, gid: 0 }, tls: { explicit: false, implicit: false },
    certPem: '', certSha256: '', version: 'pyftpdlib', stop: stopAll,
    down: async () => {
      for (const s of spawned.splice(0)) await stopSpawned(s, { kill: true });
    },
    up: start,
    logins: () => logins,
    log: () => logLines.join('\n'),
  };
}
