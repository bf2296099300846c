/**
 * The common `ls -l` line read by one regular expression (src/ftp/listing/unix-fast.ts) must give
 * exactly what the general reader (unix.ts lsEntry) gives, for every line it takes: compared on
 * every captured listing, on the corpus, and on generated lines built to tempt it (owners that are
 * months, groups that are days, sizes that are years, impossible dates, names that look like dates).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { lsFastEntry } from '../../src/ftp/listing/unix-fast';
import { lsEntry } from '../../src/ftp/listing/unix';
import { DateContext, dateContext } from '../../src/ftp/listing/dates';
import { FIXTURE_DIR, NOW } from '../fixtures/listings/cases';
import { unixCorpus, unixRefused } from '../fixtures/listings/corpus-unix';
import { RUNS, escaped } from '../fuzz/kit';

/** Both readers on one line: the fast one's entry, if any, equals the general one's. Returns whether the fast one took it. */
function same(line: string, dc: DateContext): boolean {
  // In the middle of a text, as a data connection delivers it.
  const text = `x\r\n${line}\r\ny`;
  const fast = lsFastEntry(text, dc, 3, 3 + line.length);
  if (fast === undefined) return false;
  assert.deepEqual(fast, lsEntry(text, dc, 3, 3 + line.length), `line ${escaped(line)}`);
  return true;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : d.name.endsWith('.txt') ? [path.join(dir, d.name)] : []));
}

const contexts = [
  dateContext({ now: new Date(NOW) }),
  dateContext({ now: new Date('2026-01-03T00:30:00Z'), serverTimeZoneOffsetMinutes: 120 }),
  dateContext({ now: new Date('2024-02-29T23:59:00Z'), serverTimeZoneOffsetMinutes: -300 }),
];

describe('the common ls -l line by one regular expression (unix-fast.ts) reads as the general reader does', () => {
  test('every line of every captured listing and of the corpus: the same entry where it takes the line', () => {
    let taken = 0;
    let lines = 0;
    const texts = filesUnder(path.join(FIXTURE_DIR, 'captured')).map((f) => fs.readFileSync(f, 'utf8'));
    texts.push(...[...unixCorpus, ...unixRefused].map((c) => c.line));
    for (const f of ['unix-listing.txt', 'mixed-listing.txt']) texts.push(fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8'));
    for (const text of texts) {
      for (const line of text.split(/\r?\n/)) {
        lines++;
        for (const dc of contexts) if (same(line, dc)) taken++;
      }
    }
    // The captures of vsftpd, proftpd, pure-ftpd and ftp-srv are this shape: most are taken.
    assert.ok(taken > 100, `taken ${taken} of ${lines} lines x ${contexts.length}`);
  });

  test('the captured vsftpd listing is taken whole (the shape it exists for)', () => {
    const lines = fs.readFileSync(path.join(FIXTURE_DIR, 'captured', 'vsftpd.list.txt'), 'utf8').split(/\r?\n/).filter((l) => /^[-dl]/.test(l));
    assert.ok(lines.length > 3);
    for (const line of lines) assert.ok(same(line, contexts[0]), `not taken: ${line}`);
  });

  test('generated lines built to tempt it: the same entry wherever it takes one', () => {
    // Each column mostly as servers print it, sometimes one of the tempting or broken variants.
    const col = (common: string[], odd: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...common), weight: 6 }, { arbitrary: fc.constantFrom(...odd), weight: 1 });
    const space = col([' ', '  ', '   '], ['\t', '']);
    const word = col(['1000', '0', '33', 'www-data', 'ftp', 'Domain'], ['5', '12', '2019', '1899', 'jan', 'Jan', 'mai', 'Nov', 'mars', 'x1', 'a,b', '12,', 'de', 'thg', 'folder']);
    const line = fc.tuple(
      col(['-', 'd', 'l'], ['b', 'c', 'p']),
      col(['rw-r--r--', 'rwxr-xr-x', 'rwsr-sr-t', 'rwSr-Sr-T', 'rwxrwxrwx'], ['rw-r--r-', 'rw-r--r--+', 'r?xr-xr-x', 'rwxr-lr-x']),
      space, col(['1', '2', '12'], ['123456789', '1234567890', 'x']), space, word, space, word, space,
      col(['0', '5', '12', '2019', '4096', '123456789012345'], ['1234567890123456', '8,', '33.5k', '']),
      col([' '], ['  ']),
      col(['Jan', 'Feb', 'Nov', 'Dec'], ['nov', 'Mai', 'Foo', '2019']),
      col([' '], ['  ']),
      col([' 1', '01', '02', '22', '29', '30', '31'], ['1', '32', '00', '39', '22,']),
      col([' '], ['  ']),
      col(['15:00', '00:00', '23:59', ' 2019', ' 1970', ' 2026', ' 2027'], ['24:00', '25:61', '09:5', '9:05', '2019', '1899', ' 1899', '15:00:33', '3000']),
      col([' '], ['  ', '\t']),
      col(['x', 'a b', 'dir/', 'l -> t', ' x', '15:00 x', 'Nov 22 15:00 y', '2019 z', 'ü'], ['/', ' -> t', '.', '..', 'x\ty', 'x\ry', 'x -> ', '']),
    ).map((parts) => parts.join(''));
    let taken = 0;
    let cases = 0;
    fc.assert(fc.property(line, fc.constantFrom(...contexts), (l, dc) => {
      cases++;
      if (same(l, dc)) taken++;
    }), { numRuns: Math.max(2000, RUNS * 20) });
    assert.ok(taken > cases / 50, `taken ${taken} of ${cases}`);
  });

  test('what it leaves to the general reader: a name and a number as owner and group, tabs, impossible dates, another line end', () => {
    const dc = contexts[0];
    const text = (l: string) => `${l}\r\n`;
    for (const l of ['-rw-r--r-- 1 jan 12 2019 Nov 22 15:00 x', '-rw-r--r-- 1 0 Jan 4096 Jan  1 15:00 x', '-rw-r--r-- 1 ftp ftp 5 Nov 22\t15:00 x', '-rw-r--r-- 1 ftp ftp 5 Feb 30 15:00 x', '-rw-r--r-- 1 ftp ftp 5 Nov 22 25:00 x', '-rw-r--r--+ 1 ftp ftp 5 Nov 22 15:00 x']) {
      assert.equal(lsFastEntry(text(l), dc, 0, l.length), undefined, l);
    }
    // A line the pattern matches but whose end is not where the caller says the line ends.
    const l = '-rw-r--r-- 1 ftp ftp 5 Nov 22 15:00 x';
    assert.equal(lsFastEntry(`${l}\r\n`, dc, 0, l.length - 1), undefined);
    assert.equal(lsFastEntry(`${l}\r\n`, dc, 0, l.length)?.name, 'x');
  });
});
