/**
 * What the two old-style servers share (inetutils-ftpd, Debian's BSD ftpd): both run from inetd
 * only, log in system accounts through PAM and run `/bin/ls` for LIST. Each runs behind
 * inetd-launcher.mjs in a private mount namespace (`unshare -m`) where an overlay on /etc adds the
 * test user (passwd, shadow, group, shells), lists it in /etc/ftpchroot (so its session is chrooted
 * to the test root) and gives PAM an `ftp` service: the host's /etc is never changed. Inside the
 * chroot, `/bin/ls` needs /usr: the root holds an empty `usr` (bind-mounted read-only from the host's
 * /usr in the namespace) and the links bin, lib and lib64 into it, as on a merged-/usr Debian.
 * They write files as the test user (uid 42123, known only in the namespace).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AnyServerKind, INSTALL_HINT, ManagedServer, REPO, ServerOptions, ServerProcesses, makeRoot, maxPerIp, scratchDir, serverPorts, spawnServer, testCertificate, waitForGreeting,
} from './common';

export const OLD_USER = 'ftpwsold';
export const OLD_PASSWORD = 'ftpwsold';
/** Not in the host's passwd; only the namespace's copy knows it. Files on disk carry this uid. */
export const OLD_UID = 42123;
const LAUNCHER = path.join(REPO, 'test', 'servers', 'inetd-launcher.mjs');

/** Debian's /etc/pam.d/ftp of ftpd-ssl, without its comments: the ftpusers list, anonymous via pam_ftp, then the system's stacks. */
const PAM_FTP = [
  'auth required pam_listfile.so item=user sense=deny file=/etc/ftpusers onerr=succeed',
  'auth sufficient pam_ftp.so',
  '@include common-auth',
  '@include common-account',
  '@include common-session',
  '',
].join('\n');

export interface OldFtpdSpec {
  kind: AnyServerKind;
  bin: string;
  /** The daemon's arguments in inetd mode. */
  args: string[];
  version(): string;
  /** Explicit FTPS: the arguments that turn it on (certificate and key paths given). */
  tlsArgs?: (certFile: string, keyFile: string) => string[];
}

export function oldFtpdMissing(spec: Pick<OldFtpdSpec, 'bin' | 'kind'>, pkg: string): string | undefined {
  if (!fs.existsSync(spec.bin)) return `${spec.kind} is missing (${spec.bin}): ${INSTALL_HINT} (unpacks Debian's ${pkg} into .test-tools/pkgs).`;
  for (const tool of ['/usr/bin/unshare', '/usr/bin/mount']) {
    if (!fs.existsSync(tool)) return `${tool} is missing (${spec.kind} runs in a private mount namespace): apt-get install util-linux mount.`;
  }
  if (!fs.existsSync('/etc/pam.d/common-auth')) return `PAM's common-auth is missing (${spec.kind} logs in through PAM): apt-get install libpam-runtime libpam-modules.`;
  return undefined;
}

/** passwd/shadow/group/shells as on the host plus the test user; ftpchroot and an empty ftpusers; PAM's ftp service. */
function overlayEtc(upper: string, root: string): void {
  const hash = execFileSync('openssl', ['passwd', '-6', OLD_PASSWORD], { encoding: 'utf8' }).trim();
  const read = (f: string) => {
    const t = fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
    return t === '' || t.endsWith('\n') ? t : t + '\n';
  };
  const shells = read('/etc/shells');
  fs.mkdirSync(path.join(upper, 'pam.d'), { recursive: true });
  fs.writeFileSync(path.join(upper, 'passwd'), read('/etc/passwd') + `${OLD_USER}:x:${OLD_UID}:${OLD_UID}:FTP Workspace test:${root}:/bin/sh\n`, { mode: 0o644 });
  fs.writeFileSync(path.join(upper, 'group'), read('/etc/group') + `${OLD_USER}:x:${OLD_UID}:\n`, { mode: 0o644 });
  fs.writeFileSync(path.join(upper, 'shadow'), read('/etc/shadow') + `${OLD_USER}:${hash}:19000:0:99999:7:::\n`, { mode: 0o640 });
  fs.writeFileSync(path.join(upper, 'shells'), /^\/bin\/sh$/m.test(shells) ? shells : shells + '/bin/sh\n', { mode: 0o644 });
  fs.writeFileSync(path.join(upper, 'ftpchroot'), `${OLD_USER}\n`, { mode: 0o644 });
  fs.writeFileSync(path.join(upper, 'ftpusers'), '', { mode: 0o644 });
  fs.writeFileSync(path.join(upper, 'pam.d', 'ftp'), PAM_FTP, { mode: 0o644 });
}

/** What `/bin/ls` needs inside the chroot: /usr (mounted in the namespace) and the merged-/usr links. */
function jail(root: string): void {
  fs.mkdirSync(path.join(root, 'usr'), { mode: 0o755 });
  for (const [link, target] of [['bin', 'usr/bin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64']]) fs.symlinkSync(target, path.join(root, link));
}

export async function startOldFtpd(spec: OldFtpdSpec, opts: ServerOptions, secure: boolean): Promise<ManagedServer> {
  const what = spec.kind;
  if (opts.passive === false || opts.active === false) throw new Error(`${what} has no switch that refuses passive or active mode; use vsftpd, proftpd or pyftpdlib for that scenario.`);
  if (opts.passiveAddress || opts.passivePorts) throw new Error(`${what} opens passive ports of the kernel's choosing and advertises its own address: passiveAddress and passivePorts are not supported.`);
  if (opts.anonymous) throw new Error(`${what}'s anonymous login needs an ftp account chrooted to a prepared tree: not supported here; use vsftpd, proftpd or pure-ftpd.`);
  const limit = maxPerIp(opts) ?? 0;
  const host = opts.bindAddress ?? '127.0.0.1';
  const ports = await serverPorts(opts);
  const work = scratchDir(what);
  const root = makeRoot(what, OLD_UID, OLD_UID);
  const procs = new ServerProcesses(ports.control, ports, [work, root]);
  const upper = path.join(work, 'etc');
  const overlayWork = path.join(work, 'overlay-work');
  const cert = testCertificate();
  try {
    fs.mkdirSync(overlayWork);
    overlayEtc(upper, root);
    jail(root);
    const daemon = [spec.bin, ...spec.args, ...(secure && spec.tlsArgs ? spec.tlsArgs(cert.certFile, cert.keyFile) : [])];
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const setup = [
      `mount -t overlay overlay -o ${q(`lowerdir=/etc,upperdir=${upper},workdir=${overlayWork}`)} /etc`,
      `mount --bind -o ro /usr ${q(path.join(root, 'usr'))}`,
      `exec ${[process.execPath, LAUNCHER, host, String(ports.control), String(limit), '--', ...daemon].map(q).join(' ')}`,
    ].join(' && ');
    await procs.start({
      // --propagation private: the mounts never show up in the host's mount table.
      launch: () => spawnServer('unshare', ['-m', '--propagation', 'private', 'sh', '-c', setup], { netns: opts.netns }),
      ready: (s) => waitForGreeting(host, ports.control, s, what, { netns: opts.netns }),
    });
  } catch (e) {
    await procs.stop();
    throw e;
  }
  return {
    kind: what, host, port: ports.control, user: OLD_USER, password: OLD_PASSWORD, root, owner: { uid: OLD_UID, gid: OLD_UID },
    tls: { explicit: secure && !!spec.tlsArgs, implicit: false }, certPem: cert.pem, certSha256: cert.sha256,
    version: spec.version(), netns: opts.netns, ...procs.control(),
  };
}
