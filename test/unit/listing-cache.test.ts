/** The provider's listing cache (src/fs/listing-cache.ts): what a save said of the file it wrote. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ListingCache } from '../../src/fs/listing-cache';
import type { FileEntry } from '../../src/ftp';

const file = (name: string, size: number): FileEntry => ({ name, type: 'file', size });

describe('listing cache', () => {
  test('a fresh listing answers for its entries; a write makes the folder stale', () => {
    const c = new ListingCache();
    c.set('d', [file('a', 1), file('b', 2)]);
    assert.equal(c.entry('d', 'a')?.size, 1);
    c.touched('d', 'a');
    assert.equal(c.entry('d', 'a'), undefined);
    assert.equal(c.entry('d', 'b'), undefined);
    assert.equal(c.known('d')?.get('b')?.size, 2);
  });

  test('what a save said of its file answers for that file only, and replaces what the listing knew', () => {
    const c = new ListingCache();
    c.set('d', [file('a', 1), file('b', 2)]);
    c.touched('d', 'a');
    c.written('d', file('a', 5));
    assert.equal(c.entry('d', 'a')?.size, 5);
    assert.equal(c.entry('d', 'b'), undefined);
    assert.equal(c.known('d')?.get('a')?.size, 5);
  });

  test('a later write of the file without such an answer drops it; a new listing replaces it', () => {
    const c = new ListingCache();
    c.set('d', [file('a', 1)]);
    c.written('d', file('a', 5));
    c.touched('d', 'a');
    assert.equal(c.entry('d', 'a'), undefined);
    c.written('d', file('a', 6));
    c.set('d', [file('a', 7)]);
    assert.equal(c.entry('d', 'a')?.size, 7);
    c.touched('d');
    assert.equal(c.entry('d', 'a'), undefined);
  });

  test('a deleted entry is forgotten with what a save said of it', () => {
    const c = new ListingCache();
    c.set('d', [file('a', 1)]);
    c.written('d', file('a', 5));
    c.forget('d', 'a');
    assert.equal(c.entry('d', 'a'), undefined);
    assert.equal(c.known('d')?.get('a'), undefined);
  });

  test("polledWithin: the site's folders a poll listed moments ago, with no change of ours since they were asked for; not another site's", (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const c = new ListingCache();
    c.set('ftp://a/', [], 7, true);
    c.set('ftp://ab/x', [], 7, true); // another site whose name starts the same
    t.mock.timers.tick(1_500);
    c.set('ftp://a/css', [], 7, true);
    c.set('ftp://a/js', [], 7, true);
    c.touched('ftp://a/js'); // we wrote there
    c.set('ftp://a/img', [], 7); // VS Code's listing (a Refresh), not a poll's
    c.set('ftp://a/old', [], 6, true); // asked for before a change of ours ended, elsewhere
    assert.deepEqual(c.polledWithin('ftp://a', 2_000, 7).sort(), ['ftp://a/', 'ftp://a/css']);
    t.mock.timers.tick(600);
    assert.deepEqual(c.polledWithin('ftp://a', 2_000, 7), ['ftp://a/css'], 'the root was listed 2.1 s ago');
  });
});
