/**
 * The fault kinds both fault suites run (the engine's, test/integration/fault-injection.test.ts, and
 * the provider's in the extension host, test/vscode/suite/faults.test.ts): each is a script for the
 * FAKE fault server, the operation it hits, and what must come of it.
 */
import { FaultScript } from './fault-server';
import { answer, breakList, breakRetr, breakStor, combine, refuseRenameOverFile, renameNotPipelined, renameRepliesCrossed, renameThenSilence, rnfrAnsweredRenameDone, trickleRetr } from './faults';

/** The files every case starts with: /page.txt (OLD) and /dir with 200 files. */
export const OLD = Buffer.from('old version\n'.repeat(2000)); // 24 kB
export const NEW = Buffer.from('new version!\n'.repeat(3000)); // 39 kB

export type Op = 'read' | 'save' | 'list';
export interface FaultCase {
  fault: string;
  op: Op;
  script: () => FaultScript;
  tls?: boolean;
  /** What must happen: 'ok' (the operation succeeds, maybe after a retry), 'error' (a clear FtpError), 'either'. */
  expect: 'ok' | 'error' | 'either';
  /** Through the provider, when VS Code's own calls can change it. */
  providerExpect?: 'ok' | 'error' | 'either';
}

export const FAULT_CASES: FaultCase[] = [
  // Drops mid-transfer at several offsets
  { fault: 'data dropped with 426 after 0 B of RETR (once)', op: 'read', script: () => breakRetr(0, 'drop-data-426', 'once'), expect: 'ok' },
  { fault: 'data dropped with 426 after 1 kB of RETR', op: 'read', script: () => breakRetr(1024, 'drop-data-426'), expect: 'error' },
  { fault: 'data dropped with 426 after 16 kB of RETR (once)', op: 'read', script: () => breakRetr(16 * 1024, 'drop-data-426', 'once'), expect: 'ok' },
  { fault: 'control connection dropped after 8 kB of RETR (once)', op: 'read', script: () => breakRetr(8 * 1024, 'drop-control', 'once'), expect: 'ok' },
  { fault: 'control connection dropped after 8 kB of RETR (always)', op: 'read', script: () => breakRetr(8 * 1024, 'drop-control'), expect: 'error' },
  { fault: 'plain data closed early with 226 (short file)', op: 'read', script: () => breakRetr(5000, 'short-226'), expect: 'error' },
  { fault: 'TLS data cut without close_notify, then 226', op: 'read', tls: true, script: () => breakRetr(5000, 'tls-cut-226'), expect: 'error' },
  { fault: 'data stalls after 4 kB of RETR', op: 'read', script: () => breakRetr(4096, 'stall'), expect: 'error' },
  { fault: 'trickle: 64 bytes every 2 ms', op: 'read', script: () => trickleRetr(2), expect: 'ok' },
  { fault: 'data dropped with 426 after 2 kB of LIST', op: 'list', script: () => breakList(2048, 'drop-data-426'), expect: 'error' },
  { fault: 'control connection dropped mid-LIST (once)', op: 'list', script: () => breakList(100, 'drop-control', 'once'), expect: 'ok' },
  { fault: 'data dropped with 426 after 4 kB of STOR', op: 'save', script: () => breakStor(4096, 'drop-data-426'), expect: 'error' },
  { fault: 'control connection dropped after 8 kB of STOR (once)', op: 'save', script: () => breakStor(8192, 'drop-control', 'once'), expect: 'ok' },
  { fault: 'control connection dropped after 8 kB of STOR (always)', op: 'save', script: () => breakStor(8192, 'drop-control'), expect: 'error' },
  // 421 at any point
  // A site never reached is reported at once (the engine's read fails); VS Code may already have
  // spent the one 421 on a probe of its own, so through the provider either outcome is right.
  { fault: '421 at the greeting (once)', op: 'read', script: () => ({ greeting: undefined, ...answer('USER', ['421 Too many users, try later.'], 'once') }), expect: 'error', providerExpect: 'either' },
  { fault: '421 answering RETR (once)', op: 'read', script: () => answer('RETR', ['421 Service closing control connection.'], 'once'), expect: 'ok' },
  { fault: '421 answering EPSV (once)', op: 'read', script: () => answer('EPSV', ['421 Timeout.'], 'once'), expect: 'ok' },
  { fault: '421 answering STOR (once)', op: 'save', script: () => answer('STOR', ['421 Timeout.'], 'once'), expect: 'ok' },
  { fault: '421 answering RNTO (always)', op: 'save', script: () => answer('RNTO', ['421 Shutting down.']), expect: 'error' },
  // vsftpd's "500 OOPS: ..." comes just before its session process exits (CI met it on RETR when
  // a restart killed the session's privileged helper first): the session is gone, not the command refused.
  { fault: '500 OOPS answering RETR (once)', op: 'read', script: () => answer('RETR', ['500 OOPS: priv_sock_get_result'], 'once'), expect: 'ok' },
  { fault: '500 OOPS answering STOR (once)', op: 'save', script: () => answer('STOR', ['500 OOPS: vsf_sysutil_bind'], 'once'), expect: 'ok' },
  // 425/426 before and after data
  { fault: '425 answering RETR (EPSV; auto falls back)', op: 'read', script: () => answer('RETR', ["425 Can't open data connection."], 'once'), expect: 'ok' },
  { fault: '426 before any data of RETR (auto falls back)', op: 'read', script: () => breakRetr(0, 'drop-data-426', 'once'), expect: 'ok' },
  // Refusals on STOR
  { fault: '450 on STOR', op: 'save', script: () => answer('STOR', ['450 File busy.']), expect: 'error' },
  { fault: '451 on STOR', op: 'save', script: () => answer('STOR', ['451 Local error in processing.']), expect: 'error' },
  { fault: '452 on STOR', op: 'save', script: () => answer('STOR', ['452 Insufficient storage space.']), expect: 'error' },
  { fault: '552 on STOR', op: 'save', script: () => answer('STOR', ['552 Exceeded storage allocation.']), expect: 'error' },
  { fault: 'SIZE after STOR reports fewer bytes', op: 'save', script: () => answer('SIZE', ['213 10'], 'always', (a) => a.includes('.ftpws-')), expect: 'error' },
  // Renames
  { fault: 'RNTO over a file refused (IIS): backup route', op: 'save', script: () => refuseRenameOverFile(), expect: 'ok' },
  {
    fault: 'RNTO over a file refused, and what is there now can\'t be told (its stat refused): nothing moved aside', op: 'save',
    script: () => combine(refuseRenameOverFile(), ...['MLST', 'SIZE', 'MDTM', 'CWD'].map((v) => answer(v, ['550 Permission denied.'], 'always', (a) => /(^|\/)page\.txt$/.test(a)))),
    expect: 'error',
  },
  { fault: 'RNTO refused always (550)', op: 'save', script: () => answer('RNTO', ['550 Rename failed: permission denied.']), expect: 'error' },
  { fault: 'RNTO refused, and undoing the backup refused too', op: 'save', script: () => combine(refuseRenameOverFile(), answer('RNTO', ['550 No.'], 'always', (a) => !a.includes('.bak'))), expect: 'error' },
  { fault: 'RNTO never answered (done on disk)', op: 'save', script: () => renameThenSilence('once'), expect: 'ok' },
  { fault: 'RNTO never answered (not done)', op: 'save', script: () => answer('RNTO', 'silence', 'once'), expect: 'either' },
  // RNFR and RNTO go in one write (client.ts rename): servers that don't take that
  { fault: 'RNTO sent with RNFR refused with 503 (read before RNFR was done)', op: 'save', script: () => renameNotPipelined(), expect: 'ok' },
  { fault: 'RNFR and RNTO sent together answered out of step (503, then 350)', op: 'save', script: () => renameRepliesCrossed(), expect: 'ok' },
  { fault: 'RNFR sent with RNTO answered with garbage, the RNTO done', op: 'save', script: () => rnfrAnsweredRenameDone('this is not an FTP reply'), expect: 'ok' },
  { fault: 'RNFR sent with RNTO refused, the RNTO answered done', op: 'save', script: () => rnfrAnsweredRenameDone('550 Permission denied.'), expect: 'ok' },
  { fault: 'DELE of the temporary file refused after a failed STOR', op: 'save', script: () => combine(answer('STOR', ['552 Quota.']), answer('DELE', ['550 Permission denied.'])), expect: 'error' },
  // Stalls
  { fault: 'no answer to RETR at all', op: 'read', script: () => answer('RETR', 'silence'), expect: 'error' },
  { fault: 'no answer to LIST at all', op: 'list', script: () => answer('LIST', 'silence'), expect: 'error' },
];

