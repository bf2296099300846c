/**
 * RFC 959 reply parsing. Bytes in, complete replies out; multi-line replies ("123-" ... "123 ") are
 * gathered. Lines and line counts are bounded so a broken or hostile server can't exhaust memory.
 */
import { FtpError } from './errors';

export interface Reply {
  code: number;
  /** Text of the first line after the code, e.g. "Entering Passive Mode (127,0,0,1,4,1)". */
  message: string;
  /** Every line of the reply as received (decoded), without line ends. */
  lines: string[];
}

export interface ReplyLimits {
  /** Longest line in bytes. */
  maxLineBytes: number;
  /** Most lines in one multi-line reply. */
  maxLines: number;
  /** Most bytes in one multi-line reply, all lines together. */
  maxReplyBytes: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyLimits = { maxLineBytes: 16 * 1024, maxLines: 20_000, maxReplyBytes: 1024 * 1024 };

export function isPositivePreliminary(code: number): boolean {
  return code >= 100 && code < 200;
}
export function isPositiveCompletion(code: number): boolean {
  return code >= 200 && code < 300;
}
export function isPositiveIntermediate(code: number): boolean {
  return code >= 300 && code < 400;
}

const FIRST_LINE = /^(\d{3})([ -])(.*)$/s;

export class ReplyParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private current?: { code: string; lines: string[]; bytes: number };

  constructor(
    private readonly decode: (bytes: Buffer) => string,
    private readonly limits: ReplyLimits = DEFAULT_REPLY_LIMITS,
  ) {}

  /** Feeds received bytes; returns the replies they complete. Throws a 'protocol' FtpError on garbage. */
  push(chunk: Buffer): Reply[] {
    const replies: Reply[] = [];
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(0x0a, start);
      if (lf < 0) break;
      const piece = chunk.subarray(start, lf);
      start = lf + 1;
      let lineBytes = piece;
      if (this.pending.length > 0) {
        lineBytes = Buffer.concat([...this.pending, piece]);
        this.pending = [];
        this.pendingBytes = 0;
      }
      this.checkLength(lineBytes.length);
      if (lineBytes.length > 0 && lineBytes[lineBytes.length - 1] === 0x0d) lineBytes = lineBytes.subarray(0, -1);
      const reply = this.line(this.decode(lineBytes), lineBytes.length);
      if (reply) replies.push(reply);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pendingBytes += rest.length;
      this.checkLength(this.pendingBytes);
      this.pending.push(Buffer.from(rest));
    }
    return replies;
  }

  private checkLength(n: number): void {
    if (n > this.limits.maxLineBytes) {
      throw new FtpError('protocol', `The server sent a reply line longer than ${this.limits.maxLineBytes} bytes; this is not an FTP server or it is broken.`, { fatal: true });
    }
  }

  /** True while a multi-line reply or a line is only partly received. */
  get midReply(): boolean {
    return this.current !== undefined || this.pendingBytes > 0;
  }

  private line(text: string, bytes: number): Reply | undefined {
    if (!this.current) {
      const m = FIRST_LINE.exec(text);
      if (!m) {
        // Blank lines between replies are tolerated; anything else is not FTP.
        if (text.trim() === '') return undefined;
        throw new FtpError('protocol', `The server sent a line that is not an FTP reply: ${JSON.stringify(text.slice(0, 200))}`, { fatal: true });
      }
      if (m[2] === ' ') return { code: Number(m[1]), message: m[3], lines: [text] };
      this.current = { code: m[1], lines: [text], bytes };
      return undefined;
    }
    this.current.lines.push(text);
    this.current.bytes += bytes;
    if (this.current.lines.length > this.limits.maxLines || this.current.bytes > this.limits.maxReplyBytes) {
      throw new FtpError('protocol', `The server sent a reply of more than ${this.limits.maxLines} lines or ${this.limits.maxReplyBytes / 1024} KB; this is not an FTP server or it is broken.`, { fatal: true });
    }
    // The reply ends at a line starting with the same code and a space (RFC 959 4.2).
    if (text.startsWith(this.current.code + ' ') || text === this.current.code) {
      const { code, lines } = this.current;
      this.current = undefined;
      return { code: Number(code), message: FIRST_LINE.exec(lines[0])![3], lines };
    }
    return undefined;
  }
}

/** The text of all lines of a reply without the leading "123-"/"123 " codes, for messages. */
export function replyText(reply: Reply): string {
  return reply.lines.map((l, i) => (i === 0 || i === reply.lines.length - 1 ? l.replace(/^\d{3}[ -]?/, '') : l.replace(/^\d{3}-/, ''))).join('\n').trim();
}
