/** Everything a connection to one FTP server can be told, with the defaults in one place. */
import { ActiveSettings } from './data/active';
import { DataMethod, DEFAULT_METHOD_ORDER, ModeMemory, TransferMode } from './data/methods';
import { LogSink, noLog } from './log';
import { ReplyLimits, DEFAULT_REPLY_LIMITS } from './reply';
import { TlsSettings } from './sockets';

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
  /** Order in which methods are tried (auto) or preferred within a mode. */
  methodOrder?: DataMethod[];
  trustPasvAddress?: boolean;
  active?: ActiveSettings;
  /** Encoding of file names on the server: utf8 (default), latin1, cp1252, euc-kr, shift_jis, ... */
  encoding?: string;
  listCommand?: ListCommand;
  /** The server's zone for LIST times, minutes east of UTC. */
  serverTimeZoneOffsetMinutes?: number;
  timeouts?: Partial<Timeouts>;
  log?: LogSink;
  /** Which data method works for this server, shared by all connections to it. */
  modeMemory?: ModeMemory;
  replyLimits?: ReplyLimits;
  limits?: Partial<Limits>;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 15_000, replyMs: 30_000, dataConnectMs: 10_000, dataIdleMs: 60_000 };

export type ResolvedOptions = Required<Omit<ConnectOptions, 'account' | 'tls' | 'timeouts' | 'password' | 'limits'>> & {
  password: string;
  account?: string;
  tls: TlsSettings;
  timeouts: Timeouts;
  limits: Limits;
};

export function resolveOptions(o: ConnectOptions): ResolvedOptions {
  const secure = o.secure ?? 'off';
  const user = o.user && o.user !== '' ? o.user : 'anonymous';
  return {
    host: o.host,
    port: o.port ?? (secure === 'implicit' ? 990 : 21),
    user,
    password: o.password ?? (user === 'anonymous' || user === 'ftp' ? 'anonymous@example.com' : ''),
    account: o.account,
    secure,
    tls: o.tls ?? {},
    transferMode: o.transferMode ?? 'auto',
    methodOrder: o.methodOrder && o.methodOrder.length ? o.methodOrder : [...DEFAULT_METHOD_ORDER],
    trustPasvAddress: o.trustPasvAddress ?? false,
    active: o.active ?? {},
    encoding: o.encoding ?? 'utf8',
    listCommand: o.listCommand ?? 'auto',
    serverTimeZoneOffsetMinutes: o.serverTimeZoneOffsetMinutes ?? 0,
    timeouts: { ...DEFAULT_TIMEOUTS, ...o.timeouts },
    log: o.log ?? noLog,
    modeMemory: o.modeMemory ?? new ModeMemory(),
    replyLimits: o.replyLimits ?? DEFAULT_REPLY_LIMITS,
    limits: { ...DEFAULT_LIMITS, ...o.limits },
  };
}
