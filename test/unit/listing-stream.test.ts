import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ListingParser, ListingResult, parseListing, parseListingYielding } from '../../src/ftp/listing';
import { NOW, plain } from '../fixtures/listings/cases';

const now = new Date(NOW);

/** A listing that exercises every piece of state the parser carries between lines. */
const MIXED = [
  'total 12',
  '-rw-r--r--   1 alice    staff         120 Nov 22 12:01 unix file.txt',
  'lrwxrwxrwx   1 alice    staff          11 Nov 22 12:01 link -> unix file.txt',
  '11-22-26  12:01PM       <DIR>          dos dir',
  'type=file;size=5;modify=20261122120133; mlsd file',
  'LONG_VMS_FILE_NAME.TXT;3',
  '                         4/15         24-FEB-2003 13:17:24  [POSTWARE,LP]    (RWED,RWED,RE,)',
  'LONG_VMS_FILE_NAME.TXT;2  4/15  23-FEB-2003 13:17:24  [POSTWARE,LP]  (RWED,RWED,RE,)',
  '-rw-r--r--   1 alice    staff         120 Nov 22 12:01 bad/name',
  'drwxr-xr-x   2 alice    staff        4096 Nov 22 12:01 ..',
  'not a listing line',
  '-rw-r--r--   1 alice    staff           1 Nov 22 12:01 last line without a line end',
].join('\r\n');

function summary(r: ListingResult): unknown {
  return { entries: r.entries.map(plain), unparsed: r.unparsed };
}

describe('ListingParser: reading while the data arrives', () => {
  test('chunks cut anywhere (inside a line, between CR and LF, inside a VMS entry) give the same result as the whole text', () => {
    const whole = summary(parseListing(MIXED, 'list', { now }));
    for (let cut = 0; cut <= MIXED.length; cut++) {
      const parser = new ListingParser('list', { now });
      parser.push(MIXED.slice(0, cut));
      parser.push(MIXED.slice(cut));
      assert.deepEqual(summary(parser.end()), whole, `cut at ${cut}`);
    }
    for (const size of [1, 2, 3, 7, 64]) {
      const parser = new ListingParser('list', { now });
      for (let at = 0; at < MIXED.length; at += size) parser.push(MIXED.slice(at, at + size));
      assert.deepEqual(summary(parser.end()), whole, `chunks of ${size}`);
    }
  });

  // A line ending in CR CR LF: its last CR was kept when the line was split between two chunks
  // (an `ls -l` name refused as holding a control character, an NLST name ending in CR), and not
  // when it came in one.
  test('a line ending in CR CR LF reads the same wherever a chunk ends', () => {
    const text = '-rw-r--r--    1 ftp      ftp          1234 Nov 22 15:00 a.txt\r\r\nb.txt\r\r\n';
    for (const format of ['list', 'nlst'] as const) {
      const whole = summary(parseListing(text, format, { now }));
      for (let cut = 0; cut <= text.length; cut++) {
        const parser = new ListingParser(format, { now });
        parser.push(text.slice(0, cut));
        parser.push(text.slice(cut));
        assert.deepEqual(summary(parser.end()), whole, `${format}, cut at ${cut}`);
      }
    }
  });

  test('what the mixed listing gives', () => {
    const r = parseListing(MIXED, 'list', { now });
    assert.deepEqual(r.entries.map((e) => [e.name, e.type]), [
      ['unix file.txt', 'file'],
      ['link', 'symlink'],
      ['dos dir', 'directory'],
      ['mlsd file', 'file'],
      ['LONG_VMS_FILE_NAME.TXT', 'file'],
      ['last line without a line end', 'file'],
    ]);
    assert.equal(r.entries[4].version, 3, 'the highest VMS version is kept');
    assert.deepEqual(r.unparsed.map((u) => u.line), ['not a listing line', '-rw-r--r--   1 alice    staff         120 Nov 22 12:01 bad/name']);
    assert.match(r.unparsed[1].reason, /path separator/);
  });

  test('entries are there as soon as their line is complete', () => {
    const parser = new ListingParser('list', { now });
    parser.push('-rw-r--r-- 1 u g 1 Nov 22 12:01 a\n-rw-r--r-- 1 u g 1 Nov 22 12:01 b');
    assert.equal(parser.entryCount, 1);
    parser.push('\n');
    assert.equal(parser.entryCount, 2);
    assert.equal(parser.lines, 2);
    assert.deepEqual(parser.end().entries.map((e) => e.name), ['a', 'b']);
  });

  test('MLSD: a symlink target listed under the same unique fact is found even when it comes in a later chunk', () => {
    const parser = new ListingParser('mlsd');
    parser.push('type=OS.unix=symlink;unique=u1; latest\r\ntype=file;size=1;uni');
    parser.push('que=u1; /srv/releases/v2.tar\r\n');
    const r = parser.end();
    assert.deepEqual(r.entries.map((e) => [e.name, e.linkTarget]), [['latest', '/srv/releases/v2.tar']]);
    assert.deepEqual(r.unparsed, [], 'the target listed by path is absorbed, not refused');
  });

  test('a lone VMS name at the end is reported', () => {
    const r = parseListing('ORPHAN.TXT;1\r\n', 'list');
    assert.deepEqual(r.entries, []);
    assert.equal(r.unparsed.length, 1);
    assert.match(r.unparsed[0].reason, /VMS file name without its details/);
  });

  test("command 'NLST' makes every line a name", () => {
    const r = parseListing('a.txt\r\n-rw-r--r-- 1 u g 1 Nov 22 12:01 b\r\nsub/\r\n', 'list', { command: 'NLST' });
    assert.deepEqual(r.entries.map((e) => [e.name, e.type]), [
      ['a.txt', 'unknown'],
      ['-rw-r--r-- 1 u g 1 Nov 22 12:01 b', 'unknown'],
      ['sub', 'directory'],
    ]);
  });

  test('end() returns the same result again; push after end() is a programming error', () => {
    const parser = new ListingParser('list', { now });
    parser.push('-rw-r--r-- 1 u g 1 Nov 22 12:01 a');
    const r = parser.end();
    assert.equal(parser.end(), r);
    assert.throws(() => parser.push('x\n'), /after end/);
  });
});

describe('parseListingYielding', () => {
  const big = Array.from({ length: 5000 }, (_, i) => `-rw-r--r-- 1 u g ${i} Nov 22 12:01 file ${i}`).join('\n');

  test('a string, its lines, an iterable and an async iterable of chunks give what parseListing gives', async () => {
    const expected = summary(parseListing(MIXED, 'list', { now }));
    assert.deepEqual(summary(await parseListingYielding(MIXED, 'list', { now })), expected);
    assert.deepEqual(summary(await parseListingYielding(MIXED.split('\r\n'), 'list', { now })), expected);
    const chunks = MIXED.match(/[\s\S]{1,5}/g)!;
    assert.deepEqual(summary(await parseListingYielding(chunks[Symbol.iterator](), 'list', { now })), expected);
    async function* arriving(): AsyncGenerator<string> {
      for (const c of chunks) {
        await new Promise((resolve) => setImmediate(resolve));
        yield c;
      }
    }
    assert.deepEqual(summary(await parseListingYielding(arriving(), 'list', { now })), expected);
  });

  test('yields to the event loop while it parses (sliceMs 0: after every 64 lines)', async () => {
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const r = await parseListingYielding(big, 'list', { now }, { sliceMs: 0 });
    running = false;
    assert.equal(r.entries.length, 5000);
    assert.ok(turns >= 5000 / 64 - 2, `the event loop turned ${turns} times`);
    assert.deepEqual(summary(r), summary(parseListing(big, 'list', { now })));
  });

  test('lines given as an array yield too', async () => {
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const r = await parseListingYielding(big.split('\n'), 'list', { now }, { sliceMs: 0 });
    running = false;
    assert.equal(r.entries.length, 5000);
    assert.ok(turns >= 5000 / 64 - 2, `the event loop turned ${turns} times`);
  });
});
