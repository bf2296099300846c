/**
 * FtpClient: one logged-in control connection and the operations on it. Operations run one at a
 * time (FTP's control connection is sequential); a client whose connection dropped reconnects on
 * its next operation. Use FtpPool for several connections to one site.
 */
import * as net from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ControlConnection } from './control';
import { FtpError, assertSafeArgument, errorFromReply, isFtpError } from './errors';
import { TextCodec, createCodec } from './encoding';
import { ConnectOptions, ResolvedOptions, resolveOptions } from './options';
import { Reply, isPositiveCompletion, replyText } from './reply';
import { Session, openSession, parsePwd } from './session';
import { formatFtpTime, parseFtpTime } from './time';
import { DataMethod } from './data/methods';
import { withDataFallback } from './data/fallback';
import { DataHandler, TransferProgress, runTransfer } from './data/transfer';
import { FileEntry, ListingResult } from './listing/entry';
import { parseListing, parseMlstReply } from './listing';

export interface TransferOptions {
  signal?: AbortSignal;
  /** Called with the bytes moved so far. */
  onProgress?: (bytes: number) => void;
}

export class FtpClient {
  readonly options: ResolvedOptions;
  readonly codec: TextCodec;
  private session?: Session;
  private cwd?: string;
  private queue: Promise<unknown> = Promise.resolve();
  /** What LIST variant works here, learnt on first use. */
  private listCommand?: 'MLSD' | 'LIST -a' | 'LIST';
  private closedByUser = false;

  private constructor(options: ConnectOptions) {
    this.options = resolveOptions(options);
    this.codec = createCodec(this.options.encoding);
  }

  /** Connects and logs in. */
  static async connect(options: ConnectOptions): Promise<FtpClient> {
    const client = new FtpClient(options);
    await client.ensureSession();
    return client;
  }

  /** A client that connects on first use. */
  static lazy(options: ConnectOptions): FtpClient {
    return new FtpClient(options);
  }

  get connected(): boolean {
    return !!this.session && !this.session.control.closed;
  }
  get features(): ReadonlyMap<string, string> {
    return this.session?.features ?? new Map();
  }
  get system(): string | undefined {
    return this.session?.system;
  }
  get home(): string | undefined {
    return this.session?.home;
  }
  get modeMemory() {
    return this.options.modeMemory;
  }
  get lastActivity(): number {
    return this.session?.control.lastActivity ?? 0;
  }

  private async ensureSession(): Promise<Session> {
    if (this.closedByUser) throw new FtpError('connectionLost', 'This client was closed.');
    if (this.session && !this.session.control.closed) return this.session;
    this.session = undefined;
    this.cwd = undefined;
    this.session = await openSession(this.options, this.codec);
    this.cwd = this.session.home;
    return this.session;
  }

  /** Runs fn alone on this connection, reconnecting first if it dropped. */
  private exclusive<T>(fn: (control: ControlConnection) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => fn((await this.ensureSession()).control));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Sends any command and returns its reply, for diagnostics and SITE commands. */
  raw(command: string): Promise<Reply> {
    return this.exclusive((c) => c.request(command));
  }

  noop(): Promise<void> {
    return this.exclusive(async (c) => void (await c.expect('NOOP')));
  }

  pwd(): Promise<string> {
    return this.exclusive(async (c) => {
      const r = await c.expect('PWD');
      return parsePwd(r.message) ?? '/';
    });
  }

  private async changeDir(c: ControlConnection, path: string): Promise<void> {
    if (this.cwd === path) return;
    assertSafeArgument(path);
    await c.expect(`CWD ${path}`);
    this.cwd = path;
  }

  async cd(path: string): Promise<void> {
    assertSafeArgument(path);
    return this.exclusive((c) => this.changeDir(c, path));
  }

  /** Runs one data command, choosing (and if need be falling back between) data methods. */
  private transfer(c: ControlConnection, command: string, handler: DataHandler, opts: TransferOptions, workingDir?: string): Promise<Reply> {
    const progress: TransferProgress = { bytes: 0, started: false };
    const o = this.options;
    let control = c;
    return withDataFallback(
      { mode: o.transferMode, order: o.methodOrder, ipv6: net.isIPv6(control.remoteAddress) && !control.remoteAddress.startsWith('::ffff:'), memory: o.modeMemory, host: o.host },
      async (method: DataMethod) => {
        if (control.closed) {
          // A failed attempt may have had to drop the connection (server stuck connecting back).
          control = (await this.ensureSession()).control;
          if (workingDir !== undefined) await this.changeDir(control, workingDir);
        }
        return runTransfer(
          { control, settings: { trustPasvAddress: o.trustPasvAddress, active: o.active, connectTimeoutMs: o.timeouts.dataConnectMs, idleTimeoutMs: o.timeouts.dataIdleMs, replyTimeoutMs: o.timeouts.replyMs }, tls: o.tls, log: o.log, signal: opts.signal },
          method, command, handler, progress);
      },
      () => !progress.started && !opts.signal?.aborted,
    );
  }

  /** Lists a directory (its entries, without . and ..). Lines no parser understands are in `unparsed`. */
  async list(path: string, opts: TransferOptions = {}): Promise<ListingResult> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      // CWD first: listing commands glob or split their argument on some servers; CWD takes the name as is.
      await this.changeDir(c, path);
      c = this.session!.control;
      const candidates = this.listCandidates();
      let lastError: unknown;
      for (const command of candidates) {
        try {
          const bytes = await this.receive(c, command, opts, path);
          this.listCommand = command;
          const text = this.codec.decode(bytes);
          return parseListing(text.split(/\r?\n/), command === 'MLSD' ? 'mlsd' : 'list', { serverTimeZoneOffsetMinutes: this.options.serverTimeZoneOffsetMinutes });
        } catch (e) {
          lastError = e;
          // `LIST -a` is taken as a file name by some servers (IIS): fall back to plain LIST.
          if (command === 'LIST -a' && isFtpError(e) && (e.kind === 'commandRejected' || e.kind === 'notFound')) continue;
          throw e;
        } finally {
          c = this.session?.control ?? c;
        }
      }
      throw lastError;
    });
  }

  private listCandidates(): Array<'MLSD' | 'LIST -a' | 'LIST'> {
    if (this.listCommand) return [this.listCommand];
    const configured = this.options.listCommand;
    if (configured !== 'auto') return [configured];
    return this.features.has('MLST') ? ['MLSD'] : ['LIST -a', 'LIST'];
  }

  /** Metadata of one path; throws a 'notFound' FtpError if it does not exist. */
  async stat(path: string): Promise<FileEntry> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      if (this.features.has('MLST')) {
        const r = await c.request(`MLST ${path}`);
        if (!isPositiveCompletion(r.code)) throw errorFromReply(r.code, r.message, `MLST ${path}`);
        const entry = parseMlstReply(r.lines);
        if (!entry) throw new FtpError('protocol', `Could not read the server's MLST answer for ${path}: ${replyText(r)}`);
        return { ...entry, name: baseName(path) };
      }
      // Without MLST: a directory is what CWD accepts (some servers answer SIZE for directories
      // too), then SIZE and MDTM answer for files.
      if (path === this.cwd) return { name: baseName(path), type: 'directory' };
      const previous = this.cwd;
      const cwd = await c.request(`CWD ${path}`);
      if (isPositiveCompletion(cwd.code)) {
        this.cwd = path;
        if (previous !== undefined) await this.changeDir(c, previous).catch(() => (this.cwd = undefined));
        return { name: baseName(path), type: 'directory' };
      }
      const size = await c.request(`SIZE ${path}`);
      if (size.code !== 213) throw errorFromReply(size.code, size.message, `SIZE ${path}`);
      const mdtm = await c.request(`MDTM ${path}`);
      const modified = mdtm.code === 213 ? parseFtpTime(mdtm.message) : undefined;
      return { name: baseName(path), type: 'file', size: Number(size.message.trim()), modified, modifiedPrecision: modified ? 'second' : undefined };
    });
  }

  /** Size in bytes (SIZE). */
  async size(path: string): Promise<number> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => Number((await c.expect(`SIZE ${path}`)).message.trim()));
  }

  /** Modification time (MDTM), UTC to the second. */
  async lastModified(path: string): Promise<Date> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      const r = await c.expect(`MDTM ${path}`);
      const d = parseFtpTime(r.message);
      if (!d) throw new FtpError('protocol', `Could not read the MDTM answer: ${r.message}`);
      return d;
    });
  }

  private receive(c: ControlConnection, command: string, opts: TransferOptions, workingDir?: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    return this.transfer(c, command, (socket, progress) => new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        progress.bytes += chunk.length;
        opts.onProgress?.(progress.bytes);
      });
      socket.once('end', resolve);
      socket.once('error', reject);
      socket.once('close', () => resolve());
      socket.resume();
    }), opts, workingDir).then(() => Buffer.concat(chunks));
  }

  /** Downloads a file into memory. */
  async download(path: string, opts: TransferOptions = {}): Promise<Buffer> {
    assertSafeArgument(path);
    return this.exclusive((c) => this.receive(c, `RETR ${path}`, opts));
  }

  /** Downloads a file into a stream (ended when done); resolves with the byte count. */
  async downloadTo(path: string, destination: Writable, opts: TransferOptions = {}): Promise<number> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      let bytes = 0;
      await this.transfer(c, `RETR ${path}`, async (socket, progress) => {
        socket.on('data', (chunk: Buffer) => {
          progress.started = true;
          progress.bytes = bytes += chunk.length;
          opts.onProgress?.(bytes);
        });
        await pipeline(socket, destination);
      }, opts);
      return bytes;
    });
  }

  /** Uploads (STOR) from a buffer or a stream; resolves with the byte count. */
  async upload(path: string, source: Buffer | Readable, opts: TransferOptions = {}): Promise<number> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      let bytes = 0;
      await this.transfer(c, `STOR ${path}`, async (socket, progress) => {
        const input = Buffer.isBuffer(source) ? Readable.from(chunksOf(source)) : source;
        input.on('data', (chunk: Buffer) => {
          progress.started = !Buffer.isBuffer(source); // a buffer can be sent again after a fallback
          progress.bytes = bytes += chunk.length;
          opts.onProgress?.(bytes);
        });
        await pipeline(input, socket);
      }, opts);
      return bytes;
    });
  }

  async delete(path: string): Promise<void> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => void (await c.expect(`DELE ${path}`)));
  }

  async rename(from: string, to: string): Promise<void> {
    assertSafeArgument(from);
    assertSafeArgument(to);
    return this.exclusive(async (c) => {
      await c.expect(`RNFR ${from}`, (code) => code === 350);
      await c.expect(`RNTO ${to}`);
    });
  }

  /** MKD; with recursive, creates the missing parents and accepts an existing directory. */
  async mkdir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      if (!opts.recursive) {
        await c.expect(`MKD ${path}`);
        return;
      }
      const absolute = path.startsWith('/');
      const parts = path.split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) {
        const dir = (absolute ? '/' : '') + parts.slice(0, i).join('/');
        const r = await c.request(`MKD ${dir}`);
        if (isPositiveCompletion(r.code)) continue;
        // Already there? CWD says so without a listing.
        const exists = await c.request(`CWD ${dir}`);
        if (!isPositiveCompletion(exists.code)) throw errorFromReply(r.code, r.message, `MKD ${dir}`);
        this.cwd = dir;
      }
    });
  }

  /** RMD; with recursive, deletes everything inside first. */
  async rmdir(path: string, opts: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    assertSafeArgument(path);
    if (opts.recursive) {
      const { entries } = await this.list(path, { signal: opts.signal });
      for (const e of entries) {
        if (opts.signal?.aborted) throw new FtpError('aborted', 'Deleting was cancelled.');
        const child = joinPath(path, e.name);
        if (e.type === 'directory') await this.rmdir(child, opts);
        else await this.delete(child);
      }
    }
    await this.exclusive(async (c) => {
      // A server refuses to remove the directory it stands in.
      if (this.cwd === path) await this.changeDir(c, parentPath(path));
      await c.expect(`RMD ${path}`);
    });
  }

  /** Sets the modification time (MFMT, else the MDTM-with-time form some servers accept). */
  async setModified(path: string, date: Date): Promise<void> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      const t = formatFtpTime(date);
      if (this.features.has('MFMT')) await c.expect(`MFMT ${t} ${path}`);
      else await c.expect(`MDTM ${t} ${path}`);
    });
  }

  /** SITE CHMOD, e.g. chmod(path, 0o644). */
  async chmod(path: string, mode: number): Promise<void> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => void (await c.expect(`SITE CHMOD ${(mode & 0o7777).toString(8)} ${path}`)));
  }

  /** QUIT and close. The client can't be used after. */
  async close(): Promise<void> {
    this.closedByUser = true;
    await this.queue;
    await this.session?.control.close();
  }

  /** Drops the connection at once (no QUIT). The next operation reconnects. */
  disconnect(): void {
    this.session?.control.destroy();
  }
}

function* chunksOf(buf: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export function parentPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i <= 0 ? '/' : trimmed.slice(0, i);
}

export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || '/';
}
