/**
 * Names keep their bytes: every codec decodes any bytes so that encoding the text gives the same
 * bytes back (whole or streamed in chunks cut anywhere), raw bytes survive as U+EF80..U+EFFF, a
 * character an encoding can't write is an error (never '?'), and which encoding fits a server's
 * names is guessed from the bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { createCodec, describeName, hasRawBytes } from '../../src/ftp/encoding';
import { guessNameEncoding } from '../../src/ftp/encoding-guess';
import { FtpError } from '../../src/ftp/errors';
import * as iconv from 'iconv-lite';

const ENCODINGS = ['utf8', 'latin1', 'cp1252', 'euc-kr', 'shift_jis', 'gbk', 'big5', 'gb18030', 'koi8-r'];

/** Random bytes with a bias to what names hold: ASCII, high bytes, valid multi-byte runs, broken ones. */
function randomName(seed: number): Buffer {
  const rnd = crypto.createHash('sha256').update(String(seed)).digest();
  const len = 1 + (rnd[0] % 40);
  const more = crypto.randomBytes(len * 2);
  const out: number[] = [];
  for (let i = 0; i < len; i++) {
    const r = more[i];
    if (r < 90) out.push(0x20 + (more[len + i] % 0x5f));
    else if (r < 120) out.push(0xc3, 0x80 + (more[len + i] % 0x40)); // é-like UTF-8
    else if (r < 135) out.push(0xee, 0xbe, 0x80 + (more[len + i] % 0x40)); // UTF-8 of U+EF80..: must be kept as bytes
    else if (r < 150) out.push(0xef, 0xbf, 0xbd); // a real U+FFFD
    else out.push(more[len + i]);
  }
  return Buffer.from(out);
}

describe('names keep their bytes', () => {
  for (const encoding of ENCODINGS) {
    test(`${encoding}: encode(decode(bytes)) is bytes, for 1,000 random names and every single byte`, () => {
      const codec = createCodec(encoding);
      for (let b = 0; b < 256; b++) assert.deepEqual(codec.encode(codec.decode(Buffer.from([b, 0x2e]))), Buffer.from([b, 0x2e]), `byte ${b}`);
      for (let i = 0; i < 1000; i++) {
        const bytes = randomName(i);
        const text = codec.decode(bytes);
        assert.ok(!text.includes('\uFFFD') || bytes.includes(Buffer.from([0xef, 0xbf, 0xbd])) || encoding !== 'utf8', 'no U+FFFD for a byte');
        assert.deepEqual(codec.encode(text), bytes, `${encoding} ${bytes.toString('hex')} -> ${JSON.stringify(text)}`);
      }
    });

    test(`${encoding}: a stream cut anywhere decodes to the same text`, () => {
      const codec = createCodec(encoding);
      const lines = Array.from({ length: 200 }, (_, i) => Buffer.concat([Buffer.from(`-rw-r--r-- 1 u g ${i} Jan 1 2020 `), randomName(i + 10_000), Buffer.from(i % 3 ? '\r\n' : '\n')]));
      const all = Buffer.concat(lines);
      const whole = codec.decode(all);
      for (const size of [1, 3, 64, 1000]) {
        const d = codec.streamDecoder();
        let text = '';
        for (let i = 0; i < all.length; i += size) text += d.write(all.subarray(i, i + size));
        text += d.end();
        assert.equal(text, whole, `chunks of ${size}`);
        assert.deepEqual(codec.encode(text), all);
      }
    });
  }

  test('a latin1 name on a UTF-8 site: raw byte as U+EFE9, shown as \\xE9, sent back as E9', () => {
    const utf8 = createCodec('utf8');
    const name = utf8.decode(Buffer.from('caf\xe9.txt', 'latin1'));
    assert.equal(name, 'caf\uEFE9.txt');
    assert.ok(hasRawBytes(name));
    assert.equal(describeName(name), 'caf\\xE9.txt');
    assert.deepEqual(utf8.encode(`DELE /dir/${name}`), Buffer.from('DELE /dir/caf\xe9.txt', 'latin1'));
    // A URI carries it like any other character.
    assert.equal(decodeURIComponent(encodeURIComponent(name)), name);
    assert.equal(utf8.decode(Buffer.from('café')), 'café');
    assert.ok(!hasRawBytes('café'));
  });

  test('a character of the escape range sent by the server is kept as its three bytes', () => {
    const utf8 = createCodec('utf8');
    const bytes = Buffer.from('a\uEFE9b', 'utf8');
    const text = utf8.decode(bytes);
    assert.equal(text, 'a\uEFEE\uEFBF\uEFA9b');
    assert.deepEqual(utf8.encode(text), bytes);
  });

  test('raw-byte characters that would form a character are refused, not sent as another name', () => {
    assert.throws(() => createCodec('utf8').encode('\uEFC3\uEFA9'), (e: FtpError) => e.kind === 'invalidInput' && /another name/.test(e.message));
    assert.throws(() => createCodec('shift_jis').encode('\uEF82\uEFA0'), (e: FtpError) => e.kind === 'invalidInput');
  });

  test("a character the site's encoding can't write is an error naming it, never a '?'", () => {
    assert.throws(() => createCodec('latin1').encode('STOR /€.txt'), (e: FtpError) => e.kind === 'invalidInput' && /"€" \(U\+20AC\).*latin1/.test(e.message));
    assert.throws(() => createCodec('cp1252').encode('STOR /한.txt'), (e: FtpError) => e.kind === 'invalidInput' && /U\+D55C/.test(e.message));
    assert.throws(() => createCodec('latin1').encode('PASS s€cret'), (e: FtpError) => e.kind === 'invalidInput' && !/€|s.cret/.test(e.message));
    assert.throws(() => createCodec('utf8').encode('STOR /a\uD800b'), (e: FtpError) => e.kind === 'invalidInput');
    assert.deepEqual(createCodec('cp1252').encode('€'), Buffer.from([0x80]));
  });

  test('encodings that do not write ASCII as ASCII are refused', () => {
    assert.throws(() => createCodec('utf16le'), (e: FtpError) => e.kind === 'invalidInput' && /ASCII/.test(e.message));
    assert.throws(() => createCodec('klingon'), (e: FtpError) => e.kind === 'invalidInput');
    assert.equal(createCodec('UTF-8').isUtf8, true);
  });
});

describe('which encoding fits the names a server sent', () => {
  const names = (encoding: string, ...list: string[]) => list.map((n) => iconv.encode(n, encoding));

  test('valid UTF-8 fits UTF-8; ASCII tells nothing', () => {
    assert.equal(guessNameEncoding(names('utf8', 'café.txt', 'Müller'), 'utf8').fits, true);
    const ascii = guessNameEncoding(names('utf8', 'index.html', 'a b'), 'utf8');
    assert.equal(ascii.fits, true);
    assert.equal(ascii.suggested, undefined);
    assert.equal(ascii.nonAscii, 0);
  });

  test('latin1 names on a UTF-8 site: cp1252 (latin1 when a byte only latin1 has)', () => {
    const g = guessNameEncoding(names('latin1', 'café.txt', 'Müller', 'élève', 'Grüße'), 'utf8');
    assert.equal(g.fits, false);
    assert.equal(g.suggested, 'cp1252');
    assert.equal(g.samples[0].shown, 'café.txt');
    assert.equal(guessNameEncoding([Buffer.from('a\x81b\xe9', 'latin1')], 'utf8').suggested, 'latin1');
  });

  test('UTF-8 names on a latin1 site: utf8', () => {
    const g = guessNameEncoding(names('utf8', 'café.txt', '日本語.txt'), 'latin1');
    assert.equal(g.fits, false);
    assert.equal(g.suggested, 'utf8');
  });

  test('CJK names: euc-kr, shift_jis, gbk, big5 by plausibility', () => {
    assert.equal(guessNameEncoding(names('euc-kr', '한글 문서.txt', '사진', '보고서'), 'utf8').suggested, 'euc-kr');
    assert.equal(guessNameEncoding(names('shift_jis', '日本語のファイル.txt', 'ひらがな', 'カタカナ'), 'utf8').suggested, 'shift_jis');
    assert.equal(guessNameEncoding(names('gbk', '中文文件.txt', '我们的报告', '数据'), 'utf8').suggested, 'gbk');
    assert.equal(guessNameEncoding(names('big5', '中文檔案.txt', '我們的報告', '資料'), 'utf8').suggested, 'big5');
  });

  test('names that fit the site encoding need nothing', () => {
    const g = guessNameEncoding(names('cp1252', 'café.txt'), 'cp1252');
    assert.equal(g.fits, true);
    assert.equal(g.suggested, undefined);
  });
});
