import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSafeArgument, errorFromReply, FtpError, isFtpError } from '../../src/ftp/errors';
import { isDataConnectionFailure } from '../../src/ftp/data/methods';
import { maskCommand } from '../../src/ftp/log';
import { createCodec } from '../../src/ftp/encoding';
import { formatFtpTime, parseFtpTime } from '../../src/ftp/time';

describe('reply codes become errors that say what they mean', () => {
  const cases: Array<[number, string, string]> = [
    [550, 'No such file or directory', 'notFound'],
    [550, 'Failed to open file.', 'notFound'],
    [550, 'Permission denied', 'permission'],
    [553, 'Could not create file.', 'permission'],
    [550, 'Directory already exists', 'exists'],
    [450, 'File busy', 'transient'],
    [452, 'Insufficient storage', 'transient'],
    [421, 'Timeout', 'connectionLost'],
    [425, "Can't open data connection", 'dataConnection'],
    [426, 'Connection closed; transfer aborted', 'dataConnection'],
    [500, 'Unknown command', 'commandRejected'],
    [502, 'Command not implemented', 'commandRejected'],
    [530, 'Not logged in', 'permission'],
    [552, 'Exceeded storage allocation', 'server'],
    [551, "ENOENT: no such file or directory, stat '/srv/x'", 'notFound'], // ftp-srv
    [500, 'Command not found', 'commandRejected'],
  ];
  for (const [code, text, kind] of cases) {
    test(`${code} ${text} -> ${kind}`, () => {
      const e = errorFromReply(code, text, 'RETR /x');
      assert.equal(e.kind, kind);
      assert.equal(e.code, code);
      assert.equal(e.replyText, text);
      assert.match(e.message, new RegExp(String(code)));
    });
  }
  test('425 and 426 carry their data failure, 421 is fatal', () => {
    assert.equal(errorFromReply(425, 'x').dataFailure, 'reply425');
    assert.equal(errorFromReply(426, 'x').dataFailure, 'reply426');
    assert.equal(errorFromReply(421, 'x').fatal, true);
    assert.equal(errorFromReply(550, 'x').fatal, false);
  });
  test("vsftpd's 500 OOPS is the session closing, any other 500 a refused command", () => {
    const oops = errorFromReply(500, 'OOPS: priv_sock_get_result', 'RETR /a');
    assert.equal(oops.kind, 'connectionLost');
    assert.equal(oops.fatal, true);
    assert.match(oops.message, /500 OOPS: priv_sock_get_result/);
    assert.equal(errorFromReply(500, 'Unknown command OOPS:', 'XYZ').kind, 'commandRejected');
    assert.equal(errorFromReply(501, 'OOPS: x', 'XYZ').kind, 'commandRejected');
  });
});

describe('safety', () => {
  test('CR, LF and NUL are refused in names', () => {
    for (const bad of ['a\r\nDELE b', 'a\nb', 'a\rb', 'a\0b']) {
      assert.throws(() => assertSafeArgument(bad), (e: FtpError) => e.kind === 'invalidInput');
    }
    assert.doesNotThrow(() => assertSafeArgument('/a b/ç "q" [x]*.txt'));
  });
  test('passwords and accounts are masked in logs', () => {
    assert.equal(maskCommand('PASS s3cret word'), 'PASS ****');
    assert.equal(maskCommand('pass x'), 'pass ****');
    assert.equal(maskCommand('ACCT billing'), 'ACCT ****');
    assert.equal(maskCommand('USER bob'), 'USER bob');
    assert.equal(maskCommand('PASSIVE'), 'PASSIVE');
  });
});

describe('encodings', () => {
  test('utf8 by default, others through iconv-lite', () => {
    assert.deepEqual(createCodec().encode('é'), Buffer.from([0xc3, 0xa9]));
    assert.deepEqual(createCodec('latin1').encode('é'), Buffer.from([0xe9]));
    assert.deepEqual(createCodec('cp1252').encode('€'), Buffer.from([0x80]));
    const korean = createCodec('euc-kr');
    assert.equal(korean.decode(korean.encode('한글.txt')), '한글.txt');
    assert.deepEqual(korean.encode('한'), Buffer.from([0xc7, 0xd1]));
    const sjis = createCodec('shift_jis');
    assert.deepEqual(sjis.encode('日本'), Buffer.from([0x93, 0xfa, 0x96, 0x7b]));
  });
  test('an unknown encoding is a clear error', () => {
    assert.throws(() => createCodec('klingon'), (e: FtpError) => e.kind === 'invalidInput' && /klingon/.test(e.message));
  });
});

describe('MDTM/MFMT/MLSD times', () => {
  test('parse and format, UTC', () => {
    assert.equal(parseFtpTime('20261122120159')?.toISOString(), '2026-11-22T12:01:59.000Z');
    assert.equal(parseFtpTime('20261122120159.5')?.toISOString(), '2026-11-22T12:01:59.500Z');
    assert.equal(parseFtpTime('20261122120159.123')?.toISOString(), '2026-11-22T12:01:59.123Z');
    assert.equal(parseFtpTime('2026112212015'), undefined);
    assert.equal(formatFtpTime(new Date('2001-02-03T04:05:06.789Z')), '20010203040506');
  });
});

describe('an FtpError is known by every copy of the engine (the search and the doctor are bundles of their own)', () => {
  // A second copy of errors.js, as another bundle has it: its own FtpError class.
  const other = (() => {
    const file = require.resolve('../../src/ftp/errors');
    const saved = require.cache[file];
    delete require.cache[file];
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(file) as typeof import('../../src/ftp/errors');
    } finally {
      require.cache[file] = saved;
    }
  })();

  test('made by the other copy: an FtpError here, of its kind, though not instanceof this copy\'s class', () => {
    assert.notEqual(other.FtpError, FtpError, 'two copies of the module');
    const theirs = new other.FtpError('aborted', 'Cancelled.');
    assert.ok(!(theirs instanceof FtpError));
    assert.ok(isFtpError(theirs));
    assert.ok(isFtpError(theirs, 'aborted'));
    assert.ok(!isFtpError(theirs, 'timeout'));
    assert.ok(other.isFtpError(new FtpError('notFound', 'x'), 'notFound'), 'and the other way round');
    assert.ok(isDataConnectionFailure(new other.FtpError('dataConnection', 'x', { dataFailure: 'reply425' })));
  });

  test('nothing else passes for one', () => {
    for (const e of [new Error('x'), Object.assign(new Error('x'), { name: 'FtpError', kind: 'aborted' }), { kind: 'aborted' }, null, undefined, 'FtpError']) {
      assert.ok(!isFtpError(e), String(e));
    }
  });
});
