/**
 * A pool of connections to one site: at most `maxConnections` control connections (servers answer
 * 421 to clients that open one per operation), operations queued for a free one, idle connections
 * closed. It survives what servers do:
 * - A refused connection while others work (a per-IP limit, "421 Too many connections") lowers the
 *   pool's cap for a while (logged); the operation waits for a working connection instead of failing.
 *   Logins made together and all refused get one more try by a connection alone (a limit counting
 *   sessions not logged in yet refuses them all); only that one's refusal is taken as final.
 * - A server that went away after it had worked (restart, crash) is an outage: operations wait and
 *   reconnect with backoff for up to `outageRetryMs`, one connect per free slot, not one per
 *   operation. A dead connection is never handed to the next operation.
 * - An operation cut off by a dropped connection runs again on a new one when that is safe: it is
 *   idempotent (reads, a whole safe save), or it had not sent a command yet.
 * A site that never answered fails at once, and every queued operation with it.
 */
import type { ServerHabits } from './habits';
import type { KnownServer } from './session';
import { FtpClient } from './client';
import { FtpError, isFtpError } from './errors';
import { ModeMemory } from './data/methods';
import { isPortBusyAndClosed } from './data/transfer';
import { LogSink, noLog } from './log';
import { sleep } from './wait';
import { ConnectOptions } from './options';

export interface PoolOptions extends ConnectOptions {
  /** Control connections at most (default 2). */
  maxConnections?: number;
  /** Close a connection idle this long (default 60 s; 0 keeps it). */
  idleTimeoutMs?: number;
  /** Send NOOP on idle connections this often so a firewall doesn't forget them (default 0: off). */
  keepaliveIntervalMs?: number;
  /** How long operations wait for a server that had worked to come back (default 10 s). */
  outageRetryMs?: number;
  /** How long a cap lowered by a refused connection holds (default 60 s). */
  capHoldMs?: number;
  /** Called when `outage` begins or ends (a UI shows the site reconnecting at once). */
  onOutageChange?: () => void;
}

export interface RunOptions {
  /** Safe to run twice (reads, and writes that replace the whole target): run again after a drop. */
  idempotent?: boolean;
  signal?: AbortSignal;
}

interface Idle {
  client: FtpClient;
  timer?: NodeJS.Timeout;
  keepalive?: NodeJS.Timeout;
}

/** Someone waiting for a connection: handed one, or woken (undefined) to try opening one. */
interface Waiter {
  resolve(client: FtpClient | undefined): void;
  reject(e: unknown): void;
}

/** Errors after which the connection is gone (and another one may work). */
function connectionLoss(e: unknown): boolean {
  return isFtpError(e) && (e.kind === 'connectionLost' || e.kind === 'unreachable' || e.kind === 'interrupted' || (e.fatal && e.kind === 'timeout'));
}

/** Connect failures that a server coming back, or freeing a slot, can cure. A refused login can't. */
function retryableConnectFailure(e: unknown): boolean {
  return isFtpError(e) && (e.kind === 'connectionLost' || e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'transient');
}

/** Waits until every promise has settled, or until `signal` aborts (whichever comes first). */
async function settledOrCancelled(promises: Promise<unknown>[], signal?: AbortSignal): Promise<void> {
  if (!signal) return void (await Promise.allSettled(promises));
  if (signal.aborted) return;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([Promise.allSettled(promises), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** An error's message inside parentheses: without its closing full stop. */
const unstopped = (message: string) => message.replace(/\.$/, '');

const MAX_RUNS = 5;
/** How long a lone login waits after refused ones made together, so the server has closed them. */
const ALONE_AFTER_MS = 200;

export class FtpPool {
  readonly modeMemory: ModeMemory;
  private readonly max: number;
  private readonly idleMs: number;
  private readonly keepaliveMs: number;
  private readonly outageMs: number;
  private readonly capHoldMs: number;
  private readonly onOutageChange?: () => void;
  private readonly clientOptions: ConnectOptions;
  /** Temporary files interrupted saves left, shared with every client (FtpClient.leftovers). */
  private readonly leftovers: Set<string>;
  /** What the server was seen to do, shared with every client (FtpClient.habits). */
  private readonly habits: ServerHabits = {};
  /** What the first connection learnt at its login, so a later one's setup is one round trip (session.ts). */
  private known?: KnownServer;
  private readonly log: LogSink;
  private idle: Idle[] = [];
  private busy = new Set<FtpClient>();
  private connecting = 0;
  /** Connects in flight, so a refused login can wait to see whether another one gets in. */
  private readonly inflight = new Map<Promise<FtpClient>, { together: boolean }>();
  private waiting: Waiter[] = [];
  /** Busy connections that opened a data port ahead for an operation waiting (FtpClient.claimWaiting), until released. */
  private readonly claimed = new Set<FtpClient>();
  private closed = false;
  /** A lowered cap after the server refused a connection, until `capUntil`. */
  private lowered?: { cap: number; until: number };
  /** Whether a connection ever got through: only then is a refusal an outage worth waiting out. */
  private everConnected = false;
  private downSince?: number;
  private retryAt = 0;
  private backoffMs = 100;

  constructor(options: PoolOptions) {
    this.modeMemory = options.modeMemory ?? new ModeMemory();
    this.max = Math.max(1, options.maxConnections ?? 2);
    this.idleMs = options.idleTimeoutMs ?? 60_000;
    this.keepaliveMs = options.keepaliveIntervalMs ?? 0;
    this.outageMs = options.outageRetryMs ?? 10_000;
    this.capHoldMs = options.capHoldMs ?? 60_000;
    this.onOutageChange = options.onOutageChange;
    this.log = options.log ?? noLog;
    this.clientOptions = { ...options, modeMemory: this.modeMemory };
    this.leftovers = new Set<string>();
  }

  get stats(): { idle: number; busy: number; connecting: number; waiting: number; cap: number } {
    return { idle: this.idle.length, busy: this.busy.size, connecting: this.connecting, waiting: this.waiting.length, cap: this.cap() };
  }

  /**
   * While the server, which answered before, can't be reached and operations wait to try again (the
   * outage window): since when, and why. Undefined once a connection gets in again.
   */
  get outage(): { since: number; reason: string } | undefined {
    return this.downSince !== undefined && this.withinOutage() && this.lastDownError ? { since: this.downSince, reason: this.lastDownError.message } : undefined;
  }

  /** Runs fn on a pooled connection; see the file comment for when it runs again. */
  async run<T>(fn: (client: FtpClient) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    for (let runs = 1; ; runs++) {
      const client = await this.acquire(opts.signal);
      await this.cleanLeftovers(client);
      const mark = client.operationCommands;
      try {
        return await fn(client);
      } catch (e) {
        const lost = connectionLoss(e);
        // An interrupted transfer has put its connection back in step (or lost it: then it reconnects).
        const interrupted = isFtpError(e, 'interrupted');
        if (lost && !interrupted) client.disconnect();
        const untouched = client.operationCommands === mark;
        // A dropped or refused connection may be an outage worth waiting out; a silent server or a
        // broken transfer gets one more try, not five timeouts in a row.
        // A server with no data port free that closed the connection: the transfer has opened new
        // ones already (client.ts runAgainIfBusy), none more here.
        const budget = isPortBusyAndClosed(e) ? 1 : interrupted || isFtpError(e, 'timeout') ? 2 : MAX_RUNS;
        const again = lost && (opts.idempotent || untouched) && runs < budget && !opts.signal?.aborted && !this.closed && this.everConnected;
        if (!again) throw e;
        this.log({ kind: 'info', connection: 0, text: `connection lost (${(e as Error).message}); running the operation again on a new connection` });
      } finally {
        this.release(client);
      }
    }
  }

  /**
   * Opens connections ahead of a batch that will use `count` at once (a folder upload or download),
   * so they log in while the batch is still making and listing its folders: a login is eight round
   * trips or so (a folder upload of 40 files at 50 ms RTT sent its second connection's first file
   * 430 ms after its first one's). Never above the cap, and only while a connection is open, so the
   * login is known to work (a wrong password is not tried several times at once) and the server is
   * up. A connection refused here is judged as in `acquire` (a limit lowers the cap); anything else
   * is left to the batch's own operations, which meet it again and report it.
   */
  warm(count: number): void {
    // An idle connection the server closed since (a restart) says nothing of a login working now.
    this.dropDeadIdle();
    if (this.closed || this.retryAt > Date.now() || this.busy.size + this.idle.length === 0) return;
    const more = Math.min(count, this.cap()) - (this.busy.size + this.idle.length + this.connecting);
    if (more <= 0) return;
    this.log({ kind: 'info', connection: 0, text: `opening ${more} more connection${more === 1 ? '' : 's'} for the transfers to come` });
    for (let i = 0; i < more; i++) {
      this.open({ together: false }).then((client) => this.release(client), (e: unknown) => {
        if (this.closed) return;
        this.dropDeadIdle();
        const othersIn = this.busy.size > 0 || this.idle.length > 0;
        if (othersIn && (retryableConnectFailure(e) || isFtpError(e, 'loginRefused'))) this.lowerCap(e as FtpError);
        else this.log({ kind: 'info', connection: 0, text: `a connection opened ahead failed (${(e as Error).message}); the transfers open their own` });
        // Its slot is free: one waiting (it found the cap taken by this connect) may open one.
        this.waiting.shift()?.resolve(undefined);
      });
    }
  }

  /** Deletes the temporary files interrupted saves left (shared by the pool's clients), once the site answers. */
  private async cleanLeftovers(client: FtpClient): Promise<void> {
    if (this.leftovers.size === 0) return;
    for (const path of [...this.leftovers]) {
      this.leftovers.delete(path);
      try {
        await client.delete(path);
        this.log({ kind: 'info', connection: 0, text: `deleted ${path}, left by an interrupted save` });
      } catch (e) {
        // Gone already (the save's rename took it), or refused: the server's 5xx settles it, drop it.
        // Anything else (still unreachable, a 4xx): try again next time.
        if (!(isFtpError(e) && e.code !== undefined && e.code >= 500)) {
          this.leftovers.add(path);
          return;
        }
      }
    }
  }

  private cap(): number {
    if (this.lowered && Date.now() < this.lowered.until) return this.lowered.cap;
    this.lowered = undefined;
    return this.max;
  }

  private async acquire(signal?: AbortSignal): Promise<FtpClient> {
    for (;;) {
      if (this.closed) throw new FtpError('connectionLost', 'The connection pool was closed.');
      if (signal?.aborted) throw new FtpError('aborted', 'Cancelled.');
      const idle = this.takeIdle();
      if (idle) return idle;
      const live = this.busy.size + this.connecting;
      if (live < this.cap()) {
        const wait = this.retryAt - Date.now();
        if (wait > 0) {
          // The server is down: everyone waits out the backoff instead of hammering it.
          if (!this.withinOutage()) {
            const err = this.outageError();
            this.failWaiters(err);
            throw err;
          }
          await this.pause(Math.max(10, wait), signal);
          continue;
        }
        const attempt = { together: false };
        try {
          return await this.open(attempt, signal);
        } catch (e) {
          if (isFtpError(e, 'aborted') || this.closed) {
            // Its slot is free: one waiting for it may open a connection (close() fails the rest).
            this.waiting.shift()?.resolve(undefined);
            throw e;
          }
          // Others got in: the server limits us. Use what we have. A login refused while another
          // connection is logged in with the same password is a limit too (proftpd's
          // MaxClientsPerHost answers PASS with 530), not a wrong password.
          let othersIn = this.busy.size > 0 || this.idle.length > 0;
          if (!othersIn && (isFtpError(e, 'loginRefused') || retryableConnectFailure(e)) && this.inflight.size > 0) {
            // Wait for the connects in flight: if one gets in, the server is up (and the password
            // right), and this was a limit; if none does, the server is down (an outage, not a limit
            // that would hold the site to fewer connections for a minute after it is back).
            await settledOrCancelled([...this.inflight.keys()], signal);
            if (signal?.aborted) {
              // Its slot is free: one waiting for it may open a connection.
              this.waiting.shift()?.resolve(undefined);
              throw new FtpError('aborted', 'Cancelled.');
            }
            othersIn = this.busy.size > 0 || this.idle.length > 0;
          }
          if (!othersIn && isFtpError(e, 'loginRefused') && attempt.together) {
            // Every login made together was refused. A limit that counts sessions not logged in yet
            // (proftpd's MaxClientsPerHost) refuses them all though one alone gets in; a wrong
            // password is refused alone too, and fails everyone then.
            this.tryAlone(e);
            await this.pause(ALONE_AFTER_MS, signal);
            continue;
          }
          if (othersIn && (retryableConnectFailure(e) || isFtpError(e, 'loginRefused'))) {
            this.lowerCap(e as FtpError);
            // Back to the top: a connection released while this one was connecting is idle now, and
            // nobody would hand it over (only a release wakes a waiter).
            continue;
          } else if (retryableConnectFailure(e) && this.everConnected) {
            this.noteDown(e as FtpError);
            if (!this.withinOutage()) {
              this.failWaiters(e);
              throw e;
            }
            continue;
          } else {
            // Never reached, or refused for good (login, certificate): everyone queued fails the same way.
            this.failWaiters(e);
            throw e;
          }
        }
      }
      const handed = await this.wait(signal);
      if (handed) return handed;
    }
  }

  /**
   * Whether the server left a reply on `client` that no command read (answered something twice, or
   * what was not asked): the next command would take it for its own answer, and each after that its
   * predecessor's. Such a connection is closed, not used again; the next operation opens another.
   */
  private outOfStep(client: FtpClient): boolean {
    const stray = client.strayReply;
    if (stray === undefined) return false;
    this.log({ kind: 'info', connection: client.connectionId ?? 0, text: `closing the connection: the server sent a reply nobody asked for (${stray}), so the next one could be misread` });
    return true;
  }

  /** Forgets idle connections that are closed (the server went away): none is counted as working. */
  private dropDeadIdle(): void {
    for (const entry of this.idle.filter((x) => !x.client.connected)) {
      this.stopTimers(entry);
      this.idle.splice(this.idle.indexOf(entry), 1);
    }
  }

  private takeIdle(): FtpClient | undefined {
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      this.stopTimers(entry);
      // A reply that came while it was idle was asked for by nobody.
      if (entry.client.connected && this.outOfStep(entry.client)) entry.client.disconnect();
      if (entry.client.connected) {
        this.busy.add(entry.client);
        return entry.client;
      }
    }
    return undefined;
  }

  private wait(signal?: AbortSignal): Promise<FtpClient | undefined> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiting = this.waiting.filter((x) => x !== w);
        reject(new FtpError('aborted', 'Cancelled.'));
      };
      const w: Waiter = {
        resolve: (c) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(c);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      this.waiting.push(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Opens a connection; `attempt.together` is set if another connect was in flight beside it. */
  private async open(attempt: { together: boolean }, signal?: AbortSignal): Promise<FtpClient> {
    const shared = this.habits.pipelining === true ? this.known : undefined;
    let setupFailed = false;
    const known = shared && { ...shared, failed: () => ((setupFailed = true), shared.failed()) };
    try {
      return await this.connect(attempt, known, signal);
    } catch (e) {
      // This login's setup sent together failed (known.failed turned commands sent together off, for
      // every connection): that says nothing of limits or outages; once more, one command at a time.
      if (setupFailed && !this.closed && !signal?.aborted) return this.connect(attempt, undefined, signal);
      throw e;
    }
  }

  private async connect(attempt: { together: boolean }, known: KnownServer | undefined, signal?: AbortSignal): Promise<FtpClient> {
    this.connecting++;
    const connect = FtpClient.connect(this.clientOptions, signal, known);
    attempt.together = this.inflight.size > 0;
    for (const other of this.inflight.values()) other.together = true;
    this.inflight.set(connect, attempt);
    try {
      const client = await connect;
      client.leftovers = this.leftovers;
      client.habits = this.habits;
      client.claimWaiting = () => {
        if (this.waiting.length <= this.claimed.size) return false;
        this.claimed.add(client);
        return true;
      };
      this.known ??= {
        features: client.features, system: client.system,
        failed: () => {
          this.habits.pipelining = false;
          this.log({ kind: 'info', connection: 0, text: 'a login\'s setup sent in one write failed; commands go one at a time on this site from now on' });
        },
      };
      this.busy.add(client);
      this.everConnected = true;
      if (this.downSince !== undefined) {
        this.downSince = undefined;
        this.onOutageChange?.();
      }
      this.retryAt = 0;
      this.backoffMs = 100;
      return client;
    } finally {
      this.connecting--;
      this.inflight.delete(connect);
    }
  }

  private lowerCap(e: FtpError): void {
    // Idle ones count: they got in (a connection opened ahead, or one released since this connect
    // began); not one the server closed since.
    const cap = Math.max(1, this.busy.size + this.idle.filter((x) => x.client.connected).length + this.connecting);
    if (this.lowered?.cap === cap) return;
    this.lowered = { cap, until: Date.now() + this.capHoldMs };
    this.log({ kind: 'info', connection: 0, text: `the server refused another connection (${unstopped(e.message)}); using at most ${cap} for ${this.capHoldMs / 1000} s` });
  }

  /**
   * A wait in acquire (the backoff of an outage, the moment before one connection tries alone).
   * Cancelled, it wakes one operation waiting for a slot, which connects in its place: the one that
   * would have may have been the only one left to try.
   */
  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (e) {
      this.waiting.shift()?.resolve(undefined);
      throw e;
    }
  }

  /** Logins made together were all refused: one connection alone tries next (see acquire). */
  private tryAlone(e: FtpError): void {
    if (this.lowered?.cap === 1) return;
    this.lowered = { cap: 1, until: Date.now() + this.capHoldMs };
    this.log({ kind: 'info', connection: 0, text: `the server refused logins made at the same time (${unstopped(e.message)}); trying one connection alone` });
  }

  private noteDown(e: FtpError): void {
    const began = this.downSince === undefined;
    this.downSince ??= Date.now();
    this.retryAt = Date.now() + this.backoffMs;
    this.log({ kind: 'info', connection: 0, text: `could not reconnect (${unstopped(e.message)}); trying again in ${this.backoffMs} ms` });
    this.backoffMs = Math.min(this.backoffMs * 2, 2000);
    this.lastDownError = e;
    if (began) this.onOutageChange?.();
  }
  private lastDownError?: FtpError;

  private withinOutage(): boolean {
    return this.downSince === undefined || Date.now() - this.downSince < this.outageMs;
  }

  private outageError(): FtpError {
    const e = this.lastDownError;
    // Since when no connection got in, not the window: an operation that comes after the window has
    // passed fails at once, and "within 10 s" would tell of a wait it did not make.
    const since = new Date(this.downSince ?? Date.now()).toTimeString().slice(0, 8);
    return new FtpError(e?.kind ?? 'unreachable', `The server can't be reached (no connection got in since ${since}): ${e?.message ?? 'no connection'}`, { code: e?.code, replyText: e?.replyText, cause: e });
  }

  private failWaiters(e: unknown): void {
    for (const w of this.waiting.splice(0)) w.reject(e);
  }

  private release(client: FtpClient): void {
    this.busy.delete(client);
    this.claimed.delete(client);
    if (this.closed) {
      void client.close();
      return;
    }
    if (client.connected && this.outOfStep(client)) client.disconnect();
    if (!client.connected) {
      // A dead connection is nobody's: its slot is free, and a waiter may open a new one.
      this.waiting.shift()?.resolve(undefined);
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      this.busy.add(client);
      next.resolve(client);
      return;
    }
    const entry: Idle = { client };
    if (this.idleMs > 0) {
      entry.timer = setTimeout(() => {
        this.idle = this.idle.filter((x) => x !== entry);
        this.stopTimers(entry);
        // Said before the QUIT it sends, which would otherwise stand in the log unexplained.
        if (client.connected) this.log({ kind: 'info', connection: client.connectionId ?? 0, text: `closing the connection: unused for ${this.idleMs >= 1000 ? `${Math.round(this.idleMs / 1000)} s` : `${this.idleMs} ms`} (it opens again when needed)` });
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

  /** close() was called: what fails on this pool now says nothing about the server. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes every connection (QUIT); queued operations fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.failWaiters(new FtpError('connectionLost', 'The connection pool was closed.'));
    const idle = this.idle.splice(0);
    idle.forEach((e) => this.stopTimers(e));
    await Promise.all(idle.map((e) => e.client.close()));
  }
}

