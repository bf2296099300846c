/**
 * GNU inetutils-ftpd 2.4 (Debian's inetutils-ftpd, unpacked: it conflicts with vsftpd in apt), an
 * old-style server run from inetd (old-ftpd.ts): FEAT lists only MDTM, SIZE, REST STREAM, EPRT,
 * EPSV, LPRT, LPSV; no MLSD/MLST, no MFMT, no UTF8, no TLS; LIST is `/bin/ls -lgA`, sent with bare LF
 * line ends in binary mode; `MDTM <time> <path>` is a query of a file named "<time> <path>" (550).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ManagedServer, PKGS, ServerOptions } from './common';
import { OldFtpdSpec, oldFtpdMissing, startOldFtpd } from './old-ftpd';

const BIN = path.join(PKGS, 'usr', 'sbin', 'ftpd');

let version: string | undefined;
const spec: OldFtpdSpec = {
  kind: 'inetutils',
  bin: BIN,
  // -u 022: files 644 and folders 755 (its default umask is 027).
  args: ['-u', '022'],
  version: () => {
    // "ftpd (GNU inetutils) 2.4"
    version ??= /\) ([\d.]+)/.exec(execFileSync(BIN, ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
    return version;
  },
};

export function inetutilsMissing(): string | undefined {
  return oldFtpdMissing(spec, 'inetutils-ftpd');
}

export function startInetutils(opts: ServerOptions = {}): Promise<ManagedServer> {
  const missing = inetutilsMissing();
  if (missing) return Promise.reject(new Error(missing));
  return startOldFtpd(spec, opts, false);
}
