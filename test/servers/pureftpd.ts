/** pure-ftpd 1.0.50, unpacked from Debian's package; a virtual user in a PureDB file. No implicit FTPS. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILE_GID, FILE_UID, PKGS, RunningServer, ServerOptions, freePort, freeRange, makeRoot, removeDirs, scratchDir, spawnServer, stopSpawned, testCertificate, waitForGreeting } from './common';

const BIN = path.join(PKGS, 'usr', 'sbin', 'pure-ftpd');
const PW = path.join(PKGS, 'usr', 'bin', 'pure-pw');
const USER = 'test';
const PASSWORD = 'test';

export function pureftpdMissing(): string | undefined {
  if (!fs.existsSync(BIN) || !fs.existsSync(PW)) return `pure-ftpd is missing (${BIN}): run \`sudo bash scripts/install-test-servers.sh\` (unpacks pure-ftpd and pure-ftpd-common).`;
  return undefined;
}

export async function startPureftpd(opts: ServerOptions = {}): Promise<RunningServer> {
  const missing = pureftpdMissing();
  if (missing) throw new Error(missing);
  const host = opts.bindAddress ?? '127.0.0.1';
  const work = scratchDir('pureftpd');
  const root = makeRoot('pureftpd');
  const passwd = path.join(work, 'pureftpd.passwd');
  const pdb = path.join(work, 'pureftpd.pdb');
  // pure-pw would hash with argon2id at a cost that makes every login take seconds: write the
  // line ourselves with a SHA-512 crypt hash, then build the PureDB from it.
  const hash = execFileSync('openssl', ['passwd', '-6', PASSWORD], { encoding: 'utf8' }).trim();
  fs.writeFileSync(passwd, `${USER}:${hash}:${FILE_UID}:${FILE_GID}::${root}/./::::::::::::\n`, { mode: 0o600 });
  execFileSync(PW, ['mkdb', pdb, '-f', passwd], { stdio: 'ignore' });
  const cert = testCertificate();
  const pasv = opts.passivePorts ?? (await freeRange(20));
  const port = opts.netns ? 2121 : await freePort();
  const args = ['-S', `${host},${port}`, '-l', `puredb:${pdb}`, '-p', `${pasv[0]}:${pasv[1]}`, '-A', '-H', '-D',
    '-Y', '1', '-2', `${cert.certFile},${cert.keyFile}`, '-O', `clf:${path.join(work, 'transfer.log')}`, '-g', path.join(work, 'pid'), '-u', '1000'];
  if (!opts.anonymous) args.push('-E'); // anonymous logins also need a system "ftp" account
  if (opts.passiveAddress) args.push('-P', opts.passiveAddress);
  if (opts.active === false) throw new Error('pure-ftpd has no switch to refuse PORT/EPRT; use vsftpd or proftpd for that scenario');
  if (opts.passive === false) args.push('-N'); // NAT mode: active only
  const spawned = spawnServer(BIN, args, { netns: opts.netns });
  const stop = async () => {
    await stopSpawned(spawned);
    removeDirs(work, root);
  };
  try {
    await waitForGreeting(host, port, spawned, 'pure-ftpd', opts.netns);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    kind: 'pureftpd', host, port, user: USER, password: PASSWORD, root, tls: { explicit: true, implicit: false },
    certPem: cert.pem, certSha256: cert.sha256, version: execFileSync(BIN, ['--help'], { encoding: 'utf8' }).split('\n')[0].trim(), stop,
  };
}
