import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isSelfOrParent, looksLikeMlsx, parseListing, parseMlsdLines, parseMlstReply, parseMlsxLine, parseMlsxTime, readMlsxLine,
} from '../../src/ftp/listing';
import { plain } from '../fixtures/listings/cases';
import { mlsdListing, mlstReplies, mlsxBadLines, mlsxCases } from '../fixtures/listings/mlsx-cases';

describe('MLSD / MLST fact lines', () => {
  for (const c of mlsxCases) {
    test(c.title, () => {
      const entry = parseMlsxLine(c.line);
      assert.ok(entry, `not parsed: ${JSON.stringify(readMlsxLine(c.line))}`);
      assert.deepEqual(plain(entry), c.expect);
      // In a listing, cdir/pdir and . / .. are left out; everything else comes through unchanged.
      const listing = parseListing([c.line], 'mlsd');
      assert.deepEqual(listing.unparsed, []);
      assert.deepEqual(listing.entries.map(plain), isSelfOrParent(entry) ? [] : [c.expect]);
    });
  }
});

describe('MLSD lines that cannot be read', () => {
  for (const c of mlsxBadLines) {
    test(c.title, () => {
      const r = readMlsxLine(c.line);
      assert.ok('error' in r, `unexpectedly parsed: ${JSON.stringify(r)}`);
      assert.match(r.error, c.reason);
      assert.equal(parseMlsxLine(c.line), undefined);
      const listing = parseListing([c.line], 'mlsd');
      assert.deepEqual(listing.entries, []);
      if (c.line.trim() !== '') {
        assert.equal(listing.unparsed.length, 1);
        assert.match(listing.unparsed[0].reason, c.reason);
      }
    });
  }
});

describe('MLSD listing', () => {
  test('cdir, pdir, . and .. dropped; blank lines skipped; symlink targets from unique facts; bad lines reported', () => {
    for (const result of [parseListing(mlsdListing.lines, 'mlsd'), parseListing(mlsdListing.lines.join('\r\n'), 'mlsd')]) {
      assert.deepEqual(result.entries.map((e) => [e.name, e.type]), mlsdListing.entries);
      const links = Object.fromEntries(result.entries.filter((e) => e.type === 'symlink').map((e) => [e.name, e.linkTarget]));
      assert.deepEqual(links, mlsdListing.links);
      assert.deepEqual(result.unparsed.map((u) => u.line), mlsdListing.unparsed);
      assert.match(result.unparsed[0].reason, /not an MLSD fact list/);
    }
  });

  test('parseMlsdLines drops cdir/pdir the same way', () => {
    const r = parseMlsdLines(['type=cdir; .', 'type=pdir; ..', 'type=cdir; /abs', 'type=file; a', 'bad']);
    assert.deepEqual(r.entries.map((e) => e.name), ['a']);
    assert.deepEqual(r.unparsed.map((u) => u.line), ['bad']);
  });

  test('a symlink whose unique matches nothing keeps no target', () => {
    const r = parseListing(['type=OS.unix=symlink;unique=a1; l', 'type=file;unique=b2; f'], 'mlsd');
    assert.equal(r.entries[0].linkTarget, undefined);
    assert.equal(r.entries.length, 2);
  });
});

describe('MLST replies', () => {
  for (const c of mlstReplies) {
    test(c.title, () => {
      const entry = parseMlstReply(c.lines);
      if (c.expect === undefined) assert.equal(entry, undefined);
      else {
        assert.ok(entry);
        assert.deepEqual(plain(entry), c.expect);
      }
    });
  }
});

describe('MLSx helpers', () => {
  test('parseMlsxTime', () => {
    assert.equal(parseMlsxTime('19991005213102')?.toISOString(), '1999-10-05T21:31:02.000Z');
    assert.equal(parseMlsxTime('19991005213102.014')?.toISOString(), '1999-10-05T21:31:02.014Z');
    assert.equal(parseMlsxTime('19991005213102.1')?.toISOString(), '1999-10-05T21:31:02.100Z');
    assert.equal(parseMlsxTime('00500101000000')?.toISOString(), '0050-01-01T00:00:00.000Z');
    for (const bad of ['', '1999100521310', '199910052131020', '19991305213102', '19990230000000', '19991005243102', '19991005216002', '19991005213160', '19991005213102.', 'x9991005213102']) {
      assert.equal(parseMlsxTime(bad), undefined, bad);
    }
  });

  test('looksLikeMlsx needs a known fact', () => {
    assert.equal(looksLikeMlsx('type=file; a'), true);
    assert.equal(looksLikeMlsx('Size=1; a'), true);
    assert.equal(looksLikeMlsx('UNIX.foo=1; a'), true);
    assert.equal(looksLikeMlsx('OS.vms=x; a'), true);
    assert.equal(looksLikeMlsx(' type=file; a'), true);
    assert.equal(looksLikeMlsx('anything=something; filename'), false);
    assert.equal(looksLikeMlsx(' filename'), false);
    assert.equal(looksLikeMlsx('a=b c'), false);
  });
});
