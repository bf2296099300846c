/**
 * A latency relay: a userland TCP proxy that holds every chunk for `oneWayMs` in each direction, so
 * a loopback server looks `2 * oneWayMs` away (netem does not work on these machines).
 *
 * It listens on `listenHost` (127.0.0.2) on the server's control port and on every port of its
 * passive range, and forwards each connection to the same port on `targetHost` (127.0.0.1). A
 * client that connects its data connections to the control connection's address (EPSV; PASV with
 * the advertised address ignored, as our engine, curl, ftplib and basic-ftp do by default, and
 * lftp with ftp:ignore-pasv-address) goes through it for both. Both connections reach the server
 * from 127.0.0.1, so vsftpd's check that data comes from the control connection's peer holds.
 *
 * What it does not delay: TCP handshakes (the kernel completes them at once), so a real network
 * adds one more round trip per data connection than this relay does. Active mode is not relayed.
 * Order is kept per direction (one queue, one timer); a FIN is delayed like data.
 */
import * as net from 'node:net';

export interface RelayOptions {
  listenHost: string;
  targetHost: string;
  ports: number[];
  oneWayMs: number;
}

/** Copies from -> to, each chunk (and the end) `ms` later than it arrived. */
function delayedPipe(from: net.Socket, to: net.Socket, ms: number): void {
  const queue: Array<{ at: number; chunk: Buffer | null }> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0].at <= now + 0.5) {
      const { chunk } = queue.shift()!;
      if (to.destroyed) return;
      if (chunk === null) to.end();
      else to.write(chunk);
    }
    schedule();
  };
  const schedule = () => {
    if (timer || !queue.length) return;
    timer = setTimeout(flush, Math.max(0, queue[0].at - performance.now()));
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ at: performance.now() + ms, chunk });
    schedule();
  });
  from.on('end', () => {
    queue.push({ at: performance.now() + ms, chunk: null });
    schedule();
  });
}

export class LatencyRelay {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  /** Connections relayed so far (control and data). */
  connections = 0;

  private constructor(private readonly o: RelayOptions) {}

  static async start(o: RelayOptions): Promise<LatencyRelay> {
    const relay = new LatencyRelay(o);
    try {
      for (const port of o.ports) await relay.listen(port);
    } catch (e) {
      await relay.close();
      throw e;
    }
    return relay;
  }

  private listen(port: number): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true }, (client) => this.relay(client, port));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.o.listenHost, () => resolve());
    });
  }

  private relay(client: net.Socket, port: number): void {
    this.connections++;
    const upstream = net.connect({ host: this.o.targetHost, port, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => {
        this.sockets.delete(s);
        // The other side closes once what is queued for it has been written.
        const other = s === client ? upstream : client;
        setTimeout(() => other.destroy(), this.o.oneWayMs + 5);
      });
      s.on('error', () => undefined);
    }
    delayedPipe(client, upstream, this.o.oneWayMs);
    delayedPipe(upstream, client, this.o.oneWayMs);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
