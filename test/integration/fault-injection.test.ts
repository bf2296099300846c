/**
 * Fault injection through the engine the way the provider drives it (pool.run with the provider's
 * idempotence, safeSave with the listing's entry, downloads with the listed size): each fault kind
 * against each operation it can hit. For every case: the file on the fake server's disk is the old
 * or the new version, complete, never a mix or nothing; what the caller got is the right content or
 * an FtpError in words; no temporary file is left; no case hangs past its timeouts; nothing is
 * rejected unhandled. Prints the matrix (fault x operation -> outcome). The same faults run through
 * the real provider in the extension host (test/vscode/suite/faults.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FtpPool } from '../../src/ftp/pool';
import { FtpError, isFtpError } from '../../src/ftp/errors';
import { safeSave, TEMP_PATTERN } from '../../src/ftp/save';
import { FaultScript, startFaultServer } from '../fakes/fault-server';
import { answer, breakList, breakRetr, breakStor, combine, refuseRenameOverFile, renameThenSilence, trickleRetr } from '../fakes/faults';
import { testCertificate } from '../servers/common';

const fast = { connectMs: 2000, replyMs: 1500, dataConnectMs: 1000, dataIdleMs: 1000 };
const OLD = Buffer.from('old version\n'.repeat(2000)); // 24 kB
const NEW = Buffer.from('new version!\n'.repeat(3000)); // 39 kB

type Op = 'read' | 'save' | 'list';
interface Case {
  fault: string;
  op: Op;
  script: () => FaultScript;
  tls?: boolean;
  /** What must happen: 'ok' (the operation succeeds, maybe after a retry), 'error' (a clear FtpError), 'either'. */
  expect: 'ok' | 'error' | 'either';
}

const cases: Case[] = [
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
  { fault: '421 at the greeting (once)', op: 'read', script: () => ({ greeting: undefined, ...answer('USER', ['421 Too many users, try later.'], 'once') }), expect: 'error' },
  { fault: '421 answering RETR (once)', op: 'read', script: () => answer('RETR', ['421 Service closing control connection.'], 'once'), expect: 'ok' },
  { fault: '421 answering EPSV (once)', op: 'read', script: () => answer('EPSV', ['421 Timeout.'], 'once'), expect: 'ok' },
  { fault: '421 answering STOR (once)', op: 'save', script: () => answer('STOR', ['421 Timeout.'], 'once'), expect: 'ok' },
  { fault: '421 answering RNTO (always)', op: 'save', script: () => answer('RNTO', ['421 Shutting down.']), expect: 'error' },
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
  { fault: 'RNTO refused always (550)', op: 'save', script: () => answer('RNTO', ['550 Rename failed: permission denied.']), expect: 'error' },
  { fault: 'RNTO refused, and undoing the backup refused too', op: 'save', script: () => combine(refuseRenameOverFile(), answer('RNTO', ['550 No.'], 'always', (a) => !a.includes('.bak'))), expect: 'error' },
  { fault: 'RNTO never answered (done on disk)', op: 'save', script: () => renameThenSilence('once'), expect: 'ok' },
  { fault: 'RNTO never answered (not done)', op: 'save', script: () => answer('RNTO', 'silence', 'once'), expect: 'either' },
  { fault: 'DELE of the temporary file refused after a failed STOR', op: 'save', script: () => combine(answer('STOR', ['552 Quota.']), answer('DELE', ['550 Permission denied.'])), expect: 'error' },
  // Stalls
  { fault: 'no answer to RETR at all', op: 'read', script: () => answer('RETR', 'silence'), expect: 'error' },
  { fault: 'no answer to LIST at all', op: 'list', script: () => answer('LIST', 'silence'), expect: 'error' },
];

const results: Array<{ fault: string; op: Op; outcome: string; disk: string; ms: number }> = [];
let unhandled = 0;
const onUnhandled = () => unhandled++;

describe('fault injection through the engine (FAKE fault server)', () => {
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => {
    process.off('unhandledRejection', onUnhandled);
    const rows = results.map((r) => `| ${r.fault} | ${r.op} | ${r.outcome.slice(0, 110).replace(/\|/g, '\\|')} | ${r.disk} | ${r.ms} |`);
    console.log(['', '| fault | operation | outcome | server disk | ms |', '| --- | --- | --- | --- | --- |', ...rows].join('\n'));
    fs.mkdirSync('test-results', { recursive: true });
    fs.writeFileSync('test-results/fault-matrix-engine.md', ['| fault | operation | outcome | server disk | ms |', '| --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n');
  });

  for (const c of cases) {
    test(`${c.fault} (${c.op}): ${c.expect}`, async () => {
      const cert = c.tls ? testCertificate() : undefined;
      const srv = await startFaultServer({ ...c.script(), ...(cert ? { tls: { key: fs.readFileSync(cert.keyFile), cert: cert.pem } } : {}) });
      fs.writeFileSync(path.join(srv.root, 'page.txt'), OLD);
      fs.mkdirSync(path.join(srv.root, 'dir'));
      for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(srv.root, 'dir', `file-${i}.txt`), 'abc');
      const pool = new FtpPool({
        host: '127.0.0.1', port: srv.port, timeouts: fast, maxConnections: 2, outageRetryMs: 3000,
        ...(cert ? { secure: 'explicit' as const, tls: { ca: cert.pem, servername: 'localhost' } } : {}),
      });
      const started = Date.now();
      let outcome: string;
      try {
        if (c.op === 'read') {
          const data = await pool.run((cl) => cl.download('/page.txt', { expectedSize: OLD.length }), { idempotent: true });
          assert.ok(data.equals(OLD), `read returned ${data.length} bytes, not the file's ${OLD.length}`);
        } else if (c.op === 'list') {
          const { entries } = await pool.run((cl) => cl.list('/dir'), { idempotent: true });
          assert.equal(entries.length, 200, 'a listing is whole or an error');
        } else {
          await pool.run((cl) => safeSave(cl, '/page.txt', NEW, { current: { name: 'page.txt', type: 'file', mode: 0o640 } }), { idempotent: true });
        }
        outcome = 'ok';
      } catch (e) {
        assert.ok(isFtpError(e), `a plain ${(e as Error)?.constructor?.name}: ${String(e)}`);
        assert.ok(!/EPIPE|ECONNRESET|Premature close/.test((e as FtpError).message) || /broke off|lost|reset/.test((e as FtpError).message), `raw Node words: ${(e as FtpError).message}`);
        outcome = `${(e as FtpError).kind}: ${(e as FtpError).message}`;
      }
      const ms = Date.now() - started;
      try {
        assert.ok(c.expect === 'either' || (c.expect === 'ok') === (outcome === 'ok'), `expected ${c.expect}, got ${outcome}`);
        // The server's disk: the old or the new version, complete; no temporary file once the pool worked again.
        await pool.run((cl) => cl.noop()).catch(() => undefined);
        if (!fs.existsSync(path.join(srv.root, 'page.txt'))) {
          // Only allowed when the error names where the previous version is, and it is there, whole.
          const named = /previous version is in (\S+) and the new content in (\S+)\./.exec(outcome);
          assert.ok(named, `page.txt is gone and the error names no backup: ${outcome}`);
          assert.ok(fs.readFileSync(path.join(srv.root, named[1])).equals(OLD), 'the named backup holds the previous version');
          assert.ok(fs.readFileSync(path.join(srv.root, named[2])).equals(NEW), 'the named temporary file holds the new version');
          results.push({ fault: c.fault, op: c.op, outcome, disk: 'old in the named backup, new in the named temp', ms });
          return;
        }
        const onDisk = fs.readFileSync(path.join(srv.root, 'page.txt'));
        const disk = onDisk.equals(OLD) ? 'old' : onDisk.equals(NEW) ? 'new' : `CORRUPT (${onDisk.length} B)`;
        assert.ok(disk === 'old' || disk === 'new', `page.txt on the server is ${disk}`);
        if (c.op === 'save' && outcome === 'ok') assert.equal(disk, 'new');
        if (c.op !== 'save') assert.equal(disk, 'old');
        const leftovers = fs.readdirSync(srv.root).filter((n) => TEMP_PATTERN.test(n));
        const refusedDele = c.fault.startsWith('DELE');
        if (!refusedDele) assert.deepEqual(leftovers, [], 'no temporary file is left');
        assert.ok(ms < 15_000, `took ${ms} ms`);
        results.push({ fault: c.fault, op: c.op, outcome, disk: disk + (leftovers.length ? ` (+${leftovers.length} temp, DELE refused)` : ''), ms });
      } finally {
        await pool.close();
        await srv.stop();
      }
    });
  }

  test('no promise was rejected unhandled', () => assert.equal(unhandled, 0));
});
