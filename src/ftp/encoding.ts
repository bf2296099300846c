/**
 * Name encodings. UTF-8 by default; other encodings (latin1, cp1252, euc-kr, shift_jis, ...) go
 * through iconv-lite, which knows far more of them than Node's Buffer does.
 */
import { StringDecoder } from 'node:string_decoder';
import * as iconv from 'iconv-lite';
import { FtpError } from './errors';

export interface TextCodec {
  readonly name: string;
  readonly isUtf8: boolean;
  encode(text: string): Buffer;
  decode(bytes: Buffer): string;
  /** A decoder for text that arrives in chunks: a character split between two chunks stays whole. */
  streamDecoder(): { write(bytes: Buffer): string; end(): string };
}

const UTF8: TextCodec = {
  name: 'utf8',
  isUtf8: true,
  encode: (text) => Buffer.from(text, 'utf8'),
  decode: (bytes) => bytes.toString('utf8'),
  streamDecoder: () => {
    const d = new StringDecoder('utf8');
    return { write: (b) => d.write(b), end: () => d.end() };
  },
};

export function createCodec(encoding = 'utf8'): TextCodec {
  const normalized = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalized === 'utf8') return UTF8;
  if (!iconv.encodingExists(encoding)) {
    throw new FtpError('invalidInput', `Unknown encoding "${encoding}". Use a name such as utf8, latin1, cp1252, euc-kr or shift_jis.`);
  }
  return {
    name: encoding,
    isUtf8: false,
    encode: (text) => iconv.encode(text, encoding),
    decode: (bytes) => iconv.decode(bytes, encoding),
    streamDecoder: () => {
      const d = iconv.getDecoder(encoding);
      return { write: (b) => d.write(b), end: () => d.end() ?? '' };
    },
  };
}
