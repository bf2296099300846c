/**
 * FtpClient: one logged-in control connection and the operations on it. Operations run one at a
 * time (FTP's control connection is sequential); a client whose connection dropped reconnects on
 * its next operation. Use FtpPool for several connections to one site.
 */
import type { FileHandle } from 'node:fs/promises';
import * as net from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ControlConnection } from './control';
import { FtpError, assertSafeArgument, closesSession, errorFromReply, isFtpError } from './errors';
import { TextCodec, createCodec, hasRawBytes } from './encoding';
import { EncodingGuess, encodingAdvice, guessNameEncoding } from './encoding-guess';
import { ConnectOptions, ResolvedOptions, resolveOptions } from './options';
import type { ServerHabits } from './habits';
import { Reply, isPositiveCompletion, replyText } from './reply';
import { KnownServer, Session, openSession, parsePwd } from './session';
import { formatFtpTime, parseFtpTime } from './time';
import { baseName, parentPath } from './paths';
import { sleep } from './wait';
import { DataMethod, METHOD_COMMAND, isDataConnectionFailure, isPassiveMethod } from './data/methods';
import { withDataFallback } from './data/fallback';
import { DataHandler, TogetherState, TransferProgress, isPortBusyAndClosed, runTransfer } from './data/transfer';
import { endWith, isFileHandle, SendProgress, sendBuffer, sendFile } from './data/send-file';
import { DiskRoom, receiveFile } from './data/receive-file';
import { readNowFrom, slowLately, writeNowTo } from './data/at-once';
import { setRawSink } from './data/raw-reads';
import { FileEntry, ListingResult } from './listing/entry';
import type { ListingParser } from './listing';

/**
 * The listing parsers (56 KB of the bundle: every format a server may answer LIST with), loaded when
 * a connection first lists or reads an MLST/STAT answer: a window whose sites are never opened
 * never reads them (scripts/build.mjs puts them in dist/listing.js).
 */
let listingModule: Promise<typeof import('./listing/index')> | undefined;
const listing = () => (listingModule ??= import('./listing/index'));

/** What an upload sends: bytes in memory, an open local file (read from its start), or a stream. */
export type UploadSource = Buffer | FileHandle | Readable;

export interface TransferOptions {
  signal?: AbortSignal;
  /** Called with the bytes moved so far. */
  onProgress?: (bytes: number) => void;
  /**
   * An open local file the transfer reads or writes is on a disk that answers at once (a local file
   * system; the caller knows), so its reads or writes are made on this thread, not the thread pool's,
   * until one is slow (data/at-once.ts).
   */
  localFileAtOnce?: boolean;
}

export interface UploadOptions extends TransferOptions {
  /**
   * A new name for the file, asked for when the upload is sent again on a new connection after
   * the one before was dropped with its STOR unanswered: the server may still hold the first name
   * (vsftpd keeps it locked while the old session waits for the data connection, up to its accept
   * timeout, 60 s by default). Without it the upload goes to the same name again.
   */
  freshName?: () => string;
}

export interface DownloadOptions extends TransferOptions {
  /**
   * The size the caller expects (from a listing or stat). A download that ends with another size is
   * checked with SIZE: a file that changed meanwhile is fine, a short transfer is an 'interrupted' error.
   */
  expectedSize?: number;
  /**
   * Into an open local file: what its disk may still take (receive-file.ts DiskRoom, shared by the
   * downloads into one disk). A server that sends more is stopped there, with an error marked as the
   * local file's.
   */
  room?: DiskRoom;
}

/** How transfer() runs one data command, beyond the caller's TransferOptions. */
interface TransferHow {
  /** The folder the command is relative to: entered again on a new connection. */
  workingDir?: string;
  /** A download that may be big: read into one reused buffer (data/raw-reads.ts). */
  rawReads?: boolean;
  /** A small upload's content, sent as soon as the connection is open (TransferContext.sendAhead). */
  sendAhead?: Buffer;
  /** The command to send instead on a new connection (an upload's new name, UploadOptions.freshName). */
  freshCommand?: () => string;
}

export class FtpClient {
  readonly options: ResolvedOptions;
  readonly codec: TextCodec;
  private session?: Session;
  private cwd?: string;
  private queue: Promise<unknown> = Promise.resolve();
  /** Listing commands the server refused with a folder's path that CWD then entered. */
  private readonly noPathListing = new Set<string>();
  private closedByUser = false;
  /**
   * Temporary files an interrupted save could not delete (the connection was gone). A pool shares
   * one set between its clients and deletes them on its next good connection.
   */
  leftovers = new Set<string>();
  /** What the server was seen to do; a pool shares one object between its clients. */
  habits: ServerHabits = {};
  /**
   * Whether an operation waits for a connection that no other busy one has claimed (the pool's
   * queue); true claims one for this connection, which may then open a data port ahead for it.
   */
  claimWaiting?: () => boolean;
  /** Commands of operations (not of logging in) sent on earlier sessions, and at the start of this one. */
  private retiredCommands = 0;
  private setupCommands = 0;
  /** How this server sets modification times, learnt on first use. */
  private timeSetter?: TimeSetter;
  /** What the names of a listing said about the site's encoding, once they said something. */
  private nameEncoding?: EncodingGuess;

  private constructor(options: ConnectOptions) {
    this.options = resolveOptions(options);
    this.codec = createCodec(this.options.encoding);
  }

  /**
   * Connects and logs in; `signal` cancels at once, whatever stage it is in. `known`: what a pool's
   * earlier connection learnt of the server (session.ts KnownServer), for this first login.
   */
  static async connect(options: ConnectOptions, signal?: AbortSignal, known?: KnownServer): Promise<FtpClient> {
    const client = new FtpClient(options);
    await client.ensureSession(signal, known);
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
  /** Whether the login's PWD said `home` (else "/" is a guess). */
  get homeSaid(): boolean {
    return this.session?.homeSaid ?? false;
  }
  get modeMemory() {
    return this.options.modeMemory;
  }
  get lastActivity(): number {
    return this.session?.control.lastActivity ?? 0;
  }
  /** The control connection's number in log events (`LogEvent.connection`); undefined while not connected. */
  get connectionId(): number | undefined {
    return this.session?.control.id;
  }
  /**
   * Whether the names listed so far read cleanly in the site's encoding, and if not which encoding
   * reads them (undefined until a listing held a name outside ASCII that tells).
   */
  get encodingGuess(): EncodingGuess | undefined {
    return this.nameEncoding;
  }

  /**
   * Commands operations have sent over this client's life, logins not counted: a pool that sees
   * this unchanged after a failure knows the operation reached nothing on the server.
   */
  get operationCommands(): number {
    return this.retiredCommands + (this.session ? this.session.control.commandsSent - this.setupCommands : 0);
  }

  private async ensureSession(signal?: AbortSignal, known?: KnownServer): Promise<Session> {
    if (this.closedByUser) throw new FtpError('connectionLost', 'This client was closed.');
    if (this.session && !this.session.control.closed) return this.session;
    if (this.session) this.retiredCommands += this.session.control.commandsSent - this.setupCommands;
    this.session = undefined;
    this.cwd = undefined;
    this.session = await openSession(this.options, this.codec, signal, known);
    this.setupCommands = this.session.control.commandsSent;
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
  private transfer(c: ControlConnection, command: string, handler: DataHandler, opts: TransferOptions, how: TransferHow = {}): Promise<Reply> {
    const { workingDir, rawReads = false, sendAhead, freshCommand } = how;
    const progress: TransferProgress = { bytes: 0, started: false };
    const o = this.options;
    let control = c;
    /** The connection the last attempt sent its command on. */
    let sentOn: ControlConnection | undefined;
    // isIP tries IPv4 first: Node's IPv6 pattern, compiled on its first use, costs 9 ms, then 2 ms
    // at the second (the first two data connections of a session) for an IPv4 address.
    const ipv6 = net.isIP(control.remoteAddress) === 6 && !control.remoteAddress.startsWith('::ffff:');
    return withDataFallback(
      { mode: o.transferMode, order: o.methodOrder, ipv6, memory: o.modeMemory, host: o.host },
      async (method: DataMethod) => {
        // A failed attempt may have had to drop the connection (server stuck connecting back).
        const reopen = async () => {
          if (!control.closed) return;
          control = (await this.ensureSession()).control;
          if (workingDir !== undefined) await this.changeDir(control, workingDir);
        };
        await reopen();
        const run = (together?: TogetherState) => {
          if (freshCommand && sentOn && sentOn !== control) command = freshCommand();
          sentOn = control;
          return runTransfer(
            { control, settings: { trustPasvAddress: o.trustPasvAddress, active: o.active, connectTimeoutMs: o.timeouts.dataConnectMs, idleTimeoutMs: o.timeouts.dataIdleMs, replyTimeoutMs: o.timeouts.replyMs }, tls: o.tls, log: o.log, signal: opts.signal, rawReads, together, sendAhead },
            method, command, handler, progress);
        };
        // A 425 to EPSV/PASV after which the server closed the connection (transfer.ts
        // portBusyAndClosed): asked again on a new connection, twice at most, before anything moved.
        const runAgainIfBusy = async (together?: TogetherState): Promise<Reply> => {
          for (let again = 1; ; again++) {
            try {
              return await run(again === 1 ? together : undefined);
            } catch (e) {
              if (!isPortBusyAndClosed(e) || again > BUSY_RECONNECTS || progress.started || progress.bytes > 0 || opts.signal?.aborted) throw e;
              o.log({ kind: 'info', connection: control.id, text: `${(e as Error).message} Asking again on a new connection in ${BUSY_RECONNECT_MS} ms` });
              await sleep(BUSY_RECONNECT_MS, opts.signal, 'The transfer was cancelled.');
              await reopen();
            }
          }
        };
        // The data command goes with EPSV/PASV (one round trip less) once the method has worked on
        // this site and unless the server was seen not to take commands sent together. Not with
        // PORT/EPRT: servers that connect back at PORT answer it late (transfer.ts TransferContext).
        if (this.habits.pipelining === false || o.modeMemory.working !== method || !isPassiveMethod(method)) return runAgainIfBusy();
        const together: TogetherState = { methodAccepted: false };
        try {
          const reply = await runAgainIfBusy(together);
          this.habits.pipelining ??= true; // never over a false another connection learnt meanwhile
          if (together.heldMs !== undefined && together.heldMs < SERVER_WORK_MS) this.noteHeld('transfers', together.heldMs >= HELD_TRANSFER_MS, together.heldMs, control.id);
          return reply;
        } catch (e) {
          // Failed before any data moved, after EPSV's 229, as a data connection fails (a server
          // that answers the command before we could connect: 425) or with no answer: asked again
          // one command at a time; if that works, sending together was the trouble, and is not done
          // here again. Replies out of step (the data command's first) say so at once.
          if (together.outOfStep) this.habits.pipelining = false;
          const retry = together.outOfStep || (together.methodAccepted && isFtpError(e) && (e.kind === 'timeout' || isDataConnectionFailure(e)));
          if (!retry || progress.started || progress.bytes > 0 || opts.signal?.aborted) throw e;
          if (together.ahead && !together.outOfStep) {
            // The port opened ahead could not be used (closed meanwhile?): asked for again the
            // usual way, which learns whatever is wrong with the method; not asked for ahead again.
            this.habits.portsAhead = false;
            o.log({ kind: 'info', connection: control.id, text: `the data port opened ahead failed (${(e as Error).message}); asking for a new one, and none ahead from now on` });
            await reopen();
            return await run();
          }
          o.log({ kind: 'info', connection: control.id, text: `${command.split(' ')[0]} sent with ${METHOD_COMMAND[method]} failed (${(e as Error).message}); asking again one command at a time` });
          await reopen();
          const reply = await run();
          this.habits.pipelining = false;
          return reply;
        }
      },
      () => !progress.started && !opts.signal?.aborted,
    );
  }

  /**
   * Lists a directory (its entries, without . and ..). Lines no parser understands are in `unparsed`.
   *
   * The folder is named in the listing command (`LIST -a /a/b/`, `MLSD /a/b/`: no CWD first) when
   * that can't be misread: a path of plain characters only (servers glob or split the argument of
   * LIST: `*`, `?`, `[`, `{`, `~`, spaces, quotes...) and ending in `/` (so `ls` lists a link's
   * folder, not the link). What such a listing can't tell apart is settled the old way, by CWD and a
   * listing without argument, which also gives the old errors (not found, not a folder): a refusal
   * (servers that take `-a /a/b/` as a name, a file, a missing path), no entry at all (vsftpd and
   * pure-ftpd list nothing for a missing path or a file; an empty folder looks the same unless its
   * own `.` or cdir line is there), and a lone
   * entry named like the folder itself (a server listing the file or link it was given). A server
   * that refuses the path form where CWD works is not asked it again.
   */
  async list(path: string, opts: TransferOptions & { /** LIST, not MLSD: `ls -l` lines name a link's target, MLSD often doesn't. */ unixStyle?: boolean } = {}): Promise<ListingResult> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      const candidates = opts.unixStyle ? (['LIST -a', 'LIST'] as const) : this.listCandidates();
      const command = candidates[0];
      if (this.cwd !== path && !this.noPathListing.has(command) && PLAIN_PATH.test(path)) {
        const { maxListingBytes, maxListingEntries } = this.options.limits;
        let refused = false;
        try {
          const result = await this.receiveListing(c, `${command} ${path.endsWith('/') ? path : `${path}/`}`, command, opts, undefined, maxListingBytes, maxListingEntries);
          const alone = result.entries.length === 1 && result.entries[0].name === baseName(path);
          // Nothing listed but the folder's own `.` (or cdir) line: an empty folder, for sure.
          const empty = result.entries.length === 0 && result.unparsed.length === 0 && result.listedSelf;
          if ((result.entries.length > 0 && !alone) || empty) {
            const checked = checkedListing({ entries: result.entries, unparsed: result.unparsed }, path, maxListingEntries);
            if (!opts.unixStyle) this.habits.listCommand = command;
            this.judgeNameEncoding(checked, result.asciiOnly);
            return checked;
          }
        } catch (e) {
          // A refusal CWD may explain; a broken transfer, a dropped session or a limit is an answer.
          if (!isFtpError(e) || e.fatal || e.code === undefined || e.code < 450 || e.code === 421 || e.code === 425 || e.code === 426) throw e;
          refused = true;
        }
        c = (await this.ensureSession()).control;
        await this.changeDir(c, path); // not a folder, or not there: CWD says which
        if (refused) this.noPathListing.add(command); // the folder is there: this server won't list it by path
      }
      // CWD first: listing commands glob or split their argument on some servers; CWD takes the name as is.
      await this.changeDir(c, path);
      c = this.session!.control;
      let lastError: unknown;
      const { maxListingBytes, maxListingEntries } = this.options.limits;
      for (const command of candidates) {
        try {
          const result = await this.receiveListing(c, command, command, opts, path, maxListingBytes, maxListingEntries);
          if (!opts.unixStyle) this.habits.listCommand = command;
          const checked = checkedListing(result, path, maxListingEntries);
          this.judgeNameEncoding(checked, result.asciiOnly);
          return checked;
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

  /**
   * A listing parsed while it arrives (no long synchronous stretch after a big transfer, no copy of
   * the whole text), bounded in bytes and entries. Each attempt starts with a new parser.
   */
  private async receiveListing(c: ControlConnection, line: string, command: 'MLSD' | 'LIST -a' | 'LIST', opts: TransferOptions, workingDir: string | undefined, maxBytes: number, maxEntries: number): Promise<ListingResult & { listedSelf?: boolean; asciiOnly: boolean }> {
    let parser: ListingParser | undefined;
    // Whether the text held only printable ASCII and line breaks, so no name can tell an encoding
    // (judgeNameEncoding): one native scan of each chunk, not a test per name in the interpreter.
    let asciiOnly = true;
    const scanned = (text: string) => {
      if (asciiOnly && NOT_ASCII_TEXT.test(text)) asciiOnly = false;
      return text;
    };
    const path = workingDir ?? line.slice(command.length + 1);
    const { ListingParser, PacedListingFeed } = await listing();
    await this.transfer(c, line, (socket, progress) => new Promise<void>((resolve, reject) => {
      const p = new ListingParser(command === 'MLSD' ? 'mlsd' : 'list', { command, system: this.system, greeting: this.session?.greeting, serverTimeZoneOffsetMinutes: this.options.serverTimeZoneOffsetMinutes });
      parser = p;
      asciiOnly = true;
      const decoder = this.codec.streamDecoder();
      progress.bytes = 0;
      // Parsed in slices between event-loop turns (paced.ts), not in the 'data' handler.
      let failed = false;
      const feed = new PacedListingFeed(p, {
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        afterSlice: () => {
          if (p.entryCount <= maxEntries) return true;
          fail(new FtpError('protocol', `The listing of ${path} has more than ${maxEntries} entries; it was stopped there.`));
          return false;
        },
        done: () => resolve(),
      });
      const fail = (e: FtpError) => {
        failed = true;
        feed.stop();
        socket.destroy();
        reject(e);
      };
      socket.on('data', (chunk: Buffer) => {
        if (failed) return;
        progress.bytes += chunk.length;
        if (progress.bytes > maxBytes) return fail(new FtpError('protocol', `The server sent more than ${Math.round(maxBytes / (1024 * 1024))} MB for this listing; it was stopped there.`));
        feed.write(scanned(decoder.write(chunk)));
        opts.onProgress?.(progress.bytes);
      });
      let ended = false;
      const done = () => {
        if (!ended) feed.end(scanned(decoder.end()));
        ended = true;
      };
      socket.once('end', done);
      socket.once('error', (e) => {
        // After the end of the data everything is here (the feed parses it): a reset then is no loss.
        if (ended) return;
        feed.stop();
        reject(e);
      });
      socket.once('close', done);
      if (socket.readableEnded) done(); // an empty listing whose data connection had ended already
      socket.resume();
    }), opts, { workingDir });
    return parser ? { ...parser.end(), listedSelf: parser.listedSelf, asciiOnly } : { entries: [], unparsed: [], asciiOnly: true };
  }

  /**
   * Names keep their bytes whatever the encoding (encoding.ts), but a person should see them in the
   * right one: the first listing whose names tell (raw bytes on a UTF-8 site, any name outside
   * ASCII on another) is judged, and a misfit is logged with the encoding that reads the names.
   */
  private judgeNameEncoding(result: ListingResult, asciiOnly: boolean): void {
    if (this.nameEncoding || asciiOnly) return;
    // The first 500 names outside printable ASCII (controls never make it into a name), without a
    // copy of a big listing's names: this runs after every listing until a listing tells.
    const names: string[] = [];
    for (const e of result.entries) {
      if (NOT_ASCII.test(e.name) && names.push(e.name) >= 500) break;
    }
    if (!names.length || (this.codec.isUtf8 && !names.some(hasRawBytes))) return;
    const guess = guessNameEncoding(names.map((n) => this.codec.encode(n)), this.codec.name);
    this.nameEncoding = guess;
    const advice = encodingAdvice(this.options.host, guess);
    if (!advice) return;
    this.options.log({ kind: 'info', connection: this.session?.control.id ?? 0, text: advice });
    this.options.onEncodingGuess?.(guess);
  }

  private listCandidates(): Array<'MLSD' | 'LIST -a' | 'LIST'> {
    if (this.habits.listCommand) return [this.habits.listCommand];
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
        const entry = (await listing()).parseMlstReply(r.lines);
        if (!entry) throw new FtpError('protocol', `Could not read the server's MLST answer for ${path}: ${replyText(r)}`);
        return { ...entry, name: baseName(path) };
      }
      // Without MLST: SIZE answers for files, CWD for directories. Some servers answer SIZE for
      // directories too (ftp-srv), so CWD decides where it is asked. A stat leaves the connection
      // where CWD took it. The folder the connection stands in is asked again (another connection
      // may have put a file in its place), unless it is the login folder, where the session began.
      if (path === this.cwd && path === this.home) return { name: baseName(path), type: 'directory' };
      if (this.habits.pipelining !== false) return this.statTogether(c, path);
      return this.statOneByOne(c, path);
    });
  }

  /**
   * Commands sent together that cost more than one at a time, batch after batch: a stat's replies
   * about 40 ms apart (ftp-srv, inetutils-ftpd, BSD ftpd: each reply written on its own with
   * Nagle's algorithm on goes only once the one before is acknowledged, and this side delays that
   * acknowledgement, 40 ms on Linux, while it waits for the rest), or a data command's 150 that much
   * later than our connect and EPSV's round trip allow (the same hold; or ftp-srv, which looks for
   * the data connection every 50 ms when the command came first). Sent after the connect, the data
   * command reaches the server with the connection's last handshake packet, so one at a time costs
   * a transfer nothing when it works. After HELD_BATCHES late batches of a kind in a row commands
   * go one at a time here, renames too. Renames are not counted: RNTO over a big file can take a
   * while on a server that holds nothing (ext4 flushes the new file first).
   */
  private noteHeld(kind: 'replies' | 'transfers', late: boolean, heldMs: number, connection: number): void {
    const held = (this.habits.heldBatches ??= { replies: 0, transfers: 0 });
    held[kind] = late ? held[kind] + 1 : 0;
    if (held[kind] < HELD_BATCHES || this.habits.pipelining === false) return;
    this.habits.pipelining = false;
    this.options.log({ kind: 'info', connection, text: `replies to commands sent together came about ${Math.round(heldMs)} ms late ${HELD_BATCHES} times in a row (the server holds a reply back until the one before is acknowledged, or looks for the data connection only now and then); one command at a time from now on` });
  }

  /**
   * Questions that change nothing but where the connection stands (a stat's SIZE, CWD and MDTM; a
   * walk's CWD and PWD), sent in one write: their replies; undefined when a reply never came (a
   * server that drops commands sent together, or the connection dropped part way): nothing goes
   * together here again, and the caller asks again one at a time on a new connection. A connection
   * closed before any reply (a restart, a 421) is an outage, thrown for the pool to decide; a 421
   * among the replies is the server closing (the connection is gone), not replies out of step.
   */
  private async askedTogether(c: ControlConnection, commands: string[], notes?: ReadonlyArray<string | undefined>): Promise<Reply[] | undefined> {
    const got: Reply[] = [];
    try {
      await c.requestTogether(commands, got, notes);
    } catch (e) {
      if (!isFtpError(e) || (e.kind !== 'timeout' && e.kind !== 'connectionLost')) throw e;
      if (e.kind === 'connectionLost' && got.every(closesSession)) throw e;
      this.habits.pipelining = false;
      return undefined;
    }
    const closing = got.find(closesSession);
    if (closing) throw errorFromReply(closing.code, closing.message, commands[commands.length - 1]);
    return got;
  }

  /**
   * A stat without MLST, one command at a time: a 213 means a file only where SIZE of a directory
   * was seen refused (the folder this connection stands in is asked once per pool, or a stat found
   * it so); elsewhere CWD decides, as it does when SIZE fails.
   */
  private async statOneByOne(c: ControlConnection, path: string): Promise<FileEntry> {
    let size: Reply | undefined;
    let sizeFailure: Reply | undefined;
    if (this.habits.sizeRefusesDirs !== false) {
      const r = await c.request(`SIZE ${path}`);
      if (r.code === 213) {
        size = r;
        if (this.habits.sizeRefusesDirs === undefined && this.cwd !== undefined && this.cwd !== path) {
          const probe = await c.request(`SIZE ${this.cwd}`);
          if (probe.code >= 500 && probe.code < 600) {
            // Refused for a folder only if that folder is still there (a rename may have taken it,
            // and a 550 for a missing path proves nothing): CWD to where the connection stands.
            const there = await c.request(`CWD ${this.cwd}`);
            if (isPositiveCompletion(there.code)) this.habits.sizeRefusesDirs = true;
            else this.cwd = undefined;
          } else this.habits.sizeRefusesDirs = false;
        }
      } else sizeFailure = r;
    }
    if (!size || !this.habits.sizeRefusesDirs) {
      const cwd = await c.request(`CWD ${path}`, undefined, IS_IT_A_FOLDER);
      if (isPositiveCompletion(cwd.code)) {
        this.cwd = path;
        if (sizeFailure && sizeFailure.code >= 500) this.habits.sizeRefusesDirs ??= true;
        return { name: baseName(path), type: 'directory' };
      }
      if (path === this.cwd) this.cwd = undefined;
      if (sizeFailure) throw errorFromReply(sizeFailure.code, sizeFailure.message, `SIZE ${path}`);
      size ??= await c.request(`SIZE ${path}`);
      if (size.code !== 213) throw errorFromReply(size.code, size.message, `SIZE ${path}`);
    }
    if (path === this.cwd) this.cwd = undefined; // the folder the connection stood in is gone
    return fileEntry(path, size, await c.request(`MDTM ${path}`));
  }

  /**
   * A stat without MLST in one round trip: SIZE, CWD and MDTM sent together (each has exactly one
   * reply, and none changes anything but CWD, which moves the connection only into a folder). CWD
   * decides a folder; else SIZE's 213 a file, with MDTM's time. A server that drops commands sent
   * together is found out by the missing reply, one that answers out of step by a reply no such
   * command has: the stat is asked again on a new connection, one command at a time from then on.
   * A connection closed before any reply (a restart, a 421) is an outage, left to the pool.
   */
  private async statTogether(c: ControlConnection, path: string): Promise<FileEntry> {
    const got = await this.askedTogether(c, [`SIZE ${path}`, `CWD ${path}`, `MDTM ${path}`], [undefined, IS_IT_A_FOLDER]);
    // A stat changes nothing on the server: asked again at once, one command at a time, on a new
    // connection (a caller the pool may not run again, a rename's or an upload's check, gets its answer).
    if (!got) return this.statOneByOne((await this.ensureSession()).control, path);
    const [size, cwd, mdtm] = got;
    // Each command's replies are known: SIZE and MDTM 213 or an error, CWD a 2xx other than 213 or
    // an error. Anything else is a reply out of step (a command answered twice, one left over): the
    // connection is closed and the stat asked again one command at a time.
    const error = (r: Reply) => r.code >= 400 && r.code < 600;
    if (!(size.code === 213 || error(size)) || !((isPositiveCompletion(cwd.code) && cwd.code !== 213) || error(cwd)) || !(mdtm.code === 213 || error(mdtm))) {
      this.habits.pipelining = false;
      this.options.log({ kind: 'info', connection: c.id, text: `the replies to SIZE, CWD and MDTM sent together were out of step (${size.code}, ${cwd.code}, ${mdtm.code}); reconnecting, one command at a time from now on` });
      c.destroy();
      return this.statOneByOne((await this.ensureSession()).control, path);
    }
    this.habits.pipelining ??= true; // never over a false another connection learnt meanwhile
    const { firstMs, gapMs } = c.lastBatch;
    // Held: a gap of 40 ms or so beyond what the first reply took (a server slow at every command,
    // or a slow network, spaces its replies like its first one, not more).
    this.noteHeld('replies', gapMs >= HELD_REPLY_MS && gapMs >= firstMs + HELD_BEYOND_FIRST_MS, gapMs, c.id);
    if (isPositiveCompletion(cwd.code)) {
      this.cwd = path;
      if (size.code >= 500 && size.code < 600) this.habits.sizeRefusesDirs ??= true;
      else if (size.code === 213) this.habits.sizeRefusesDirs = false;
      return { name: baseName(path), type: 'directory' };
    }
    if (path === this.cwd) this.cwd = undefined; // the folder the connection stood in is gone
    if (size.code !== 213) throw errorFromReply(size.code, size.message, `SIZE ${path}`);
    return fileEntry(path, size, mdtm);
  }

  /**
   * What the server says of a file just written (a save's temporary file), in one command: MLST
   * where FEAT offers it, else STAT with the path (an `ls -l` line over the control connection,
   * RFC 959; its size is exact bytes and its mode the one the server gave the file). Undefined when
   * the server can't say that way (no such command, a name STAT could misread, no line for exactly
   * this file, an estimated size): the caller asks SIZE. Answers that never came throw.
   */
  async inspect(path: string): Promise<FileEntry | undefined> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      const name = baseName(path);
      if (this.features.has('MLST')) {
        const r = await c.request(`MLST ${path}`);
        const entry = isPositiveCompletion(r.code) ? (await listing()).parseMlstReply(r.lines) : undefined;
        return entry?.type === 'file' && entry.size !== undefined ? { ...entry, name } : undefined;
      }
      if (this.habits.statRefused || !PLAIN_PATH.test(parentPath(path)) || !PLAIN_NAME.test(name)) return undefined;
      const r = await c.request(`STAT ${path}`);
      if (r.code !== 211 && r.code !== 212 && r.code !== 213) {
        if (r.code >= 500 && r.code <= 504) this.habits.statRefused = true;
        return undefined;
      }
      for (const line of r.lines.slice(1, -1)) {
        const parsed = (await listing()).parseListLine(line.trimStart(), { command: 'STAT', system: this.system, serverTimeZoneOffsetMinutes: this.options.serverTimeZoneOffsetMinutes });
        if (!('entry' in parsed)) continue;
        const e = parsed.entry;
        if ((e.name === name || e.name === path) && e.type === 'file' && e.size !== undefined && !e.sizeApproximate) return { ...e, name };
      }
      return undefined;
    });
  }

  /** Size in bytes (SIZE). */
  async size(path: string): Promise<number> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      return sizeFrom(await c.expect(`SIZE ${path}`), path);
    });
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

  /**
   * Receives a data connection's bytes into memory, at most `maxBytes` (and `maxLines` line ends).
   * Each attempt starts from nothing: a retry after a failed method never appends to a broken one.
   */
  private async receive(c: ControlConnection, command: string, opts: TransferOptions & { maxBytes: number; maxLines?: number; expectedSize?: number; what: string; onBound?: () => void }, workingDir?: string): Promise<{ data: Buffer; announced?: number }> {
    let sink: ByteSink | undefined;
    let announced: number | undefined;
    await this.transfer(c, command, (socket, progress) => new Promise<void>((resolve, reject) => {
      announced = progress.announced;
      progress.bytes = 0;
      sink = new ByteSink(opts.expectedSize ?? progress.announced, opts.maxBytes, opts.maxLines, opts.what);
      const take = (chunk: Buffer, transient: boolean): boolean => {
        const err = sink!.push(chunk, transient);
        if (err) {
          opts.onBound?.();
          socket.destroy();
          reject(err);
          return false;
        }
        progress.bytes += chunk.length;
        opts.onProgress?.(progress.bytes);
        return true;
      };
      // A plain data connection hands over views of its one read buffer (raw-reads.ts): copied.
      if (!setRawSink(socket, (chunk) => take(chunk, true))) socket.on('data', (chunk: Buffer) => take(chunk, false));
      socket.once('end', resolve);
      socket.once('error', reject);
      socket.once('close', () => resolve());
      if (socket.readableEnded) resolve(); // an empty file whose data connection had ended already
      socket.resume();
    }), opts, { workingDir, rawReads: mayBeBig(opts.expectedSize) });
    return { data: sink ? sink.result() : Buffer.alloc(0), announced };
  }

  /** Downloads a file into memory; its size is checked against what the caller or the server said. */
  async download(path: string, opts: DownloadOptions = {}): Promise<Buffer> {
    assertSafeArgument(path);
    return this.exclusive((c) => this.retrieve(c, path, opts));
  }

  /** RETR into memory, bounded, then its size checked; `onBound` is told when a bound stopped it. */
  private async retrieve(c: ControlConnection, path: string, opts: DownloadOptions, onBound?: () => void): Promise<Buffer> {
    const { data, announced } = await this.receive(c, `RETR ${path}`, { ...opts, maxBytes: this.options.limits.maxMemoryDownloadBytes, what: 'download', onBound });
    await this.checkComplete(path, data.length, opts.expectedSize ?? announced);
    return data;
  }

  /**
   * download() of a file its listing shows as small: undefined, instead of an error, when it sends
   * well more than `expectedSize` (it grew since it was listed), for the caller to stream it instead.
   */
  async downloadSmall(path: string, opts: DownloadOptions & { expectedSize: number }): Promise<Buffer | undefined> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      let grew = false;
      try {
        return await this.retrieve(c, path, opts, () => (grew = true));
      } catch (e) {
        if (grew && !opts.signal?.aborted) return undefined;
        throw e;
      }
    });
  }

  /**
   * Downloads a file into a stream (ended when done) or an open local file (written from its start,
   * receive-file.ts); resolves with the byte count, checked like download().
   */
  async downloadTo(path: string, destination: Writable | FileHandle, opts: DownloadOptions = {}): Promise<number> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      let bytes = 0;
      let announced: number | undefined;
      await this.transfer(c, `RETR ${path}`, async (socket, progress) => {
        announced = progress.announced;
        if (isFileHandle(destination)) {
          return receiveFile(socket, destination, (n) => {
            progress.started = true;
            progress.bytes = bytes += n;
            opts.onProgress?.(bytes);
          }, opts.expectedSize ?? announced, opts.localFileAtOnce && !slowLately() ? writeNowTo(destination) : undefined, undefined, opts.room);
        }
        socket.on('data', (chunk: Buffer) => {
          progress.started = true;
          progress.bytes = bytes += chunk.length;
          opts.onProgress?.(bytes);
        });
        await pipeline(socket, destination);
      }, opts, { rawReads: isFileHandle(destination) && mayBeBig(opts.expectedSize) });
      await this.checkComplete(path, bytes, opts.expectedSize ?? announced);
      return bytes;
    });
  }

  /**
   * A download ended with `received` bytes. When that is not the size expected, or nothing said
   * a size, SIZE decides: the file may have changed meanwhile (fine), or the transfer was cut short
   * (a data connection closed early, a TLS stream cut without close_notify): an 'interrupted' error.
   */
  private async checkComplete(path: string, received: number, expected: number | undefined): Promise<void> {
    if (expected === received) return;
    if (expected === undefined && !this.features.has('SIZE')) return; // nothing to check against
    const c = (await this.ensureSession()).control;
    const r = await c.request(`SIZE ${path}`);
    if (r.code !== 213) {
      if (expected === undefined) return; // SIZE refused (ASCII-only servers): nothing to check against
      throw new FtpError('interrupted', `The download of ${path} ended after ${received} of ${expected} bytes, and the server would not say the file's size (${r.code} ${r.message}).`);
    }
    const now = sizeFrom(r, path);
    if (now < received) {
      throw new FtpError('interrupted', `The server sent ${received} bytes for ${path}, more than the ${now} the file has: the download is not taken as the file.`);
    }
    if (now !== received) {
      throw new FtpError('interrupted', `The download of ${path} ended after ${received} bytes, but the file has ${now}: the transfer was cut short.`);
    }
  }

  /** Uploads (STOR) from a buffer, an open file (from its start) or a stream; resolves with the byte count. */
  async upload(path: string, source: UploadSource, opts: UploadOptions = {}): Promise<number> {
    assertSafeArgument(path);
    const { freshName } = opts;
    const fresh = freshName && (() => {
      const name = freshName();
      assertSafeArgument(name);
      return `STOR ${name}`;
    });
    return this.exclusive(async (c) => {
      let bytes = 0;
      const small = Buffer.isBuffer(source) && source.length <= CHUNK ? source : undefined;
      await this.transfer(c, `STOR ${path}`, async (socket, progress) => {
        if (small) {
          // One write and the end: no stream pipeline (its signals and listeners cost more than
          // the write itself for the small files of a folder upload). Over a plain passive
          // connection it went as soon as the connection was open (TransferContext.sendAhead).
          progress.bytes = bytes = small.length;
          await (progress.ahead ?? endWith(socket, small));
          opts.onProgress?.(bytes);
          return;
        }
        if (isFileHandle(source) || Buffer.isBuffer(source)) {
          // From its start on each attempt: a fallback to another data method can send it again.
          progress.bytes = bytes = 0;
          const sent: SendProgress = {
            handed: (n) => (progress.bytes += n),
            written: (n) => {
              bytes += n;
              opts.onProgress?.(bytes);
            },
          };
          return Buffer.isBuffer(source) ? sendBuffer(socket, source, sent) : sendFile(socket, source, sent, opts.localFileAtOnce && !slowLately() ? readNowFrom(source) : undefined);
        }
        source.on('data', (chunk: Buffer) => {
          progress.started = true; // a stream can't be sent again after a fallback
          progress.bytes = bytes += chunk.length;
          opts.onProgress?.(bytes);
        });
        await pipeline(source, socket);
      }, opts, { sendAhead: small, freshCommand: fresh });
      return bytes;
    });
  }

  async delete(path: string): Promise<void> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => void (await c.expect(`DELE ${path}`)));
  }

  /**
   * RNFR and RNTO, sent together (one round trip) unless this server was seen not to take that.
   * A server carries out RNTO only after RNFR's 350, so a refused RNFR leaves the RNTO behind it
   * refused too (503) and nothing renamed. A 503 to RNTO after a 350, or the 350 coming second,
   * means the server read RNTO before it was done with RNFR: the rest is asked one command at a
   * time, and so is every rename after (ServerHabits). No answer at all counts the same, for later.
   */
  async rename(from: string, to: string): Promise<void> {
    assertSafeArgument(from);
    assertSafeArgument(to);
    return this.exclusive(async (c) => {
      if (this.habits.pipelining !== false) {
        const ahead = this.portAheadCommand();
        const commands = [`RNFR ${from}`, `RNTO ${to}`, ...(ahead ? [ahead] : [])];
        const [first, second, port] = await this.sentTogether(c, commands);
        if (ahead) this.keepPortAhead(c, commands, [first, second], port);
        return this.renameAnswered(c, from, to, first, second);
      }
      renameStep(c, `RNFR ${from}`, await c.request(`RNFR ${from}`), (code) => code === 350);
      renameStep(c, `RNTO ${to}`, await c.request(`RNTO ${to}`), isPositiveCompletion);
    });
  }

  /**
   * SIZE of `from`, RNFR and RNTO in one write: an upload to a name that held nothing is checked and
   * renamed in one round trip (save.ts); with EPSV or PASV after them when an operation waits
   * (portAheadCommand). The rename goes ahead whatever SIZE says; the caller
   * compares the size after it. Only where commands sent together are known to work
   * (habits.pipelining true). Resolves with SIZE's number, undefined when SIZE was refused or said
   * no number; fails as rename() does, and with a 'protocol' error on a reply out of step.
   */
  async sizeAndRename(from: string, to: string): Promise<number | undefined> {
    assertSafeArgument(from);
    assertSafeArgument(to);
    return this.exclusive(async (c) => {
      const ahead = this.portAheadCommand();
      const commands = [`SIZE ${from}`, `RNFR ${from}`, `RNTO ${to}`, ...(ahead ? [ahead] : [])];
      const [size, first, second, port] = await this.sentTogether(c, commands);
      if (!((size.code === 213 || isError(size)) && (first.code === 350 || isError(first)) && (isPositiveCompletion(second.code) || isError(second)))) {
        // A reply none of the three has where it came (a stray one before them, one answered
        // twice): out of step; what was renamed is unsure, and so is every reply still to come.
        this.outOfStep(c, commands, ahead ? [size, first, second, port] : [size, first, second]);
      }
      if (ahead) this.keepPortAhead(c, commands, [size, first, second], port);
      await this.renameAnswered(c, from, to, first, second);
      if (size.code !== 213) return undefined;
      try {
        return sizeFrom(size, from);
      } catch {
        return undefined; // no number: nothing to check against, as a refused SIZE
      }
    });
  }

  /**
   * EPSV or PASV, to send with an upload's rename so the next transfer on this connection finds its
   * data port open (one round trip less a file in a folder upload: its STOR goes at once): when
   * the method works here, commands sent together are known to work, and an operation waits for a
   * connection (`claimWaiting`, set by the pool; a port no transfer uses costs the server a
   * listening socket until the next EPSV). Undefined otherwise.
   */
  private portAheadCommand(): string | undefined {
    const method = this.options.modeMemory.working;
    if (this.habits.pipelining !== true || this.habits.portsAhead === false || !method || !isPassiveMethod(method) || !this.claimWaiting?.()) return undefined;
    return METHOD_COMMAND[method];
  }

  /**
   * The answer to the EPSV or PASV sent last of `commands` (portAheadCommand), kept for the next
   * transfer when it is that method's (229, 227); refused, the port is asked for again by the
   * transfer that needs it, which learns why. Its code among the others' replies, or another
   * positive reply in its place: out of step (outOfStep).
   */
  private keepPortAhead(c: ControlConnection, commands: string[], others: Reply[], port: Reply): void {
    const ahead = commands[commands.length - 1];
    const code = ahead === 'EPSV' ? 229 : 227;
    if (others.some((r) => r.code === code) || (port.code !== code && !isError(port))) this.outOfStep(c, commands, [...others, port]);
    if (port.code === code) c.keepPortAhead(ahead, { reply: port, roundTripMs: c.lastBatch.firstMs });
  }

  /** Replies to commands sent together that can't be theirs: nothing more goes together here, the connection is dropped. */
  private outOfStep(c: ControlConnection, commands: string[], replies: Reply[]): never {
    this.habits.pipelining = false;
    c.destroy();
    throw new FtpError('protocol', `The server's replies to ${commands.map((x) => x.split(' ')[0]).join(', ')} sent together were out of step (${replies.map((r) => r.code).join(', ')}); what it renamed is unclear.`, { code: replies[0].code, replyText: replies[0].message });
  }

  /** Sends commands in one write and reads their replies; no answer to one teaches habits, as rename() says. */
  private async sentTogether(c: ControlConnection, commands: string[]): Promise<Reply[]> {
    const got: Reply[] = [];
    try {
      return await c.requestTogether(commands, got);
    } catch (e) {
      // No answer to one of them: a server that drops a command sent with another, unless the
      // connection closed before any reply, or a 421 said it would (a restart, an outage: nothing
      // learnt; a 421 that came before its command was read ends the connection unqueued: e.code).
      if (isFtpError(e) && (e.kind === 'timeout' || (e.kind === 'connectionLost' && e.code === undefined && got.length > 0 && !got.some(closesSession)))) this.habits.pipelining = false;
      throw e;
    }
  }

  /** RNFR's and RNTO's replies, read after sending both together: done, refused, or asked again one at a time. */
  private async renameAnswered(c: ControlConnection, from: string, to: string, first: Reply, second: Reply): Promise<void> {
    if (first.code === 350 && second.code !== 503) {
      this.habits.pipelining ??= true; // never over a false another connection learnt meanwhile
      renameStep(c, `RNTO ${to}`, second, isPositiveCompletion);
      return;
    }
    if (first.code !== 350 && second.code !== 350) {
      // RNTO said done after RNFR was refused: no usable answer (a confused or hostile server).
      // A 'protocol' error, so a save looks at what the server holds now (save.ts renameChecked).
      if (isPositiveCompletion(second.code)) {
        c.destroy(); // a server this confused may send more replies nobody asked for
        throw new FtpError('protocol', `The server refused RNFR ${from} (${first.code} ${first.message}) and then said RNTO ${to} was done; what it renamed is unclear.`, { code: first.code, replyText: first.message });
      }
      throw errorFromReply(first.code, first.message, `RNFR ${from}`);
    }
    this.habits.pipelining = false;
    // Out of step: RNFR's 350 came second, so the server waits for RNTO now; or RNTO was refused
    // before RNFR was done: both again, one at a time.
    if (second.code !== 350) renameStep(c, `RNFR ${from}`, await c.request(`RNFR ${from}`), (code) => code === 350);
    renameStep(c, `RNTO ${to}`, await c.request(`RNTO ${to}`), isPositiveCompletion);
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

  /** RMD of one directory. Recursive deletion is `removeTree` (tree.ts), which never crosses a link. */
  async rmdir(path: string): Promise<void> {
    assertSafeArgument(path);
    await this.exclusive(async (c) => {
      // A server refuses to remove the directory it stands in.
      if (this.cwd === path) await this.changeDir(c, parentPath(path));
      await c.expect(`RMD ${path}`);
    });
  }

  /** Where CWD to `path` lands, as PWD says (servers that resolve links say where a link leads). */
  async resolveDir(path: string): Promise<string | undefined> {
    assertSafeArgument(path);
    return this.exclusive((c) => (this.cwd !== path && this.habits.pipelining === true ? this.resolveTogether(c, path) : this.resolveOneByOne(c, path)));
  }

  private async resolveOneByOne(c: ControlConnection, path: string): Promise<string | undefined> {
    await this.changeDir(c, path);
    const r = await c.request('PWD');
    return isPositiveCompletion(r.code) ? parsePwd(r.message) : undefined;
  }

  /**
   * resolveDir in one round trip where commands sent together are known to work: CWD and PWD in
   * one write (each has exactly one reply; a download's walk asks it of every folder). A refused
   * CWD is thrown as when sent alone; PWD then answered for the folder the connection still stands
   * in, which is not what was asked. A server that drops one or answers out of step is found out as
   * in statTogether: asked again one command at a time on a new connection, and from then on.
   */
  private async resolveTogether(c: ControlConnection, path: string): Promise<string | undefined> {
    const got = await this.askedTogether(c, [`CWD ${path}`, 'PWD']);
    if (!got) return this.resolveOneByOne((await this.ensureSession()).control, path);
    const [cwd, pwd] = got;
    // CWD's reply is a 2xx other than 257, or an error; PWD's a 257 or an error. Anything else (a
    // 257 to CWD, a 250 to PWD: one answered twice) is out of step: closed, asked again one at a time.
    const error = (r: Reply) => r.code >= 400 && r.code < 600;
    if (!((isPositiveCompletion(cwd.code) && cwd.code !== 257) || error(cwd)) || !(pwd.code === 257 || error(pwd))) {
      this.habits.pipelining = false;
      this.options.log({ kind: 'info', connection: c.id, text: `the replies to CWD and PWD sent together were out of step (${cwd.code}, ${pwd.code}); reconnecting, one command at a time from now on` });
      c.destroy();
      return this.resolveOneByOne((await this.ensureSession()).control, path);
    }
    const { firstMs, gapMs } = c.lastBatch;
    this.noteHeld('replies', gapMs >= HELD_REPLY_MS && gapMs >= firstMs + HELD_BEYOND_FIRST_MS, gapMs, c.id);
    if (!isPositiveCompletion(cwd.code)) throw errorFromReply(cwd.code, cwd.message, `CWD ${path}`);
    this.cwd = path;
    const said = pwd.code === 257 ? parsePwd(pwd.message) : undefined;
    // Elsewhere (a link): asked again alone, so a server that ran PWD before its CWD was done
    // costs a round trip, not a folder taken for a link and left out.
    if (said !== undefined && said !== path) return this.resolveOneByOne(c, path);
    return said;
  }

  /**
   * Sets the modification time, the way the server says it can: MFMT where FEAT lists it; else
   * SITE UTIME where FEAT or SITE HELP names it; else `MDTM <time> <path>` where FEAT lists MDTM,
   * and only if reading the time back shows it was set (old servers take that form as a query of a
   * file named "<time> <path>": a 550, or a 213 date that is no success). Otherwise a
   * 'commandRejected' FtpError saying the server can't: never a false success.
   */
  async setModified(path: string, date: Date): Promise<void> {
    assertSafeArgument(path);
    return this.exclusive(async (c) => {
      const t = formatFtpTime(date);
      if (this.features.has('MFMT')) {
        await c.expect(`MFMT ${t} ${path}`);
        return;
      }
      const known = this.timeSetter;
      const candidates: TimeSetter[] = known ? [known] : [];
      if (!known) {
        if (await this.offersSiteUtime(c)) candidates.push('site-utime-5', 'site-utime-2');
        if (this.features.has('MDTM')) candidates.push('mdtm');
      }
      const answers: string[] = [];
      for (const way of candidates) {
        if (way === 'none') break;
        const command = way === 'site-utime-5' ? `SITE UTIME ${path} ${t} ${t} ${t} UTC` : way === 'site-utime-2' ? `SITE UTIME ${t} ${path}` : `MDTM ${t} ${path}`;
        const r = await c.request(command);
        answers.push(`${command.split(' ').slice(0, 2).join(' ')}: ${r.code} ${r.message}`);
        if (!isPositiveCompletion(r.code)) continue;
        // A bare date is the answer to a query (of a file named "<time> <path>", or of <path>): nothing was set.
        if (way === 'mdtm' && /^\s*\d{14}(\.\d+)?\s*$/.test(r.message)) continue;
        if (way !== 'mdtm' && !this.features.has('MDTM')) {
          this.timeSetter = way; // nothing to read the time back with: the server's 2xx is all there is
          return;
        }
        const back = await c.request(`MDTM ${path}`);
        const read = back.code === 213 ? parseFtpTime(back.message) : undefined;
        if (read && Math.floor(read.getTime() / 1000) === Math.floor(date.getTime() / 1000)) {
          this.timeSetter = way;
          return;
        }
        answers.push(`MDTM ${path} read back ${back.code} ${back.message}`);
      }
      // Nothing worked: a missing file is "not found", whatever the server's way with times.
      if (this.features.has('MDTM') || this.features.has('SIZE')) {
        const exists = await c.request(`${this.features.has('MDTM') ? 'MDTM' : 'SIZE'} ${path}`);
        if (exists.code === 550 || exists.code === 450) throw errorFromReply(exists.code, exists.message, `MDTM ${path}`);
      }
      if (!known) this.timeSetter = 'none';
      throw new FtpError('commandRejected',
        `The server at ${this.options.host} can't set a file's modification time: it offers no MFMT, no SITE UTIME, and no MDTM that sets a time` +
        `${answers.length ? ` (${answers.join('; ')})` : this.features.size ? ' (FEAT lists none of them)' : ' (it does not answer FEAT)'}. The file keeps the time the server gave it.`,
        { command: `MFMT ${t} ${path}` });
    });
  }

  /** SITE UTIME is never in FEAT's usual list: FEAT's SITE line or the SITE HELP answer names it (asked once). */
  private siteHelp?: boolean;
  private async offersSiteUtime(c: ControlConnection): Promise<boolean> {
    if (/\bUTIME\b/i.test(this.features.get('SITE') ?? '') || this.features.has('SITE UTIME')) return true;
    if (this.siteHelp === undefined) {
      const r = await c.request('SITE HELP');
      this.siteHelp = r.code >= 200 && r.code < 300 && r.lines.some((l) => /\bUTIME\b/i.test(l));
    }
    return this.siteHelp;
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

  /** A reply nobody read, left on the control connection after an operation (ControlConnection.unread). */
  get strayReply(): string | undefined {
    return this.session?.control.unread;
  }

  /** Drops the connection at once (no QUIT). The next operation reconnects. */
  disconnect(): void {
    this.session?.control.destroy();
  }
}

/** How a server sets modification times without MFMT: SITE UTIME in its two forms, MDTM with a time, or not at all. */
type TimeSetter = 'site-utime-5' | 'site-utime-2' | 'mdtm' | 'none';

const CHUNK = 1024 * 1024;
/** New connections a transfer opens after a 425 that closed the connection (transfer.ts portBusyAndClosed), and the wait before each. */
const BUSY_RECONNECTS = 2;
const BUSY_RECONNECT_MS = 500;
/** A download expected to be bigger than 256 KiB, or of unknown size, reads into a reused buffer (TransferContext.rawReads). */
const mayBeBig = (expectedSize: number | undefined) => (expectedSize ?? Infinity) > 256 * 1024;

/**
 * The bytes a SIZE reply (213) gives. ftp-srv answers an empty file with its reply's default text,
 * `213 File status` (its handler passes the size 0 as the message, which counts as none): that is 0.
 * Any other text that is not a number is an error.
 */
function sizeFrom(reply: Reply, path: string): number {
  const text = reply.message.trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (text === 'File status') return 0;
  throw new FtpError('server', `The server's SIZE answer for ${path} is not a size: ${JSON.stringify(reply.message.slice(0, 100))}`, { code: reply.code, replyText: reply.message });
}

/** A gap between replies of one batch this long means held (Linux delays an acknowledgement 40 ms at least). */
const HELD_REPLY_MS = 35;
/** ... and at least this much longer than the batch's first reply took. */
const HELD_BEYOND_FIRST_MS = 10;
/** A negative reply (4xx, 5xx). */
const isError = (r: Reply) => r.code >= 400 && r.code < 600;

/**
 * RNFR's or RNTO's reply: `ok` goes on; a 4xx or 5xx is the server's refusal (nothing renamed);
 * anything else (a 1xx, a 2xx to RNFR, a 3xx to RNTO) is a reply out of step, which can't tell
 * whether the server renamed: a 'protocol' error, so a save looks at what the server holds
 * (save.ts), and the connection is dropped (its next reply could be this one's).
 */
function renameStep(c: ControlConnection, command: string, reply: Reply, ok: (code: number) => boolean): void {
  if (ok(reply.code)) return;
  if (isError(reply)) throw errorFromReply(reply.code, reply.message, command);
  c.destroy();
  throw new FtpError('protocol', `The server answered ${command.split(' ')[0]} with ${reply.code} ${reply.message}, which is not an answer to it; what it renamed is unclear.`, { code: reply.code, replyText: reply.message });
}

/** A data command's 150 this much later than our connect and EPSV's round trip allow means held; see noteHeld. */
const HELD_TRANSFER_MS = 20;
/**
 * A 150 later than this was the server's own work on the command, not a held reply (at most a
 * delayed acknowledgement: 40 ms on Linux, up to 200 ms elsewhere; ftp-srv's look for the data
 * connection every 50 ms): ftp-srv reads a whole folder before it answers LIST (20,000 names: 660
 * ms). It says nothing either way, so big folders never turn commands sent together off.
 */
const SERVER_WORK_MS = 400;
/** Held batches in a row before commands go one at a time (one could be a server busy elsewhere). */
const HELD_BATCHES = 3;
/** The log's note beside a stat's CWD, whose refusal is the usual answer for a file. */
const IS_IT_A_FOLDER = 'to check whether it is a folder: a file gets a refusal, usually 550';

/** A file's entry from its SIZE (213) and MDTM replies (any MDTM reply: no time when refused). */
function fileEntry(path: string, size: Reply, mdtm: Reply): FileEntry {
  const bytes = sizeFrom(size, path);
  const modified = mdtm.code === 213 ? parseFtpTime(mdtm.message)?.getTime() : undefined;
  return { name: baseName(path), type: 'file', size: bytes, modified, modifiedPrecision: modified !== undefined ? 'second' : undefined };
}

/**
 * Bytes of one data connection, bounded. With a known size the buffer is allocated once (no
 * second copy at the end); bytes beyond it, or beyond `max`, fail the transfer.
 */
class ByteSink {
  private chunks: Buffer[] = [];
  private buffer?: Buffer;
  private length = 0;
  private lines = 0;
  /** Bytes accepted: `max`, or somewhat more than the expected size (a file may grow meanwhile). */
  private readonly limit: number;

  constructor(private readonly expected: number | undefined, private readonly max: number, private readonly maxLines: number | undefined, private readonly what: string) {
    if (expected !== undefined && expected <= max) this.buffer = Buffer.allocUnsafe(expected);
    this.limit = expected === undefined ? max : Math.min(max, expected + Math.max(64 * 1024, Math.ceil(expected / 8)));
  }

  /**
   * Takes a chunk; returns the error that ends the transfer when a bound is passed. `transient`: the
   * chunk's memory is read into again after this call (raw-reads.ts), so what is kept is a copy.
   */
  push(chunk: Buffer, transient = false): FtpError | undefined {
    if (this.length + chunk.length > this.limit) {
      return new FtpError('protocol', this.limit < this.max
        ? `The server sent more than the ${this.expected} bytes this ${this.what} should have (the file may be changing, or the server is broken); it was stopped there.`
        : `The server sent more than ${Math.round(this.max / (1024 * 1024))} MB for this ${this.what}; it was stopped there.`);
    }
    if (this.maxLines !== undefined) {
      for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) this.lines++;
      if (this.lines > this.maxLines) return new FtpError('protocol', `The server sent more than ${this.maxLines} lines for this ${this.what}; it was stopped there.`);
    }
    if (this.buffer && this.length + chunk.length <= this.buffer.length) {
      chunk.copy(this.buffer, this.length);
    } else {
      // More than announced (the file grew, or the server lies): keep the bytes, checked later.
      if (this.buffer) {
        this.chunks.push(this.buffer.subarray(0, this.length));
        this.buffer = undefined;
      }
      this.chunks.push(transient ? Buffer.from(chunk) : chunk);
    }
    this.length += chunk.length;
    return undefined;
  }

  result(): Buffer {
    if (this.buffer) return this.length === this.buffer.length ? this.buffer : this.buffer.subarray(0, this.length);
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
  }
}

/**
 * A path a listing command can carry without a server reading more into it: no glob characters, no
 * spaces or quotes (servers split the argument), nothing but letters, digits and `. _ - + @ % = , : #`.
 */
const PLAIN_PATH = /^\/[\p{L}\p{N}._\-+@%=,:#/]*$/u;
const PLAIN_NAME = /^[\p{L}\p{N}._\-+@%=,:#]+$/u;

/**
 * A listing that yielded no entry but had lines is not an empty folder: the server said something
 * we could not read (often "Permission denied" as the only line). Too many entries is refused.
 */
const NOT_ASCII = /[^\u0020-\u007e]/;
/** A listing's text that may hold a name outside printable ASCII (names are cut from its lines). */
const NOT_ASCII_TEXT = /[^\u0020-\u007e\r\n]/;

function checkedListing(result: ListingResult, path: string, maxEntries: number): ListingResult {
  if (result.entries.length > maxEntries) {
    throw new FtpError('protocol', `The listing of ${path} has more than ${maxEntries} entries; it was not read.`);
  }
  if (result.entries.length === 0 && result.unparsed.length > 0) {
    const first = result.unparsed[0].line.slice(0, 200);
    if (/permission|denied|not allowed|cannot open|can't open|forbidden/i.test(first)) {
      throw new FtpError('permission', `The server could not list ${path}: ${JSON.stringify(first)}`);
    }
    throw new FtpError('server', `None of the ${result.unparsed.length} lines the server listed for ${path} could be read (the first: ${JSON.stringify(first)}, ${result.unparsed[0].reason}).`);
  }
  return result;
}
