/**
 * A reference, not a peer: Node's sockets alone sending the engine's commands for a folder of small
 * files, with none of the engine (no reply parser beyond the code, no timeouts, no log, no fallback,
 * no checks). What it reaches is what Node can do here, so the many-files rows can tell the
 * engine's own cost per file from Node's. Uploads as the engine does them (a checked save): EPSV and
 * STOR to a temporary name together, the bytes, then SIZE, RNFR and RNTO together; downloads:
 * EPSV and RETR together, the bytes into memory, one write to a temporary file and a rename. One
 * control connection per `connections`, each taking the next file; plain FTP, passive, vsftpd's
 * one-line replies.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Conn } from './common';

interface Control {
  write(text: string): void;
  /** The next final reply line (`ddd text`); preliminary and continuation lines are not told apart beyond that. */
  reply(): Promise<string>;
  end(): void;
}

function control(conn: Conn): Control {
  const socket = net.connect(conn.port, conn.host);
  socket.setNoDelay(true);
  let buffered = '';
  const waiting: Array<(line: string) => void> = [];
  const early: string[] = [];
  let failure: Error | undefined;
  socket.on('error', (e) => (failure = e));
  socket.on('data', (d: Buffer) => {
    buffered += d.toString('latin1');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
      if (!/^\d{3} /.test(line)) continue;
      const w = waiting.shift();
      if (w) w(line);
      else early.push(line);
    }
  });
  return {
    write: (text) => socket.write(text),
    reply: () => (failure ? Promise.reject(failure) : new Promise((resolve) => (early.length ? resolve(early.shift()!) : waiting.push(resolve)))),
    end: () => socket.end('QUIT\r\n'),
  };
}

async function expect(c: Control, code: string): Promise<string> {
  const line = await c.reply();
  if (!line.startsWith(code)) throw new Error(`expected ${code}, got: ${line}`);
  return line;
}

function epsvPort(line: string): number {
  const m = /\|\|\|(\d+)\|/.exec(line);
  if (!m) throw new Error(`no port in: ${line}`);
  return Number(m[1]);
}

/** Moves every file of `local` to `remote` (upload) or of `remote` (named as in `names`) into `local` (download). */
export async function bareMany(conn: Conn, direction: 'upload' | 'download', local: string, remote: string, names: string[], connections: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    const c = control(conn);
    await expect(c, '220');
    c.write(`USER ${conn.user}\r\n`);
    await expect(c, '331');
    c.write(`PASS ${conn.password}\r\nTYPE I\r\n`);
    await expect(c, '230');
    await expect(c, '200');
    while (next < names.length) {
      const name = names[next++];
      if (direction === 'upload') {
        const data = fs.readFileSync(path.join(local, name));
        const temp = `${remote}/.${name}.part`;
        c.write(`EPSV\r\nSTOR ${temp}\r\n`);
        const d = net.connect(epsvPort(await expect(c, '229')), conn.host);
        d.on('connect', () => d.end(data));
        const closed = new Promise((resolve, reject) => { d.on('close', resolve); d.on('error', reject); });
        await expect(c, '150');
        await closed;
        await expect(c, '226');
        c.write(`SIZE ${temp}\r\nRNFR ${temp}\r\nRNTO ${remote}/${name}\r\n`);
        if ((await expect(c, '213')) !== `213 ${data.length}`) throw new Error(`${name}: wrong size on the server`);
        await expect(c, '350');
        await expect(c, '250');
      } else {
        c.write(`EPSV\r\nRETR ${remote}/${name}\r\n`);
        const d = net.connect(epsvPort(await expect(c, '229')), conn.host);
        const chunks: Buffer[] = [];
        d.on('data', (b: Buffer) => chunks.push(b));
        const ended = new Promise((resolve, reject) => { d.on('end', resolve); d.on('error', reject); });
        await expect(c, '150');
        await ended;
        await expect(c, '226');
        const temp = path.join(local, `.${name}.part`);
        fs.writeFileSync(temp, Buffer.concat(chunks), { flag: 'wx' });
        fs.renameSync(temp, path.join(local, name));
      }
    }
    c.end();
  }));
}
