/**
 * vsftpd 3.0.3 (Debian's package). It logs in real system accounts only (PAM), so it runs in a
 * private mount namespace (`unshare -m`) where copies of passwd/shadow/group/shells that hold the
 * test user are bind-mounted over the real ones: the host's /etc is never changed.
 * Explicit FTPS with require_ssl_reuse=YES; implicit FTPS from a second instance (implicit_ssl=YES).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  INSTALL_HINT, Instance, ManagedServer, ServerOptions, ServerProcesses, makeRoot, maxPerIp, scratchDir, serverPorts, spawnServer, testCertificate, waitForGreeting,
} from './common';

const BIN = '/usr/sbin/vsftpd';
const PAM_FILE = '/etc/pam.d/vsftpd';
const USER = 'ftpwstest';
const PASSWORD = 'ftpwstest';
/** Not in the host's passwd; only the namespace's copy knows it. Files on disk carry this uid. */
const UID = 42121;

export function vsftpdMissing(): string | undefined {
  if (!fs.existsSync(BIN)) return `vsftpd is missing (${BIN}): ${INSTALL_HINT} (apt package vsftpd).`;
  if (!fs.existsSync(PAM_FILE)) return `vsftpd's PAM service ${PAM_FILE} is missing: reinstall vsftpd (apt-get install --reinstall vsftpd).`;
  for (const tool of ['/usr/bin/unshare', '/usr/bin/mount']) {
    if (!fs.existsSync(tool)) return `${tool} is missing (vsftpd runs in a private mount namespace): apt-get install util-linux mount.`;
  }
  return undefined;
}

let version: string | undefined;
function vsftpdVersion(): string {
  version ??= execFileSync('dpkg-query', ['-W', '-f=${Version}', 'vsftpd'], { encoding: 'utf8' }).trim();
  return version;
}

function config(o: { host: string; port: number; root: string; emptyDir: string; log: string; pasv: [number, number]; implicit: boolean; opts: ServerOptions }): string {
  const cert = testCertificate();
  const lines = [
    // Foreground, standalone, IPv4 only on the one address.
    // listen (IPv4) and listen_ipv6 exclude each other.
    ...(o.host.includes(':') ? ['listen=NO', 'listen_ipv6=YES', `listen_address6=${o.host}`] : ['listen=YES', 'listen_ipv6=NO', `listen_address=${o.host}`]),
    `listen_port=${o.port}`, 'background=NO',
    `anonymous_enable=${o.opts.anonymous ? 'YES' : 'NO'}`, `anon_root=${o.root}`, 'no_anon_password=YES', 'anon_upload_enable=NO',
    'local_enable=YES', 'write_enable=YES', 'local_umask=022', 'chroot_local_user=YES', 'allow_writeable_chroot=YES',
    `local_root=${o.root}`, 'pam_service_name=vsftpd', `secure_chroot_dir=${o.emptyDir}`,
    // No seccomp/network isolation: they break inside namespaces and are not what we test.
    'seccomp_sandbox=NO', 'isolate=NO', 'isolate_network=NO', 'utf8_filesystem=YES', 'mdtm_write=YES',
    `pasv_enable=${o.opts.passive === false ? 'NO' : 'YES'}`, `pasv_min_port=${o.pasv[0]}`, `pasv_max_port=${o.pasv[1]}`,
    `port_enable=${o.opts.active === false ? 'NO' : 'YES'}`, 'connect_from_port_20=NO', 'pasv_promiscuous=NO', 'port_promiscuous=NO',
    'ssl_enable=YES', `rsa_cert_file=${cert.certFile}`, `rsa_private_key_file=${cert.keyFile}`,
    'force_local_logins_ssl=NO', 'force_local_data_ssl=NO', 'allow_anon_ssl=YES',
    // Real-world vsftpd demands the data TLS session resume the control one; the client must cope.
    // 3.0.3 knows only ssl_tlsv1 (= TLS 1.0 and up here); an unknown option makes it exit 2 silently.
    'require_ssl_reuse=YES', 'ssl_ciphers=HIGH', 'ssl_tlsv1=YES', 'ssl_sslv2=NO', 'ssl_sslv3=NO',
    `implicit_ssl=${o.implicit ? 'YES' : 'NO'}`,
    'log_ftp_protocol=YES', 'dual_log_enable=YES', `vsftpd_log_file=${o.log}`, `xferlog_file=${o.log}.xfer`,
    'idle_session_timeout=300', 'data_connection_timeout=60', 'connect_timeout=20', 'accept_timeout=20', 'max_clients=100',
  ];
  if (o.opts.passiveAddress) lines.push(`pasv_address=${o.opts.passiveAddress}`);
  if (o.opts.maxPerIp) lines.push(`max_per_ip=${o.opts.maxPerIp}`);
  return lines.join('\n') + '\n';
}

/** passwd/shadow/group/shells as on the host plus the test user, for the namespace's /etc. */
function accountFiles(etc: string, root: string): void {
  const hash = execFileSync('openssl', ['passwd', '-6', PASSWORD], { encoding: 'utf8' }).trim();
  const read = (f: string) => {
    const t = fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
    return t === '' || t.endsWith('\n') ? t : t + '\n';
  };
  let passwd = read('/etc/passwd') + `${USER}:x:${UID}:${UID}:FTP Workspace test:${root}:/bin/sh\n`;
  let group = read('/etc/group') + `${USER}:x:${UID}:\n`;
  let shadow = read('/etc/shadow') + `${USER}:${hash}:19000:0:99999:7:::\n`;
  // Anonymous logins run as the account "ftp" (Debian's vsftpd package creates it; add it if not).
  if (!/^ftp:/m.test(passwd)) {
    passwd += `ftp:x:${UID + 1}:${UID + 1}:ftp:${root}:/usr/sbin/nologin\n`;
    group += `ftp:x:${UID + 1}:\n`;
    shadow += 'ftp:*:19000:0:99999:7:::\n';
  }
  const shells = read('/etc/shells');
  fs.writeFileSync(path.join(etc, 'passwd'), passwd, { mode: 0o644 });
  fs.writeFileSync(path.join(etc, 'group'), group, { mode: 0o644 });
  fs.writeFileSync(path.join(etc, 'shadow'), shadow, { mode: 0o640 });
  // pam_shells.so (in /etc/pam.d/vsftpd) wants the user's shell listed.
  fs.writeFileSync(path.join(etc, 'shells'), /^\/bin\/sh$/m.test(shells) ? shells : shells + '/bin/sh\n', { mode: 0o644 });
}

export async function startVsftpd(opts: ServerOptions = {}): Promise<ManagedServer> {
  const missing = vsftpdMissing();
  if (missing) throw new Error(missing);
  maxPerIp(opts);
  const host = opts.bindAddress ?? '127.0.0.1';
  const ports = await serverPorts(opts);
  const work = scratchDir('vsftpd');
  const root = makeRoot('vsftpd', UID, UID);
  const procs = new ServerProcesses(ports.control, ports, [work, root]);
  const emptyDir = path.join(work, 'empty');
  const etc = path.join(work, 'etc');
  const instance = (name: string, port: number, implicit: boolean, pasv: [number, number]): Instance => {
    const conf = path.join(work, `${name}.conf`);
    const log = path.join(work, `${name}.log`);
    // vsftpd refuses a config file it does not own; we run as root and so does it.
    fs.writeFileSync(conf, config({ host, port, root, emptyDir, log, pasv, implicit, opts }), { mode: 0o600 });
    const mounts = ['passwd', 'shadow', 'group', 'shells'].map((f) => `mount --bind '${path.join(etc, f)}' /etc/${f}`).join(' && ');
    return {
      // --propagation private: the bind mounts never show up in the host's mount table.
      launch: () => spawnServer('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${mounts} && exec ${BIN} '${conf}'`], { netns: opts.netns }),
      ready: (s) => waitForGreeting(host, port, s, implicit ? 'vsftpd (implicit FTPS)' : 'vsftpd', { netns: opts.netns, tls: implicit, logFile: log }),
    };
  };
  try {
    fs.mkdirSync(emptyDir, { mode: 0o755 });
    fs.mkdirSync(etc);
    accountFiles(etc, root);
    await procs.start(instance('vsftpd', ports.control, false, ports.passive));
    await procs.start(instance('implicit', ports.implicit, true, ports.passiveImplicit));
  } catch (e) {
    await procs.stop();
    throw e;
  }
  const cert = testCertificate();
  return {
    kind: 'vsftpd', host, port: ports.control, implicitPort: ports.implicit, user: USER, password: PASSWORD, root, owner: { uid: UID, gid: UID },
    tls: { explicit: true, implicit: true }, certPem: cert.pem, certSha256: cert.sha256,
    version: vsftpdVersion(), logFile: path.join(work, 'vsftpd.log'), netns: opts.netns, ...procs.control(),
  };
}
