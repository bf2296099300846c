/**
 * Name encodings. UTF-8 by default; other encodings (latin1, cp1252, euc-kr, shift_jis, ...) go
 * through iconv-lite, which knows far more of them than Node's Buffer does.
 *
 * Names keep their bytes. A byte that is not part of a valid character in the site's encoding
 * (a latin1 `caf\xE9` on a UTF-8 site) is decoded as the private-use character U+EF00 + byte
 * (U+EFE9 here; the convention of MirBSD's OPTU-8, whose U+EF80..U+EFFF hold raw octets), and
 * encode() turns that character back into the byte. A valid character that itself lies in
 * U+EF80..U+EFFF is decoded byte by byte the same way, so the mapping never clashes:
 * `encode(decode(bytes))` is `bytes` for any bytes, whatever the encoding. The name then flows as an
 * ordinary string (a VS Code URI, a quick pick, a command argument) and reaches the wire as the
 * server sent it. Unlike U+FFFD (which forgets the byte) or lone surrogates (which URIs refuse),
 * these characters survive every layer; `describeName` shows them as `\xE9` where a person reads.
 */
import type * as Iconv from 'iconv-lite';
import { FtpError } from './errors';

let iconvModule: typeof Iconv | undefined;
/**
 * iconv-lite, loaded when a site first needs an encoding other than UTF-8: most sites never do, and
 * loading it costs every VS Code start a few milliseconds.
 */
export function iconvLite(): typeof Iconv {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (iconvModule ??= require('iconv-lite') as typeof Iconv);
}

export interface TextCodec {
  readonly name: string;
  readonly isUtf8: boolean;
  /** Text to bytes; a character the encoding can't write is an 'invalidInput' FtpError (never a silent '?'). */
  encode(text: string): Buffer;
  /** Bytes to text, losslessly (see the file comment): `encode(decode(b))` equals `b`. */
  decode(bytes: Buffer): string;
  /** A decoder for text that arrives in chunks: a character split between two chunks stays whole; same guarantee as decode. */
  streamDecoder(): { write(bytes: Buffer): string; end(): string };
}

/** First and last character of the raw-byte escapes: U+EF80 is byte 0x80, U+EFFF byte 0xFF. */
export const ESCAPE_FIRST = 0xef80;
export const ESCAPE_LAST = 0xefff;
const ESCAPE_BASE = 0xef00;
const ESCAPES = /[\uEF80-\uEFFF]/;
/** What makes the fast path unsafe: a replacement character or a character of the escape range. */
const SUSPECT = /[\uFFFD\uEF80-\uEFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a name holds bytes its site's encoding could not decode. */
export function hasRawBytes(name: string): boolean {
  return ESCAPES.test(name);
}

const escapeChar = (byte: number) => String.fromCharCode(ESCAPE_BASE + byte);

/**
 * A name for a message or a log line: raw bytes shown as `\xE9`, everything else as it is.
 * For people only: `\` is never part of a listed name, but this text is not a name to send back.
 */
export function describeName(name: string): string {
  return name.replace(/[\uEF80-\uEFFF]/g, (c) => `\\x${(c.charCodeAt(0) - ESCAPE_BASE).toString(16).toUpperCase()}`);
}

/** Commands whose argument is a secret: an encoding error never names their characters. */
const SECRET = /^(PASS|ACCT)\s/i;

function unwritable(text: string, char: string, encoding: string): FtpError {
  const cp = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  const which = SECRET.test(text) ? 'A character' : `"${char}" (U+${cp})`;
  return new FtpError('invalidInput', `${which} can't be written in ${encoding}, this site's encoding: use a name without it, or set the site's "encoding" to one that has it (utf8 has every character).`);
}

// ---- UTF-8 --------------------------------------------------------------------------------------

/** Length of the valid UTF-8 sequence at i (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), or 0. */
function utf8SequenceAt(b: Buffer, i: number, end: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  let n: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) [n, min] = [2, 0x80];
  else if (c >= 0xe0 && c <= 0xef) [n, min] = [3, 0x800];
  else if (c >= 0xf0 && c <= 0xf4) [n, min] = [4, 0x10000];
  else return 0;
  if (i + n > end) return 0;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const t = b[i + k];
    if ((t & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (t & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  // A character of the escape range would read back as raw bytes: it is kept as its bytes.
  if (cp >= ESCAPE_FIRST && cp <= ESCAPE_LAST) return 0;
  return n;
}

function decodeUtf8(bytes: Buffer): string {
  const fast = bytes.toString('utf8');
  if (!SUSPECT.test(fast)) return fast; // Node's decoder is strict: no U+FFFD means every byte was valid
  let out = '';
  let start = 0; // start of the run of valid bytes not yet copied
  for (let i = 0; i < bytes.length;) {
    const n = utf8SequenceAt(bytes, i, bytes.length);
    if (n > 0) {
      i += n;
      continue;
    }
    out += bytes.toString('utf8', start, i) + escapeChar(bytes[i]);
    start = ++i;
  }
  return out + bytes.toString('utf8', start);
}

function encodeUtf8(text: string): Buffer {
  if (!ESCAPES.test(text)) {
    if (LONE_SURROGATE.test(text)) throw unwritable(text, LONE_SURROGATE.exec(text)![0], 'UTF-8');
    return Buffer.from(text, 'utf8');
  }
  const bytes = encodeWithEscapes(text, (part) => {
    if (LONE_SURROGATE.test(part)) throw unwritable(text, LONE_SURROGATE.exec(part)![0], 'UTF-8');
    return Buffer.from(part, 'utf8');
  });
  return canonical(text, bytes, decodeUtf8(bytes));
}

/**
 * Raw-byte characters must stand for bytes that decode as raw bytes again: U+EFC3 U+EFA9 would
 * write "é" (C3 A9) and read back as another name. Names that came from the server always pass.
 */
function canonical(text: string, bytes: Buffer, decoded: string): Buffer {
  if (decoded !== text) {
    throw new FtpError('invalidInput', `${SECRET.test(text) ? 'The text' : `"${describeName(text)}"`} holds raw bytes (shown as \\xNN) that form a character of the site's encoding: it would reach the server as another name.`);
  }
  return bytes;
}

/** How many bytes at the end of `b` may start a UTF-8 sequence that the next chunk completes. */
function incompleteUtf8Tail(b: Buffer): number {
  for (let k = 1; k <= Math.min(3, b.length); k++) {
    const c = b[b.length - k];
    if ((c & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

// ---- Any other encoding --------------------------------------------------------------------------

/** Splits text at escape characters: plain runs go through `plain`, each escape becomes its byte. */
function encodeWithEscapes(text: string, plain: (part: string) => Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < ESCAPE_FIRST || c > ESCAPE_LAST) continue;
    if (i > start) parts.push(plain(text.slice(start, i)));
    parts.push(Buffer.from([c - ESCAPE_BASE]));
    start = i + 1;
  }
  if (start < text.length) parts.push(plain(text.slice(start)));
  return Buffer.concat(parts);
}

function makeIconvCodec(encoding: string): TextCodec {
  const strictEncode = (text: string): Buffer => {
    const bytes = iconvLite().encode(text, encoding);
    if (iconvLite().decode(bytes, encoding) === text) return bytes;
    // Find the character the encoding has no code for (iconv-lite writes '?' for it).
    for (const ch of text) {
      if (iconvLite().decode(iconvLite().encode(ch, encoding), encoding) !== ch) throw unwritable(text, ch, encoding);
    }
    return bytes;
  };
  /** The character whose bytes start at i, if its bytes read back exactly; else undefined. */
  const charAt = (b: Buffer, i: number): { text: string; length: number } | undefined => {
    for (let n = 1; n <= 4 && i + n <= b.length; n++) {
      const slice = b.subarray(i, i + n);
      const s = iconvLite().decode(slice, encoding);
      const single = s.length === 1 || (s.length === 2 && s.codePointAt(0)! > 0xffff);
      if (!single) continue;
      const cp = s.codePointAt(0)!;
      if (cp >= ESCAPE_FIRST && cp <= ESCAPE_LAST) return undefined;
      if (iconvLite().encode(s, encoding).equals(slice)) return { text: s, length: n };
    }
    return undefined;
  };
  const decode = (bytes: Buffer): string => {
    const fast = iconvLite().decode(bytes, encoding);
    if (!SUSPECT.test(fast) && iconvLite().encode(fast, encoding).equals(bytes)) return fast;
    let out = '';
    let start = 0;
    for (let i = 0; i < bytes.length;) {
      if (bytes[i] < 0x80) {
        i++;
        continue;
      }
      const ch = charAt(bytes, i);
      if (ch) {
        i += ch.length;
        continue;
      }
      out += iconvLite().decode(bytes.subarray(start, i), encoding) + escapeChar(bytes[i]);
      start = ++i;
    }
    return out + iconvLite().decode(bytes.subarray(start), encoding);
  };
  return {
    name: encoding,
    isUtf8: false,
    encode: (text) => {
      if (!ESCAPES.test(text)) return strictEncode(text);
      const bytes = encodeWithEscapes(text, strictEncode);
      return canonical(text, bytes, decode(bytes));
    },
    decode,
    // Every encoding accepted here is ASCII-compatible and never uses 0x0A inside a character, so a
    // chunk decoded up to its last line feed never cuts one.
    streamDecoder: () => lineStreamDecoder(decode),
  };
}

/** Decodes whole lines as they complete; a line longer than 64 KiB is decoded as it comes (listing lines are far shorter). */
function lineStreamDecoder(decode: (b: Buffer) => string): { write(bytes: Buffer): string; end(): string } {
  let pending: Buffer = Buffer.alloc(0);
  return {
    write(bytes) {
      const all = pending.length ? Buffer.concat([pending, bytes]) : bytes;
      let cut = all.lastIndexOf(0x0a) + 1;
      if (cut === 0 && all.length > 64 * 1024) cut = all.length - 4;
      pending = Buffer.from(all.subarray(cut));
      return cut > 0 ? decode(all.subarray(0, cut)) : '';
    },
    end() {
      const rest = pending;
      pending = Buffer.alloc(0);
      return rest.length ? decode(rest) : '';
    },
  };
}

// ---- Codecs ------------------------------------------------------------------------------------

const UTF8: TextCodec = {
  name: 'utf8',
  isUtf8: true,
  encode: encodeUtf8,
  decode: decodeUtf8,
  streamDecoder: () => {
    let pending: Buffer = Buffer.alloc(0);
    return {
      write(bytes) {
        const all = pending.length ? Buffer.concat([pending, bytes]) : bytes;
        const hold = incompleteUtf8Tail(all);
        pending = Buffer.from(all.subarray(all.length - hold));
        return decodeUtf8(all.subarray(0, all.length - hold));
      },
      end() {
        const rest = pending;
        pending = Buffer.alloc(0);
        return decodeUtf8(rest);
      },
    };
  },
};

const codecs = new Map<string, TextCodec>();

/** Whether the encoding writes ASCII as ASCII (FTP commands are ASCII): UTF-16, UTF-7 and the like can't be used. */
function asciiCompatible(encoding: string): boolean {
  const ascii = Buffer.from(Array.from({ length: 0x7f }, (_, i) => i + 1));
  return iconvLite().decode(ascii, encoding) === ascii.toString('latin1') && iconvLite().encode(ascii.toString('latin1'), encoding).equals(ascii);
}

export function createCodec(encoding = 'utf8'): TextCodec {
  const normalized = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalized === 'utf8') return UTF8;
  const known = codecs.get(normalized);
  if (known) return known;
  if (!iconvLite().encodingExists(encoding)) {
    throw new FtpError('invalidInput', `Unknown encoding "${encoding}". Use a name such as utf8, latin1, cp1252, euc-kr or shift_jis.`);
  }
  if (!asciiCompatible(encoding)) {
    throw new FtpError('invalidInput', `The encoding "${encoding}" does not write ASCII as ASCII, so FTP commands can't be sent in it. Use an ASCII-compatible one such as utf8, latin1, cp1252, euc-kr or shift_jis.`);
  }
  const codec = makeIconvCodec(encoding);
  codecs.set(normalized, codec);
  return codec;
}
