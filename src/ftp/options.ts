/** Everything a connection to one FTP server can be told, with the defaults in one place. */
import { ActiveSettings } from './data/active';
import { DataMethod, DEFAULT_METHOD_ORDER, ModeMemory, TransferMode, parseDataMethod, parseTransferMode } from './data/methods';
import { FtpError } from './errors';
import { LogSink, noLog } from './log';
import { ReplyLimits, DEFAULT_REPLY_LIMITS } from './reply';
import { TlsSettings } from './sockets';
import { EncodingGuess } from './encoding-guess';

export type SecureMode = 'off' | 'explicit' | 'implicit';
export type ListCommand = 'auto' | 'MLSD' | 'LIST -a' | 'LIST';

export interface Timeouts {
  /** Opening the control connection and the greeting. */
  connectMs: number;
  /** Each reply on the control connection. */
  replyMs: number;
  /** Opening a data connection, in either direction. */
  dataConnectMs: number;
  /** A data connection that moves no byte for this long is dropped. */
  dataIdleMs: number;
}

/** What a server may make the engine hold; going past one is a clear error, never unbounded memory. */
export interface Limits {
  /** A listing of more bytes is refused. */
  maxListingBytes: number;
  /** A listing of more entries is refused. */
  maxListingEntries: number;
  /** A download into memory of more bytes is refused (streamed downloads have no such limit). */
  maxMemoryDownloadBytes: number;
}

export const DEFAULT_LIMITS: Limits = { maxListingBytes: 64 * 1024 * 1024, maxListingEntries: 250_000, maxMemoryDownloadBytes: 1024 * 1024 * 1024 };

export interface ConnectOptions {
  host: string;
  /** 21, or 990 for implicit FTPS. */
  port?: number;
  /** 'anonymous' when not given. */
  user?: string;
  /** For anonymous logins an e-mail-like address is sent when none is given. */
  password?: string;
  account?: string;
  secure?: SecureMode;
  tls?: TlsSettings;
  transferMode?: TransferMode;
  /** Order in which methods are tried (auto) or preferred within a mode; any case ('EPSV' or 'epsv'). */
  methodOrder?: readonly (DataMethod | Uppercase<DataMethod> | string)[];
  trustPasvAddress?: boolean;
  active?: ActiveSettings;
  /** Encoding of file names on the server: utf8 (default), latin1, cp1252, euc-kr, shift_jis, ... */
  encoding?: string;
  listCommand?: ListCommand;
  /** The server's zone for LIST times, minutes east of UTC. */
  serverTimeZoneOffsetMinutes?: number;
  timeouts?: Partial<Timeouts>;
  log?: LogSink;
  /**
   * Called (once per connection) when the names of a listing don't read cleanly in `encoding` and
   * another encoding reads them: the finding, for a UI that offers to set it. The log says it too.
   */
  onEncodingGuess?: (guess: EncodingGuess) => void;
  /** Which data method works for this server, shared by all connections to it. */
  modeMemory?: ModeMemory;
  replyLimits?: ReplyLimits;
  limits?: Partial<Limits>;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 15_000, replyMs: 30_000, dataConnectMs: 10_000, dataIdleMs: 60_000 };

export type ResolvedOptions = Required<Omit<ConnectOptions, 'account' | 'tls' | 'timeouts' | 'password' | 'limits' | 'methodOrder' | 'onEncodingGuess'>> & {
  methodOrder: DataMethod[];
  onEncodingGuess?: (guess: EncodingGuess) => void;
  password: string;
  account?: string;
  tls: TlsSettings;
  timeouts: Timeouts;
  limits: Limits;
};

const invalid = (message: string) => new FtpError('invalidInput', message);
const isPort = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

/** The configured method order, any case, without repeats; an unknown name is an error that says what is allowed. */
export function resolveMethodOrder(order: ConnectOptions['methodOrder']): DataMethod[] {
  if (order === undefined || order === null) return [...DEFAULT_METHOD_ORDER];
  if (!Array.isArray(order)) throw invalid(`methodOrder must be a list of data methods (EPSV, PASV, EPRT, PORT), not ${JSON.stringify(order)}.`);
  const methods: DataMethod[] = [];
  for (const name of order) {
    const m = parseDataMethod(name);
    if (!m) throw invalid(`Unknown data method ${JSON.stringify(name)} in methodOrder: use EPSV, PASV, EPRT or PORT (in any case).`);
    if (!methods.includes(m)) methods.push(m);
  }
  return methods.length ? methods : [...DEFAULT_METHOD_ORDER];
}

function resolveTransferMode(mode: unknown): TransferMode {
  if (mode === undefined || mode === null) return 'auto';
  const m = parseTransferMode(mode);
  if (!m) throw invalid(`Unknown transfer mode ${JSON.stringify(mode)}: use passive, active or auto.`);
  return m;
}

function checkActive(active: ActiveSettings | undefined): ActiveSettings {
  if (!active) return {};
  const range = active.portRange;
  if (range !== undefined) {
    if (!Array.isArray(range) || range.length !== 2 || !isPort(range[0]) || !isPort(range[1]) || range[0] > range[1]) {
      throw invalid(`active.portRange must be two port numbers from 1 to 65535, the first not above the second, e.g. [50000, 50100]; it is ${JSON.stringify(range)}.`);
    }
  }
  return active;
}

const SECURE_MODES: readonly SecureMode[] = ['off', 'explicit', 'implicit'];
const LIST_COMMANDS: readonly ListCommand[] = ['auto', 'MLSD', 'LIST -a', 'LIST'];

/** Options with their defaults; settings that can't work (an unknown method or mode, a port out of range) are an 'invalidInput' FtpError. */
export function resolveOptions(o: ConnectOptions): ResolvedOptions {
  const secure = o.secure ?? 'off';
  if (!SECURE_MODES.includes(secure)) throw invalid(`Unknown security ${JSON.stringify(secure)}: use off, explicit or implicit.`);
  if (o.port !== undefined && !isPort(o.port)) throw invalid(`The port must be a number from 1 to 65535, not ${JSON.stringify(o.port)}.`);
  const listCommand = o.listCommand === undefined ? 'auto' : LIST_COMMANDS.find((c) => c.toLowerCase() === String(o.listCommand).trim().toLowerCase());
  if (!listCommand) throw invalid(`Unknown list command ${JSON.stringify(o.listCommand)}: use auto, MLSD, LIST -a or LIST.`);
  for (const [key, ms] of Object.entries(o.timeouts ?? {})) {
    if (ms !== undefined && !(typeof ms === 'number' && ms > 0 && Number.isFinite(ms))) throw invalid(`The timeout ${key} must be a positive number of milliseconds, not ${JSON.stringify(ms)}.`);
  }
  const user = o.user && o.user !== '' ? o.user : 'anonymous';
  return {
    host: o.host,
    port: o.port ?? (secure === 'implicit' ? 990 : 21),
    user,
    password: o.password ?? (user === 'anonymous' || user === 'ftp' ? 'anonymous@example.com' : ''),
    account: o.account,
    secure,
    tls: o.tls ?? {},
    transferMode: resolveTransferMode(o.transferMode),
    methodOrder: resolveMethodOrder(o.methodOrder),
    trustPasvAddress: o.trustPasvAddress ?? false,
    active: checkActive(o.active),
    encoding: o.encoding ?? 'utf8',
    listCommand,
    serverTimeZoneOffsetMinutes: o.serverTimeZoneOffsetMinutes ?? 0,
    timeouts: { ...DEFAULT_TIMEOUTS, ...o.timeouts },
    log: o.log ?? noLog,
    onEncodingGuess: o.onEncodingGuess,
    modeMemory: o.modeMemory ?? new ModeMemory(),
    replyLimits: o.replyLimits ?? DEFAULT_REPLY_LIMITS,
    limits: { ...DEFAULT_LIMITS, ...o.limits },
  };
}
