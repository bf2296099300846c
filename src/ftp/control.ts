/**
 * The control connection: sends commands, hands out replies in order, upgrades to TLS, and turns
 * every way the connection can end into an FtpError for whoever is waiting.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { CertificateInfo, FtpError, assertSafeArgument, closesSession, errorFromReply } from './errors';
import { TextCodec } from './encoding';
import { LogSink, maskCommand } from './log';
import { Reply, ReplyLimits, ReplyParser, DEFAULT_REPLY_LIMITS } from './reply';
import { TlsSettings, certificateInfo, socketErrorToFtpError, startTls } from './sockets';

interface Waiter {
  resolve(reply: Reply): void;
  reject(err: FtpError): void;
  timer?: NodeJS.Timeout;
}

/**
 * Connection numbers for the log, one sequence for every copy of the engine in this process (the
 * doctor is a bundle of its own, scripts/build.mjs): its connections log under the site's name too,
 * and two "#1"s would be read as one connection.
 */
const ids = ((globalThis as Record<symbol, { next: number } | undefined>)[Symbol.for('ftpWorkspace.connectionIds')] ??= { next: 1 });

const CRLF = Buffer.from('\r\n');

/** Replies nobody asked for that are kept for the next read; more is a broken or hostile server. */
const MAX_QUEUED_REPLIES = 16;

/** How long a data port opened ahead is used; older, it is asked for again (a server may close it). */
const PORT_AHEAD_MS = 5_000;

/** EPSV's or PASV's answer read ahead (ControlConnection.keepPortAhead). */
export interface PortAhead {
  reply: Reply;
  /** The first reply's time in the batch that asked for it, in ms: about a round trip. */
  roundTripMs: number;
}

export class ControlConnection {
  readonly id = ids.next++;
  private socket: net.Socket;
  private parser: ReplyParser;
  private replies: Reply[] = [];
  private waiters: Waiter[] = [];
  private failure?: FtpError;
  /** Latest TLS session of the control connection; data connections resume it. */
  tlsSession?: Buffer;
  /** When the last command was sent, for idle handling. */
  lastActivity = Date.now();
  /** Commands sent so far (the pool tells "nothing sent yet" from "maybe done" after a drop). */
  commandsSent = 0;
  /**
   * The last `requestTogether`'s timing, in ms: how long its first reply took (a round trip and the
   * server's work) and the longest wait between two of its replies, about 40 ms more than the first,
   * batch after batch, where the server holds each reply until the one before is acknowledged
   * (client.ts noteHeld).
   */
  lastBatch = { firstMs: 0, gapMs: 0 };
  /**
   * EPSV's or PASV's positive answer, read before the transfer it is for was known (client.ts
   * portAheadCommand: sent with an upload's rename while an operation waits): usable only as the
   * very next command's data port, and only for PORT_AHEAD_MS (takePortAhead).
   */
  private portAhead?: PortAhead & { command: string; sent: number; at: number };

  constructor(
    socket: net.Socket,
    readonly host: string,
    readonly codec: TextCodec,
    private readonly log: LogSink,
    private readonly replyTimeoutMs: number,
    limits: ReplyLimits = DEFAULT_REPLY_LIMITS,
  ) {
    this.parser = new ReplyParser((b) => codec.decode(b), limits);
    this.socket = socket;
    this.attach(socket);
  }

  get isTls(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }
  get closed(): boolean {
    return this.failure !== undefined;
  }
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? this.host;
  }
  get localAddress(): string {
    return this.socket.localAddress ?? '127.0.0.1';
  }
  get remoteFamily(): string | undefined {
    return this.socket.remoteFamily;
  }
  /** The server's certificate once the connection is TLS (for the connection doctor). */
  get certificate(): CertificateInfo | undefined {
    return this.socket instanceof tls.TLSSocket ? certificateInfo(this.socket.getPeerCertificate()) : undefined;
  }
  /** e.g. "TLSv1.3", once the connection is TLS. */
  get tlsProtocol(): string | undefined {
    return this.socket instanceof tls.TLSSocket ? this.socket.getProtocol() ?? undefined : undefined;
  }

  private readonly onData = (chunk: Buffer) => {
    let replies: Reply[];
    try {
      replies = this.parser.push(chunk);
    } catch (e) {
      this.fail(e as FtpError);
      return;
    }
    for (const reply of replies) {
      for (const line of reply.lines) this.log({ kind: 'reply', connection: this.id, text: line });
      const waiter = this.waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(reply);
      } else if (!closesSession(reply)) {
        this.replies.push(reply);
        if (this.replies.length > MAX_QUEUED_REPLIES) {
          this.fail(new FtpError('protocol', `The server sent more than ${MAX_QUEUED_REPLIES} replies nobody asked for; the connection was closed.`, { fatal: true }));
          return;
        }
      }
      // 421 (or vsftpd's OOPS), answering a command or not, means the server is closing (idle
      // timeout, shutdown, too many users, a session process that died).
      if (closesSession(reply)) this.fail(errorFromReply(reply.code, reply.message));
    }
  };
  private readonly onError = (err: Error) => this.fail(socketErrorToFtpError(err as NodeJS.ErrnoException, 'Control connection'));
  private readonly onClose = () => this.fail(new FtpError('connectionLost', 'The server closed the control connection.'));

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    if (socket instanceof tls.TLSSocket) {
      // TLS 1.3 delivers session tickets after the handshake; keep the newest for data connections.
      socket.on('session', (s: Buffer) => (this.tlsSession = s));
    }
  }

  private detach(socket: net.Socket): void {
    socket.removeListener('data', this.onData);
    socket.removeListener('error', this.onError);
    socket.removeListener('close', this.onClose);
  }

  private fail(err: FtpError): void {
    if (this.failure) return;
    this.failure = err.fatal ? err : new FtpError(err.kind, err.message, { ...err, fatal: true });
    this.log({ kind: 'error', connection: this.id, text: err.message });
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(this.failure);
    }
    this.socket.destroy();
  }

  /**
   * Sends command lines in one write; refuses CR, LF and NUL inside them. Several are pipelined: sent
   * without waiting for each reply (the log marks all but the first).
   */
  send(...commands: string[]): void {
    this.sendNoted(commands);
  }

  /** `send`, with a note for the log beside some commands (LogEvent.note). */
  private sendNoted(commands: readonly string[], notes: ReadonlyArray<string | undefined> = []): void {
    for (const command of commands) assertSafeArgument(command, 'command');
    if (this.failure) throw this.failure;
    commands.forEach((command, i) => this.log({ kind: 'command', connection: this.id, text: maskCommand(command), ...(i > 0 && { pipelined: true }), ...(notes[i] !== undefined && { note: notes[i] }) }));
    this.lastActivity = Date.now();
    this.commandsSent += commands.length;
    this.socket.write(Buffer.concat(commands.flatMap((command) => [this.codec.encode(command), CRLF])));
  }

  /**
   * Sends commands in one write (pipelining: one round trip for all) and returns their replies in
   * order, each read with its own reply timeout (a reply that came early waits in `replies`). Only for
   * commands that have no preliminary (1xx) reply, and only where the server was not seen to answer
   * such commands out of step (ServerHabits).
   */
  async requestTogether(commands: string[], replies: Reply[] = [], notes?: ReadonlyArray<string | undefined>): Promise<Reply[]> {
    // `replies` (the caller's, when given) holds those read so far: after a failure, how far the server got.
    this.sendNoted(commands, notes);
    const sent = performance.now();
    let firstMs = 0;
    let gapMs = 0;
    let previous: number | undefined;
    while (replies.length < commands.length) {
      replies.push(await this.read());
      const now = performance.now();
      if (previous === undefined) firstMs = now - sent;
      else gapMs = Math.max(gapMs, now - previous);
      previous = now;
    }
    this.lastBatch = { firstMs, gapMs };
    return replies;
  }

  /**
   * A reply (or part of one) nobody has read, between operations: the server answered something
   * twice, or answered what was not asked. The next command would read it as its own answer, and
   * every one after that its predecessor's, so such a connection is not used again (pool.ts). The
   * first such reply, for the log; undefined when the connection is in step.
   */
  get unread(): string | undefined {
    if (this.failure) return undefined;
    const first = this.replies[0];
    if (first) return `${first.code} ${first.message}`;
    return this.parser.midReply ? 'part of a reply' : undefined;
  }

  /** Keeps `command`'s answer (EPSV or PASV, just read) for the next data command (portAhead). */
  keepPortAhead(command: string, ahead: PortAhead): void {
    this.portAhead = { ...ahead, command, sent: this.commandsSent, at: Date.now() };
  }

  /**
   * The answer kept by keepPortAhead, when it was to `command` and nothing was sent since (another
   * command may have closed the port: a new EPSV does, a listing uses it); gone either way.
   */
  takePortAhead(command: string): PortAhead | undefined {
    const ahead = this.portAhead;
    this.portAhead = undefined;
    return ahead && ahead.command === command && ahead.sent === this.commandsSent && Date.now() - ahead.at < PORT_AHEAD_MS ? ahead : undefined;
  }

  /** The next reply, in order. timeoutMs 0 waits for ever (used while a transfer runs). */
  read(timeoutMs = this.replyTimeoutMs): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          this.fail(new FtpError('timeout', `The server did not reply within ${timeoutMs / 1000} s.`, { fatal: true }));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  /** Sends a command and returns its first reply (which may be a 1xx preliminary). */
  /** One command and its reply; `note`: for the log (LogEvent.note). */
  async request(command: string, timeoutMs?: number, note?: string): Promise<Reply> {
    this.sendNoted([command], [note]);
    return this.read(timeoutMs);
  }

  /** Sends a command and requires a 2xx (or the given codes); anything else becomes an FtpError. */
  async expect(command: string, ok: (code: number) => boolean = (c) => c >= 200 && c < 300): Promise<Reply> {
    const reply = await this.request(command);
    if (!ok(reply.code)) throw errorFromReply(reply.code, reply.message, maskCommand(command));
    return reply;
  }

  /** Replaces the plain socket by a TLS one (after AUTH TLS). */
  async upgradeToTls(settings: TlsSettings, timeoutMs: number): Promise<void> {
    // Anything the server sent in plain text after its 234 would be read as an answer to what we
    // send inside TLS (a "230" injected by someone on the path): refuse the connection instead.
    if (this.replies.length > 0 || this.parser.midReply) {
      const err = new FtpError('protocol', 'The server sent more text after agreeing to start TLS; someone may be tampering with the connection, so it was closed.', { fatal: true });
      this.fail(err);
      throw err;
    }
    const plain = this.socket;
    this.detach(plain);
    try {
      const secure = await startTls({ socket: plain, host: this.host, settings, timeoutMs, what: 'Control connection' });
      this.socket = secure;
      this.attach(secure);
      this.tlsSession = secure.getSession() ?? this.tlsSession;
    } catch (e) {
      this.fail(e as FtpError);
      throw e;
    }
  }

  /** Says QUIT and closes; never throws. */
  async close(): Promise<void> {
    if (this.failure) return;
    try {
      await this.request('QUIT', 2000);
    } catch {
      // The server may already be gone; closing is all that matters.
    }
    this.destroy();
  }

  destroy(): void {
    this.fail(new FtpError('connectionLost', 'The connection was closed.'));
  }
}
