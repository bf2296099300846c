/**
 * Errors of the FTP engine. Every error says in plain words what happened and carries the server's
 * reply code and text when there was one, so a UI can show both.
 */
import { maskCommand } from './log';

export type FtpErrorKind =
  | 'loginRefused' // 530/332 at login: wrong user, password or account
  | 'notFound' // 550/450 about a missing file or directory
  | 'permission' // 550/553/530 about rights
  | 'exists' // the target already exists
  | 'transient' // other 4xx: try again later
  | 'commandRejected' // 500-504: the server does not know or refuses this command
  | 'dataConnection' // 425/426 before any data, or the data connection could not be made (see DataFailure)
  | 'interrupted' // a transfer broke off after data moved (426 mid-way, a reset, fewer bytes than announced): not a mode problem
  | 'notEmpty' // RMD of a directory that still holds entries
  | 'notADirectory' // a directory operation on something else (RMD of a link to a directory, CWD into a file)
  | 'connectionLost' // the control connection closed, reset, or 421
  | 'unreachable' // the server's address could not be resolved or connected to
  | 'timeout' // no reply, no connect or no data in time
  | 'tls' // handshake failed or the certificate is not trusted
  | 'protocol' // the server sent something that is not FTP
  | 'aborted' // cancelled by the caller
  | 'invalidInput' // a path or name that can't be sent (CR, LF, NUL)
  | 'server'; // any other 5xx

/** Why a data connection failed: the engine's auto mode decides on these. */
export type DataFailure =
  | 'refused' // the server refused the PASV/EPSV/PORT/EPRT command itself
  | 'reply425' // 425 Can't open data connection
  | 'reply426' // 426 before any data moved
  | 'connectTimeout' // passive: our connect to the server's data port timed out
  | 'connectRefused' // passive: our connect was refused or unreachable
  | 'acceptTimeout' // active: the server never connected back
  | 'unroutableAddress' // passive: the reply's address can't be reached (and we were told to trust it)
  | 'foreignPeer'; // active: only another host connected to our port (refused); the server never did

export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

export class FtpError extends Error {
  override readonly name = 'FtpError';
  readonly kind: FtpErrorKind;
  readonly code?: number;
  readonly replyText?: string;
  /** The command that got this answer (passwords masked). */
  readonly command?: string;
  readonly dataFailure?: DataFailure;
  /** Data transfer method in use when it failed (epsv, pasv, eprt, port). */
  readonly method?: string;
  /** For 'tls': the certificate the server presented, so a UI can offer to trust it. */
  readonly certificate?: CertificateInfo;
  /** True when the control connection can't be used any more and must be reopened. */
  readonly fatal: boolean;
  /** For 'dataConnection' after trying several methods: what each one said. */
  readonly attempts?: ReadonlyArray<{ method: string; failure?: DataFailure; message?: string; code?: number }>;

  constructor(
    kind: FtpErrorKind,
    message: string,
    extra: {
      code?: number;
      replyText?: string;
      command?: string;
      dataFailure?: DataFailure;
      method?: string;
      certificate?: CertificateInfo;
      fatal?: boolean;
      attempts?: FtpError['attempts'];
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.kind = kind;
    this.code = extra.code;
    this.replyText = extra.replyText;
    this.command = extra.command;
    this.dataFailure = extra.dataFailure;
    this.method = extra.method;
    this.certificate = extra.certificate;
    this.attempts = extra.attempts;
    this.fatal = extra.fatal ?? (kind === 'connectionLost' || kind === 'protocol' || kind === 'unreachable');
  }
}

/**
 * Marks every FtpError, whichever copy of this module made it: the extension loads some parts as
 * bundles of their own (the search, the doctor: scripts/build.mjs), each with its own FtpError
 * class, and an error crosses from one to another (a search's cancellation into the engine's
 * transfer, the engine's 550 into the search). `instanceof` sees only its own copy's class.
 */
const FTP_ERROR = Symbol.for('ftpWorkspace.FtpError');
Object.defineProperty(FtpError.prototype, FTP_ERROR, { value: true });

const PERMISSION_WORDS = /permission|denied|not allowed|forbidden|access|read-only|not permitted/i;
const EXISTS_WORDS = /already exists|file exists|exists already|directory exists/i;
/** Servers that answer a missing file with another code than 550 (ftp-srv: "551 ENOENT: no such file"). */
const MISSING_WORDS = /no such file|ENOENT|not found|does not exist|doesn't exist|cannot find|can't find/i;
const NOT_EMPTY_WORDS = /not empty|ENOTEMPTY/i;
const NOT_A_DIRECTORY_WORDS = /not a directory|ENOTDIR/i;
/**
 * Commands whose 550 means "there is nothing by that name" unless the text says otherwise. A 550 to
 * anything else (RMD, MKD, RNTO, STOR, SITE...) is the server refusing, not a missing file.
 */
const LOOKUP_COMMANDS = new Set(['RETR', 'SIZE', 'MDTM', 'MLST', 'CWD', 'DELE', 'RNFR', 'LIST', 'NLST', 'MLSD', 'STAT']);

/**
 * A reply after which the server closes the session: 421 (RFC 959), and vsftpd's "500 OOPS: ...",
 * written just before its session process exits (its privileged helper killed, a failed setup).
 * Either means the connection is gone, not that the command was refused.
 */
export function closesSession(reply: { code: number; message: string }): boolean {
  return reply.code === 421 || (reply.code === 500 && /^OOPS:/.test(reply.message));
}

/** The FtpError a negative reply stands for, worded for a person; `command` (masked) decides what a 550 means. */
export function errorFromReply(code: number, text: string, command?: string): FtpError {
  const server = `${code} ${text}`.trim();
  const verb = command?.split(' ')[0].toUpperCase();
  const what = verb ? ` (${verb})` : '';
  const extra = { code, replyText: text, command };
  if (code === 421) return new FtpError('connectionLost', `The server closed the connection: ${server}`, { ...extra, fatal: true });
  if (closesSession({ code, message: text })) return new FtpError('connectionLost', `The server's session failed and it closed the connection: ${server}`, { ...extra, fatal: true });
  if (code === 425) return new FtpError('dataConnection', `The data connection could not be opened: ${server}`, { ...extra, dataFailure: 'reply425' });
  if (code === 426) return new FtpError('dataConnection', `The data connection was closed during the transfer: ${server}`, { ...extra, dataFailure: 'reply426' });
  if (code === 530 || code === 332) return new FtpError('permission', `Not logged in or not allowed${what}: ${server}`, extra);
  if (code >= 450 && code < 600) {
    if (NOT_EMPTY_WORDS.test(text)) return new FtpError('notEmpty', `The folder is not empty${what}: ${server}`, extra);
    if (NOT_A_DIRECTORY_WORDS.test(text)) return new FtpError('notADirectory', `Not a folder${what}: ${server}`, extra);
  }
  if (code === 550 || code === 450) {
    if (PERMISSION_WORDS.test(text)) return new FtpError('permission', `Permission denied${what}: ${server}`, extra);
    if (EXISTS_WORDS.test(text)) return new FtpError('exists', `Already exists${what}: ${server}`, extra);
    if (code === 450) return new FtpError('transient', `The file is busy or unavailable, try again${what}: ${server}`, extra);
    if (MISSING_WORDS.test(text) || verb === undefined || LOOKUP_COMMANDS.has(verb)) return new FtpError('notFound', `Not found${what}: ${server}`, extra);
    return new FtpError('server', `The server refused${what}: ${server}`, extra);
  }
  if (code > 504 && code < 600 && MISSING_WORDS.test(text) && !PERMISSION_WORDS.test(text)) return new FtpError('notFound', `Not found${what}: ${server}`, extra);
  if (code === 553 || code === 532) return new FtpError('permission', `The server refused this name or action${what}: ${server}`, extra);
  if (code >= 500 && code <= 504) return new FtpError('commandRejected', `The server does not accept this command${what}: ${server}`, extra);
  if (code >= 400 && code < 500) return new FtpError('transient', `The server could not do this now${what}: ${server}`, extra);
  return new FtpError('server', `The server refused${what}: ${server}`, extra);
}

export function isFtpError(e: unknown, kind?: FtpErrorKind): e is FtpError {
  return typeof e === 'object' && e !== null && (e as { [FTP_ERROR]?: unknown })[FTP_ERROR] === true && (kind === undefined || (e as FtpError).kind === kind);
}

/** Refuses paths and names that would let one command smuggle in another (CR, LF) or be cut short (NUL). */
export function assertSafeArgument(value: string, what = 'path'): void {
  if (/[\r\n\0]/.test(value)) {
    // A command may be PASS or ACCT: never echo a secret.
    const shown = what === 'command' ? maskCommand(value.split(/[\r\n\0]/)[0]) : value;
    throw new FtpError('invalidInput', `The ${what} contains a line break or NUL character and can't be sent to an FTP server: ${JSON.stringify(shown)}${what === 'command' ? ' …' : ''}`);
  }
}
