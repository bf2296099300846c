/**
 * Debian's ftpd-ssl 0.17 ("Linux-ftpd-0.17", the OpenBSD ftpd 6.4 port with SSL patches; Debian's
 * `ftpd` package is a transitional name for it), unpacked (it conflicts with vsftpd in apt), run from
 * inetd (old-ftpd.ts). The oldest kind still packaged: no FEAT (500), no MLSD, no MFMT, no UTF8;
 * EPSV/EPRT yes; LIST is `/bin/ls -lA` with bare LF line ends; PORT/EPRT to a port below 1024 or to
 * another address than the client's is refused (no -P).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManagedServer, PKGS, ServerOptions } from './common';
import { OldFtpdSpec, oldFtpdMissing, startOldFtpd } from './old-ftpd';

const BIN = path.join(PKGS, 'usr', 'sbin', 'in.ftpd');

let version: string | undefined;
const spec: OldFtpdSpec = {
  kind: 'bsdftpd',
  bin: BIN,
  // -z nossl: plain FTP only (its AUTH TLS is tried separately); -u 022: files 644 and folders 755.
  args: ['-u', '022', '-z', 'nossl'],
  version: () => {
    version ??= /linux-ftpd-([\d.]+)/i.exec(fs.readFileSync(BIN).toString('latin1'))?.[1] ?? 'unknown';
    return version;
  },
};

export function bsdftpdMissing(): string | undefined {
  return oldFtpdMissing(spec, 'ftpd-ssl');
}

export function startBsdftpd(opts: ServerOptions = {}): Promise<ManagedServer> {
  const missing = bsdftpdMissing();
  if (missing) return Promise.reject(new Error(missing));
  return startOldFtpd(spec, opts, false);
}
