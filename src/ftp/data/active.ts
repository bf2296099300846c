/**
 * Active mode: we listen, tell the server where (PORT/EPRT), and the server connects to us. Some
 * servers connect as soon as PORT is accepted (pyftpdlib, ftp-srv), others only after RETR/LIST/STOR
 * (vsftpd, proftpd, pure-ftpd), so the listener queues a connection whenever it arrives.
 */
import * as net from 'node:net';
import { FtpError } from '../errors';
import { normalizeAddress } from '../addresses';

export interface ActiveSettings {
  /** Local address to listen on; defaults to the address of the control connection's local end. */
  bindAddress?: string;
  /** Inclusive local port range, e.g. [50000, 50100], for firewalls that open only those. */
  portRange?: [number, number];
  /** Address to put in PORT/EPRT when this computer is behind NAT. */
  externalAddress?: string;
}

export class ActiveListener {
  private queued?: net.Socket;
  private waiter?: (s: net.Socket) => void;
  private closed = false;
  /** Addresses that connected to our port and were refused (not the server). */
  readonly foreignPeers: string[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly address: string,
    readonly port: number,
    private readonly expectedPeer: string,
    private readonly onForeign: (address: string) => void,
  ) {
    server.on('connection', (socket) => this.onConnection(socket));
  }

  /** Listens on bindAddress, on a free port of the range if one is given. */
  static async open(bindAddress: string, range: [number, number] | undefined, expectedPeer: string, onForeign: (a: string) => void): Promise<ActiveListener> {
    const candidates = portCandidates(range);
    let lastError: unknown;
    for (const port of candidates) {
      const server = net.createServer({ pauseOnConnect: true });
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: bindAddress, port, exclusive: true }, () => {
            server.removeListener('error', reject);
            resolve();
          });
        });
        const addr = server.address() as net.AddressInfo;
        return new ActiveListener(server, bindAddress, addr.port, normalizeAddress(expectedPeer), onForeign);
      } catch (e) {
        server.close();
        lastError = e;
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES') break;
      }
    }
    const where = range ? `${bindAddress}, ports ${range[0]}-${range[1]}` : bindAddress;
    throw new FtpError('dataConnection', `Active mode: could not listen on ${where}: ${(lastError as Error)?.message ?? 'no free port'}.`, { dataFailure: 'refused', cause: lastError });
  }

  private onConnection(socket: net.Socket): void {
    const peer = normalizeAddress(socket.remoteAddress ?? '');
    // Only the server may connect: anyone else could inject or steal file data (FTP bounce/hijack).
    if (peer !== this.expectedPeer || this.closed) {
      if (!this.closed && this.foreignPeers.length < 8) this.foreignPeers.push(peer);
      this.onForeign(peer);
      socket.destroy();
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(socket);
    } else if (!this.queued) {
      this.queued = socket;
    } else {
      socket.destroy();
    }
    this.server.close(); // one data connection per listener
  }

  /** The server's connection, whenever it came; rejects with 'acceptTimeout' after timeoutMs. */
  accept(timeoutMs: number, signal?: AbortSignal): Promise<net.Socket> {
    if (this.queued) {
      const s = this.queued;
      this.queued = undefined;
      return Promise.resolve(s);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(this.timeoutError(timeoutMs));
      }, timeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        reject(new FtpError('aborted', 'The transfer was cancelled.'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = (s) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(s);
      };
    });
  }

  /**
   * Nothing came from the server in time. When another host connected instead (and was refused),
   * that is what happened: someone else answered the PORT, not a firewall in the way.
   */
  timeoutError(timeoutMs: number, command = 'PORT/EPRT', target = `${this.address}:${this.port}`): FtpError {
    if (this.foreignPeers.length) {
      return new FtpError('dataConnection', `Active mode (${command}): a connection to ${target} came from ${this.foreignPeers.join(', ')}, not from the server (${this.expectedPeer}); it was refused, and the server itself did not connect within ${timeoutMs / 1000} s.`, { dataFailure: 'foreignPeer' });
    }
    return new FtpError('dataConnection', `Active mode (${command}): the server did not connect back to ${target} within ${timeoutMs / 1000} s.`, { dataFailure: 'acceptTimeout' });
  }

  close(): void {
    this.closed = true;
    this.server.close();
    this.queued?.destroy();
    this.queued = undefined;
  }
}

function portCandidates(range: [number, number] | undefined): number[] {
  if (!range) return [0];
  const [lo, hi] = range[0] <= range[1] ? range : [range[1], range[0]];
  const n = hi - lo + 1;
  // Start at a random place so concurrent transfers don't all race for the same port.
  const start = Math.floor(Math.random() * n);
  return Array.from({ length: Math.min(n, 200) }, (_, i) => lo + ((start + i) % n));
}
