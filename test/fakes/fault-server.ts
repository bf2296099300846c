/**
 * FAKE FTP SERVER, for faults only. Real servers (test/servers) are used for everything they can
 * do; this one exists to produce what they can't be made to do on demand: a 421 or a drop at any
 * point, silence, garbage, a 426 after some bytes, a TLS stream cut without close_notify, an RNTO
 * done but never answered, a data connection from a foreign address, hostile names and floods.
 *
 * Its files live in a real directory (`root`), so a test checks "the file on the server's disk"
 * as with a real server. It speaks enough FTP for the engine and the extension: USER/PASS, FEAT,
 * AUTH TLS/PBSZ/PROT (with the test certificate), EPSV/PASV/EPRT/PORT, CWD/PWD, LIST/MLSD, RETR,
 * STOR, SIZE, MDTM, MLST, DELE, RNFR/RNTO, MKD/RMD, SITE CHMOD. Every command can be overridden.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { decodeEprt, decodePort, encodePasvReply } from '../../src/ftp/addresses';

export interface FaultScript {
  greeting?: string[];
  /**
   * Nagle's algorithm left on for the control connection, as ftp-srv does: a reply written while the
   * one before is not acknowledged waits for that (about 40 ms against this client). Off by default,
   * as on vsftpd, proftpd and pure-ftpd, which answer a batch of commands at once.
   */
  holdReplies?: boolean;
  /** Lines to answer a command with, or 'silence' / 'close'; undefined: the normal handling. */
  onCommand?: (verb: string, arg: string, session: FakeSession) => string[] | 'silence' | 'close' | undefined;
  /** Takes over a transfer (RETR, STOR, LIST, MLSD); return true when it did. */
  onTransfer?: (t: FakeTransfer) => Promise<boolean> | boolean;
  /** What RETR sends for a path that is not on disk (older tests). */
  file?: Buffer;
  /** What LIST and MLSD send, whatever is on disk. */
  listing?: string[];
  /** Connect back for PORT/EPRT from this local address (to play a foreign host). */
  activeFromAddress?: string;
  /** FEAT lines (default: EPSV, EPRT, SIZE, MDTM, UTF8, AUTH TLS when `tls`). */
  features?: string[];
  /** Folder on disk that is "/" (default: a new temp folder, removed by stop()). */
  root?: string;
  /** Offer AUTH TLS with this certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Sessions at most; more get "421 Too many connections" and are closed (a per-IP limit). */
  maxSessions?: number;
}

export interface FakeSession {
  id: number;
  commands: string[];
  socket: net.Socket;
  /** The file on disk for a path the client sent (relative to the session's directory). */
  disk(arg: string): string;
  /** Writes raw bytes on the control connection. */
  write(text: string): void;
  /** Whether the command now handled came in the same write (TCP segment) as the one before it. */
  sentWithPrevious: boolean;
}

export interface FakeTransfer {
  verb: string;
  arg: string;
  /** The file or folder on disk. */
  disk: string;
  session: FakeSession;
  send(lines: string[]): void;
  /** The data connection (passive: the client's; active: ours to the client), TLS when PROT P. */
  data(): Promise<net.Socket>;
}

export interface FakeServer {
  port: number;
  root: string;
  sessions: FakeSession[];
  /** Most sessions open at the same time. */
  maxConcurrent: number;
  /** Sessions refused by `maxSessions`. */
  refused: number;
  /** Drops every connection and stops listening for downMs, then listens on the same port again. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function lsLine(dir: string, name: string): string {
  const st = fs.lstatSync(path.join(dir, name));
  const type = st.isSymbolicLink() ? 'l' : st.isDirectory() ? 'd' : '-';
  const bits = (st.mode & 0o777).toString(2).padStart(9, '0').split('').map((b, i) => (b === '1' ? 'rwx'[i % 3] : '-')).join('');
  const d = st.mtime;
  const target = st.isSymbolicLink() ? ` -> ${fs.readlinkSync(path.join(dir, name))}` : '';
  return `${type}${bits} 1 ftp ftp ${String(st.size).padStart(8)} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')} ${name}${target}`;
}

function mlsxFacts(file: string): string {
  const st = fs.lstatSync(file);
  const type = st.isSymbolicLink() ? 'OS.unix=slink' : st.isDirectory() ? 'dir' : 'file';
  const t = st.mtime.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `type=${type};size=${st.size};modify=${t};UNIX.mode=0${(st.mode & 0o777).toString(8)};unique=${st.dev.toString(16)}U${st.ino.toString(16)};`;
}

export async function startFaultServer(script: FaultScript = {}): Promise<FakeServer> {
  const ownRoot = !script.root;
  const root = script.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-fake-'));
  const sessions: FakeSession[] = [];
  const sockets = new Set<net.Socket>();
  const listeners = new Set<net.Server>(); // passive-mode listeners, closed by stop()
  const track = <S extends net.Socket>(sock: S): S => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    return sock;
  };
  const features = script.features ?? ['EPSV', 'EPRT', 'SIZE', 'MDTM', 'UTF8', ...(script.tls ? ['AUTH TLS', 'PBSZ', 'PROT'] : [])];
  let open = 0;
  const state = { maxConcurrent: 0, refused: 0 };

  const onConnection = (raw: net.Socket) => {
    track(raw);
    if (script.maxSessions !== undefined && open >= script.maxSessions) {
      state.refused++;
      raw.end('421 Too many connections (1) from this IP\r\n');
      return;
    }
    open++;
    raw.setNoDelay(!script.holdReplies);
    state.maxConcurrent = Math.max(state.maxConcurrent, open);
    raw.on('close', () => open--);
    let socket: net.Socket = raw;
    let cwd = '/';
    let protect = false;
    let rnfr: string | undefined;
    let pasv: net.Server | undefined;
    let pasvSocket: Promise<net.Socket> | undefined;
    let activeTarget: { host: string; port: number } | undefined;
    const virtual = (arg: string) => path.posix.normalize(arg.startsWith('/') ? arg : path.posix.join(cwd, arg || '.'));
    const disk = (arg: string) => path.join(root, virtual(arg));
    const send = (lines: string[]) => socket.write(lines.map((l) => l + '\r\n').join(''));
    const session: FakeSession = { id: sessions.length + 1, commands: [], socket: raw, disk, write: (t) => socket.write(t), sentWithPrevious: false };
    sessions.push(session);
    send(script.greeting ?? ['220 FAKE fault server']);

    let buffer = '';
    // An EPSV/PASV still opening its port: the lines after it wait, as a real server reads the next
    // command only once it has answered this one (a client may send RETR in the same write).
    let settingUp: Promise<void> | undefined;
    // Which read each line ended in (for sentWithPrevious).
    let reads = 0;
    const lineReads: number[] = [];
    let previousRead = -1;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (text.length) reads++;
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineReads.push(reads);
      buffer += text;
      let i: number;
      while (!settingUp && (i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).replace(/\r$/, '');
        buffer = buffer.slice(i + 1);
        const read = lineReads.shift() ?? reads;
        session.sentWithPrevious = read === previousRead;
        previousRead = read;
        const [verb, ...rest] = line.split(' ');
        const arg = rest.join(' ');
        session.commands.push(line);
        const custom = script.onCommand?.(verb.toUpperCase(), arg, session);
        if (custom === 'silence') continue;
        if (custom === 'close') {
          raw.destroy();
          return;
        }
        if (custom) {
          send(custom);
          if (verb.toUpperCase() === 'AUTH' && custom.some((l) => l.startsWith('234'))) upgrade();
          continue;
        }
        const handled = handle(verb.toUpperCase(), arg).catch((e) => void send([`451 ${String((e as Error).message).replace(/\s+/g, ' ')}`]));
        if (verb.toUpperCase() === 'EPSV' || verb.toUpperCase() === 'PASV') {
          settingUp = handled.finally(() => {
            settingUp = undefined;
            onData(Buffer.alloc(0));
          });
        }
      }
    };
    socket.on('data', onData);

    function upgrade(): void {
      raw.removeListener('data', onData);
      const secure = new tls.TLSSocket(raw, { isServer: true, key: script.tls!.key, cert: script.tls!.cert });
      secure.on('error', () => raw.destroy());
      secure.on('data', onData);
      socket = secure;
    }

    async function dataSocket(): Promise<net.Socket> {
      let s: net.Socket;
      // One data connection per EPSV/PASV/PORT/EPRT, as on real servers: a second command without
      // one is answered 425 (below, in transfer).
      const passive = pasvSocket;
      const active = activeTarget;
      pasvSocket = undefined;
      activeTarget = undefined;
      if (passive) s = await passive;
      else {
        if (!active) throw new Error('Use PORT or PASV first');
        const target = active;
        s = await new Promise<net.Socket>((resolve, reject) => {
          const c = track(net.connect({ host: target.host, port: target.port, localAddress: script.activeFromAddress }));
          c.once('connect', () => resolve(c));
          c.once('error', reject);
        });
      }
      if (!protect) return s;
      const secure = track(new tls.TLSSocket(s, { isServer: true, key: script.tls!.key, cert: script.tls!.cert }));
      (secure as net.Socket & { raw?: net.Socket }).raw = s; // for faults that cut TCP under TLS
      await new Promise<void>((resolve, reject) => {
        secure.once('secure', resolve);
        secure.once('error', reject);
      });
      return secure;
    }

    async function transfer(verb: string, arg: string, fn: (s: net.Socket) => Promise<void>): Promise<void> {
      const t: FakeTransfer = { verb, arg, disk: disk(arg), session, send, data: dataSocket };
      if (script.onTransfer && (await script.onTransfer(t))) return;
      if (!pasvSocket && !activeTarget) return void send(["425 Use PORT or PASV first."]);
      send(['150 Opening data connection']);
      let s: net.Socket;
      try {
        s = await dataSocket();
      } catch {
        send(["425 Can't open data connection"]);
        return;
      }
      try {
        await fn(s);
        send(['226 Transfer complete']);
      } catch (e) {
        send([`426 ${(e as Error).message}`]);
      }
    }

    const endWith = (s: net.Socket, data: Buffer) => new Promise<void>((resolve) => s.end(data, () => resolve()));

    async function handle(verb: string, arg: string): Promise<void> {
      switch (verb) {
        case 'USER': return void send(['331 Password please']);
        case 'PASS': return void send(['230 Logged in']);
        case 'ACCT': return void send(['230 Logged in']);
        case 'AUTH':
          if (!script.tls) return void send(['502 No TLS here']);
          send(['234 Proceed with negotiation.']);
          return upgrade();
        case 'PBSZ': return void send(['200 PBSZ=0']);
        case 'PROT':
          protect = arg.toUpperCase() === 'P';
          return void send(['200 Protection set']);
        case 'FEAT': return void send(['211-Features:', ...features.map((f) => ` ${f}`), '211 End']);
        case 'OPTS': return void send(['200 OK']);
        case 'SYST': return void send(['215 UNIX Type: L8']);
        case 'TYPE': return void send(['200 Type set']);
        case 'PWD': return void send([`257 "${cwd.replace(/"/g, '""')}" is current`]);
        case 'NOOP': return void send(['200 NOOP ok']);
        case 'ABOR': return void send(['226 ABOR ok']);
        case 'QUIT':
          send(['221 Bye']);
          return void socket.end();
        case 'CWD': {
          const p = virtual(arg);
          if (fs.existsSync(disk(arg)) ? fs.statSync(disk(arg)).isDirectory() : !!script.listing) {
            cwd = p;
            return void send(['250 OK']);
          }
          return void send([`550 ${arg}: No such file or directory`]);
        }
        case 'CDUP':
          cwd = path.posix.dirname(cwd);
          return void send(['250 OK']);
        case 'SIZE': {
          if (fs.existsSync(disk(arg)) && fs.statSync(disk(arg)).isFile()) return void send([`213 ${fs.statSync(disk(arg)).size}`]);
          if (script.file && !fs.existsSync(disk(arg))) return void send([`213 ${script.file.length}`]);
          return void send([`550 ${arg}: No such file or directory`]);
        }
        case 'MDTM': {
          if (!fs.existsSync(disk(arg))) return void send([`550 ${arg}: No such file or directory`]);
          return void send([`213 ${fs.statSync(disk(arg)).mtime.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`]);
        }
        case 'MLST': {
          if (!fs.existsSync(disk(arg))) return void send([`550 ${arg}: No such file or directory`]);
          return void send(['250-Listing', ` ${mlsxFacts(disk(arg))} ${virtual(arg)}`, '250 End']);
        }
        case 'DELE':
          fs.unlinkSync(disk(arg));
          return void send(['250 Deleted']);
        case 'RNFR':
          if (!fs.existsSync(disk(arg)) && !fs.lstatSync(disk(arg), { throwIfNoEntry: false })) return void send([`550 ${arg}: No such file or directory`]);
          rnfr = disk(arg);
          return void send(['350 Ready for RNTO']);
        case 'RNTO':
          if (!rnfr) return void send(['503 RNFR first']);
          fs.renameSync(rnfr, disk(arg));
          rnfr = undefined;
          return void send(['250 Renamed']);
        case 'MKD':
          fs.mkdirSync(disk(arg));
          return void send([`257 "${virtual(arg)}" created`]);
        case 'RMD':
          fs.rmdirSync(disk(arg));
          return void send(['250 Removed']);
        case 'SITE': {
          const m = /^CHMOD\s+([0-7]+)\s+(.*)$/i.exec(arg);
          if (!m) return void send(['500 Unknown SITE command']);
          fs.chmodSync(disk(m[2]), parseInt(m[1], 8));
          return void send(['200 SITE CHMOD ok']);
        }
        case 'EPSV':
        case 'PASV': {
          pasv?.close();
          const server = net.createServer(track);
          pasv = server;
          listeners.add(server);
          await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
          const p = (server.address() as net.AddressInfo).port;
          pasvSocket = new Promise((resolve) => server.once('connection', resolve));
          pasvSocket.catch(() => undefined);
          activeTarget = undefined;
          return void send([verb === 'EPSV' ? `229 Entering Extended Passive Mode (|||${p}|)` : `227 ${encodePasvReply('127.0.0.1', p)}`]);
        }
        case 'PORT':
        case 'EPRT':
          activeTarget = verb === 'PORT' ? decodePort(arg) : decodeEprt(arg);
          pasvSocket = undefined;
          return void send(['200 OK']);
        case 'LIST':
        case 'NLST':
        case 'MLSD': {
          const target = arg.replace(/^-\w+(\s+|$)/, ''); // `LIST -a /dir/` as real servers read it
          const dir = disk(target);
          const onDisk = fs.existsSync(dir) && fs.statSync(dir).isDirectory();
          if (!onDisk && !script.listing) return void send([`550 ${target}: No such file or directory`]);
          return transfer(verb, target, async (s) => {
            const names = onDisk ? fs.readdirSync(dir) : [];
            const lines = script.listing ? script.listing
              : verb === 'MLSD' ? names.map((n) => `${mlsxFacts(path.join(dir, n))} ${n}`) : names.map((n) => lsLine(dir, n));
            await endWith(s, Buffer.from(lines.map((l) => l + '\r\n').join('')));
          });
        }
        case 'RETR': {
          const file = disk(arg);
          const onDisk = fs.existsSync(file) && fs.statSync(file).isFile();
          if (!onDisk && !script.file) return void send([`550 ${arg}: No such file or directory`]);
          return transfer(verb, arg, (s) => endWith(s, onDisk ? fs.readFileSync(file) : script.file!));
        }
        case 'STOR':
          return transfer(verb, arg, (s) => new Promise<void>((resolve, reject) => {
            const chunks: Buffer[] = [];
            s.on('data', (c: Buffer) => chunks.push(c));
            s.on('end', () => {
              fs.writeFileSync(disk(arg), Buffer.concat(chunks));
              resolve();
            });
            s.on('error', reject);
          }));
        default:
          return void send(['502 Not implemented']);
      }
    }
  };

  let server = net.createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const dropAll = () => {
    for (const s of sockets) s.destroy();
    for (const l of listeners) l.close();
  };
  return {
    port,
    root,
    sessions,
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    get refused() {
      return state.refused;
    },
    restart: async (downMs: number) => {
      await new Promise<void>((r) => {
        server.close(() => r());
        dropAll();
      });
      await new Promise((r) => setTimeout(r, downMs));
      server = net.createServer(onConnection);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    stop: () => new Promise<void>((r) => {
      dropAll();
      server.close(() => {
        if (ownRoot) fs.rmSync(root, { recursive: true, force: true });
        r();
      });
    }),
  };
}
