import { describe, test } from 'node:test';
import { isoTime } from '../fixtures/listings/cases';
import assert from 'node:assert/strict';
import { looksLikeDos, looksLikeUnix, parseDosLine, parseListing } from '../../src/ftp/listing';
import { NOW, plain, readFixture } from '../fixtures/listings/cases';
import { dosBadLines, dosCases } from '../fixtures/listings/dos-cases';

describe('DOS / IIS lines', () => {
  for (const c of dosCases) {
    test(c.title, () => {
      const options = { now: new Date(c.now ?? NOW), serverTimeZoneOffsetMinutes: c.offset };
      assert.ok(looksLikeDos(c.line), 'detected as a DOS line');
      assert.equal(looksLikeUnix(c.line), false);
      const r = parseDosLine(c.line, options);
      assert.ok('entry' in r, `not parsed: ${'error' in r ? r.error : ''}`);
      assert.deepEqual(plain(r.entry), c.expect);
      const listing = parseListing([c.line], 'list', options);
      assert.deepEqual(listing.unparsed, []);
      assert.deepEqual(listing.entries.map(plain), [c.expect]);
    });
  }
});

describe('DOS lines that cannot be read', () => {
  for (const c of dosBadLines) {
    test(c.title, () => {
      const r = parseDosLine(c.line);
      assert.ok('error' in r, `unexpectedly parsed: ${JSON.stringify('entry' in r ? plain(r.entry) : r)}`);
      assert.match(r.error, c.reason);
      const listing = parseListing([c.line], 'list');
      assert.deepEqual(listing.entries, []);
      assert.equal(listing.unparsed.length, 1);
      assert.equal(listing.unparsed[0].line, c.line);
      // Either the DOS parser's reason, or (no column at all) not recognised as any format.
      assert.ok(c.reason.test(listing.unparsed[0].reason) || /unrecognised/.test(listing.unparsed[0].reason), listing.unparsed[0].reason);
    });
  }

  test('not a DOS line', () => {
    for (const line of ['', 'hello', '-rw-r--r-- 1 u g 1 Nov 22 12:01 x', '11-22-26 x', '1122-26  12:01PM <DIR> x']) {
      assert.equal(looksLikeDos(line), false, line);
      assert.ok('error' in parseDosLine(line), line);
    }
  });
});

describe('a whole IIS listing', () => {
  test('CRLF text, every line read, names with spaces', () => {
    const { entries, unparsed } = parseListing(readFixture('iis-listing.txt'), 'list', { serverTimeZoneOffsetMinutes: 60 });
    assert.deepEqual(unparsed, []);
    assert.deepEqual(entries.map((e) => [e.name, e.type, e.size ?? null, isoTime(e.modified)]), [
      ['aspnet_client', 'directory', null, '2017-02-16T10:09:00.000Z'],
      ['My Documents', 'directory', null, '2026-11-22T11:01:00.000Z'],
      ['report 2026.xlsx', 'file', 1234, '2026-11-22T11:01:00.000Z'],
      ['OLD.DOC', 'file', 52480, '1999-01-05T02:30:00.000Z'],
      ['empty.txt', 'file', 0, '2026-11-21T22:59:00.000Z'],
    ]);
  });
});
