/**
 * vsftpd needs a real system account. Rather than add one to this machine's /etc, it runs in a
 * private mount namespace where copies of passwd/shadow/group that include the test user are
 * bind-mounted over the real ones.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningServer, ServerOptions, Spawned, freePort, freeRange, makeRoot, removeDirs, scratchDir, spawnServer, stopSpawned, testCertificate, waitForGreeting } from './common';

const USER = 'ftpwstest';
const PASSWORD = 'ftpwstest';
const UID = 42121;

export function vsftpdMissing(): string | undefined {
  if (!fs.existsSync('/usr/sbin/vsftpd')) return 'vsftpd is missing: run `sudo bash scripts/install-test-servers.sh` (apt package vsftpd).';
  return undefined;
}

function config(o: { port: number; root: string; emptyDir: string; log: string; pasv: [number, number]; implicit: boolean; opts: ServerOptions; host: string }): string {
  const cert = testCertificate();
  const lines = [
    'listen=YES', 'listen_ipv6=NO', `listen_address=${o.host}`, `listen_port=${o.port}`, 'background=NO',
    `anonymous_enable=${o.opts.anonymous ? 'YES' : 'NO'}`, `anon_root=${o.root}`, 'no_anon_password=YES',
    'local_enable=YES', 'write_enable=YES', 'local_umask=022', 'chroot_local_user=YES', 'allow_writeable_chroot=YES',
    `local_root=${o.root}`, 'pam_service_name=vsftpd', `secure_chroot_dir=${o.emptyDir}`, 'seccomp_sandbox=NO',
    'isolate=NO', 'isolate_network=NO', 'utf8_filesystem=YES', 'mdtm_write=YES', 'hide_ids=NO',
    `pasv_enable=${o.opts.passive === false ? 'NO' : 'YES'}`, `pasv_min_port=${o.pasv[0]}`, `pasv_max_port=${o.pasv[1]}`,
    `port_enable=${o.opts.active === false ? 'NO' : 'YES'}`, 'connect_from_port_20=NO', 'pasv_promiscuous=NO', 'port_promiscuous=NO',
    'ssl_enable=YES', `rsa_cert_file=${cert.certFile}`, `rsa_private_key_file=${cert.keyFile}`,
    'force_local_logins_ssl=NO', 'force_local_data_ssl=NO', 'require_ssl_reuse=YES', 'ssl_ciphers=HIGH',
    'ssl_tlsv1=YES', 'ssl_sslv2=NO', 'ssl_sslv3=NO',
    `implicit_ssl=${o.implicit ? 'YES' : 'NO'}`,
    'log_ftp_protocol=YES', 'dual_log_enable=YES', `vsftpd_log_file=${o.log}`, `xferlog_file=${o.log}.xfer`,
    'idle_session_timeout=300', 'data_connection_timeout=60', 'connect_timeout=20', 'accept_timeout=20',
  ];
  if (o.opts.passiveAddress) lines.push(`pasv_address=${o.opts.passiveAddress}`);
  return lines.join('\n') + '\n';
}

export async function startVsftpd(opts: ServerOptions = {}): Promise<RunningServer> {
  const missing = vsftpdMissing();
  if (missing) throw new Error(missing);
  const host = opts.bindAddress ?? '127.0.0.1';
  const work = scratchDir('vsftpd');
  const root = makeRoot('vsftpd', UID, UID);
  const emptyDir = path.join(work, 'empty');
  fs.mkdirSync(emptyDir, { mode: 0o755 });
  // The account files, seen only inside vsftpd's mount namespace.
  const hash = execFileSync('openssl', ['passwd', '-6', PASSWORD], { encoding: 'utf8' }).trim();
  const etc = path.join(work, 'etc');
  fs.mkdirSync(etc);
  fs.writeFileSync(path.join(etc, 'passwd'), fs.readFileSync('/etc/passwd', 'utf8') + `${USER}:x:${UID}:${UID}::${root}:/bin/sh\n`);
  fs.writeFileSync(path.join(etc, 'shadow'), fs.readFileSync('/etc/shadow', 'utf8') + `${USER}:${hash}:19000:0:99999:7:::\n`, { mode: 0o640 });
  fs.writeFileSync(path.join(etc, 'group'), fs.readFileSync('/etc/group', 'utf8') + `${USER}:x:${UID}:\n`);
  const shells = fs.existsSync('/etc/shells') ? fs.readFileSync('/etc/shells', 'utf8') : '';
  fs.writeFileSync(path.join(etc, 'shells'), shells.includes('/bin/sh\n') ? shells : shells + '/bin/sh\n');
  const pasv = opts.passivePorts ?? (await freeRange(40, host === '127.0.0.1' ? host : '127.0.0.1'));
  const port = opts.netns ? 2121 : await freePort();
  const implicitPort = opts.netns ? 2990 : await freePort();
  const spawned: Spawned[] = [];
  const launch = (p: number, implicit: boolean) => {
    const conf = path.join(work, implicit ? 'implicit.conf' : 'vsftpd.conf');
    const log = path.join(work, implicit ? 'implicit.log' : 'vsftpd.log');
    fs.writeFileSync(conf, config({ port: p, root, emptyDir, log, pasv: implicit ? [pasv[0] + 20, pasv[1]] : [pasv[0], pasv[0] + 19], implicit, opts, host }), { mode: 0o600 });
    const mounts = ['passwd', 'shadow', 'group', 'shells'].map((f) => `mount --bind ${path.join(etc, f)} /etc/${f}`).join(' && ');
    const s = spawnServer('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${mounts} && exec /usr/sbin/vsftpd ${conf}`], { netns: opts.netns });
    spawned.push(s);
    return s;
  };
  const stop = async () => {
    await Promise.all(spawned.map(stopSpawned));
    removeDirs(work, root);
  };
  try {
    await waitForGreeting(host, port, launch(port, false), 'vsftpd', opts.netns);
    await waitForGreeting(host, implicitPort, launch(implicitPort, true), 'vsftpd (implicit FTPS)', opts.netns, 15000, true);
  } catch (e) {
    await stop();
    throw e;
  }
  const cert = testCertificate();
  return {
    kind: 'vsftpd', host, port, implicitPort, user: USER, password: PASSWORD, root,
    tls: { explicit: true, implicit: true }, certPem: cert.pem, certSha256: cert.sha256,
    version: execFileSync('dpkg-query', ['-W', '-f=${Version}', 'vsftpd'], { encoding: 'utf8' }), logFile: path.join(work, 'vsftpd.log'), stop,
  };
}
