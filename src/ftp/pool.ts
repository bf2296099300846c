/**
 * A pool of connections to one site: at most `maxConnections` control connections (servers answer
 * 421 to clients that open one per operation), operations queued for a free one, idle connections
 * closed, and an idempotent operation retried once on a fresh connection after a drop or a 421.
 */
import { FtpClient } from './client';
import { FtpError, isFtpError } from './errors';
import { ModeMemory } from './data/methods';
import { ConnectOptions } from './options';

export interface PoolOptions extends ConnectOptions {
  /** Control connections at most (default 2). */
  maxConnections?: number;
  /** Close a connection idle this long (default 60 s; 0 keeps it). */
  idleTimeoutMs?: number;
  /** Send NOOP on idle connections this often so a firewall doesn't forget them (default 0: off). */
  keepaliveIntervalMs?: number;
}

export interface RunOptions {
  /** Safe to run twice (reads, and writes that replace the whole target): retried once after a drop. */
  idempotent?: boolean;
  signal?: AbortSignal;
}

interface Idle {
  client: FtpClient;
  timer?: NodeJS.Timeout;
  keepalive?: NodeJS.Timeout;
}

export class FtpPool {
  readonly modeMemory: ModeMemory;
  private readonly max: number;
  private readonly idleMs: number;
  private readonly keepaliveMs: number;
  private readonly clientOptions: ConnectOptions;
  private idle: Idle[] = [];
  private busy = new Set<FtpClient>();
  private connecting = 0;
  private waiting: Array<{ resolve(c: FtpClient): void; reject(e: unknown): void }> = [];
  private closed = false;

  constructor(options: PoolOptions) {
    this.modeMemory = options.modeMemory ?? new ModeMemory();
    this.max = Math.max(1, options.maxConnections ?? 2);
    this.idleMs = options.idleTimeoutMs ?? 60_000;
    this.keepaliveMs = options.keepaliveIntervalMs ?? 0;
    this.clientOptions = { ...options, modeMemory: this.modeMemory };
  }

  get stats(): { idle: number; busy: number; connecting: number; waiting: number } {
    return { idle: this.idle.length, busy: this.busy.size, connecting: this.connecting, waiting: this.waiting.length };
  }

  /** Runs fn on a pooled connection. */
  async run<T>(fn: (client: FtpClient) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.acquire(opts.signal);
      try {
        return await fn(client);
      } catch (e) {
        const dropped = isFtpError(e) && (e.kind === 'connectionLost' || (e.fatal && e.kind === 'timeout'));
        if (dropped) client.disconnect();
        if (!(dropped && opts.idempotent && attempt === 0 && !opts.signal?.aborted)) throw e;
      } finally {
        this.release(client);
      }
    }
  }

  private acquire(signal?: AbortSignal): Promise<FtpClient> {
    if (this.closed) return Promise.reject(new FtpError('connectionLost', 'The connection pool was closed.'));
    if (signal?.aborted) return Promise.reject(new FtpError('aborted', 'Cancelled.'));
    const idle = this.idle.pop();
    if (idle) {
      this.stopTimers(idle);
      this.busy.add(idle.client);
      return Promise.resolve(idle.client);
    }
    if (this.busy.size + this.connecting < this.max) return this.open();
    return new Promise((resolve, reject) => {
      const w = { resolve, reject };
      this.waiting.push(w);
      signal?.addEventListener('abort', () => {
        this.waiting = this.waiting.filter((x) => x !== w);
        reject(new FtpError('aborted', 'Cancelled.'));
      }, { once: true });
    });
  }

  private async open(): Promise<FtpClient> {
    this.connecting++;
    try {
      const client = await FtpClient.connect(this.clientOptions);
      this.busy.add(client);
      return client;
    } catch (e) {
      // Operations queued behind a failed connect would fail the same way: tell them now.
      for (const w of this.waiting.splice(0)) w.reject(e);
      throw e;
    } finally {
      this.connecting--;
    }
  }

  private release(client: FtpClient): void {
    this.busy.delete(client);
    if (this.closed) {
      void client.close();
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      this.busy.add(client);
      next.resolve(client); // a dropped client reconnects on its next operation
      return;
    }
    if (!client.connected) return; // nothing waits: let it go
    const entry: Idle = { client };
    if (this.idleMs > 0) {
      entry.timer = setTimeout(() => {
        this.idle = this.idle.filter((x) => x !== entry);
        this.stopTimers(entry);
        void client.close();
      }, this.idleMs);
      entry.timer.unref();
    }
    if (this.keepaliveMs > 0) {
      entry.keepalive = setInterval(() => client.noop().catch(() => {
        this.idle = this.idle.filter((x) => x !== entry);
        this.stopTimers(entry);
      }), this.keepaliveMs);
      entry.keepalive.unref();
    }
    this.idle.push(entry);
  }

  private stopTimers(entry: Idle): void {
    clearTimeout(entry.timer);
    clearInterval(entry.keepalive);
  }

  /** Closes every connection (QUIT); queued operations fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new FtpError('connectionLost', 'The connection pool was closed.'));
    const idle = this.idle.splice(0);
    idle.forEach((e) => this.stopTimers(e));
    await Promise.all(idle.map((e) => e.client.close()));
  }
}
