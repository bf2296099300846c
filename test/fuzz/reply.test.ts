/**
 * Fuzzing the RFC 959 reply parser: garbage never escapes as anything but a 'protocol' FtpError,
 * valid replies come out the same however the bytes are split, the limits hold exactly, and what
 * the parser keeps between chunks never exceeds them.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe } from 'node:test';
import { Reply, ReplyLimits, ReplyParser, replyText } from '../../src/ftp/reply';
import { FtpError } from '../../src/ftp/errors';
import { cuts, fuzz, splitAt } from './kit';

const utf8 = (b: Buffer) => b.toString('utf8');
/** One character per byte, so a decoded line's length is its length on the wire. */
const latin1 = (b: Buffer) => b.toString('latin1');

/** What the parser holds between chunks (private fields, read to check that memory stays bounded). */
function held(p: ReplyParser): { pendingBytes: number; current?: { lines: string[]; bytes: number } } {
  const inside = p as unknown as { pendingBytes: unknown; current?: { lines: string[]; bytes: number } };
  assert.equal(typeof inside.pendingBytes, 'number', 'ReplyParser.pendingBytes is gone: update this fuzz target');
  return inside as { pendingBytes: number; current?: { lines: string[]; bytes: number } };
}

function assertProtocolError(e: unknown): void {
  assert.ok(e instanceof FtpError, `not an FtpError: ${String(e)}`);
  assert.equal(e.kind, 'protocol');
  assert.ok(e.message.length > 0);
}

/** Limits small enough to be hit, with maxReplyBytes >= maxLineBytes as any sane setting has. */
const limits: fc.Arbitrary<ReplyLimits> = fc
  .record({ maxLineBytes: fc.integer({ min: 1, max: 120 }), maxLines: fc.integer({ min: 1, max: 12 }), extra: fc.integer({ min: 0, max: 400 }) })
  .map(({ maxLineBytes, maxLines, extra }) => ({ maxLineBytes, maxLines, maxReplyBytes: maxLineBytes + extra }));

const code = fc.integer({ min: 100, max: 599 }).map(String);
/** Reply text: anything but line ends. */
const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ''));
const eol = fc.constantFrom('\r\n', '\r\n', '\n');

interface GeneratedReply {
  reply: Reply;
  /** The bytes on the wire, line ends included, blank lines before it included. */
  wire: string;
  /** Wire length of each line including CR (what the line limit is checked against). */
  lineLengths: number[];
  /** Lines blank lines before the reply, with their CR. */
  blankLengths: number[];
  /** Byte offsets in `wire` where the parser is between replies (not mid-line, not mid-reply). */
  idle: number[];
}

const generatedReply: fc.Arbitrary<GeneratedReply> = fc
  .record({
    blanks: fc.array(fc.tuple(fc.constantFrom('', ' ', '  ', '\t'), eol), { maxLength: 2 }),
    code,
    first: text,
    middle: fc.array(fc.tuple(text, eol), { maxLength: 6 }),
    multi: fc.boolean(),
    last: fc.option(text),
    eols: fc.tuple(eol, eol),
  })
  .map(({ blanks, code, first, middle, multi, last, eols }) => {
    const lines: Array<[string, string]> = [];
    if (!multi) {
      lines.push([`${code} ${first}`, eols[0]]);
    } else {
      lines.push([`${code}-${first}`, eols[0]]);
      // A middle line that starts with the code and a space (or is the bare code) would end the reply.
      for (const [t, e] of middle) lines.push([t.startsWith(`${code} `) || t === code ? `x${t}` : t, e]);
      lines.push([last === null ? code : `${code} ${last}`, eols[1]]);
    }
    const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
    const idle = [0];
    for (const [b, e] of blanks) idle.push(idle[idle.length - 1] + bytes(b + e));
    const total = idle[idle.length - 1] + lines.reduce((sum, [l, e]) => sum + bytes(l + e), 0);
    idle.push(total);
    return {
      reply: { code: Number(code), message: first, lines: lines.map(([l]) => l) },
      wire: blanks.map(([b, e]) => b + e).join('') + lines.map(([l, e]) => l + e).join(''),
      lineLengths: lines.map(([l, e]) => bytes(l) + (e === '\r\n' ? 1 : 0)),
      blankLengths: blanks.map(([b, e]) => bytes(b) + (e === '\r\n' ? 1 : 0)),
      idle,
    };
  });

/** Bytes that look like FTP often enough to reach every state: codes, separators, line ends, and noise. */
const ftpishBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('\r\n', '\n', '\r', ' ', '-', '0', '1', '2', '5', '9', '211', '211-', '211 ', '220 ', '\0', '\xff', 'é', '\ud800') },
        { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom(' ', '-', '', '  ')).map(([c, s]) => String(c).padStart(3, '0') + s) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
      ),
      { maxLength: 80 },
    )
    .map((parts) => Buffer.from(parts.join(''), 'utf8')),
  fc.array(generatedReply, { maxLength: 4 }).chain((rs) => fc.tuple(fc.constant(rs.map((r) => r.wire).join('')), fc.nat(), fc.uint8Array({ maxLength: 4 }))
    .map(([wire, at, noise]) => {
      const b = Buffer.from(wire, 'utf8');
      const i = b.length === 0 ? 0 : at % b.length;
      return Buffer.concat([b.subarray(0, i), Buffer.from(noise), b.subarray(i)]);
    })),
);

/**
 * The outcome a correct parser must have for a stream of valid replies under `l`: the replies before
 * the first one that breaks a limit, and whether one does. A line breaks the line limit when its
 * bytes with CR exceed maxLineBytes; a multi-line reply breaks the reply limits with more than
 * maxLines lines or more than maxReplyBytes bytes (lines without their line ends).
 */
function model(rs: GeneratedReply[], l: ReplyLimits): { replies: Reply[]; refused: boolean } {
  const replies: Reply[] = [];
  for (const r of rs) {
    if (r.blankLengths.some((n) => n > l.maxLineBytes) || r.lineLengths.some((n) => n > l.maxLineBytes)) return { replies, refused: true };
    if (r.reply.lines.length > 1) {
      const bytes = r.reply.lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8'), 0);
      if (r.reply.lines.length > l.maxLines || bytes > l.maxReplyBytes) return { replies, refused: true };
    }
    replies.push(r.reply);
  }
  return { replies, refused: false };
}

describe('fuzz: reply parser', () => {
  fuzz('arbitrary bytes in arbitrary chunks: only a protocol FtpError, never another throw; limits and memory hold', fc.property(ftpishBytes, cuts, limits, (bytes, cutPoints, l) => {
    const p = new ReplyParser(latin1, l);
    for (const chunk of splitAt(bytes, cutPoints)) {
      let replies: Reply[];
      try {
        replies = p.push(chunk);
      } catch (e) {
        assertProtocolError(e);
        return; // the connection is closed on a protocol error: nothing more is fed
      }
      for (const r of replies) {
        assert.ok(Number.isInteger(r.code) && r.code >= 0 && r.code <= 999, `code ${r.code}`);
        assert.ok(r.lines.length >= 1 && r.lines.length <= l.maxLines, `${r.lines.length} lines > ${l.maxLines}`);
        for (const line of r.lines) {
          assert.ok(line.length <= l.maxLineBytes, `a line of ${line.length} bytes > ${l.maxLineBytes}`);
          assert.ok(!line.includes('\n'), 'a line with LF');
        }
        const total = r.lines.reduce((s, line) => s + line.length, 0);
        assert.ok(r.lines.length === 1 || total <= l.maxReplyBytes, `a reply of ${total} bytes > ${l.maxReplyBytes}`);
        assert.equal(typeof r.message, 'string');
        assert.equal(typeof replyText(r), 'string');
      }
      const h = held(p);
      assert.ok(h.pendingBytes <= l.maxLineBytes, `holds ${h.pendingBytes} bytes of a line > ${l.maxLineBytes}`);
      if (h.current) {
        assert.ok(h.current.lines.length <= l.maxLines, `holds ${h.current.lines.length} lines > ${l.maxLines}`);
        assert.ok(h.current.bytes <= l.maxReplyBytes, `holds ${h.current.bytes} reply bytes > ${l.maxReplyBytes}`);
      }
    }
  }));

  fuzz('valid replies split at any bytes come out exactly as generated, and as when fed whole', fc.property(fc.array(generatedReply, { maxLength: 6 }), cuts, (rs, cutPoints) => {
    const wire = Buffer.from(rs.map((r) => r.wire).join(''), 'utf8');
    const whole = new ReplyParser(utf8).push(wire);
    assert.deepEqual(whole, rs.map((r) => r.reply));
    const p = new ReplyParser(utf8);
    const split = splitAt(wire, cutPoints).flatMap((chunk) => p.push(chunk));
    assert.deepEqual(split, whole);
    assert.equal(p.midReply, false);
  }));

  fuzz('midReply is true exactly while a line or a multi-line reply is only partly received', fc.property(fc.array(generatedReply, { minLength: 1, maxLength: 4 }), fc.nat(), (rs, at) => {
    const idle = new Set<number>();
    let offset = 0;
    for (const r of rs) {
      for (const i of r.idle) idle.add(offset + i);
      offset += Buffer.byteLength(r.wire, 'utf8');
    }
    const wire = Buffer.from(rs.map((r) => r.wire).join(''), 'utf8');
    const cut = at % (wire.length + 1);
    const p = new ReplyParser(utf8);
    p.push(wire.subarray(0, cut));
    assert.equal(p.midReply, !idle.has(cut), `after ${cut} of ${JSON.stringify(wire.toString('utf8'))}`);
  }));

  fuzz('under any limits, valid replies are returned until the first one that breaks a limit, which is refused', fc.property(fc.array(generatedReply, { minLength: 1, maxLength: 5 }), cuts, limits, (rs, cutPoints, l) => {
    const expected = model(rs, l);
    const wire = Buffer.from(rs.map((r) => r.wire).join(''), 'utf8');
    const p = new ReplyParser(utf8, l);
    const got: Reply[] = [];
    let refused = false;
    for (const chunk of splitAt(wire, cutPoints)) {
      try {
        got.push(...p.push(chunk));
      } catch (e) {
        assertProtocolError(e);
        refused = true;
        break;
      }
    }
    assert.equal(refused, expected.refused, refused ? 'refused replies within the limits' : 'accepted a reply beyond the limits');
    if (refused) {
      // Replies completed in the chunk that also held the refused line are dropped with it: a prefix.
      assert.ok(got.length <= expected.replies.length);
      assert.deepEqual(got, expected.replies.slice(0, got.length));
    } else {
      assert.deepEqual(got, expected.replies);
    }
  }));

  fuzz('a line longer than maxLineBytes is refused before its end arrives, however it is split', fc.property(limits, fc.integer({ min: 1, max: 50 }), cuts, (l, over, cutPoints) => {
    const line = Buffer.from('2'.repeat(l.maxLineBytes + over), 'latin1'); // no LF: the line never ends
    const p = new ReplyParser(latin1, l);
    assert.throws(() => {
      for (const chunk of splitAt(line, cutPoints)) p.push(chunk);
    }, (e: unknown) => {
      assertProtocolError(e);
      return true;
    });
  }));
});
