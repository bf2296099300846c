/**
 * FAKE FTP SERVER, for faults only. Real servers (test/servers) are used for everything they can
 * do; this one exists to produce what they can't be made to do on demand: a 421 in the middle of a
 * session, silence, garbage, a 426 before any data, a data connection from a foreign address.
 * It understands just enough FTP for the engine to log in and move one file.
 */
import * as net from 'node:net';
import { decodeEprt, decodePort, encodePasvReply } from '../../src/ftp/addresses';

export interface FaultScript {
  greeting?: string[];
  /** Return lines to send, or undefined to use the default handling; 'silence' sends nothing. */
  onCommand?: (verb: string, arg: string, session: FakeSession) => string[] | 'silence' | 'close' | undefined;
  /** Content RETR sends. */
  file?: Buffer;
  /** What LIST sends (lines joined with CRLF). */
  listing?: string[];
  /** Connect back for PORT/EPRT from this local address (to play a foreign host). */
  activeFromAddress?: string;
}

export interface FakeSession {
  id: number;
  commands: string[];
  socket: net.Socket;
}

export interface FakeServer {
  port: number;
  sessions: FakeSession[];
  /** Most sessions open at the same time. */
  maxConcurrent: number;
  stop(): Promise<void>;
}

export async function startFaultServer(script: FaultScript = {}): Promise<FakeServer> {
  const sessions: FakeSession[] = [];
  const sockets = new Set<net.Socket>();
  const listeners = new Set<net.Server>(); // passive-mode listeners, closed by stop()
  const track = (sock: net.Socket) => { sockets.add(sock); sock.on('close', () => sockets.delete(sock)); sock.on('error', () => undefined); return sock; };
  let open = 0;
  const state = { maxConcurrent: 0 };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    open++;
    state.maxConcurrent = Math.max(state.maxConcurrent, open);
    socket.on('close', () => { open--; sockets.delete(socket); });
    socket.on('error', () => undefined);
    const session: FakeSession = { id: sessions.length + 1, commands: [], socket };
    sessions.push(session);
    let pasv: net.Server | undefined;
    let pasvSocket: Promise<net.Socket> | undefined;
    let activeTarget: { host: string; port: number } | undefined;
    const send = (lines: string[]) => socket.write(lines.map((l) => l + '\r\n').join(''));
    send(script.greeting ?? ['220 FAKE fault server']);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).replace(/\r$/, '');
        buffer = buffer.slice(i + 1);
        const [verb, ...rest] = line.split(' ');
        const arg = rest.join(' ');
        session.commands.push(line);
        const custom = script.onCommand?.(verb.toUpperCase(), arg, session);
        if (custom === 'silence') continue;
        if (custom === 'close') { socket.destroy(); return; }
        if (custom) { send(custom); continue; }
        void handle(verb.toUpperCase(), arg);
      }
    });
    async function dataSocket(): Promise<net.Socket> {
      if (pasvSocket) return pasvSocket;
      const target = activeTarget!;
      return new Promise((resolve, reject) => {
        const s = track(net.connect({ host: target.host, port: target.port, localAddress: script.activeFromAddress }));
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
    }
    async function handle(verb: string, arg: string) {
      switch (verb) {
        case 'USER': return send(['331 Password please']);
        case 'PASS': return send(['230 Logged in']);
        case 'FEAT': return send(['211-Features:', ' EPSV', ' EPRT', ' SIZE', '211 End']);
        case 'SYST': return send(['215 UNIX Type: L8']);
        case 'TYPE': return send(['200 Type set']);
        case 'PWD': return send(['257 "/" is current']);
        case 'NOOP': return send(['200 NOOP ok']);
        case 'ABOR': return send(['226 ABOR ok']);
        case 'QUIT': send(['221 Bye']); return socket.end();
        case 'SIZE': return send([`213 ${(script.file ?? Buffer.alloc(0)).length}`]);
        case 'EPSV':
        case 'PASV': {
          pasv?.close();
          pasv = net.createServer(track);
          listeners.add(pasv);
          await new Promise<void>((r) => pasv!.listen(0, '127.0.0.1', r));
          const p = (pasv.address() as net.AddressInfo).port;
          pasvSocket = new Promise((resolve) => pasv!.once('connection', resolve));
          activeTarget = undefined;
          return send([verb === 'EPSV' ? `229 Entering Extended Passive Mode (|||${p}|)` : `227 ${encodePasvReply('127.0.0.1', p)}`]);
        }
        case 'PORT':
        case 'EPRT': {
          activeTarget = verb === 'PORT' ? decodePort(arg) : decodeEprt(arg);
          pasvSocket = undefined;
          return send(['200 OK']);
        }
        case 'CWD': return send(['250 OK']);
        case 'LIST':
        case 'RETR': {
          send(['150 Opening data connection']);
          try {
            const s = await dataSocket();
            s.end(verb === 'LIST' ? Buffer.from((script.listing ?? []).map((l) => l + '\r\n').join('')) : script.file ?? Buffer.alloc(0));
            s.on('close', () => send(['226 Transfer complete']));
          } catch {
            send(["425 Can't open data connection"]);
          }
          return;
        }
        default: return send(['502 Not implemented']);
      }
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    sessions,
    get maxConcurrent() { return state.maxConcurrent; },
    stop: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      for (const l of listeners) l.close();
      server.close(() => r());
    }),
  };
}
