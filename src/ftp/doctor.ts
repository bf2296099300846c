/**
 * The connection doctor: connects step by step (name, TCP, TLS, login, FEAT), then lists the start
 * directory once with each data method (EPSV, PASV, EPRT, PORT), and says in plain words what
 * failed, why, and which settings to use. It runs the engine's own pieces (session steps,
 * runTransfer and its DataFailure classes), so what it reports is what a transfer would meet.
 */
import * as dns from 'node:dns/promises';
import * as net from 'node:net';
import { ControlConnection } from './control';
import { FtpError, isFtpError } from './errors';
import { TextCodec, createCodec } from './encoding';
import { ConnectOptions, ResolvedOptions, resolveOptions } from './options';
import type { LogSink } from './log';
import { Reply, isPositiveCompletion } from './reply';
import { login, openSession, parseFeatures, parsePwd, protectData, readGreeting, startExplicitTls } from './session';
import { connectTcp, sameFingerprint, startTls } from './sockets';
import { HostPort, decodeEprt, decodeEpsvReply, decodePasvReply, decodePort, normalizeAddress } from './addresses';
import { DEFAULT_METHOD_ORDER, DataMethod, METHOD_COMMAND, modeOfMethod } from './data/methods';
import { runTransfer } from './data/transfer';
import { StepRecorder } from './diagnosis/recorder';
import { recommend } from './diagnosis/recommend';
import { DiagnoseOptions, DoctorReport, DoctorStep, DoctorStepId } from './diagnosis/types';
import { DataObservation, Verdict, connectFailure, dataVerdict, loginFailure, tlsFailure, tlsVerdict } from './diagnosis/verdicts';
import { ActiveSettings } from './data/active';
import { encodingAdvice, guessNameEncoding } from './encoding-guess';
import { ListingParser } from './listing';

export * from './diagnosis/types';

export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
/** A data connection that needs longer than this is broken for a person waiting on a listing. */
const DATA_CONNECT_CAP_MS = 5_000;

/**
 * Answers to AUTH TLS that say the server does no TLS: not understood or not implemented (500-504),
 * security resource unavailable (431), refused by policy (534). Others (a 421, a 530) say nothing of TLS.
 */
const AUTH_REFUSED = new Set([431, 500, 501, 502, 504, 534]);

type Outcome = Verdict & Partial<Pick<DoctorStep, 'method' | 'failure' | 'pasvAddress' | 'certificate' | 'privilegedPort' | 'encoding'>>;

/** Runs the doctor against one server. Rejects only when cancelled; every other failure is a step of the report. */
export async function diagnose(options: ConnectOptions, opts: DiagnoseOptions = {}): Promise<DoctorReport> {
  return new Doctor(options, opts).run();
}

class Doctor {
  private readonly o: ResolvedOptions;
  private readonly recorder: StepRecorder;
  private readonly codec: TextCodec;
  private readonly stepTimeoutMs: number;
  private readonly steps: DoctorStep[] = [];
  private readonly where: string;
  private socket?: net.Socket;
  private control?: ControlConnection;
  private features = new Map<string, string>();
  private home = '/';
  private certificate?: DoctorReport['certificate'];
  /** The first listing that arrived, as bytes (at most 1 MiB), for the judgement of names. */
  private listing?: { command: 'MLSD' | 'LIST'; bytes: Buffer[]; size: number };

  constructor(options: ConnectOptions, private readonly opts: DiagnoseOptions) {
    const configured = resolveOptions(options);
    this.stepTimeoutMs = opts.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.recorder = new StepRecorder(configured.log);
    const t = configured.timeouts;
    const cap = (ms: number) => Math.min(ms, this.stepTimeoutMs);
    this.o = {
      ...configured,
      log: this.recorder.sink,
      timeouts: { connectMs: cap(t.connectMs), replyMs: cap(t.replyMs), dataConnectMs: cap(Math.min(t.dataConnectMs, DATA_CONNECT_CAP_MS)), dataIdleMs: cap(t.dataIdleMs) },
    };
    this.codec = createCodec(this.o.encoding);
    this.where = `${this.o.host}:${this.o.port}`;
  }

  async run(): Promise<DoctorReport> {
    const started = Date.now();
    try {
      const loggedIn = (await this.resolve()) && (await this.connect()) && (await this.tls()) && (await this.login());
      if (loggedIn) await this.feat();
      else {
        // One row per step in every report: the ones after a failure are skipped.
        const done = new Set(this.steps.map((x) => x.id));
        if (this.o.secure !== 'off' && !done.has('tls')) this.skip('tls', this.tlsTitle());
        if (!done.has('login')) this.skip('login', this.loginTitle());
        this.skip('feat', 'Features (FEAT)');
      }
      for (const method of DEFAULT_METHOD_ORDER) await this.list(method, loggedIn);
    } finally {
      if (this.control) await this.control.close();
      else this.socket?.destroy();
    }
    return {
      host: this.o.host, port: this.o.port, secure: this.o.secure, user: this.o.user,
      startedAt: new Date(started).toISOString(), ms: Date.now() - started,
      steps: this.steps, certificate: this.certificate, recommendation: recommend(this.steps, this.o),
    };
  }

  private checkCancelled(): void {
    if (this.opts.signal?.aborted) throw new FtpError('aborted', 'The diagnosis was cancelled.');
  }

  /** Times one step and records what it sent and received. */
  private async step(id: DoctorStepId, title: string, fn: () => Promise<Outcome>): Promise<DoctorStep> {
    this.checkCancelled();
    this.recorder.begin();
    const t0 = Date.now();
    let outcome: Outcome;
    try {
      outcome = await fn();
    } catch (e) {
      this.checkCancelled();
      outcome = { status: 'failed', verdict: e instanceof Error ? e.message : String(e) };
    }
    const { sent, reply } = this.recorder.end();
    return this.push({ id, title, sent, reply, ms: Date.now() - t0, ...outcome });
  }

  private push(s: DoctorStep): DoctorStep {
    this.steps.push(s);
    this.opts.onStep?.(s);
    return s;
  }

  private skip(id: DoctorStepId, title: string, verdict?: string): void {
    const failed = this.steps.find((s) => s.status === 'failed');
    this.push({ id, title, sent: [], reply: '', ms: 0, status: 'skipped', verdict: verdict ?? `Skipped: "${failed?.title ?? 'an earlier step'}" failed.` });
  }

  private async resolve(): Promise<boolean> {
    const host = this.o.host;
    const s = await this.step('resolve', `Resolve ${host}`, async () => {
      if (net.isIP(host)) return { status: 'ok', verdict: `${host} is an IP address: nothing to resolve.` };
      try {
        const found = await within(dns.lookup(host, { all: true }), this.stepTimeoutMs, 'timeout');
        return { status: 'ok', verdict: `${host} resolves to ${found.map((a) => a.address).join(', ')}.` };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTFOUND') return { status: 'failed', verdict: `The name ${host} could not be resolved (no such host): check its spelling.` };
        return { status: 'failed', verdict: `The name ${host} could not be resolved (${code ?? (e as Error).message}): this computer's name service (DNS) does not answer.` };
      }
    });
    return s.status !== 'failed';
  }

  private async connect(): Promise<boolean> {
    const { o } = this;
    const s = await this.step('connect', `Connect to ${this.where}`, async () => {
      let connected = false;
      try {
        this.socket = await connectTcp(o.host, o.port, o.timeouts.connectMs, `Connection to ${this.where}`, this.opts.signal);
        const reached = `${normalizeAddress(this.socket.remoteAddress ?? o.host)}:${o.port}`;
        if (o.secure === 'implicit') return { status: 'ok', verdict: `Connected to ${reached}; with implicit FTPS the greeting follows the TLS handshake.` };
        this.control = new ControlConnection(this.socket, o.host, this.codec, o.log, o.timeouts.replyMs, o.replyLimits);
        connected = true;
        await readGreeting(this.control, o.timeouts.connectMs);
        return { status: 'ok', verdict: `Connected to ${reached}; the server greeted.` };
      } catch (e) {
        this.checkCancelled();
        return { status: 'failed', verdict: connectFailure(e, this.where, o.timeouts.connectMs, connected) };
      }
    });
    return s.status !== 'failed';
  }

  private async tls(): Promise<boolean> {
    const { o } = this;
    if (o.secure === 'off') return true;
    const s = await this.step('tls', this.tlsTitle(), async () => {
      try {
        if (o.secure === 'implicit') {
          const secure = await startTls({ socket: this.socket, host: o.host, settings: o.tls, timeoutMs: o.timeouts.connectMs, what: `Implicit FTPS connection to ${this.where}` });
          this.control = new ControlConnection(secure, o.host, this.codec, o.log, o.timeouts.replyMs, o.replyLimits);
          await readGreeting(this.control, o.timeouts.connectMs);
        } else {
          await startExplicitTls(this.control!, o);
        }
        const cert = this.control!.certificate;
        this.certificate = cert;
        const pinned = !!cert && !!o.tls.trustedFingerprint256 && sameFingerprint(cert.fingerprint256, o.tls.trustedFingerprint256);
        return { ...tlsVerdict(this.control!.tlsProtocol, cert, pinned), certificate: cert };
      } catch (e) {
        this.checkCancelled();
        const cert = isFtpError(e) ? e.certificate : undefined;
        this.certificate = cert;
        return { status: 'failed', verdict: tlsFailure(e, o.host), certificate: cert };
      }
    });
    return s.status !== 'failed';
  }

  private tlsTitle(): string {
    return this.o.secure === 'implicit' ? 'TLS handshake (implicit FTPS)' : 'TLS handshake (AUTH TLS)';
  }

  private loginTitle(): string {
    return `Log in as ${this.o.user}`;
  }

  private async login(): Promise<boolean> {
    const { o } = this;
    const s = await this.step('login', this.loginTitle(), async () => {
      try {
        const control = this.control!;
        await login(control, o);
        await protectData(control);
        const pwd = await control.request('PWD');
        this.home = (isPositiveCompletion(pwd.code) && parsePwd(pwd.message)) || '/';
        return { status: 'ok', verdict: `Logged in as "${o.user}"; the start directory is ${this.home}.` };
      } catch (e) {
        this.checkCancelled();
        return { status: 'failed', verdict: loginFailure(e, o.user, this.control?.isTls ?? false) };
      }
    });
    return s.status !== 'failed';
  }

  private async feat(): Promise<void> {
    await this.step('feat', 'Features (FEAT)', async () => {
      const reply = await this.control!.request('FEAT');
      this.features = parseFeatures(reply);
      if (!isPositiveCompletion(reply.code)) {
        return { status: 'warning', verdict: `The server does not answer FEAT (${reply.code} ${reply.message}): an old server; listings use LIST.` };
      }
      // AUTH with what it names ("AUTH TLS"): the one feature whose value says what it is.
      const names = [...this.features.keys()].map((name) => (name === 'AUTH' && this.features.get(name) ? `AUTH ${this.features.get(name)}` : name));
      const verdict = names.length ? `The server offers ${names.join(', ')}.` : 'The server lists no extra features; listings use LIST.';
      // A plain-FTP site on a server that lists FTPS: is it real? (ftp-srv lists AUTH TLS and, without
      // a certificate, answers it 502.) The doctor offers the switch only to one that says yes.
      if (this.o.secure !== 'off' || !/\b(TLS|SSL)\b/i.test(this.features.get('AUTH') ?? '')) return { status: 'ok', verdict };
      const answer = await this.authTlsAnswer();
      if (!answer) return { status: 'ok', verdict };
      if (answer.code === 234) return { status: 'ok', verdict: `${verdict} AUTH TLS, tried on a connection of its own, was accepted: this site could use explicit FTPS.`, authTls: 'accepted' };
      return { status: 'ok', verdict: `${verdict} But AUTH TLS, tried on a connection of its own, was refused (${answer.code} ${answer.message}): explicit FTPS does not work on this server.`, authTls: 'refused' };
    });
  }

  /**
   * AUTH TLS's answer on a connection of its own (the logged-in one stays as it is), without going
   * on to TLS; undefined when the connection or its greeting failed (a per-IP limit says nothing of FTPS).
   */
  private async authTlsAnswer(): Promise<Reply | undefined> {
    const { o } = this;
    const signal = this.opts.signal;
    let control: ControlConnection | undefined;
    let closing = false;
    // Its lines marked in the FEAT row (they are not the logged-in connection's); its closing, ours, not a warning.
    const log: LogSink = (e) => {
      if (closing && e.kind === 'error') return;
      o.log(e.kind === 'command' || e.kind === 'reply' ? { ...e, text: `(another connection) ${e.text}` } : e);
    };
    const onAbort = () => control?.destroy(); // a cancel ends the greeting's and AUTH's waits too
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const socket = await connectTcp(o.host, o.port, o.timeouts.connectMs, `Connection to ${this.where}`, signal);
      control = new ControlConnection(socket, o.host, this.codec, log, o.timeouts.replyMs, o.replyLimits);
      this.checkCancelled();
      await readGreeting(control, o.timeouts.connectMs);
      const answer = await control.request('AUTH TLS');
      return answer.code === 234 || AUTH_REFUSED.has(answer.code) ? answer : undefined;
    } catch {
      this.checkCancelled();
      return undefined;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      closing = true;
      control?.destroy();
    }
  }

  private async list(method: DataMethod, loggedIn: boolean): Promise<void> {
    const cmd = METHOD_COMMAND[method];
    const id = `list-${method}` as DoctorStepId;
    const title = `List ${this.home} with ${cmd} (${modeOfMethod(method)} mode)`;
    if (!loggedIn) return this.skip(id, title);
    const remote = this.control?.remoteAddress ?? '';
    if ((method === 'pasv' || method === 'port') && net.isIPv6(remote) && !remote.startsWith('::ffff:')) {
      return this.skip(id, title, `Skipped: ${cmd} carries IPv4 addresses only, and this connection uses IPv6.`);
    }
    await this.step(id, title, async () => {
      if (!this.control || this.control.closed) await this.reconnect();
      const refusedSibling = this.steps.some((s) => s.failure === 'refused' && s.method && s.method !== method && modeOfMethod(s.method) === modeOfMethod(method));
      const obs = await this.tryListing(method, this.o.trustPasvAddress, refusedSibling);
      let pasvAddress: DoctorStep['pasvAddress'];
      if (method === 'pasv' && obs.advertised && obs.advertised.host !== obs.controlAddress && obs.advertised.host !== '0.0.0.0') {
        pasvAddress = { advertised: obs.advertised.host, control: obs.controlAddress, trusted: this.o.trustPasvAddress };
        if (isFtpError(obs.error) && obs.error.dataFailure === 'unroutableAddress') {
          // Would the engine's default (the control address) have worked? Try it, so the advice is tested.
          if (!this.control || this.control.closed) await this.reconnect();
          const retry = await this.tryListing(method, false, refusedSibling);
          obs.controlAddressWorks = pasvAddress.controlAddressWorks = !retry.error;
        }
      }
      let privilegedPort: DoctorStep['privilegedPort'];
      const range = this.o.active.portRange;
      if (modeOfMethod(method) === 'active' && isFtpError(obs.error) && obs.error.dataFailure && obs.advertised && obs.advertised.port < 1024 && range) {
        // Servers refuse data ports below 1024: would a port from 1024 up (the system's choice) work? Try it, so the advice is tested.
        if (!this.control || this.control.closed) await this.reconnect();
        const retry = await this.tryListing(method, this.o.trustPasvAddress, refusedSibling, { ...this.o.active, portRange: undefined });
        privilegedPort = { port: obs.advertised.port, otherPortWorks: !retry.error };
        obs.privilegedPort = { ...privilegedPort, range };
      }
      const failure = isFtpError(obs.error) ? obs.error.dataFailure : undefined;
      return this.judgeNames({ ...dataVerdict(obs), method, failure, pasvAddress, privilegedPort });
    });
  }

  /**
   * Which encoding the names of the start directory are in, said by the first listing step that
   * got them: its names read the engine's way (lossless decoding, the listing parser) and judged
   * from their bytes. A misfit makes that step a warning naming the encoding that reads them.
   */
  private judgeNames(outcome: Outcome): Outcome {
    if (!this.listing || this.namesJudged || outcome.status !== 'ok') return outcome;
    this.namesJudged = true;
    const { command, bytes } = this.listing;
    const decoder = this.codec.streamDecoder();
    const parser = new ListingParser(command === 'MLSD' ? 'mlsd' : 'list', { command, serverTimeZoneOffsetMinutes: this.o.serverTimeZoneOffsetMinutes });
    for (const chunk of bytes) parser.push(decoder.write(chunk));
    parser.push(decoder.end());
    const guess = guessNameEncoding(parser.end().entries.map((e) => this.codec.encode(e.name)), this.o.encoding);
    if (!guess.nonAscii) return { ...outcome, encoding: guess };
    if (guess.fits) return { ...outcome, encoding: guess, verdict: `${outcome.verdict} ${guess.nonAscii === 1 ? 'Its one name outside ASCII reads' : `Its ${guess.nonAscii} names outside ASCII read`} cleanly in ${this.o.encoding}.` };
    const advice = encodingAdvice(`${this.o.host} (in ${this.home})`, guess) ?? '';
    const fix = guess.suggested ? ` Setting "encoding" to ${guess.suggested} shows them as the server means them; they open, save, rename and delete either way.` : '';
    return { ...outcome, status: 'warning', encoding: guess, verdict: `${outcome.verdict} But ${advice}.${fix}` };
  }
  private namesJudged = false;

  /** A reconnect between listing steps (a failed active attempt may have had to drop the connection); not part of any step's record. */
  private async reconnect(): Promise<void> {
    this.recorder.paused = true;
    try {
      this.control?.destroy();
      const session = await openSession(this.o, this.codec);
      this.control = session.control;
    } catch (e) {
      throw new FtpError('connectionLost', `Could not reconnect for this test: ${(e as Error).message}`);
    } finally {
      this.recorder.paused = false;
    }
  }

  /** One listing with one method, bounded by the step time; what it saw, for the verdict. */
  private async tryListing(method: DataMethod, trustPasvAddress: boolean, siblingRefused: boolean, active: ActiveSettings = this.o.active): Promise<DataObservation> {
    const { o } = this;
    const control = this.control!;
    const firstCommand = this.recorder.commands.length;
    const firstReply = this.recorder.replyLines.length;
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(), this.stepTimeoutMs);
    const onCancel = () => limit.abort();
    this.opts.signal?.addEventListener('abort', onCancel, { once: true });
    const listing = { bytes: 0, lines: 0 };
    const command = this.features.has('MLST') ? 'MLSD' : 'LIST';
    const kept: Buffer[] = [];
    let error: unknown;
    try {
      await runTransfer(
        { control, settings: { trustPasvAddress, active, connectTimeoutMs: o.timeouts.dataConnectMs, idleTimeoutMs: o.timeouts.dataIdleMs, replyTimeoutMs: o.timeouts.replyMs }, tls: o.tls, log: o.log, signal: limit.signal },
        method, command,
        (socket, progress) => new Promise<void>((resolve, reject) => {
          socket.on('data', (chunk: Buffer) => {
            if (listing.bytes < 1024 * 1024) kept.push(chunk);
            progress.bytes = listing.bytes += chunk.length;
            for (const b of chunk) if (b === 10) listing.lines++;
          });
          socket.once('end', resolve);
          socket.once('close', () => resolve());
          socket.once('error', reject);
          socket.resume();
        }),
        { bytes: 0, started: false },
      );
    } catch (e) {
      error = e;
    } finally {
      clearTimeout(timer);
      this.opts.signal?.removeEventListener('abort', onCancel);
    }
    this.checkCancelled();
    if (!error && !this.listing) this.listing = { command, bytes: kept, size: listing.bytes };
    const controlAddress = normalizeAddress(control.remoteAddress);
    return {
      method, controlAddress, trustPasvAddress, siblingRefused, listing, error,
      advertised: advertisedAddress(method, controlAddress, this.recorder.commands.slice(firstCommand), this.recorder.replyLines.slice(firstReply)),
      timedOut: limit.signal.aborted, stepTimeoutMs: this.stepTimeoutMs, dataConnectMs: o.timeouts.dataConnectMs,
    };
  }
}

/** The data address of an attempt: from the 227/229 reply (passive) or from the EPRT/PORT we sent (active). */
function advertisedAddress(method: DataMethod, controlAddress: string, sent: string[], replies: string[]): HostPort | undefined {
  try {
    if (method === 'pasv') {
      const line = replies.find((l) => l.startsWith('227'));
      return line ? decodePasvReply(line) : undefined;
    }
    if (method === 'epsv') {
      const line = replies.find((l) => l.startsWith('229'));
      return line ? { host: controlAddress, port: decodeEpsvReply(line) } : undefined;
    }
    const command = sent.find((c) => c.startsWith(`${METHOD_COMMAND[method]} `));
    if (!command) return undefined;
    const arg = command.slice(5);
    return method === 'eprt' ? decodeEprt(arg) : decodePort(arg);
  } catch {
    return undefined; // unreadable: the verdict then speaks of "the data port"
  }
}

function within<T>(p: Promise<T>, ms: number, code: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms / 1000} s`), { code })), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}
