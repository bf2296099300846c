/**
 * Real FTP servers for the tests, each started on loopback (or in a test's namespace) on ports
 * of its own and stopped after. See README.md in this folder.
 */
import { AnyServerKind, ManagedServer, OldServerKind, ServerKind, ServerOptions, portClash } from './common';
import { startVsftpd, vsftpdMissing } from './vsftpd';
import { proftpdMissing, startProftpd } from './proftpd';
import { pureftpdMissing, startPureftpd } from './pureftpd';
import { pyftpdlibMissing, startPyftpdlib } from './pyftpdlib';
import { ftpsrvMissing, startFtpsrv } from './ftpsrv';
import { inetutilsMissing, startInetutils } from './inetutils';
import { bsdftpdMissing, startBsdftpd } from './bsdftpd';

export { AnyServerKind, ManagedServer, OldServerKind, RunningServer, ServerControl, ServerKind, ServerOptions, closedPort, sampleSessions } from './common';
export { LftpOptions, independentFetch, independentList, independentRawList, lftp, lftpQuote } from './independent';

export const ALL_SERVERS: ServerKind[] = ['vsftpd', 'proftpd', 'pureftpd', 'pyftpdlib', 'ftpsrv'];
/** inetutils-ftpd and Debian's BSD ftpd: inetd-only, no MLSD, bare-LF listings (README.md). */
export const OLD_SERVERS: OldServerKind[] = ['inetutils', 'bsdftpd'];

/**
 * Servers that write each reply on its own with Nagle's algorithm on: a reply waits until the one
 * before is acknowledged, about 40 ms here, so commands sent together cost more than one at a time;
 * the client learns that after three such stats (client.ts noteHeld). The others answer a batch at once.
 */
export const HOLDS_REPLIES: ReadonlySet<AnyServerKind> = new Set(['ftpsrv', 'inetutils', 'bsdftpd']);

const starters: Record<AnyServerKind, { missing(): string | undefined; start(o: ServerOptions): Promise<ManagedServer> }> = {
  vsftpd: { missing: vsftpdMissing, start: startVsftpd },
  proftpd: { missing: proftpdMissing, start: startProftpd },
  pureftpd: { missing: pureftpdMissing, start: startPureftpd },
  pyftpdlib: { missing: pyftpdlibMissing, start: startPyftpdlib },
  ftpsrv: { missing: ftpsrvMissing, start: startFtpsrv },
  inetutils: { missing: inetutilsMissing, start: startInetutils },
  bsdftpd: { missing: bsdftpdMissing, start: startBsdftpd },
};

/** undefined when the server is installed; else a sentence naming what is missing and how to install it. */
export function serverMissing(kind: AnyServerKind): string | undefined {
  return starters[kind].missing();
}

/**
 * Starts a server and resolves once it answers 220 (on every port it offers). A server this machine
 * lacks fails loudly, naming how to install it: a test that needs it fails, never skips.
 */
export async function startServer(kind: AnyServerKind, opts: ServerOptions = {}): Promise<ManagedServer> {
  const missing = serverMissing(kind);
  if (missing) throw new Error(`${kind} is not installed (or a part of it is missing) on this machine, so what needs it fails: ${missing}`);
  // Ports are claimed through lock files, but a program outside this harness can still take one
  // between the check and the server's bind: then try once more on other ports. A start that never
  // answered (once in CI: vsftpd's implicit instance alive, nothing listening for 15 s, on a machine
  // busy with other work) is tried once more too, and said so.
  try {
    return await starters[kind].start(opts);
  } catch (e) {
    const hung = /did not answer 220/.test(String(e));
    if (!(portClash(e) || hung) || opts.passivePorts) throw e;
    if (hung) console.warn(`${kind} did not start; trying once more: ${String(e).split('\n')[0]}`);
    return starters[kind].start(opts);
  }
}
