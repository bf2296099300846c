/**
 * Fuzzing errors and the small readers of server replies: errorFromReply never throws;
 * assertSafeArgument refuses exactly what contains CR, LF or NUL and never echoes a password;
 * parsePwd, parseFeatures, announcedSize and the MDTM time reader never throw and read back what
 * was written.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe } from 'node:test';
import { FtpError, FtpErrorKind, assertSafeArgument, errorFromReply } from '../../src/ftp/errors';
import { Reply } from '../../src/ftp/reply';
import { parseFeatures, parsePwd } from '../../src/ftp/session';
import { announcedSize } from '../../src/ftp/data/transfer';
import { formatFtpTime, parseFtpTime } from '../../src/ftp/time';
import { anyString, fuzz, hostileChar } from './kit';

const KINDS: ReadonlySet<FtpErrorKind> = new Set<FtpErrorKind>([
  'loginRefused', 'notFound', 'permission', 'exists', 'transient', 'commandRejected', 'dataConnection', 'interrupted', 'notEmpty',
  'notADirectory', 'connectionLost', 'unreachable', 'timeout', 'tls', 'protocol', 'aborted', 'invalidInput', 'server',
]);

const replyCode = fc.oneof(fc.integer({ min: 0, max: 999 }), fc.integer(), fc.constantFrom(421, 425, 426, 450, 530, 550, 553, NaN, -0, Infinity));
const verbs = fc.constantFrom('RETR', 'STOR', 'RMD', 'MKD', 'RNFR', 'RNTO', 'CWD', 'SIZE', 'MLST', 'PASS', 'SITE CHMOD 644', 'retr', '');
const command = fc.option(fc.oneof(anyString(30), fc.tuple(verbs, anyString(20)).map(([v, a]) => `${v} ${a}`)), { nil: undefined });
/** Reply text with the words errorFromReply looks for. */
const replyWords = fc.oneof(anyString(60), fc.array(fc.constantFrom('No such file', 'ENOENT', 'Permission denied', 'not empty', 'Not a directory', 'exists', 'busy', ' ', 'x', '\n'), { maxLength: 5 }).map((w) => w.join(' ')));

/** Text without CR, LF or NUL. */
const clean = anyString(30).map((s) => s.replace(/[\r\n\0]/g, ''));

describe('fuzz: errors', () => {
  fuzz('errorFromReply never throws, for any code, text and command; it keeps code and text', fc.property(replyCode, replyWords, command, (code, text, cmd) => {
    const e = errorFromReply(code, text, cmd);
    assert.ok(e instanceof FtpError);
    assert.ok(KINDS.has(e.kind), `kind ${e.kind}`);
    assert.ok(e.message.length > 0);
    assert.ok(Object.is(e.code, code));
    assert.equal(e.replyText, text);
    if (code === 421) assert.ok(e.fatal);
  }));

  fuzz('assertSafeArgument refuses exactly the strings with CR, LF or NUL, with an invalidInput FtpError', fc.property(
    fc.oneof(anyString(40), fc.tuple(clean, fc.constantFrom('\r', '\n', '\0', '\r\n'), anyString(10)).map(([a, b, c]) => a + b + c)),
    fc.constantFrom('path', 'command', 'name', 'new name'),
    (value, what) => {
      const unsafe = value.includes('\r') || value.includes('\n') || value.includes('\0');
      let thrown: unknown;
      try {
        assertSafeArgument(value, what);
      } catch (e) {
        thrown = e;
      }
      assert.equal(thrown !== undefined, unsafe, JSON.stringify(value));
      if (thrown !== undefined) {
        assert.ok(thrown instanceof FtpError, String(thrown));
        assert.equal(thrown.kind, 'invalidInput');
      }
    },
  ));

  fuzz('a PASS or ACCT command with CR/LF/NUL is refused without the password or anything after the line break in the message', fc.property(
    fc.constantFrom('PASS', 'ACCT', 'pass', 'Acct'),
    fc.constantFrom(' ', '  ', '\t'),
    clean,
    fc.constantFrom('\r', '\n', '\0', '\r\n', '\n\r'),
    clean,
    (verb, space, secret, lineBreak, after) => {
      // Marked so that the check can't be fooled by a secret that is a word of the message.
      const password = `S3cr${secret}`;
      const smuggled = `X9q${after}`;
      try {
        assertSafeArgument(`${verb}${space}${password}${lineBreak}${smuggled}`, 'command');
        assert.fail('not refused');
      } catch (e) {
        assert.ok(e instanceof FtpError);
        assert.ok(!e.message.includes('S3cr'), `the password is in ${JSON.stringify(e.message)}`);
        assert.ok(!e.message.includes('X9q'), `text after the line break is in ${JSON.stringify(e.message)}`);
      }
    },
  ));
});

/** True for YYYYMMDDHHMMSS that names a real moment from year 100 on (checked without Date's roll-over). */
function isRealTime(digits: string): boolean {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((i, k) => Number(digits.slice(i, k === 0 ? 4 : i + 2)));
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return y >= 1900 && mo >= 1 && mo <= 12 && d >= 1 && d <= days && h <= 23 && mi <= 59 && s <= 59;
}

/** A reply as the parser returns it, with arbitrary lines. */
const anyReply: fc.Arbitrary<Reply> = fc.record({
  code: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.integer()),
  message: anyString(60),
  lines: fc.array(anyString(60), { maxLength: 8 }),
});

const featureName = fc.stringMatching(/^[A-Za-z0-9][\w.-]{0,10}$/);
const featureParams = fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/);

describe('fuzz: reply readers', () => {
  fuzz('parsePwd never throws, and reads back any directory quoted as RFC 959 says (quotes doubled)', fc.property(anyString(60), anyString(40), clean, (message, dir, after) => {
    const any = parsePwd(message);
    assert.ok(any === undefined || typeof any === 'string');
    const quoted = `"${dir.replace(/"/g, '""')}"`;
    assert.equal(parsePwd(`${quoted}${after === '' ? '' : ' ' + after}`), dir);
  }));

  fuzz('parseFeatures never throws on any reply, and reads every feature line of a FEAT reply', fc.property(
    anyReply,
    fc.array(fc.tuple(featureName, fc.option(featureParams), fc.constantFrom('', ' ', '\t ')), { maxLength: 8 }),
    (reply, features) => {
      assert.ok(parseFeatures(reply) instanceof Map);
      const lines = ['211-Features:', ...features.map(([n, p, pad]) => ` ${n}${p === null ? '' : ' ' + p}${pad}`), '211 End'];
      const got = parseFeatures({ code: 211, message: 'Features:', lines });
      const want = new Map(features.map(([n, p]) => [n.toUpperCase(), p ?? ''] as const));
      assert.deepEqual(got, want);
    },
  ));

  fuzz('announcedSize never throws; it reads "(N bytes)" as N (up to 15 digits)', fc.property(
    anyString(80), fc.oneof(fc.nat(), fc.integer({ min: 0, max: 999_999_999_999_999 })), fc.constantFrom('bytes', 'Bytes', 'byte'),
    (message, n, unit) => {
      const any = announcedSize(message);
      assert.ok(any === undefined || (Number.isSafeInteger(any) && any >= 0), `size ${any}`);
      assert.equal(announcedSize(`Opening BINARY mode data connection for a.txt (${n} ${unit}).`), n);
    },
  ));

  fuzz('parseFtpTime never throws and gives a valid Date or nothing; formatFtpTime reads back to the second', fc.property(
    fc.oneof(anyString(30), fc.stringMatching(/^\d{14}(\.\d{1,4})?$/), fc.array(fc.oneof(fc.constantFrom('0', '1', '2', '9', '.', ' '), hostileChar), { maxLength: 20 }).map((a) => a.join(''))),
    fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(9999, 11, 31, 23, 59, 59)), noInvalidDate: true }),
    (text, date) => {
      const any = parseFtpTime(text);
      assert.ok(any === undefined || (any instanceof Date && !Number.isNaN(any.getTime())));
      assert.equal(parseFtpTime(formatFtpTime(date))?.getTime(), Math.floor(date.getTime() / 1000) * 1000);
    },
  ));

  fuzz('parseFtpTime reads only real times: what it accepts formats back to the same 14 digits', fc.property(
    fc.oneof(
      fc.date({ min: new Date(Date.UTC(100, 0, 1)), max: new Date(Date.UTC(9999, 11, 31, 23, 59, 59)), noInvalidDate: true }).map(formatFtpTime),
      fc.tuple(
        fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }),
      ).map(([y, ...rest]) => String(y).padStart(4, '0') + rest.map((n) => String(n).padStart(2, '0')).join('')),
    ),
    (digits) => {
      // Was bug 5: Date.UTC rolled 20260230120000 over to March 2 and 25:00 to the next day, and read years 0000-0099 as 1900-1999.
      const d = parseFtpTime(digits);
      if (d !== undefined) assert.equal(formatFtpTime(d), digits);
      assert.equal(d !== undefined, isRealTime(digits), `${digits} is ${isRealTime(digits) ? '' : 'not '}a real time`);
    },
  ));
});
