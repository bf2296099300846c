/**
 * proftpd 1.3.8, unpacked from Debian's package (it conflicts with vsftpd in apt); a virtual user
 * from an AuthUserFile, files written as nobody. Explicit FTPS (mod_tls, TLS 1.2/1.3, session reuse
 * required, as by default); implicit FTPS from a second instance with `TLSOptions UseImplicitSSL`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  FILE_GID, FILE_UID, INSTALL_HINT, Instance, ManagedServer, PKGS, ServerOptions, ServerProcesses, makeRoot, maxPerIp, scratchDir, serverPorts, spawnServer, testCertificate,
  waitForGreeting,
} from './common';

const BIN = path.join(PKGS, 'usr', 'sbin', 'proftpd');
const MODULES = path.join(PKGS, 'usr', 'lib', 'proftpd');
const USER = 'test';
const PASSWORD = 'test';
/** The account anonymous logins map to (proftpd looks it up in the same AuthUserFile). */
const ANON = 'ftpanon';

export function proftpdMissing(): string | undefined {
  if (!fs.existsSync(BIN)) return `proftpd is missing (${BIN}): ${INSTALL_HINT} (unpacks Debian's proftpd-core into .test-tools/pkgs).`;
  if (!fs.existsSync(path.join(MODULES, 'mod_tls.so'))) return `proftpd's mod_tls is missing (${MODULES}/mod_tls.so): ${INSTALL_HINT} (unpacks proftpd-mod-crypto).`;
  return undefined;
}

let version: string | undefined;
function proftpdVersion(): string {
  // "ProFTPD Version 1.3.8"
  version ??= execFileSync(BIN, ['-v'], { encoding: 'utf8' }).trim().replace(/^ProFTPD Version\s*/i, '');
  return version;
}

function config(o: { host: string; port: number; root: string; work: string; name: string; pasv: [number, number]; implicit: boolean; opts: ServerOptions }): string {
  const cert = testCertificate();
  const w = (f: string) => path.join(o.work, `${o.name}.${f}`);
  const lines = [
    'ServerType standalone', 'ServerName "FTP Workspace test proftpd"', `DefaultAddress ${o.host}`, 'SocketBindTight on',
    `Port ${o.port}`, `UseIPv6 ${o.host.includes(':') ? 'on' : 'off'}`, 'User nobody', 'Group nogroup', `PidFile ${w('pid')}`, `ScoreboardFile ${w('scoreboard')}`,
    `DelayTable ${w('delay')}`, 'DelayEngine off', 'WtmpLog off', 'UseReverseDNS off', 'AuthOrder mod_auth_file.c',
    `AuthUserFile ${path.join(o.work, 'ftpd.passwd')}`, `AuthGroupFile ${path.join(o.work, 'ftpd.group')}`, 'RequireValidShell off',
    'DefaultRoot ~', 'AllowOverwrite on', 'Umask 022', 'MaxInstances 100', `PassivePorts ${o.pasv[0]} ${o.pasv[1]}`,
    `SystemLog ${w('log')}`, `ExtendedLog ${w('ext.log')} ALL`, 'TimeoutIdle 300', 'TimeoutLogin 60',
    `ModulePath ${MODULES}`, 'LoadModule mod_tls.c',
    'TLSEngine on', 'TLSRequired off', `TLSRSACertificateFile ${cert.certFile}`, `TLSRSACertificateKeyFile ${cert.keyFile}`,
    // No "TLSOptions NoSessionReuseRequired": data-channel TLS must resume the control session.
    'TLSProtocol TLSv1.2 TLSv1.3', `TLSLog ${w('tls.log')}`, 'TLSVerifyClient off',
  ];
  if (o.implicit) lines.push('TLSOptions UseImplicitSSL');
  if (o.opts.passiveAddress) lines.push(`MasqueradeAddress ${o.opts.passiveAddress}`);
  if (o.opts.maxPerIp) lines.push(`MaxClientsPerHost ${o.opts.maxPerIp}`);
  const denied = [o.opts.passive === false ? 'PASV EPSV' : '', o.opts.active === false ? 'PORT EPRT' : ''].join(' ').trim();
  if (denied) lines.push(`<Limit ${denied}>`, '  DenyAll', '</Limit>');
  if (o.opts.anonymous) {
    lines.push(`<Anonymous ${o.root}>`, `  User ${ANON}`, '  Group nogroup', `  UserAlias anonymous ${ANON}`, `  UserAlias ftp ${ANON}`,
      '  RequireValidShell off', '  <Limit WRITE>', '    DenyAll', '  </Limit>', '</Anonymous>');
  }
  return lines.join('\n') + '\n';
}

export async function startProftpd(opts: ServerOptions = {}): Promise<ManagedServer> {
  const missing = proftpdMissing();
  if (missing) throw new Error(missing);
  maxPerIp(opts);
  const host = opts.bindAddress ?? '127.0.0.1';
  const ports = await serverPorts(opts);
  const work = scratchDir('proftpd');
  const root = makeRoot('proftpd');
  const procs = new ServerProcesses(ports.control, ports, [work, root]);
  const instance = (name: string, port: number, implicit: boolean, pasv: [number, number]): Instance => {
    const conf = path.join(work, `${name}.conf`);
    fs.writeFileSync(conf, config({ host, port, root, work, name, pasv, implicit, opts }));
    return {
      // -n: foreground; -q: no banner on stderr.
      launch: () => spawnServer(BIN, ['-n', '-q', '-c', conf], { netns: opts.netns }),
      ready: (s) => waitForGreeting(host, port, s, implicit ? 'proftpd (implicit FTPS)' : 'proftpd', { netns: opts.netns, tls: implicit, logFile: path.join(work, `${name}.log`) }),
    };
  };
  try {
    fs.chmodSync(work, 0o755); // the session processes (nobody) read the auth files' directory
    const hash = execFileSync('openssl', ['passwd', '-6', PASSWORD], { encoding: 'utf8' }).trim();
    fs.writeFileSync(path.join(work, 'ftpd.passwd'),
      `${USER}:${hash}:${FILE_UID}:${FILE_GID}::${root}:/bin/false\n${ANON}:*:${FILE_UID}:${FILE_GID}::${root}:/bin/false\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(work, 'ftpd.group'), `nogroup:x:${FILE_GID}:\n`, { mode: 0o600 });
    await procs.start(instance('main', ports.control, false, ports.passive));
    await procs.start(instance('implicit', ports.implicit, true, ports.passiveImplicit));
  } catch (e) {
    await procs.stop();
    throw e;
  }
  const cert = testCertificate();
  return {
    kind: 'proftpd', host, port: ports.control, implicitPort: ports.implicit, user: USER, password: PASSWORD, root, owner: { uid: FILE_UID, gid: FILE_GID },
    tls: { explicit: true, implicit: true }, certPem: cert.pem, certSha256: cert.sha256, version: proftpdVersion(),
    logFile: path.join(work, 'main.log'), netns: opts.netns, ...procs.control(),
  };
}
