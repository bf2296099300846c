/**
 * Ready-made faults for the FAKE fault server (fault-server.ts), shared by the engine's fault suite
 * and the extension host's: each returns the script pieces that make one thing go wrong, once or
 * every time. Faults real servers can produce (a restart, a refusal by permissions) are tested on
 * real servers instead.
 */
import * as fs from 'node:fs';
import type * as net from 'node:net';
import { FaultScript, FakeSession, FakeTransfer } from './fault-server';

/** How often a fault fires: the first time only (a retry then works), or every time. */
export type Times = 'once' | 'always';

function counter(times: Times): () => boolean {
  let fired = 0;
  return () => (times === 'always' || fired === 0) && ++fired > 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a transfer fault does once `after` bytes moved. */
export type TransferBreak = 'drop-data-426' | 'drop-control' | 'short-226' | 'stall' | 'tls-cut-226' | 'close-data-only';

/** RETR sends `after` bytes of the file, then breaks as told. */
export function breakRetr(after: number, how: TransferBreak, times: Times = 'always'): Pick<FaultScript, 'onTransfer'> {
  const fire = counter(times);
  return {
    onTransfer: async (t: FakeTransfer) => {
      if (t.verb !== 'RETR' || !fs.existsSync(t.disk) || !fire()) return false;
      const content = fs.readFileSync(t.disk);
      t.send([`150 Opening BINARY mode data connection for ${t.arg} (${content.length} bytes)`]);
      const s = await t.data();
      await write(s, content.subarray(0, Math.min(after, content.length)));
      await breakAfter(t, s, how);
      return true;
    },
  };
}

/**
 * RETR answers 426 first and only then sends `after` bytes of the file and closes the data
 * connection: the order a client meets when the reply overtakes the data on the network (the data
 * sent before the reply, but delayed or retransmitted on its own connection).
 */
export function replyOvertakesData(after: number): Pick<FaultScript, 'onTransfer'> {
  return {
    onTransfer: async (t: FakeTransfer) => {
      if (t.verb !== 'RETR' || !fs.existsSync(t.disk)) return false;
      const content = fs.readFileSync(t.disk);
      t.send([`150 Opening BINARY mode data connection for ${t.arg} (${content.length} bytes)`]);
      const s = await t.data();
      t.send(['426 Connection closed; transfer aborted.']);
      await sleep(50);
      await write(s, content.subarray(0, Math.min(after, content.length)));
      await new Promise<void>((r) => s.end(() => r()));
      return true;
    },
  };
}

/** LIST/MLSD sends `after` bytes of the real listing, then breaks as told. */
export function breakList(after: number, how: TransferBreak, times: Times = 'always', lines?: string[]): Pick<FaultScript, 'onTransfer'> {
  const fire = counter(times);
  return {
    onTransfer: async (t: FakeTransfer) => {
      if ((t.verb !== 'LIST' && t.verb !== 'MLSD') || !fire()) return false;
      const text = Buffer.from((lines ?? fs.readdirSync(t.disk).map((n) => `-rw-r--r-- 1 ftp ftp 3 Nov 22 12:01 ${n}`)).map((l) => l + '\r\n').join(''));
      t.send(['150 Here comes the listing']);
      const s = await t.data();
      await write(s, text.subarray(0, Math.min(after, text.length)));
      await breakAfter(t, s, how);
      return true;
    },
  };
}

/** STOR takes `after` bytes (written to disk as a partial file), then breaks as told. */
export function breakStor(after: number, how: TransferBreak, times: Times = 'always'): Pick<FaultScript, 'onTransfer'> {
  const fire = counter(times);
  return {
    onTransfer: async (t: FakeTransfer) => {
      if (t.verb !== 'STOR' || !fire()) return false;
      t.send(['150 Ok to send data']);
      const s = await t.data();
      const got: Buffer[] = [];
      let n = 0;
      await new Promise<void>((resolve) => {
        const stop = () => {
          s.removeAllListeners('data');
          s.pause();
          resolve();
        };
        s.on('data', (c: Buffer) => {
          got.push(c);
          n += c.length;
          if (n >= after) stop();
        });
        s.on('end', stop);
        s.on('error', stop);
      });
      fs.writeFileSync(t.disk, Buffer.concat(got).subarray(0, after));
      await breakAfter(t, s, how);
      return true;
    },
  };
}

async function breakAfter(t: FakeTransfer, s: net.Socket, how: TransferBreak): Promise<void> {
  switch (how) {
    case 'drop-data-426':
      s.destroy();
      t.send(['426 Connection closed; transfer aborted.']);
      return;
    case 'drop-control':
      s.destroy();
      t.session.socket.destroy();
      return;
    case 'short-226':
      // A plain data connection closed early, and the server says all went well.
      await new Promise<void>((r) => s.end(() => r()));
      t.send(['226 Transfer complete']);
      return;
    case 'close-data-only':
      s.destroy();
      return; // no final reply until the client gives up or aborts
    case 'tls-cut-226': {
      // Cut the TCP connection under TLS: no close_notify.
      const raw = (s as net.Socket & { raw?: net.Socket }).raw ?? s;
      raw.destroy();
      t.send(['226 Transfer complete']);
      return;
    }
    case 'stall':
      // Keep the data connection open and silent.
      await sleep(60_000).catch(() => undefined);
      return;
  }
}

function write(s: net.Socket, data: Buffer): Promise<void> {
  return new Promise((resolve) => (data.length ? s.write(data, () => resolve()) : resolve()));
}

/** Sends the file `bytes` at a time, one piece every `everyMs` (a trickle: slow, but moving). */
export function trickleRetr(everyMs: number, bytes = 64): Pick<FaultScript, 'onTransfer'> {
  return {
    onTransfer: async (t: FakeTransfer) => {
      if (t.verb !== 'RETR' || !fs.existsSync(t.disk)) return false;
      const content = fs.readFileSync(t.disk);
      t.send(['150 Opening data connection']);
      const s = await t.data();
      for (let i = 0; i < content.length; i += bytes) {
        await write(s, content.subarray(i, i + bytes));
        await sleep(everyMs);
      }
      await new Promise<void>((r) => s.end(() => r()));
      t.send(['226 Transfer complete']);
      return true;
    },
  };
}

/** Answers one command verb with these lines (once or always); other commands as usual. */
export function answer(verb: string, lines: string[] | 'silence' | 'close', times: Times = 'always', when: (arg: string, s: FakeSession) => boolean = () => true): Pick<FaultScript, 'onCommand'> {
  const fire = counter(times);
  return { onCommand: (v, arg, s) => (v === verb && when(arg, s) && fire() ? lines : undefined) };
}

/** RNTO is done on disk, and then the server goes silent (the reply is lost). */
export function renameThenSilence(times: Times = 'once'): Pick<FaultScript, 'onCommand'> {
  const fire = counter(times);
  let from: string | undefined;
  return {
    onCommand: (v, arg, s) => {
      if (v === 'RNFR') from = s.disk(arg);
      if (v === 'RNTO' && from && fire()) {
        fs.renameSync(from, s.disk(arg));
        return 'silence';
      }
      return undefined;
    },
  };
}

/**
 * A server that reads the RNTO sent with RNFR before it is done with RNFR (commands taken from one
 * read all at once): RNFR says 350, RNTO is refused with 503 (the first time), nothing renamed.
 */
export function renameNotPipelined(): Pick<FaultScript, 'onCommand'> {
  return answer('RNTO', ['503 RNFR first.'], 'once');
}

/**
 * A server that answers RNFR and RNTO sent together out of step (the first time): RNTO's 503 first,
 * then RNFR's 350; it then waits for an RNTO, and the next one renames.
 */
export function renameRepliesCrossed(): Pick<FaultScript, 'onCommand'> {
  let state: 'start' | 'held' | 'waiting' | 'done' = 'start';
  let from: string | undefined;
  // The connection whose rename it is: another connection's commands meanwhile are not its own.
  let owner: number | undefined;
  return {
    onCommand: (v, arg, s) => {
      if (state === 'start' && v === 'RNFR') {
        from = s.disk(arg);
        owner = s.id;
        state = 'held';
        return 'silence';
      }
      if (s.id !== owner) return undefined;
      if (state === 'held' && v === 'RNTO') {
        state = 'waiting';
        return ['503 RNFR first.', '350 Ready for RNTO'];
      }
      if (state === 'waiting' && v === 'RNTO' && from) {
        state = 'done';
        fs.renameSync(from, s.disk(arg));
        return ['250 Renamed'];
      }
      if (state === 'waiting') state = 'done'; // any other command ends the rename, as servers do
      return undefined;
    },
  };
}

/**
 * The RNFR sent with RNTO is answered with `rnfrReply` (a refusal, or a line that is not FTP, for
 * which the connection is closed), and the RNTO is carried out all the same (the first time): a
 * confused or hostile server.
 */
export function rnfrAnsweredRenameDone(rnfrReply: string): Pick<FaultScript, 'onCommand'> {
  let state: 'start' | 'held' | 'done' = 'start';
  let from: string | undefined;
  return {
    onCommand: (v, arg, s) => {
      if (state === 'start' && v === 'RNFR') {
        from = s.disk(arg);
        state = 'held';
        return [rnfrReply];
      }
      if (state === 'held' && v === 'RNTO' && from) {
        state = 'done';
        fs.renameSync(from, s.disk(arg));
        return ['250 Renamed'];
      }
      return undefined;
    },
  };
}

/** RNTO onto an existing file is refused (IIS: "Cannot create a file when that file already exists"). */
export function refuseRenameOverFile(): Pick<FaultScript, 'onCommand'> {
  return {
    onCommand: (v, arg, s) => (v === 'RNTO' && fs.existsSync(s.disk(arg)) ? ['550 Cannot create a file when that file already exists.'] : undefined),
  };
}

/** Several script pieces into one (onCommand hooks asked in order; the first answer wins). */
export function combine(...parts: FaultScript[]): FaultScript {
  const out: FaultScript = {};
  for (const p of parts) Object.assign(out, { ...p, onCommand: undefined, onTransfer: undefined });
  const commands = parts.map((p) => p.onCommand).filter((f): f is NonNullable<FaultScript['onCommand']> => !!f);
  const transfers = parts.map((p) => p.onTransfer).filter((f): f is NonNullable<FaultScript['onTransfer']> => !!f);
  if (commands.length) out.onCommand = (v, a, s) => commands.reduce<ReturnType<NonNullable<FaultScript['onCommand']>>>((r, f) => r ?? f(v, a, s), undefined);
  if (transfers.length) out.onTransfer = async (t) => { for (const f of transfers) if (await f(t)) return true; return false; };
  return out;
}

/**
 * A server that reads a data command sent in the same write as its EPSV/PASV before the client
 * could connect, and answers it 425 (`times` such transfers); sent one at a time, it works.
 */
export function dataCommandNotPipelined(times: Times = 'always'): Pick<FaultScript, 'onCommand'> {
  const fire = counter(times);
  return { onCommand: (v, _arg, s) => (/^(RETR|STOR|LIST|MLSD)$/.test(v) && s.sentWithPrevious && fire() ? ["425 Can't open data connection."] : undefined) };
}

/** A server that drops (never answers) a data command sent in the same write as its EPSV/PASV. */
export function dataCommandDroppedWhenPipelined(): Pick<FaultScript, 'onCommand'> {
  return { onCommand: (v, _arg, s) => (/^(RETR|STOR|LIST|MLSD)$/.test(v) && s.sentWithPrevious ? 'silence' : undefined) };
}
