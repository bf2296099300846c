/** Real FTP servers for the tests, each started on loopback (or in a test's namespace) and stopped after. */
import { RunningServer, ServerKind, ServerOptions } from './common';
import { startVsftpd, vsftpdMissing } from './vsftpd';
import { proftpdMissing, startProftpd } from './proftpd';
import { pureftpdMissing, startPureftpd } from './pureftpd';
import { pyftpdlibMissing, startPyftpdlib } from './pyftpdlib';
import { ftpsrvMissing, startFtpsrv } from './ftpsrv';

export { RunningServer, ServerKind, ServerOptions } from './common';
export { independentFetch, independentList } from './independent';

export const ALL_SERVERS: ServerKind[] = ['vsftpd', 'proftpd', 'pureftpd', 'pyftpdlib', 'ftpsrv'];

const starters: Record<ServerKind, { missing(): string | undefined; start(o: ServerOptions): Promise<RunningServer> }> = {
  vsftpd: { missing: vsftpdMissing, start: startVsftpd },
  proftpd: { missing: proftpdMissing, start: startProftpd },
  pureftpd: { missing: pureftpdMissing, start: startPureftpd },
  pyftpdlib: { missing: pyftpdlibMissing, start: startPyftpdlib },
  ftpsrv: { missing: ftpsrvMissing, start: startFtpsrv },
};

/** undefined when the server is installed; else a sentence saying what to install. */
export function serverMissing(kind: ServerKind): string | undefined {
  return starters[kind].missing();
}

export function startServer(kind: ServerKind, opts: ServerOptions = {}): Promise<RunningServer> {
  return starters[kind].start(opts);
}
