/**
 * One data transfer (LIST, MLSD, RETR, STOR) with one data method: open the data connection, send the
 * command, move the bytes, and read the final reply. Failures of the data connection come back
 * classified (see DataFailure) so the caller can try another method.
 */
import * as net from 'node:net';
import { ControlConnection } from '../control';
import { FtpError, closesSession, errorFromReply, isFtpError } from '../errors';
import { LogSink } from '../log';
import { sleep } from '../wait';
import { TlsSettings, connectTcp, startTls } from '../sockets';
import { decodeEpsvReply, decodePasvReply, encodeEprt, encodePort, normalizeAddress } from '../addresses';
import { Reply, isPositiveCompletion, isPositivePreliminary } from '../reply';
import { ActiveListener, ActiveSettings } from './active';
import { isLocalFileError } from './receive-file';
import { adoptWithRawReads, useRawReads } from './raw-reads';
import { endWith } from './send-file';
import { DataMethod, METHOD_COMMAND, isPassiveMethod } from './methods';

export interface DataSettings {
  /** Connect to the address in the 227 reply instead of the control connection's address. */
  trustPasvAddress: boolean;
  active: ActiveSettings;
  /** How long to wait for the data connection to open (either direction). */
  connectTimeoutMs: number;
  /** How long a data connection may go without moving a byte. */
  idleTimeoutMs: number;
  /** How long to wait for each control reply. */
  replyTimeoutMs: number;
}

/** Moves the bytes over the open data socket; resolves when its side is done. */
export type DataHandler = (socket: net.Socket, progress: TransferProgress) => Promise<void>;

export interface TransferProgress {
  /** Bytes moved so far in either direction; set by the handler. */
  bytes: number;
  /** True once the handler has consumed anything from its source (an upload can't be replayed after). */
  started: boolean;
  /** The size the server announced in its 150 reply ("... (1234 bytes)"), when it did. */
  announced?: number;
  /** This attempt's write of `TransferContext.sendAhead`, when it was made (the handler awaits it). */
  ahead?: Promise<void>;
}

/** "150 Opening BINARY mode data connection for a.txt (1234 bytes)." -> 1234 */
export function announcedSize(message: string): number | undefined {
  const m = /\((\d{1,15}) bytes?\)/i.exec(message);
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether the control connection still answers. A data connection refused because the server went
 * away is connection loss, not a transfer-mode problem; a NOOP tells the two apart.
 */
async function controlAlive(control: ControlConnection, timeoutMs: number): Promise<boolean> {
  if (control.closed) return false;
  try {
    const r = await control.request('NOOP', timeoutMs);
    return r.code >= 200 && r.code < 300;
  } catch {
    return false;
  }
}

function lostWith(method: DataMethod, cause: FtpError): FtpError {
  return new FtpError('connectionLost', `The connection to the server was lost while opening a data connection (${METHOD_COMMAND[method]}): ${cause.message}`, { fatal: true, method, cause });
}

/**
 * The error for a transfer that broke off after it had started: a reset, a stall, a 426 after data.
 * These say nothing about the transfer mode, so they carry no DataFailure.
 */
function interrupted(method: DataMethod, progress: TransferProgress, cause: unknown, reply?: Reply): FtpError {
  const why = reply ? `${reply.code} ${reply.message}` : isFtpError(cause) ? cause.message : (cause as NodeJS.ErrnoException)?.code ?? String((cause as Error)?.message ?? cause);
  return new FtpError('interrupted', `The transfer broke off after ${progress.bytes} bytes: ${why}`, { method, code: reply?.code, replyText: reply?.message, cause });
}

export interface TransferContext {
  control: ControlConnection;
  settings: DataSettings;
  tls?: TlsSettings;
  log: LogSink;
  signal?: AbortSignal;
  /**
   * A data connection reads into one reused buffer (raw-reads.ts; a TLS one once its handshake is
   * done): for downloads that may be big. A small one reads the usual way (measured: the other way
   * cost it CPU).
   */
  rawReads?: boolean;
  /**
   * Passive methods only: send the data command in the same write as EPSV/PASV (`EPSV` + `RETR a`):
   * one round trip less. Only where the method worked before and the server takes commands sent
   * together (client.ts decides); a server that can't is found out by the caller, which asks again
   * one at a time. `methodAccepted` is set once EPSV/PASV was answered positively: a failure after
   * that may be the sending together's, one before it is the method's; `outOfStep`, when the first
   * reply was the data command's (a 150 before the 229: the connection was dropped).
   * (Not active mode: pyftpdlib and ftp-srv answer PORT only once they have connected back, and
   * pyftpdlib answers the data command first meanwhile.)
   */
  together?: TogetherState;
  /**
   * A small upload's whole content, written and ended as soon as a plain passive data connection is
   * open, not after the server's 150 (which comes only once the server has accepted the connection:
   * a round trip later). The server reads it after its 150; refused (a 550), it closes the
   * connection unread and nothing lands. Only where the data command went in the same write as
   * EPSV/PASV (`together`): the server then has it before the connection exists (pyftpdlib closes
   * a data connection whose bytes come before its command), and only to the control connection's
   * host (never to another address a 227 named). Never over TLS (its handshake comes first) nor in
   * active mode (the server connects when it is ready).
   */
  sendAhead?: Buffer;
}

/** What became of a data command sent with EPSV/PASV (TransferContext.together). */
export interface TogetherState {
  methodAccepted: boolean;
  outOfStep?: boolean;
  /**
   * The method's answer was read ahead, with the last upload's rename (ControlConnection
   * takePortAhead): only the data command was sent now. A failure to connect to that port is the
   * port's (it may have been closed meanwhile), not the method's nor the sending together's.
   */
  ahead?: boolean;
  /**
   * How much longer than EPSV's own round trip the data command's 150 took once we were connected,
   * in ms: about 40-50 ms, transfer after transfer, on a server that holds a reply until the one
   * before is acknowledged, or that looks for the data connection only now and then (ftp-srv every
   * 50 ms) when the command came first (client.ts noteHeld).
   */
  heldMs?: number;
}

function dataError(method: DataMethod, message: string, failure: FtpError['dataFailure'], extra: { code?: number; replyText?: string; cause?: unknown } = {}): FtpError {
  return new FtpError('dataConnection', message, { ...extra, dataFailure: failure, method });
}

/**
 * A negative answer to EPSV/PASV/EPRT/PORT. Only a 5xx says the server refuses the method (and is
 * remembered); a 421 (or 500 OOPS) is the server closing, and other 4xx are a passing failure, not a refusal.
 */
function methodReplyError(method: DataMethod, command: string, reply: Reply): FtpError {
  if (closesSession(reply)) return errorFromReply(reply.code, reply.message, command);
  if (reply.code === 425) return dataError(method, `The server could not prepare a data connection (${command}): ${reply.code} ${reply.message}`, 'reply425', { code: reply.code, replyText: reply.message });
  if (reply.code >= 500) return dataError(method, `The server refused ${command}: ${reply.code} ${reply.message}`, 'refused', { code: reply.code, replyText: reply.message });
  return errorFromReply(reply.code, reply.message, command);
}

const UPLOAD = /^(STOR|APPE|STOU)\b/;

/** How long a download's data connection is read after a negative final reply, for bytes sent before it. */
const UNREAD_AFTER_NEGATIVE_MS = 1000;

/**
 * How long to wait before each new request for a data port the server had none free for (a 425 to
 * EPSV/PASV): twice, as the ports other sessions hold may still be taken a moment later (proftpd
 * with 24 passive ports and four sessions downloading small files answered 425 about once in
 * 1,000 downloads).
 */
const BUSY_PORT_MS = [250, 500];

/**
 * A 425 to EPSV/PASV after which the control connection closed (proftpd, its passive ports taken,
 * at times ends the session too): a lost connection, not a failed method (auto mode must not learn
 * from it); the transfer asks again on a new connection (client.ts, isPortBusyAndClosed).
 */
function portBusyAndClosed(command: string, reply: Reply): FtpError {
  return new FtpError('connectionLost', `The server had no data port free (${command}: ${reply.code} ${reply.message}) and closed the connection.`, { code: 425, replyText: reply.message, command, fatal: true });
}

export function isPortBusyAndClosed(e: unknown): boolean {
  return isFtpError(e, 'connectionLost') && e.code === 425;
}

/** How long a data command sent together may take to answer once its data connection failed. */
const LATE_ANSWER_MS = 2000;

/**
 * The method's command was refused while the data command went with it: that one's answer (a 425 or
 * 503: nothing to transfer with) is read too, so the connection stays in step; anything else (a
 * server that started a transfer anyway) or no answer, and the connection is dropped.
 */
async function skipDataReply(control: ControlConnection): Promise<'read' | 'serverClosed' | 'dropped'> {
  let serverClosed = false;
  const r = await raceTimer(control.read(), LATE_ANSWER_MS).catch((e: unknown) => {
    serverClosed = isFtpError(e, 'connectionLost');
    return undefined;
  });
  if (r && r.code >= 400) return 'read';
  control.destroy();
  return serverClosed ? 'serverClosed' : 'dropped';
}

function raceTimer<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]).finally(() => clearTimeout(timer));
}

interface Prepared {
  socket?: net.Socket;
  listener?: ActiveListener;
  target: string;
  /** The data command's first reply, when it was sent together with the method's command (passive). */
  first?: Promise<Reply>;
  /** The data connection goes to the control connection's host (passive). */
  toControlHost?: boolean;
}

/**
 * Opens the data path: a connected socket (passive) or a listener the server will connect to (active).
 * With `ctx.together` (passive only) the data command `dataCommand` goes in the same write as EPSV/PASV.
 */
async function prepare(ctx: TransferContext, method: DataMethod, dataCommand: string): Promise<Prepared> {
  const { control, settings, log } = ctx;
  const command = METHOD_COMMAND[method];
  if (isPassiveMethod(method)) {
    const sent = performance.now();
    // A port opened ahead: its answer is in hand, only the data command goes now.
    const ahead = ctx.together && control.takePortAhead(command);
    if (ahead) {
      ctx.together!.ahead = true;
      control.send(dataCommand);
    }
    let reply = ahead ? ahead.reply : ctx.together ? (control.send(command, dataCommand), await control.read()) : await control.request(command);
    // The method's round trip, for heldMs (ahead: its batch's, about one round trip too).
    const roundTrip = ahead ? ahead.roundTripMs : performance.now() - sent;
    let together = ctx.together;
    if (together && isPositivePreliminary(reply.code)) {
      // The data command's reply came first: replies out of step; nothing read from here is sure.
      together.outOfStep = true;
      control.destroy();
      throw new FtpError('protocol', `The server answered ${dataCommand.split(' ')[0]} (${reply.code} ${reply.message}) before ${command}, sent with it.`, { code: reply.code, replyText: reply.message });
    }
    for (const waitMs of BUSY_PORT_MS) {
      if (reply.code !== 425) break;
      // No data port free on the server just now (proftpd: "425 EPSV: Address already in use",
      // its passive range taken, or two of its sessions picking one port at once): asked again,
      // alone, after a moment, twice, before the method is blamed. The data command sent with it
      // was refused too (its answer read); it goes later. A server that closes the connection
      // after such a 425 (proftpd at times) has said nothing against the method: the transfer
      // asks again on a new connection (portBusyAndClosed).
      const busy = reply;
      // Closed by us (the data command answered as if it ran, or not at all): as before, the method's failure.
      const skipped = together ? await skipDataReply(control) : undefined;
      together = undefined;
      if (skipped === 'dropped') throw methodReplyError(method, command, busy);
      if (control.closed) throw portBusyAndClosed(command, busy);
      log({ kind: 'info', connection: control.id, text: `${command} answered ${reply.code} ${reply.message}; asking again in ${waitMs} ms` });
      await sleep(waitMs, ctx.signal, 'The transfer was cancelled.');
      reply = await control.request(command).catch((e: unknown) => {
        throw isFtpError(e, 'connectionLost') ? portBusyAndClosed(command, busy) : e;
      });
    }
    if (!isPositiveCompletion(reply.code)) {
      if (together) await skipDataReply(control);
      throw methodReplyError(method, command, reply);
    }
    if (together) together.methodAccepted = true;
    const controlHost = normalizeAddress(control.remoteAddress);
    let host = controlHost;
    let port: number;
    if (method === 'epsv') port = decodeEpsvReply(reply.message);
    else {
      const advertised = decodePasvReply(reply.message);
      port = advertised.port;
      // A NAT'd server often advertises its private address: by default use the one we reached it on.
      if (ctx.settings.trustPasvAddress && advertised.host !== '0.0.0.0') host = advertised.host;
      else if (advertised.host !== controlHost) log({ kind: 'info', connection: control.id, text: `PASV advertised ${advertised.host}; connecting to the control address ${controlHost} instead` });
    }
    const target = `${host}:${port}`;
    // Sent together, the data command's answer may come while we connect (a 550 for a missing file).
    let connected: number | undefined;
    const first = together ? control.read().then((r) => {
      if (connected !== undefined && isPositivePreliminary(r.code)) together.heldMs = performance.now() - connected - roundTrip;
      return r;
    }) : undefined;
    first?.catch(() => undefined);
    try {
      // TLS takes over a socket's reads: a TLS one reads into a reused buffer once connected (below).
      const socket = await connectTcp(host, port, settings.connectTimeoutMs, `Data connection (${command})`, ctx.signal, { rawReads: !!ctx.rawReads && !control.isTls });
      connected = performance.now();
      log({ kind: 'data', connection: control.id, text: `data connection to ${target} (${command})` });
      return { socket, target, first, toControlHost: host === controlHost };
    } catch (e) {
      const err = e as FtpError;
      let dropped = false;
      if (first) {
        // The server has the data command: its answer, if negative, is the reason (and the
        // connection is in step); otherwise it waits for a connection we can't make: drop it (the
        // caller asks again one command at a time, on a new connection, and learns what is wrong).
        const answer = await raceTimer(first, err.kind === 'aborted' ? 0 : LATE_ANSWER_MS).catch(() => undefined);
        if (answer && answer.code >= 400) {
          const refused = errorFromReply(answer.code, answer.message, dataCommand);
          if (!refused.dataFailure) throw refused;
        } else {
          control.destroy();
          dropped = true;
        }
      }
      if (err.kind === 'aborted') throw err;
      // A server that went away (restart, crash) refuses our data connect too: that is not the mode's fault.
      if (!dropped && !(await controlAlive(control, Math.min(settings.replyTimeoutMs, 5000)))) throw lostWith(method, err);
      // A trusted 227 address other than the control address that can't be reached is the NAT'd-server case.
      const failure = host !== controlHost ? 'unroutableAddress' : err.kind === 'timeout' ? 'connectTimeout' : 'connectRefused';
      throw dataError(method, `Passive mode (${command}): could not connect to the server's data port ${target}: ${err.message}`, failure, { cause: err });
    }
  }
  const active = settings.active;
  const local = normalizeAddress(control.localAddress);
  const bind = active.bindAddress && active.bindAddress !== '' ? active.bindAddress : local;
  const listener = await ActiveListener.open(bind, active.portRange, control.remoteAddress, (peer) =>
    log({ kind: 'error', connection: control.id, text: `refused a data connection from ${peer}: only the server may connect` }));
  const advertised = active.externalAddress || (bind === '0.0.0.0' || bind === '::' ? local : bind);
  const target = `${advertised}:${listener.port}`;
  try {
    const arg = method === 'eprt' ? encodeEprt(advertised, listener.port) : encodePort(advertised, listener.port);
    let reply: Reply;
    try {
      // Servers that connect back at PORT time (pyftpdlib, ftp-srv) answer only once connected:
      // a silent server here is one that can't reach us, as after LIST below.
      reply = await control.request(`${command} ${arg}`, Math.min(settings.replyTimeoutMs, settings.connectTimeoutMs));
    } catch (e) {
      if (isFtpError(e) && e.kind === 'timeout') {
        const t = listener.timeoutError(settings.connectTimeoutMs, command, target);
        throw dataError(method, t.message, t.dataFailure, { cause: e });
      }
      throw e;
    }
    if (reply.code === 425) {
      // Early connect-back servers report their failed connect to us here.
      throw dataError(method, `Active mode (${command}): the server could not connect back to ${target}: ${reply.code} ${reply.message}`, 'reply425', { code: reply.code, replyText: reply.message });
    }
    if (!isPositiveCompletion(reply.code)) throw methodReplyError(method, command, reply);
  } catch (e) {
    listener.close();
    if (isFtpError(e) && e.kind === 'invalidInput') throw dataError(method, e.message, 'refused');
    throw e;
  }
  log({ kind: 'data', connection: control.id, text: `listening on ${bind}:${listener.port}, advertised as ${target} (${command})` });
  return { listener, target };
}

/** How long the server's answers to ABOR are awaited after the user cancelled a download or listing. */
export const CANCEL_ANSWER_MS = 3_000;

/**
 * Puts the control connection back in step after an interrupted transfer. ABOR and NOOP are sent;
 * then the transfer's own final reply, ABOR's and NOOP's are read, in whatever order the server
 * sends them (ftp-srv answers ABOR after NOOP). If the server doesn't answer in time the connection
 * is closed; the client reconnects on its next use.
 */
async function resync(control: ControlConnection, timeoutMs: number, finalReply: Promise<Reply>): Promise<void> {
  if (control.closed) return;
  try {
    control.send('ABOR');
    control.send('NOOP');
    // One deadline for all the replies: a server trickling them out gets no more time.
    const deadline = Date.now() + timeoutMs;
    const timer = setTimeout(() => control.destroy(), timeoutMs);
    await finalReply.finally(() => clearTimeout(timer));
    let read = 0;
    let sawNoop = false;
    while (read < 2 || !sawNoop) {
      if (read >= 6) throw new Error('out of step');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('too slow');
      const r = await control.read(left);
      read++;
      if (r.code === 200) sawNoop = true;
    }
  } catch {
    control.destroy();
  }
}

/**
 * Runs `command` (e.g. "RETR /a.txt") over a data connection opened with `method`; `handler` moves
 * the bytes. Resolves with the final reply.
 */
export async function runTransfer(ctx: TransferContext, method: DataMethod, command: string, handler: DataHandler, progress: TransferProgress): Promise<Reply> {
  const { control, settings, signal } = ctx;
  if (signal?.aborted) throw new FtpError('aborted', 'The transfer was cancelled.');
  const prepared = await prepare(ctx, method, command);
  let socket = prepared.socket;
  // From the moment a data socket exists it needs an error listener: a server that refuses the
  // command (550) may reset the connection before the handler attaches its own.
  let earlyError: Error | undefined;
  const keepError = (e: Error) => (earlyError ??= e);
  socket?.on('error', keepError);
  const modeName = isPassiveMethod(method) ? 'Passive' : 'Active';
  let finalReply: Promise<Reply> | undefined;
  let commandSent = false;
  let onAbort: (() => void) | undefined;
  try {
    commandSent = true;
    let first: Reply;
    try {
      // In active mode a server that can't connect back often stays silent until its own connect
      // times out (a minute on vsftpd): wait no longer than our data connect timeout.
      const timeoutMs = prepared.listener ? Math.min(settings.replyTimeoutMs, settings.connectTimeoutMs) : undefined;
      const firstReply = prepared.first ?? control.request(command, timeoutMs); // the command is sent now
      progress.ahead = ctx.sendAhead && socket && prepared.first && prepared.toControlHost && !control.isTls ? endWith(socket, ctx.sendAhead) : undefined;
      progress.ahead?.catch(() => undefined); // a refusal's close: the reply says why
      first = await firstReply;
    } catch (e) {
      if (prepared.listener && isFtpError(e) && e.kind === 'timeout') {
        const t = prepared.listener.timeoutError(settings.connectTimeoutMs, METHOD_COMMAND[method], prepared.target);
        throw dataError(method, t.message, t.dataFailure, { cause: e });
      }
      throw e;
    }
    if (isPositiveCompletion(first.code)) {
      // A server that says an upload is done before it took any data (no 150): nothing is taken as
      // uploaded (a save would check the new file against 0 bytes sent and pass an empty one).
      if (UPLOAD.test(command)) throw new FtpError('protocol', `The server answered ${command.split(' ')[0]} with ${first.code} ${first.message} before it took any data; the upload is not taken as done.`, { code: first.code, replyText: first.message });
      return first; // e.g. an empty listing answered at once
    }
    if (!isPositivePreliminary(first.code)) {
      const err = errorFromReply(first.code, first.message, command);
      if (err.dataFailure) throw dataError(method, `${modeName} mode (${METHOD_COMMAND[method]} to ${prepared.target}): ${err.message}`, err.dataFailure, { code: first.code, replyText: first.message });
      throw err;
    }
    progress.announced = announcedSize(first.message);
    // From here on the final reply may come at any time (even before the data is all read).
    finalReply = control.read(0);
    finalReply.catch(() => undefined);
    if (!socket) {
      socket = await prepared.listener!.accept(settings.connectTimeoutMs, signal);
      if (ctx.rawReads && !control.isTls) socket = adoptWithRawReads(socket);
      socket.on('error', keepError);
    }
    if (control.isTls) {
      const secure = await startTls({ socket, host: control.host, settings: ctx.tls ?? {}, session: control.tlsSession, timeoutMs: settings.connectTimeoutMs, what: `Data connection (${METHOD_COMMAND[method]})` });
      socket = ctx.rawReads ? useRawReads(secure) : secure;
    }
    const dataSocket = socket;
    dataSocket.setTimeout(settings.idleTimeoutMs, () => dataSocket.destroy(new FtpError('timeout', `No data moved for ${settings.idleTimeoutMs / 1000} s${progress.bytes ? ` after ${progress.bytes} bytes` : ''}.`)));
    onAbort = () => dataSocket.destroy(new FtpError('aborted', 'The transfer was cancelled.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();

    // A negative final reply while the data moves ends the data side too. A download's bytes sent
    // before that reply may still wait to be read (the reply, on the other connection, can overtake
    // them; a 426 right after 2 kB did here): read until the server's close, or for a moment, so
    // a transfer that broke off after bytes moved is not taken for a data connection that never
    // worked (which would blame the method and try another).
    let negative: Reply | undefined;
    finalReply.then((r) => {
      if (!isPositiveCompletion(r.code)) {
        negative = r;
        if (UPLOAD.test(command) || dataSocket.destroyed) dataSocket.destroy();
        else {
          const timer = setTimeout(() => dataSocket.destroy(), UNREAD_AFTER_NEGATIVE_MS);
          dataSocket.once('close', () => clearTimeout(timer));
        }
      }
    }, () => dataSocket.destroy());

    let handlerError: unknown;
    // Sent ahead, the socket may be closed already: the server has read it all (its handler says);
    // not after an error on it (a reset before the 150: as a data connection that never worked).
    if ((!progress.ahead || earlyError) && dataSocket.destroyed && !(dataSocket.readableEnded && !earlyError && !UPLOAD.test(command))) {
      // Closed before we could read or write (its 'close' has passed): the final reply says why. A
      // download's socket that ended cleanly had nothing to read (its 'end' waits for what was
      // unread): an empty file or listing whose data connection the server opened and closed at
      // once (more likely with the command sent together with EPSV); its handler takes it as such.
      handlerError = earlyError ?? new FtpError('dataConnection', 'The data connection closed before the transfer started.', { method });
    } else {
      dataSocket.on('error', keepError);
      // A handler that fails fails the transfer, whatever it rejects with.
      await handler(dataSocket, progress).catch((e) => (handlerError = e ?? new FtpError('dataConnection', 'The data transfer failed.', { method })));
    }
    // The local file failed (a full disk): that is the reason, whatever the server answers to the
    // data connection we then close. A cancel is a cancel, even when the server answers it with 551.
    if (isLocalFileError(handlerError) && !signal?.aborted) throw handlerError;
    if (handlerError && !negative && !signal?.aborted) {
      // The data side failed: a negative final reply (550, 426...) explains it better than a socket error.
      const r = await Promise.race([finalReply, new Promise<undefined>((res) => setTimeout(() => res(undefined), 1000))]).catch(() => undefined);
      if (r && !isPositiveCompletion(r.code)) negative = r;
    }
    if (!signal?.aborted && (negative || !handlerError)) {
      const reply = negative ?? (await withTimeout(finalReply, settings.replyTimeoutMs, control));
      if (isPositiveCompletion(reply.code)) return reply;
      const err = errorFromReply(reply.code, reply.message, command);
      if (!err.dataFailure) throw err;
      // A 425/426 before any byte moved is the data connection's failure (another method may work);
      // after data moved it is this transfer breaking off, and appending a retry would corrupt it.
      if (progress.bytes === 0 && !progress.started) {
        throw dataError(method, `${modeName} mode (${METHOD_COMMAND[method]}): ${err.message}`, err.dataFailure, { code: reply.code, replyText: reply.message });
      }
      throw interrupted(method, progress, err, reply);
    }
    if (signal?.aborted) throw new FtpError('aborted', 'The transfer was cancelled.');
    if (isFtpError(handlerError) && (handlerError.kind === 'aborted' || handlerError.kind === 'interrupted' || (handlerError.kind === 'dataConnection' && !handlerError.dataFailure))) throw handlerError;
    // A data connection that opened but never moved a byte may be the network's doing (a timeout stays one).
    if (isFtpError(handlerError) && handlerError.kind === 'timeout' && progress.bytes === 0) throw handlerError;
    throw interrupted(method, progress, handlerError);
  } catch (e) {
    socket?.destroy();
    prepared.listener?.close();
    if (commandSent && finalReply) {
      // The server still thinks a transfer runs, or owes us its final reply. After the user's
      // Cancel of a download or listing, not for long: a server that answers ABOR does so at once,
      // and one that doesn't (ftp-srv, ABOR right after its 150) held the cancelled operation for
      // the whole reply timeout; the connection is dropped then, the next operation connects
      // again. Not for an upload: the server may still be writing, and the save's clean-up of its
      // temporary file comes next on this connection.
      const quick = signal?.aborted && !/^(STOR|APPE|STOU)\b/i.test(command);
      await resync(control, quick ? Math.min(settings.replyTimeoutMs, CANCEL_ANSWER_MS) : settings.replyTimeoutMs, finalReply);
    }
    throw e;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    prepared.listener?.close();
    // The transfer is over either way: release the data socket (some servers never close their
    // side) and its idle timer, and keep a late error from becoming an uncaught exception.
    if (socket) {
      socket.on('error', () => undefined);
      socket.setTimeout(0);
      socket.destroy();
    }
  }
}

function withTimeout(p: Promise<Reply>, ms: number, control: ControlConnection): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      control.destroy();
      reject(new FtpError('timeout', `The server did not confirm the transfer within ${ms / 1000} s.`, { fatal: true }));
    }, ms);
    p.then((r) => { clearTimeout(t); resolve(r); }, (e) => { clearTimeout(t); reject(e); });
  });
}
