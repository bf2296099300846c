import { describe, test } from 'node:test';
import { isoTime } from '../fixtures/listings/cases';
import assert from 'node:assert/strict';
import { isSelfOrParent, parseEplfLine, parseListLine, parseListing, readMlsxLine } from '../../src/ftp/listing';
import { plain } from '../fixtures/listings/cases';
import { NOW, readFixture } from '../fixtures/listings/cases';
import { dosBadLines, dosCases } from '../fixtures/listings/dos-cases';
import { mlsxBadLines, mlsxCases } from '../fixtures/listings/mlsx-cases';
import { unixBadLines, unixCases } from '../fixtures/listings/unix-cases';

const now = new Date(NOW);

describe('LIST format detection', () => {
  test('a listing mixing Unix, DOS and MLSD lines', () => {
    const { entries, unparsed } = parseListing(readFixture('mixed-listing.txt'), 'list', { now });
    assert.deepEqual(entries.map((e) => [e.name, e.type]), [
      ['unix file.txt', 'file'],
      ['unix-dir', 'directory'],
      ['dos dir', 'directory'],
      ['dos file.txt', 'file'],
      ['mlsd file; with semicolon', 'file'],
    ]);
    // Each line was read by the parser of its own format.
    assert.equal(entries[0].mode, 0o644);
    assert.equal(entries[0].owner, 'alice');
    assert.equal(entries[2].mode, undefined);
    assert.equal(entries[3].size, 77);
    assert.equal(entries[4].facts?.['modify'], '20261122120133');
    assert.equal(isoTime(entries[4].modified), '2026-11-22T12:01:33.000Z');
    assert.deepEqual(unparsed.map((u) => u.line), [
      'this is not a listing line',
      '-rw-r--r--   1 alice    staff         120 Jam 22 12:01 bad month',
      '11-22-26  13:01PM       <DIR>          bad hour',
    ]);
    assert.match(unparsed[0].reason, /unrecognised/);
    assert.match(unparsed[1].reason, /no size and date/);
    assert.match(unparsed[2].reason, /invalid time/);
  });

  test('every fixture line is routed to its own parser', () => {
    for (const c of unixCases) {
      const r = parseListLine(c.line, { now });
      assert.ok('entry' in r && r.entry.permissions !== undefined && r.entry.facts === undefined, c.line);
    }
    for (const c of dosCases) {
      const r = parseListLine(c.line, { now });
      assert.ok('entry' in r && r.entry.permissions === undefined && r.entry.facts === undefined, c.line);
    }
    for (const c of mlsxCases) {
      const r = parseListLine(c.line, { now });
      // LIST answered in MLSD form is read only when a known fact says so (not a bare " name").
      if (Object.keys(c.expect.facts ?? {}).length > 0) assert.ok('entry' in r && r.entry.facts !== undefined, c.line);
    }
  });

  test('. and .. are dropped in every format', () => {
    const lines = [
      'drwxr-xr-x 2 u g 4096 Nov 22 12:01 .',
      'drwxr-xr-x 2 u g 4096 Nov 22 12:01 ..',
      '11-22-26  12:01PM       <DIR>          .',
      '11-22-26  12:01PM       <DIR>          ..',
      'type=dir; .',
      'type=dir; ..',
      'type=cdir; /x',
      'type=pdir; /',
      'drwxr-xr-x 2 u g 4096 Nov 22 12:01 ...',
    ];
    const r = parseListing(lines, 'list', { now });
    assert.deepEqual(r.unparsed, []);
    assert.deepEqual(r.entries.map((e) => e.name), ['...']);
  });

  test('total and blank lines are skipped; other total-like lines are not', () => {
    const r = parseListing(['total 0', 'TOTAL 123', '  total 5  ', '', '   ', '\t', 'total', 'total abc'], 'list');
    assert.deepEqual(r.entries, []);
    assert.deepEqual(r.unparsed.map((u) => u.line), ['total', 'total abc']);
  });

  test('string and array input, CRLF and LF, give the same result', () => {
    const lines = ['total 2', '-rw-r--r-- 1 u g 1 Nov 22 12:01 a', '11-22-26  12:01PM                    2 b'];
    const expected = parseListing(lines, 'list', { now });
    assert.deepEqual(parseListing(lines.join('\r\n') + '\r\n', 'list', { now }), expected);
    assert.deepEqual(parseListing(lines.join('\n'), 'list', { now }), expected);
    assert.deepEqual(parseListing(lines.map((l) => l + '\r'), 'list', { now }), expected);
    assert.deepEqual(expected.entries.map((e) => e.name), ['a', 'b']);
  });

  test('an empty listing', () => {
    assert.deepEqual(parseListing('', 'list'), { entries: [], unparsed: [] });
    assert.deepEqual(parseListing([], 'mlsd'), { entries: [], unparsed: [] });
    assert.deepEqual(parseListing('  \r\n  \r\n', 'list'), { entries: [], unparsed: [] });
  });

  test('every bad fixture line lands in unparsed, with a reason, and nothing is guessed', () => {
    const bad = [...unixBadLines, ...dosBadLines, ...mlsxBadLines].map((c) => c.line).filter((l) => l.trim() !== '');
    const r = parseListing(bad, 'list', { now });
    assert.deepEqual(r.entries, []);
    assert.deepEqual(r.unparsed.map((u) => u.line), bad);
    for (const u of r.unparsed) assert.ok(u.reason.length > 0, u.line);
  });

  test('VMS, MVS and OS/400 lines are read (they were unparsed before); a recursive listing header is not an entry', () => {
    const lines = [
      'SAVE01 3390   2004/06/23  1    1  FB     128  6144  PO    INCOMING.RPTBM024.D061704', // MVS
      '1-JUN.LIS;1              9/9           2-JUN-1999 17:00  [GROUP,OWNER]   (RWED,RWED,RWED,RE)', // VMS
      'QSYS            77824 02/23/00 15:09:55 *DIR       QSYS/', // OS/400
      '/home/alice:',
    ];
    const r = parseListing(lines, 'list', { now });
    assert.deepEqual(r.entries.map((e) => [e.name, e.type]), [
      ['INCOMING.RPTBM024.D061704', 'directory'],
      ['1-JUN.LIS', 'file'],
      ['QSYS', 'directory'],
    ]);
    assert.deepEqual(r.unparsed.map((u) => u.line), ['/home/alice:']);
  });
});

describe('EPLF lines', () => {
  const cases: Array<[string, ReturnType<typeof plain>]> = [
    ['+i8388621.29609,m824255902,/,\tdev', { name: 'dev', type: 'directory', modified: '1996-02-13T23:58:22.000Z', modifiedPrecision: 'second' }],
    ['+i8388621.44468,m839956783,r,s10376,\tRFC EPLF.txt', { name: 'RFC EPLF.txt', type: 'file', size: 10376, modified: '1996-08-13T17:19:43.000Z', modifiedPrecision: 'second' }],
    ['+i803.2a4f1,s15,m1795348893,up644,r\tmy file.txt', { name: 'my file.txt', type: 'file', size: 15, modified: '2026-11-22T12:01:33.000Z', modifiedPrecision: 'second', mode: 0o644 }],
    ['+m1795348893,up755,/\t  spaced dir ', { name: '  spaced dir ', type: 'directory', modified: '2026-11-22T12:01:33.000Z', modifiedPrecision: 'second', mode: 0o755 }],
    ['+\tnofacts', { name: 'nofacts', type: 'unknown' }],
  ];
  for (const [line, expect] of cases) {
    test(JSON.stringify(line), () => {
      const r = parseEplfLine(line);
      assert.ok('entry' in r);
      assert.deepEqual(plain(r.entry), expect);
      const listing = parseListing([line], 'list');
      assert.deepEqual(listing.unparsed, []);
      assert.deepEqual(listing.entries.map(plain), [expect]);
    });
  }

  test('malformed EPLF', () => {
    assert.ok('error' in parseEplfLine('+m1,/'));
    assert.ok('error' in parseEplfLine('+m1,/\t'));
    assert.ok('error' in parseEplfLine('m1,/\tx'));
    const r = parseListing(['+m1,/', '+m1,/\t'], 'list');
    assert.deepEqual(r.entries, []);
    assert.deepEqual(r.unparsed.map((u) => u.reason), ['unrecognised listing format', 'EPLF line has no name']);
  });
});

describe('robustness', () => {
  // Deterministic pseudo-random lines built from listing fragments and stray characters.
  function* randomLines(count: number, seed: number): Generator<string> {
    let s = seed;
    const rnd = (n: number) => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s % n;
    };
    const pieces = ['-rw-r--r--', 'drwxr-xr-x+', 'lrwxrwxrwx', 'crw-rw-rw-', ' 1', ' ', '  ', 'owner', 'group', '1234', '1,', ' 3', 'Nov', '22', '12:01', '2024', '2024-11-22',
      '11-22-26', '12:01PM', '<DIR>', 'type=file;', 'size=3;', 'modify=20241122120133;', 'type=OS.unix=slink:', '; ', ' -> ', 'name', '.', '..', 'total', '\t', '月', '日', '年', '=', ';', '[', ']', '\u0000', 'é'];
    for (let i = 0; i < count; i++) {
      let line = '';
      const n = rnd(14);
      for (let k = 0; k < n; k++) line += rnd(8) === 0 ? String.fromCharCode(rnd(0x3000)) : pieces[rnd(pieces.length)];
      yield line;
    }
  }

  for (const format of ['list', 'mlsd'] as const) {
    test(`random lines never throw and are each accounted for (${format})`, () => {
      const lines = [...randomLines(5000, format === 'list' ? 7 : 11)];
      const options = { now, serverTimeZoneOffsetMinutes: 90 };
      const r = parseListing(lines, format, options);
      const counted = lines.flatMap((l) => l.split(/\r?\n/)).filter((l) => l.trim() !== '' && !(format === 'list' && /^total\s+\d+\s*$/i.test(l.trim())));
      // Every line is an entry or unparsed, except the . / .. / cdir / pdir entries a listing leaves out.
      let selfOrParent = 0;
      for (const line of counted) {
        const one = format === 'list' ? parseListLine(line, options) : readMlsxLine(line);
        if ('entry' in one && isSelfOrParent(one.entry)) selfOrParent++;
      }
      assert.equal(r.entries.length + r.unparsed.length + selfOrParent, counted.length);
      for (const u of r.unparsed) assert.ok(u.reason.length > 0);
      for (const e of r.entries) {
        assert.equal(typeof e.name, 'string');
        assert.notEqual(e.name, '');
        assert.ok(e.modified === undefined || !Number.isNaN(e.modified), e.name);
      }
    });
  }

  test('huge and pathological lines are handled quickly', () => {
    const lines = [
      ' '.repeat(100_000) + 'x',
      '-rw-r--r-- ' + '1 '.repeat(50_000),
      '-rw-r--r-- ' + 'Nov 22 '.repeat(20_000),
      '-rw-r--r-- 1 u g 1 Nov 22 12:01 ' + 'n'.repeat(100_000),
      '11-22-26  12:01PM' + ' '.repeat(100_000) + '1',
      '11/22/2026  01:01 PM    <JUNCTION>     ' + ' ['.repeat(50_000),
      'type=file;'.repeat(20_000) + ' name',
      '; '.repeat(50_000),
      '='.repeat(100_000),
    ];
    const start = Date.now();
    const r = parseListing(lines, 'list', { now });
    const r2 = parseListing(lines, 'mlsd', { now });
    assert.ok(Date.now() - start < 2000, `took ${Date.now() - start} ms`);
    assert.equal(r.entries.length + r.unparsed.length, lines.length);
    assert.equal(r2.entries.length + r2.unparsed.length, lines.length);
    // A 100,000-character name is no file system's: refused (names over 1024 characters are, since the data-safety work).
    assert.equal(r.entries.find((e) => e.name.startsWith('nnn')), undefined);
    assert.ok(r.unparsed.some((u) => u.line.endsWith('n'.repeat(1000)) && /longer than 1024/.test(u.reason)));
  });
});
