import { describe, test } from 'node:test';
import { isoTime } from '../fixtures/listings/cases';
import assert from 'node:assert/strict';
import { FUTURE_DAYS, monthFromName, parseDosLine, parseListLine, parseUnixLine, serverTimeToUtc } from '../../src/ftp/listing';

/** The modified time parseUnixLine gives for `-rw-r--r-- 1 u g 1 <date> f`. */
function unixDate(date: string, options: Parameters<typeof parseUnixLine>[1] = {}): string | undefined {
  const r = parseUnixLine(`-rw-r--r-- 1 u g 1 ${date} f`, options);
  return 'entry' in r ? isoTime(r.entry.modified) : undefined;
}

describe('year inference for dates printed without a year', () => {
  test(`the rule: the latest such date at most ${FUTURE_DAYS} days after the server's now`, () => {
    const now = new Date('2026-06-15T12:00:00Z');
    assert.equal(unixDate('Jun 15 12:00', { now }), '2026-06-15T12:00:00.000Z', 'now');
    assert.equal(unixDate('Jun 22 12:00', { now }), '2026-06-22T12:00:00.000Z', 'exactly a week ahead');
    assert.equal(unixDate('Jun 22 12:01', { now }), '2025-06-22T12:01:00.000Z', 'a minute more than a week ahead');
    assert.equal(unixDate('Jun 23 00:00', { now }), '2025-06-23T00:00:00.000Z');
    assert.equal(unixDate('Dec 31 23:59', { now }), '2025-12-31T23:59:00.000Z');
    assert.equal(unixDate('Jan  1 00:00', { now }), '2026-01-01T00:00:00.000Z');
  });

  test('Dec/Jan boundaries', () => {
    // Just after new year: December is last year.
    assert.equal(unixDate('Dec 31 23:59', { now: new Date('2027-01-01T00:05:00Z') }), '2026-12-31T23:59:00.000Z');
    assert.equal(unixDate('Dec 25 10:00', { now: new Date('2027-01-03T00:00:00Z') }), '2026-12-25T10:00:00.000Z');
    // Just before new year: early January is next year (within the week), later January last year.
    assert.equal(unixDate('Jan  1 00:10', { now: new Date('2026-12-31T23:50:00Z') }), '2027-01-01T00:10:00.000Z');
    assert.equal(unixDate('Jan  6 23:00', { now: new Date('2026-12-31T23:50:00Z') }), '2027-01-06T23:00:00.000Z');
    assert.equal(unixDate('Jan 10 00:00', { now: new Date('2026-12-31T23:50:00Z') }), '2026-01-10T00:00:00.000Z');
    // Mid-December: a January date is this January.
    assert.equal(unixDate('Jan 10 00:00', { now: new Date('2026-12-15T00:00:00Z') }), '2026-01-10T00:00:00.000Z');
  });

  test('a server clock slightly ahead (or a server zone the client does not know) stays this year', () => {
    const now = new Date('2026-11-22T15:00:00Z');
    assert.equal(unixDate('Nov 22 15:30', { now }), '2026-11-22T15:30:00.000Z', '30 minutes ahead');
    assert.equal(unixDate('Nov 23 05:00', { now }), '2026-11-23T05:00:00.000Z', 'a server at UTC+14 whose offset is not set');
    assert.equal(unixDate('Nov 25 15:00', { now }), '2026-11-25T15:00:00.000Z', 'three days ahead');
  });

  test('the server offset moves "now" to the server clock', () => {
    const now = new Date('2026-12-31T20:00:00Z');
    // At UTC+10 it is already 2027-01-01 06:00 on the server: a January 1 date is this (server) year.
    assert.equal(unixDate('Jan  1 05:00', { now, serverTimeZoneOffsetMinutes: 600 }), '2026-12-31T19:00:00.000Z');
    // At UTC-10 it is Dec 31 10:00: Jan 10 is more than a week ahead, so last January.
    assert.equal(unixDate('Jan 10 05:00', { now, serverTimeZoneOffsetMinutes: -600 }), '2026-01-10T15:00:00.000Z');
  });

  test('Windows_NT (IIS Unix style): no year means the server year, future dates of this year included', () => {
    const now = new Date('2026-11-22T15:00:00Z');
    assert.equal(unixDate('Dec 10 16:56', { now, system: 'Windows_NT' }), '2026-12-10T16:56:00.000Z');
    assert.equal(unixDate('Dec 10 16:56', { now }), '2025-12-10T16:56:00.000Z', 'without that context: last year');
    assert.equal(unixDate('Feb 29 10:00', { now, system: 'Windows_NT' }), undefined, 'Feb 29 in a common server year is refused');
  });

  test('a server known to print the year for every date over six months old: a date without one is within half a year, future ones included', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    for (const greeting of ['ProFTPD 1.3.8 Server (Debian) [::ffff:10.0.0.1]', '---------- Welcome to Pure-FTPd [privsep] [TLS] ----------', 'pyftpdlib 1.5.7 ready.', '(vsFTPd 3.0.3)']) {
      assert.equal(unixDate('Jan 10 17:21', { now, greeting }), '2027-01-10T17:21:00.000Z', `${greeting}: 40 days ahead stays ahead`);
      assert.equal(unixDate('May 30 10:00', { now, greeting }), '2027-05-30T10:00:00.000Z', `${greeting}: 180 days ahead`);
      assert.equal(unixDate('Jun  5 10:00', { now, greeting }), '2026-06-05T10:00:00.000Z', `${greeting}: 179 days ago`);
      assert.equal(unixDate('Nov 28 10:00', { now, greeting }), '2026-11-28T10:00:00.000Z', `${greeting}: 3 days ago`);
    }
    // Any other greeting (or none): the week-ahead rule of FileZilla and Commons Net.
    assert.equal(unixDate('Jan 10 17:21', { now, greeting: 'Microsoft FTP Service' }), '2026-01-10T17:21:00.000Z');
    assert.equal(unixDate('Jan 10 17:21', { now }), '2026-01-10T17:21:00.000Z');
  });

  test('Feb 29 without a year: the last leap year in reach', () => {
    assert.equal(unixDate('Feb 29 10:00', { now: new Date('2026-03-01T00:00:00Z') }), '2024-02-29T10:00:00.000Z');
    assert.equal(unixDate('Feb 29 10:00', { now: new Date('2028-03-01T00:00:00Z') }), '2028-02-29T10:00:00.000Z');
    assert.equal(unixDate('Feb 30 10:00', { now: new Date('2028-03-01T00:00:00Z') }), undefined);
  });

  test('24:00 is the midnight that ends the day; 24:01 is refused', () => {
    const now = new Date('2026-11-22T15:00:00Z');
    assert.equal(unixDate('Apr  4 24:00', { now }), '2026-04-05T00:00:00.000Z');
    assert.equal(unixDate('Dec 31 24:00', { now: new Date('2027-01-02T00:00:00Z') }), '2027-01-01T00:00:00.000Z');
    assert.equal(unixDate('Apr  4 24:01', { now }), undefined);
    assert.equal(serverTimeToUtc({ year: 2024, month: 11, day: 31, hour: 24 })?.toISOString(), '2025-01-01T00:00:00.000Z');
  });
});

describe('numeric dates', () => {
  const now = new Date('2026-11-22T15:00:00Z');
  test('the order of the fields', () => {
    assert.equal(unixDate('2024-04-03 10:00', { now }), '2024-04-03T10:00:00.000Z', 'year first');
    assert.equal(unixDate('24-04-2003 17:12', { now }), '2003-04-24T17:12:00.000Z', 'day first (24 is no month)');
    assert.equal(unixDate('04-24-2003 17:12', { now }), '2003-04-24T17:12:00.000Z', 'month first (24 is no month)');
    assert.equal(unixDate('04-03-2003 17:12', { now }), '2003-04-03T17:12:00.000Z', 'both fit: month first');
    assert.equal(unixDate('04.03.2003 17:12', { now }), '2003-03-04T17:12:00.000Z', 'both fit, with dots: day first');
    assert.equal(unixDate('04-03-2003 17:12', { now, dateOrder: 'DMY' }), '2003-03-04T17:12:00.000Z', 'the context decides');
    assert.equal(unixDate('13-13-2003 17:12', { now }), undefined, 'no order fits');
  });

  test('two- and three-digit years', () => {
    assert.equal(unixDate('04-03-69 10:00', { now }), '2069-04-03T10:00:00.000Z');
    assert.equal(unixDate('04-03-70 10:00', { now }), '1970-04-03T10:00:00.000Z');
    const os2 = parseListLine('36611      A    04-23-103  10:57  y2k.txt', { now });
    assert.ok('entry' in os2);
    assert.equal(isoTime(os2.entry.modified), '2003-04-23T10:57:00.000Z');
  });

  test('DOS dates are always month first unless dotted or the context says otherwise', () => {
    const dos = (line: string, options = {}) => {
      const r = parseDosLine(line, options);
      return 'entry' in r ? isoTime(r.entry.modified) : r.error;
    };
    assert.equal(dos('04-03-25  10:00AM       <DIR>          d'), '2025-04-03T10:00:00.000Z');
    assert.equal(dos('04.03.25  10:00       <DIR>          d'), '2025-03-04T10:00:00.000Z');
    assert.equal(dos('04-03-25  10:00AM       <DIR>          d', { dateOrder: 'DMY' }), '2025-03-04T10:00:00.000Z');
    assert.match(dos('24-03-25  10:00AM       <DIR>          d')!, /invalid date/);
  });
});

describe('month names', () => {
  const table: Array<[string, number]> = [
    ['Jan', 0], ['JAN', 0], ['january', 0], ['Jän', 0], ['janv.', 0], ['ene', 0], ['gen', 0], ['sty', 0], ['led', 0], ['oca', 0], ['янв', 0], ['Ιαν', 0],
    ['Feb', 1], ['févr.', 1], ['fevr', 1], ['febr', 1], ['úno', 1], ['Şub', 1], ['лют', 1],
    ['Mär', 2], ['März', 2], ['Mrz', 2], ['mars', 2], ['mrt', 2], ['márc', 2], ['bře', 2], ['мар', 2],
    ['Apr', 3], ['avr.', 3], ['abr', 3], ['kwi', 3], ['dub', 3], ['Nis', 3],
    ['Mai', 4], ['maj', 4], ['mei', 4], ['mag', 4], ['máj', 4], ['May', 4], ['мая', 4],
    ['Jun', 5], ['juin', 5], ['giu', 5], ['jún', 5], ['cze', 5], ['Haz', 5], ['Juni', 5],
    ['Jul', 6], ['Juli', 6], ['juil.', 6], ['lug', 6], ['júl', 6], ['lip', 6], ['čec', 6], ['Tem', 6],
    ['Aug', 7], ['août', 7], ['aout', 7], ['ago', 7], ['sie', 7], ['srp', 7], ['Ağu', 7], ["d’ag.", 7],
    ['Sep', 8], ['sept', 8], ['szept', 8], ['set', 8], ['wrz', 8], ['zář', 8], ['Eyl', 8],
    ['Okt', 9], ['Okt.', 9], ['oct.', 9], ['ott', 9], ['out', 9], ['paź', 9], ['říj', 9], ["d’oct.", 9],
    ['Nov', 10], ['lis', 10], ['listopad', 10], ['Kas', 10], ['ноя', 10],
    ['Dez', 11], ['déc.', 11], ['dic', 11], ['gru', 11], ['pro', 11], ['Ara', 11], ['des', 11], ['Jan.,', 0],
    ['Juk', -1], ['jui', -1], ['', -1], ['.', -1], ['12', -1],
  ];
  for (const [name, month] of table) test(`${JSON.stringify(name)} is ${month}`, () => assert.equal(monthFromName(name), month));
});
