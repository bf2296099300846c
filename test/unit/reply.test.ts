import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyParser, replyText } from '../../src/ftp/reply';
import { FtpError } from '../../src/ftp/errors';
import { parseFeatures, parsePwd } from '../../src/ftp/session';

const utf8 = (b: Buffer) => b.toString('utf8');

describe('reply parser', () => {
  test('single-line reply', () => {
    const p = new ReplyParser(utf8);
    const [r] = p.push(Buffer.from('220 Welcome\r\n'));
    assert.deepEqual(r, { code: 220, message: 'Welcome', lines: ['220 Welcome'] });
  });

  test('reply split across chunks at every byte', () => {
    const text = '227 Entering Passive Mode (127,0,0,1,117,49)\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new ReplyParser(utf8);
      const a = p.push(Buffer.from(text.slice(0, cut)));
      const b = p.push(Buffer.from(text.slice(cut)));
      assert.deepEqual([...a, ...b].map((r) => r.code), [227], `cut at ${cut}`);
    }
  });

  test('multi-line reply, including inner lines that start with digits and with the code', () => {
    const p = new ReplyParser(utf8);
    const replies = p.push(Buffer.from('211-Features:\r\n MLST type*;size*;\r\n123 not the end\r\n211-still inside\r\n UTF8\r\n211 End\r\n'));
    assert.equal(replies.length, 1);
    assert.equal(replies[0].code, 211);
    assert.equal(replies[0].lines.length, 6);
    assert.equal(replies[0].message, 'Features:');
  });

  test('several replies in one chunk, LF-only line ends', () => {
    const p = new ReplyParser(utf8);
    const replies = p.push(Buffer.from('150 Opening\n226 Done\n'));
    assert.deepEqual(replies.map((r) => r.code), [150, 226]);
  });

  test('a multi-line reply may end with the bare code', () => {
    const p = new ReplyParser(utf8);
    const replies = p.push(Buffer.from('230-Hello\r\n230\r\n'));
    assert.equal(replies.length, 1);
    assert.equal(replies[0].code, 230);
  });

  test('garbage is a protocol error', () => {
    const p = new ReplyParser(utf8);
    assert.throws(() => p.push(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n')), (e: FtpError) => e.kind === 'protocol' && e.fatal);
  });

  test('an over-long line is refused before it is buffered whole', () => {
    const p = new ReplyParser(utf8, { maxLineBytes: 100, maxLines: 10, maxReplyBytes: 1 << 20 });
    assert.throws(() => p.push(Buffer.alloc(101, 0x41)), (e: FtpError) => e.kind === 'protocol');
    const q = new ReplyParser(utf8, { maxLineBytes: 100, maxLines: 10, maxReplyBytes: 1 << 20 });
    q.push(Buffer.alloc(60, 0x41));
    assert.throws(() => q.push(Buffer.alloc(60, 0x41)), (e: FtpError) => e.kind === 'protocol');
  });

  test('too many lines in one reply are refused', () => {
    const p = new ReplyParser(utf8, { maxLineBytes: 100, maxLines: 5, maxReplyBytes: 1 << 20 });
    p.push(Buffer.from('211-a\r\nb\r\nc\r\nd\r\n'));
    assert.throws(() => p.push(Buffer.from('e\r\nf\r\n')), (e: FtpError) => e.kind === 'protocol');
  });

  test('non-UTF-8 bytes decode through the given decoder', () => {
    const p = new ReplyParser((b) => b.toString('latin1'));
    const [r] = p.push(Buffer.from([0x32, 0x35, 0x37, 0x20, 0x22, 0x2f, 0xe9, 0x22, 0x0d, 0x0a]));
    assert.equal(r.message, '"/é"');
  });

  test('replyText joins the lines without codes', () => {
    const p = new ReplyParser(utf8);
    const [r] = p.push(Buffer.from('530-Login incorrect.\r\n530 Try again\r\n'));
    assert.equal(replyText(r), 'Login incorrect.\nTry again');
  });
});

describe('FEAT and PWD', () => {
  test('FEAT lines become a map of upper-case names', () => {
    const p = new ReplyParser(utf8);
    const [r] = p.push(Buffer.from('211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MLST type*;size*;sizd*;modify*;UNIX.mode*;\r\n utf8\r\n REST STREAM\r\n211 End\r\n'));
    const f = parseFeatures(r);
    assert.deepEqual([...f.keys()], ['EPRT', 'EPSV', 'MDTM', 'MLST', 'UTF8', 'REST']);
    assert.equal(f.get('MLST'), 'type*;size*;sizd*;modify*;UNIX.mode*;');
    assert.equal(f.get('REST'), 'STREAM');
  });

  test('FEAT refused gives no features', () => {
    assert.equal(parseFeatures({ code: 500, message: 'Unknown', lines: ['500 Unknown'] }).size, 0);
  });

  test('PWD with quotes doubled', () => {
    assert.equal(parsePwd('"/home/a ""b"" c" is the current directory'), '/home/a "b" c');
    assert.equal(parsePwd('"/" is current'), '/');
    assert.equal(parsePwd('no quotes'), undefined);
  });
});
