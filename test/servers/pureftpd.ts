/**
 * pure-ftpd 1.0.50, unpacked from Debian's package (it conflicts with vsftpd in apt); a virtual
 * user in a PureDB file, files written as nobody. Explicit FTPS optional (-Y 1). pure-ftpd has no
 * implicit FTPS and no switch that refuses PORT/EPRT.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  FILE_GID, FILE_UID, INSTALL_HINT, ManagedServer, PKGS, ServerOptions, ServerProcesses, makeRoot, maxPerIp, scratchDir, serverPorts, spawnServer, testCertificate,
  waitForGreeting,
} from './common';

const BIN = path.join(PKGS, 'usr', 'sbin', 'pure-ftpd');
const PW = path.join(PKGS, 'usr', 'bin', 'pure-pw');
const USER = 'test';
const PASSWORD = 'test';

export function pureftpdMissing(): string | undefined {
  if (!fs.existsSync(BIN)) return `pure-ftpd is missing (${BIN}): ${INSTALL_HINT} (unpacks Debian's pure-ftpd into .test-tools/pkgs).`;
  if (!fs.existsSync(PW)) return `pure-pw is missing (${PW}): ${INSTALL_HINT} (unpacks pure-ftpd-common).`;
  return undefined;
}

let version: string | undefined;
function pureftpdVersion(): string {
  if (version === undefined) {
    // First line of --help: "pure-ftpd v1.0.50 [privsep]"
    const first = execFileSync(BIN, ['--help'], { encoding: 'utf8' }).split('\n')[0];
    version = /v(\d[\w.]*)/.exec(first)?.[1] ?? first.trim();
  }
  return version;
}

export async function startPureftpd(opts: ServerOptions = {}): Promise<ManagedServer> {
  const missing = pureftpdMissing();
  if (missing) throw new Error(missing);
  maxPerIp(opts);
  if (opts.active === false) throw new Error('pure-ftpd has no switch that refuses PORT/EPRT; use vsftpd, proftpd, pyftpdlib or ftp-srv for that scenario.');
  const host = opts.bindAddress ?? '127.0.0.1';
  const ports = await serverPorts(opts);
  const work = scratchDir('pureftpd');
  const root = makeRoot('pureftpd');
  const procs = new ServerProcesses(ports.control, ports, [work, root]);
  const log = path.join(work, 'transfer.log');
  try {
    const passwd = path.join(work, 'pureftpd.passwd');
    const pdb = path.join(work, 'pureftpd.pdb');
    // `pure-pw useradd` hashes with argon2id at t=2047: 4 s of CPU to create the user and again at
    // every login. A SHA-512 crypt hash (pure-ftpd checks it with crypt()) makes both instant.
    // "/./" in the home marks the chroot point, as pure-pw writes it.
    const hash = execFileSync('openssl', ['passwd', '-6', PASSWORD], { encoding: 'utf8' }).trim();
    fs.writeFileSync(passwd, `${USER}:${hash}:${FILE_UID}:${FILE_GID}::${root}/./::::::::::::\n`, { mode: 0o600 });
    execFileSync(PW, ['mkdb', pdb, '-f', passwd], { stdio: ['ignore', 'ignore', 'pipe'] });
    const cert = testCertificate();
    // pure-ftpd admits at most half as many sessions as its passive range has ports (`-c` can't
    // raise that): with no implicit instance it takes both halves of its block, 48 ports = 24 sessions.
    const passive = opts.passivePorts ?? [ports.passive[0], ports.passiveImplicit[1]];
    // -A chroot everyone, -H no reverse DNS, -D show dotfiles, -u 1000 lowest uid allowed to log in
    // (nobody's 65534 passes), -c 100 clients (the passive range caps it, see above).
    const args = ['-S', `${host},${ports.control}`, '-l', `puredb:${pdb}`, '-p', `${passive[0]}:${passive[1]}`, '-A', '-H', '-D',
      '-u', '1000', '-c', '100', '-Y', '1', '-2', `${cert.certFile},${cert.keyFile}`, '-O', `clf:${log}`, '-g', path.join(work, 'pid')];
    if (opts.passiveAddress) args.push('-P', opts.passiveAddress);
    if (opts.passive === false) args.push('-N'); // "NAT mode": PASV/EPSV refused, active only
    if (opts.maxPerIp) args.push('-C', String(opts.maxPerIp));
    let command = BIN;
    let argv = args;
    if (opts.anonymous) {
      // Anonymous sessions land in the home of the system account "ftp". Give it our root in a
      // private copy of /etc/passwd (mount namespace, as for vsftpd), never in the host's.
      args.push('-i'); // anonymous: read-only
      const etc = path.join(work, 'passwd');
      const lines = fs.readFileSync('/etc/passwd', 'utf8').split('\n').filter((l) => l && !l.startsWith('ftp:'));
      fs.writeFileSync(etc, [...lines, `ftp:x:${FILE_UID}:${FILE_GID}:ftp:${root}:/usr/sbin/nologin`, ''].join('\n'), { mode: 0o644 });
      command = 'unshare';
      argv = ['-m', '--propagation', 'private', 'sh', '-c', `mount --bind '${etc}' /etc/passwd && exec "$0" "$@"`, BIN, ...args];
    } else {
      args.push('-E'); // no anonymous logins
    }
    await procs.start({
      launch: () => spawnServer(command, argv, { netns: opts.netns }),
      ready: (s) => waitForGreeting(host, ports.control, s, 'pure-ftpd', { netns: opts.netns, logFile: log }),
    });
  } catch (e) {
    await procs.stop();
    throw e;
  }
  const cert = testCertificate();
  return {
    kind: 'pureftpd', host, port: ports.control, user: USER, password: PASSWORD, root, owner: { uid: FILE_UID, gid: FILE_GID }, tls: { explicit: true, implicit: false },
    certPem: cert.pem, certSha256: cert.sha256, version: pureftpdVersion(), logFile: log, netns: opts.netns, ...procs.control(),
  };
}
