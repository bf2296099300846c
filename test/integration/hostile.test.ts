/**
 * Hostile input, from a FAKE server that plays a malicious or broken one: each input is refused
 * (or neutralised) with a clear error, the connection is left or closed cleanly, and memory stays
 * bounded: peak RSS growth is measured for every case and printed in a table.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FtpClient } from '../../src/ftp/client';
import { FtpError, isFtpError } from '../../src/ftp/errors';
import { LogEvent } from '../../src/ftp/log';
import { planTree, removeTree } from '../../src/ftp/tree';
import { diagnose } from '../../src/ftp/doctor';
import { FaultScript, startFaultServer } from '../fakes/fault-server';
import { testCertificate } from '../servers/common';

const fast = { connectMs: 2000, replyMs: 3000, dataConnectMs: 1000, dataIdleMs: 3000 };
const rows: string[] = [];
const MB = 1024 * 1024;

/** Runs fn while sampling RSS; returns its result and the peak growth in MB. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; peakMb: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const value = await fn();
    return { value, peakMb: (Math.max(peak, process.memoryUsage().rss) - base) / MB };
  } catch (error) {
    return { error, peakMb: (Math.max(peak, process.memoryUsage().rss) - base) / MB };
  } finally {
    clearInterval(timer);
  }
}

interface Hostile {
  input: string;
  script: () => FaultScript;
  /** What the client does; resolves with a short description of the outcome. */
  act: (c: () => Promise<FtpClient>, log: LogEvent[]) => Promise<string>;
  /** Peak RSS growth allowed, MB. */
  maxMb?: number;
}

const lsLines = (names: string[]) => names.map((n) => `-rw-r--r-- 1 ftp ftp 3 Nov 22 12:01 ${n}`);

async function listRefusing(c: () => Promise<FtpClient>, bad: string): Promise<string> {
  const { entries, unparsed } = await (await c()).list('/');
  assert.deepEqual(entries.map((e) => e.name), ['fine.txt'], 'only the good entry is an entry');
  assert.equal(unparsed.length, 1);
  assert.ok(!entries.some((e) => e.name.includes(bad)));
  return `refused as unparsed: ${unparsed[0].reason}`;
}

/** RETR answered with `preliminary`, then 64 KB blocks until the client closes the data connection. */
function endlessRetr(preliminary: string): FaultScript {
  return {
    onTransfer: async (t) => {
      if (t.verb !== 'RETR') return false;
      t.send([preliminary]);
      const s = await t.data();
      const block = Buffer.alloc(64 * 1024, 65);
      while (!s.destroyed) if (!s.write(block)) await new Promise((r) => s.once('drain', r).once('close', r));
      return true;
    },
  };
}

const cases: Hostile[] = [];

cases.push(
  {
    input: 'PASV answer naming a third host (10.9.8.7)',
    script: () => ({
      onCommand: (v) => (v === 'EPSV' ? ['502 EPSV not implemented'] : undefined),
    }),
    act: async (c, log) => {
      const client = await c();
      // The server's 227 names 127.0.0.1; a client that trusted any 227 address would connect where it says.
      // This one goes to the control connection's address whatever the 227 says (trustPasvAddress off):
      const data = await client.download('/fine.txt');
      assert.equal(data.toString(), 'abc');
      assert.ok(!log.some((e) => /data connection to (?!127\.0\.0\.1)/.test(e.text)));
      return 'data connection made to the control address only';
    },
  },
  {
    input: 'EPSV answer with an address in it',
    script: () => ({ onCommand: (v) => (v === 'EPSV' ? ['229 Entering Extended Passive Mode (|1|10.9.8.7|2121|)'] : undefined) }),
    act: async (c) => {
      await assert.rejects((await c()).download('/fine.txt'), (e: FtpError) => isFtpError(e) && /EPSV/.test(e.message));
      return 'refused: the EPSV reply is not read as an address';
    },
  },
  {
    input: 'a data connection from a foreign host in active mode',
    script: () => ({ activeFromAddress: '127.0.0.2' }),
    act: async (c, log) => {
      const client = await c();
      await assert.rejects(client.download('/fine.txt'), (e: FtpError) => e.kind === 'dataConnection' && /127\.0\.0\.2/.test(e.message) && /not from the server/.test(e.message));
      assert.ok(log.some((e) => /refused a data connection from 127\.0\.0\.2/.test(e.text)));
      return 'refused; the error names the foreign host';
    },
  },
  { input: 'a name with a slash (../../.ssh/authorized_keys)', script: () => ({ listing: lsLines(['fine.txt', '../../.ssh/authorized_keys']) }), act: (c) => listRefusing(c, '..') },
  { input: 'a name with a backslash (..\\x)', script: () => ({ listing: lsLines(['fine.txt', '..\\x']) }), act: (c) => listRefusing(c, '\\') },
  { input: 'a name that is ..', script: () => ({ listing: lsLines(['fine.txt', '..']).concat(['type=file;size=3; ..']) }), act: async (c) => {
    const { entries } = await (await c()).list('/');
    assert.deepEqual(entries.map((e) => e.name), ['fine.txt']);
    return 'left out';
  } },
  { input: 'a name with NUL', script: () => ({ listing: lsLines(['fine.txt', 'a\u0000b']) }), act: (c) => listRefusing(c, '\u0000') },
  { input: 'a name with a lone CR', script: () => ({ listing: lsLines(['fine.txt', 'a\rb']) }), act: (c) => listRefusing(c, '\r') },
  { input: 'a name with a terminal escape (ESC[31m)', script: () => ({ listing: lsLines(['fine.txt', 'red\u001b[31mname']) }), act: (c) => listRefusing(c, '\u001b') },
  { input: 'a name with a bidi override (gpj.exe shown as exe.jpg)', script: () => ({ listing: lsLines(['fine.txt', 'photo\u202egpj.exe']) }), act: (c) => listRefusing(c, '\u202e') },
  { input: 'a 100 kB name', script: () => ({ listing: lsLines(['fine.txt', 'n'.repeat(100_000)]) }), act: (c) => listRefusing(c, 'nnnn') },
  {
    input: 'bad UTF-8 in names and replies',
    script: () => ({ listing: lsLines(['fine.txt']), onCommand: (v, _a, s) => (v === 'SYST' ? (s.write('215 UNIX \xff\xfe Type\r\n'), 'silence') : undefined) }),
    act: async (c) => {
      const client = await c();
      assert.equal((await client.list('/')).entries.length, 1);
      return 'read with U+FFFD, no crash';
    },
  },
  {
    input: 'a 1 MB reply line',
    script: () => ({ onCommand: (v) => (v === 'SIZE' ? ['213 ' + '9'.repeat(MB)] : undefined) }),
    act: async (c) => {
      await assert.rejects((await c()).size('/fine.txt'), (e: FtpError) => e.kind === 'protocol' && /longer than/.test(e.message));
      return 'refused: line over 16 kB, connection closed';
    },
  },
  {
    input: 'an endless multi-line reply',
    script: () => ({
      onCommand: (v, _a, s) => {
        if (v !== 'STAT') return undefined;
        const line = '211-' + 'x'.repeat(1000) + '\r\n';
        const flood = () => { if (!s.socket.destroyed && s.socket.write(line.repeat(100))) setImmediate(flood); else s.socket.once('drain', flood); };
        flood();
        return 'silence';
      },
    }),
    act: async (c) => {
      await assert.rejects((await c()).raw('STAT'), (e: FtpError) => e.kind === 'protocol' && /lines or/.test(e.message));
      return 'refused after 1 MB, connection closed';
    },
  },
  {
    input: 'a flood of replies nobody asked for',
    script: () => ({ onCommand: (v, _a, s) => (v === 'NOOP' ? (s.write('200 ok\r\n'.repeat(100_000)), 'silence') : undefined) }),
    act: async (c, log) => {
      const client = await c();
      await client.noop().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(log.some((e) => e.kind === 'error' && /more than 16 replies nobody asked for/.test(e.text)), 'the flood closed the connection');
      assert.equal(client.connected, false);
      return 'connection closed after 16 unasked replies (the next operation reconnects)';
    },
    maxMb: 100,
  },
  {
    input: 'a listing of 1,000,000 entries',
    script: () => ({
      onTransfer: async (t) => {
        if (t.verb !== 'LIST') return false;
        t.send(['150 Here it comes']);
        const s = await t.data();
        const block = Buffer.from(lsLines(Array.from({ length: 1000 }, (_, i) => `file-${i}.txt`)).map((l) => l + '\r\n').join(''));
        for (let i = 0; i < 1000 && !s.destroyed; i++) if (!s.write(block)) await new Promise((r) => s.once('drain', r).once('close', r));
        s.end();
        t.send(['226 Done']);
        return true;
      },
    }),
    act: async (c) => {
      await assert.rejects((await c()).list('/'), (e: FtpError) => /more than 251000 lines|more than 250000 entries/.test(e.message));
      return 'refused at 250,000 entries, data connection closed';
    },
    maxMb: 150,
  },
  {
    input: 'a download that never ends (more than announced)',
    script: () => endlessRetr('150 Opening BINARY mode data connection (100 bytes)'),
    act: async (c) => {
      await assert.rejects((await c()).download('/fine.txt'), (e: FtpError) => /more than the 100 bytes/.test(e.message));
      return 'stopped just past the announced size';
    },
    maxMb: 50,
  },
  {
    input: 'a download that never ends (nothing announced)',
    script: () => endlessRetr('150 Here it comes'),
    act: async (c) => {
      const client = await c();
      await assert.rejects(client.download('/fine.txt'), (e: FtpError) => /more than 32 MB/.test(e.message));
      return 'stopped at the in-memory limit (32 MB in this test; 1 GB by default)';
    },
    maxMb: 120,
  },
  {
    input: 'a download into a local file that never ends (the disk\'s room: DownloadOptions.room)',
    script: () => endlessRetr('150 Here it comes'),
    act: async (c) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-hostile-'));
      const file = await fs.promises.open(path.join(dir, 'endless.part'), 'w');
      try {
        let left = 4 * MB;
        const room = { take: (n: number) => n <= left && (left -= n) >= 0 };
        await assert.rejects((await c()).downloadTo('/fine.txt', file, { room }), (e: Error) => /^The download was stopped after \d+ bytes: the local disk has no more room it may use/.test(e.message));
        assert.ok((await file.stat()).size <= 4 * MB, 'no more written than the room');
      } finally {
        await file.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
      return 'stopped at the room the disk has to spare';
    },
    maxMb: 50,
  },
  {
    input: 'a download of more bytes than the file has, says SIZE after',
    script: () => ({
      onCommand: (v) => (v === 'SIZE' ? ['213 10'] : undefined),
      onTransfer: async (t) => {
        if (t.verb !== 'RETR') return false;
        t.send(['150 Here it comes']);
        (await t.data()).end(Buffer.alloc(200, 66));
        t.send(['226 Done']);
        return true;
      },
    }),
    act: async (c) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-hostile-'));
      const file = await fs.promises.open(path.join(dir, 'more.part'), 'w');
      try {
        await assert.rejects((await c()).downloadTo('/fine.txt', file), (e: FtpError) => e.kind === 'interrupted' && /^The server sent 200 bytes for \/fine\.txt, more than the 10 the file has/.test(e.message));
      } finally {
        await file.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
      return 'told as more than the file has, not as cut short';
    },
  },
  {
    input: 'a SIZE answer that is not a size',
    script: () => ({ onCommand: (v) => (v === 'SIZE' ? ['213 12abc; rm -rf /'] : undefined) }),
    act: async (c) => {
      await assert.rejects((await c()).size('/fine.txt'), (e: FtpError) => /not a size/.test(e.message));
      return 'refused';
    },
  },
  {
    input: 'a link loop in a folder being deleted (the same listing at every depth)',
    script: () => ({ listing: ['drwxr-xr-x 2 ftp ftp 0 Nov 22 12:01 loop', '-rw-r--r-- 1 ftp ftp 3 Nov 22 12:01 fine.txt'] }),
    act: async (c) => {
      const client = await c();
      const plan = await planTree(client, '/top');
      assert.ok(plan.doubts.some((d) => d.kind === 'loop'));
      await assert.rejects(removeTree(client, '/top'), (e: FtpError) => e.kind === 'aborted' && /Nothing was deleted/.test(e.message));
      return 'a doubt: nothing deleted without asking';
    },
  },
  {
    input: 'server text with a Markdown command link',
    script: () => ({ onCommand: (v) => (v === 'DELE' ? ['550 [Click to fix](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%22%7D)'] : undefined) }),
    act: async (c) => {
      const e = await (await c()).delete('/fine.txt').then(() => undefined, (err: unknown) => err as FtpError);
      assert.ok(isFtpError(e));
      // The engine keeps the server's words as data; every UI that shows them escapes them (ui/escape.ts).
      assert.equal(e.replyText, '[Click to fix](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%22%7D)');
      return 'kept as text in the error (escaped where shown)';
    },
  },
);

describe('hostile input (FAKE server playing a malicious one)', () => {
  after(() => {
    const table = ['| hostile input | outcome | peak RSS growth |', '| --- | --- | --- |', ...rows].join('\n');
    console.log('\n' + table);
    fs.mkdirSync('test-results', { recursive: true });
    fs.writeFileSync('test-results/hostile-inputs.md', table + '\n');
  });

  for (const h of cases) {
    test(h.input, async () => {
      const srv = await startFaultServer(h.script());
      fs.writeFileSync(path.join(srv.root, 'fine.txt'), 'abc');
      fs.mkdirSync(path.join(srv.root, 'top'));
      const log: LogEvent[] = [];
      const clients: FtpClient[] = [];
      const connect = async () => {
        const cl = await FtpClient.connect({
          host: '127.0.0.1', port: srv.port, timeouts: fast, log: (e) => log.push(e),
          transferMode: h.input.includes('active') ? 'active' : 'auto',
          methodOrder: h.input.startsWith('PASV') ? ['pasv', 'epsv'] : undefined,
          limits: { maxMemoryDownloadBytes: 32 * MB },
        });
        clients.push(cl);
        return cl;
      };
      try {
        const r = await measured(() => h.act(connect, log));
        if (r.error) throw r.error;
        assert.ok(r.peakMb < (h.maxMb ?? 64), `peak RSS growth ${r.peakMb.toFixed(1)} MB`);
        rows.push(`| ${h.input.replace(/\|/g, '\\|')} | ${r.value} | ${r.peakMb.toFixed(1)} MB |`);
      } finally {
        clients.forEach((c) => c.disconnect());
        await srv.stop();
      }
    });
  }

  test('a "230" injected in plain text after 234 (before TLS)', async () => {
    const cert = testCertificate();
    const srv = await startFaultServer({ tls: { key: fs.readFileSync(cert.keyFile), cert: cert.pem }, onCommand: (v) => (v === 'AUTH' ? ['234 Proceed.', '230 Logged in (injected)'] : undefined) });
    try {
      const r = await measured(() => FtpClient.connect({ host: '127.0.0.1', port: srv.port, user: 'u', password: 'secret', secure: 'explicit', tls: { ca: cert.pem, servername: 'localhost' }, timeouts: fast }));
      assert.ok(isFtpError(r.error) && r.error.kind === 'protocol' && /tampering/.test(r.error.message), String(r.error));
      assert.ok(!srv.sessions[0].commands.some((l) => l.startsWith('PASS')), 'no password was sent');
      rows.push(`| a "230" injected in plain text after 234 (before TLS) | refused: connection closed before login, no password sent | ${r.peakMb.toFixed(1)} MB |`);
    } finally {
      await srv.stop();
    }
  });

  test('the doctor names a foreign active peer for what it is, not a firewall', async () => {
    const srv = await startFaultServer({ activeFromAddress: '127.0.0.2' });
    try {
      const report = await diagnose({ host: '127.0.0.1', port: srv.port, timeouts: fast }, { stepTimeoutMs: 5000 });
      const eprt = report.steps.find((st) => st.id === 'list-eprt')!;
      assert.equal(eprt.status, 'failed');
      assert.match(eprt.verdict, /another computer than the server connected/);
      assert.match(eprt.verdict, /127\.0\.0\.2/);
      assert.doesNotMatch(eprt.verdict, /firewall in front of this computer/i);
    } finally {
      await srv.stop();
    }
  });

  test('at least 15 hostile inputs were tried', () => assert.ok(rows.length >= 15, `${rows.length} rows`));
});
