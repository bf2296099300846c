import { describe, test } from 'node:test';
import { isoTime } from '../fixtures/listings/cases';
import assert from 'node:assert/strict';
import { looksLikeUnix, modeFromPermissions, parseListing, parseUnixLine, serverTimeToUtc } from '../../src/ftp/listing';
import { NOW, plain, readFixture } from '../fixtures/listings/cases';
import { unixBadLines, unixCases } from '../fixtures/listings/unix-cases';

describe('unix (ls -l) lines', () => {
  for (const c of unixCases) {
    test(c.title, () => {
      const options = { now: new Date(c.now ?? NOW), serverTimeZoneOffsetMinutes: c.offset };
      assert.ok(looksLikeUnix(c.line), 'detected as a Unix line');
      const r = parseUnixLine(c.line, options);
      assert.ok('entry' in r, `not parsed: ${'error' in r ? r.error : ''}`);
      assert.deepEqual(plain(r.entry), c.expect);
      // The same through the listing entry point (per-line detection).
      const listing = parseListing([c.line], 'list', options);
      assert.deepEqual(listing.unparsed, []);
      assert.deepEqual(listing.entries.map(plain), [c.expect]);
    });
  }
});

describe('unix lines that cannot be read', () => {
  for (const c of unixBadLines) {
    test(c.title, () => {
      const r = parseUnixLine(c.line, { now: new Date(NOW) });
      assert.ok('error' in r, `unexpectedly parsed: ${JSON.stringify('entry' in r ? plain(r.entry) : r)}`);
      assert.match(r.error, c.reason);
      const listing = parseListing([c.line], 'list', { now: new Date(NOW) });
      assert.deepEqual(listing.entries, []);
      assert.equal(listing.unparsed.length, 1);
      assert.equal(listing.unparsed[0].line, c.line);
      assert.match(listing.unparsed[0].reason, c.reason);
    });
  }

  test('lines that do not start with a mode string are not Unix lines', () => {
    for (const line of ['zrwxr-xr-x   2 root root 4096 Mar  2 15:13 zxbox', 'dxrwr-xr-x   2 root root 4096 Aug 24  2001 zxjdbc', 'drwxr-xr-xfoo 2 root root 1 Mar  2 15:13 x', '', 'hello']) {
      assert.equal(looksLikeUnix(line), false, line);
      const r = parseUnixLine(line);
      assert.ok('error' in r, line);
    }
  });
});

describe('unix permission bits', () => {
  const table: Array<[string, number]> = [
    ['rwxrwxrwx', 0o777],
    ['rw-r--r--', 0o644],
    ['---------', 0],
    ['r--------', 0o400],
    ['-w-------', 0o200],
    ['--x------', 0o100],
    ['---r-----', 0o040],
    ['----w----', 0o020],
    ['-----x---', 0o010],
    ['------r--', 0o004],
    ['-------w-', 0o002],
    ['--------x', 0o001],
    ['rwsr-xr-x', 0o4755],
    ['rwSr--r--', 0o4644],
    ['rwxr-sr-x', 0o2755],
    ['rwxr-Sr-x', 0o2745],
    ['rw-r-lr--', 0o2644],
    ['rwxrwxrwt', 0o1777],
    ['rwxrwxrwT', 0o1776],
    ['rwsrwsrwt', 0o7777],
    ['???------', 0],
  ];
  for (const [text, mode] of table) {
    test(`${text} = 0o${mode.toString(8)}`, () => assert.equal(modeFromPermissions(text), mode));
  }
});

describe('unix dates', () => {
  test('without options, the year is inferred against the real clock', () => {
    const r = parseUnixLine('-rw-r--r-- 1 u g 1 Jan  1 00:00 newyear');
    assert.ok('entry' in r);
    const t = r.entry.modified!;
    assert.ok(t <= Date.now() + 7 * 86_400_000, 'not more than a week in the future');
    assert.ok(t > Date.now() - 367 * 86_400_000, 'within the last year');
    assert.equal(new Date(r.entry.modified!).getUTCMonth(), 0);
    assert.equal(new Date(r.entry.modified!).getUTCDate(), 1);
  });

  test('serverTimeToUtc rejects impossible dates and converts with the offset', () => {
    assert.equal(serverTimeToUtc({ year: 2025, month: 1, day: 29 }), undefined);
    assert.equal(serverTimeToUtc({ year: 2024, month: 3, day: 31 }), undefined);
    assert.equal(serverTimeToUtc({ year: 2024, month: 0, day: 1, hour: 25 }), undefined);
    assert.equal(serverTimeToUtc({ year: 2024, month: 0, day: 1, hour: 24, minute: 1 }), undefined);
    // 24:00 is the midnight that ends the day (ISO 8601; some servers print it).
    assert.equal(serverTimeToUtc({ year: 2024, month: 1, day: 28, hour: 24 })?.toISOString(), '2024-02-29T00:00:00.000Z');
    assert.equal(serverTimeToUtc({ year: 2024, month: 0, day: 1, minute: 60 }), undefined);
    assert.equal(serverTimeToUtc({ year: 2024, month: 0, day: 1, hour: 0 }, { serverTimeZoneOffsetMinutes: 330 })?.toISOString(), '2023-12-31T18:30:00.000Z');
    assert.equal(serverTimeToUtc({ year: 2024, month: 0, day: 1, hour: 0, zoneMinutes: -60 }, { serverTimeZoneOffsetMinutes: 330 })?.toISOString(), '2024-01-01T01:00:00.000Z');
  });

  test('every recent date lands within (now - 1 year + 7 days, now + 7 days]', () => {
    const now = new Date('2026-06-15T12:00:00Z');
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    for (const m of months) {
      for (const d of [1, 14, 15, 16, 28]) {
        const r = parseUnixLine(`-rw-r--r-- 1 u g 1 ${m} ${d} 23:59 f`, { now });
        assert.ok('entry' in r, `${m} ${d}`);
        const t = r.entry.modified!;
        assert.ok(t <= now.getTime() + 7 * 86_400_000 && t > now.getTime() - 359 * 86_400_000, `${m} ${d}: ${isoTime(r.entry.modified)}`);
      }
    }
  });
});

describe('a whole ls -la listing', () => {
  test('every line read; total, . and .. left out; names, types and targets right', () => {
    const text = readFixture('unix-listing.txt');
    const { entries, unparsed } = parseListing(text, 'list', { now: new Date(NOW) });
    assert.deepEqual(unparsed, []);
    assert.deepEqual(entries.map((e) => [e.name, e.type, e.linkTarget ?? null]), [
      ['.htaccess', 'file', null],
      ['private', 'directory', null],
      ['old stuff', 'directory', null],
      ['my file.txt', 'file', null],
      ['deploy.sh', 'file', null],
      ['current', 'symlink', 'releases/v2'],
      ['docs link', 'symlink', '/srv/shared/docs dir'],
      ['café-ü.txt', 'file', null],
      ['queue', 'unknown', null],
    ]);
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(byName.get('my file.txt')!.size, 15320);
    assert.equal(isoTime(byName.get('my file.txt')!.modified), '2026-11-22T11:59:00.000Z');
    assert.equal(isoTime(byName.get('old stuff')!.modified), '2024-01-12T00:00:00.000Z');
    assert.equal(byName.get('old stuff')!.modifiedPrecision, 'day');
    assert.equal(byName.get('deploy.sh')!.mode, 0o755);
    assert.equal(byName.get('private')!.mode, 0o750);
    assert.equal(byName.get('café-ü.txt')!.owner, '1001');
  });
});
