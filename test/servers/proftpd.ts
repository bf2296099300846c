/** proftpd 1.3.8, unpacked from Debian's package; a virtual user from an AuthUserFile. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILE_GID, FILE_UID, PKGS, RunningServer, ServerOptions, Spawned, freePort, freeRange, makeRoot, removeDirs, scratchDir, spawnServer, stopSpawned, testCertificate, waitForGreeting } from './common';

const BIN = path.join(PKGS, 'usr', 'sbin', 'proftpd');
const USER = 'test';
const PASSWORD = 'test';

export function proftpdMissing(): string | undefined {
  if (!fs.existsSync(BIN) || !fs.existsSync(path.join(PKGS, 'usr', 'lib', 'proftpd', 'mod_tls.so'))) {
    return `proftpd is missing (${BIN}): run \`sudo bash scripts/install-test-servers.sh\` (unpacks proftpd-core and proftpd-mod-crypto).`;
  }
  return undefined;
}

function config(o: { host: string; port: number; root: string; work: string; name: string; pasv: [number, number]; implicit: boolean; opts: ServerOptions }): string {
  const cert = testCertificate();
  const w = (f: string) => path.join(o.work, `${o.name}.${f}`);
  const lines = [
    'ServerType standalone', `ServerName "FTP Workspace test proftpd"`, `DefaultAddress ${o.host}`, 'SocketBindTight on',
    `Port ${o.port}`, 'UseIPv6 off', 'User nobody', 'Group nogroup', `PidFile ${w('pid')}`, `ScoreboardFile ${w('scoreboard')}`,
    `DelayTable ${w('delay')}`, 'WtmpLog off', 'UseReverseDNS off', 'AuthOrder mod_auth_file.c',
    `AuthUserFile ${path.join(o.work, 'ftpd.passwd')}`, `AuthGroupFile ${path.join(o.work, 'ftpd.group')}`, 'RequireValidShell off',
    'DefaultRoot ~', 'AllowOverwrite on', 'Umask 022', 'MaxInstances 50', `PassivePorts ${o.pasv[0]} ${o.pasv[1]}`,
    `SystemLog ${w('log')}`, `ExtendedLog ${w('ext.log')} ALL`, 'TimeoutIdle 300',
    `ModulePath ${path.join(PKGS, 'usr', 'lib', 'proftpd')}`, 'LoadModule mod_tls.c',
    'TLSEngine on', 'TLSRequired off', `TLSRSACertificateFile ${cert.certFile}`, `TLSRSACertificateKeyFile ${cert.keyFile}`,
    'TLSProtocol TLSv1.2 TLSv1.3', `TLSLog ${w('tls.log')}`, 'TLSVerifyClient off',
  ];
  if (o.implicit) lines.push('TLSOptions UseImplicitSSL');
  if (o.opts.passiveAddress) lines.push(`MasqueradeAddress ${o.opts.passiveAddress}`);
  const denied = [o.opts.passive === false ? 'PASV EPSV' : '', o.opts.active === false ? 'PORT EPRT' : ''].join(' ').trim();
  if (denied) lines.push(`<Limit ${denied}>`, '  DenyAll', '</Limit>');
  if (o.opts.anonymous) {
    lines.push(`<Anonymous ${o.root}>`, '  User nobody', '  Group nogroup', '  UserAlias anonymous nobody', '  RequireValidShell off', '  <Limit WRITE>', '    DenyAll', '  </Limit>', '</Anonymous>');
  }
  return lines.join('\n') + '\n';
}

export async function startProftpd(opts: ServerOptions = {}): Promise<RunningServer> {
  const missing = proftpdMissing();
  if (missing) throw new Error(missing);
  const host = opts.bindAddress ?? '127.0.0.1';
  const work = scratchDir('proftpd');
  fs.chmodSync(work, 0o755);
  const root = makeRoot('proftpd');
  const hash = execFileSync('openssl', ['passwd', '-6', PASSWORD], { encoding: 'utf8' }).trim();
  fs.writeFileSync(path.join(work, 'ftpd.passwd'), `${USER}:${hash}:${FILE_UID}:${FILE_GID}::${root}:/bin/false\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(work, 'ftpd.group'), `nogroup:x:${FILE_GID}:\n`, { mode: 0o600 });
  const pasv = opts.passivePorts ?? (await freeRange(40));
  const port = opts.netns ? 2121 : await freePort();
  const implicitPort = opts.netns ? 2990 : await freePort();
  const spawned: Spawned[] = [];
  const launch = (name: string, p: number, implicit: boolean, range: [number, number]) => {
    const conf = path.join(work, `${name}.conf`);
    fs.writeFileSync(conf, config({ host, port: p, root, work, name, pasv: range, implicit, opts }));
    const s = spawnServer(BIN, ['-n', '-q', '-c', conf], { netns: opts.netns });
    spawned.push(s);
    return s;
  };
  const stop = async () => {
    await Promise.all(spawned.map(stopSpawned));
    removeDirs(work, root);
  };
  try {
    await waitForGreeting(host, port, launch('main', port, false, [pasv[0], pasv[0] + 19]), 'proftpd', opts.netns);
    await waitForGreeting(host, implicitPort, launch('implicit', implicitPort, true, [pasv[0] + 20, pasv[1]]), 'proftpd (implicit FTPS)', opts.netns, 15000, true);
  } catch (e) {
    await stop();
    throw e;
  }
  const cert = testCertificate();
  return {
    kind: 'proftpd', host, port, implicitPort, user: USER, password: PASSWORD, root, tls: { explicit: true, implicit: true },
    certPem: cert.pem, certSha256: cert.sha256, version: execFileSync(BIN, ['-v'], { encoding: 'utf8' }).trim(),
    logFile: path.join(work, 'main.log'), stop,
  };
}
