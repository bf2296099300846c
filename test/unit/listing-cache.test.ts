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

  test('a listing on its way while we changed its folder is not kept: the stat of our new file is what the save said, a file we deleted stays gone', () => {
    const c = new ListingCache();
    c.set('d', [file('a', 1), file('old', 2)], undefined, false, c.changeCount);
    const asked = c.changeCount; // a listing of d is asked for (a poll's, on the other connection)...
    c.forget('d', 'old'); // ...we delete d/old and write d/new meanwhile...
    c.touched('d', 'new');
    c.written('d', file('new', 3));
    c.set('d', [file('a', 1), file('old', 2)], undefined, false, asked); // ...and it comes, from before both
    assert.equal(c.entry('d', 'new')?.size, 3, 'the save\'s answer, not "missing" from the older listing');
    assert.equal(c.known('d')?.has('old'), false, 'the deleted file does not come back');
    assert.equal(c.entry('d', 'a'), undefined, 'the folder is listed again before a stat trusts it');
    // Nothing was kept of a folder never listed before: the late listing is not kept either.
    const early = c.changeCount;
    c.touched('f', 'x');
    c.set('f', [file('y', 1)], undefined, false, early);
    assert.equal(c.known('f'), undefined);
    // A listing asked for after the write is kept, fresh; one of a folder we did not change is too.
    c.set('d', [file('a', 1), file('new', 3)], undefined, false, c.changeCount);
    assert.equal(c.entry('d', 'new')?.size, 3);
    c.set('e', [file('b', 2)], undefined, false, asked);
    assert.equal(c.entry('e', 'b')?.size, 2, 'our changes in d do not make a listing of e stale');
  });

  test('an older listing that comes after a newer one does not replace it', () => {
    const c = new ListingCache();
    const first = c.changeCount;
    c.touched('elsewhere'); // a change of ours in another folder between the two askings
    c.set('d', [file('a', 1), file('new', 3)], undefined, false, c.changeCount); // the newer, come first
    c.set('d', [file('a', 1)], undefined, false, first); // the older, come late
    assert.equal(c.entry('d', 'new')?.size, 3);
  });

  test('a listing on its way while we deleted or renamed its folder (or one above it) away is not kept', () => {
    const c = new ListingCache();
    c.set('ftp://s/a', [file('b', 0)]);
    const asked = c.changeCount;
    c.forget('ftp://s/a', 'b'); // ftp://s/a/b deleted
    c.set('ftp://s/a/b', [file('x', 1)], undefined, false, asked);
    c.set('ftp://s/a/b/c', [file('y', 1)], undefined, false, asked);
    c.set('ftp://s/a/bb', [file('z', 1)], undefined, false, asked); // a sibling whose name starts the same
    assert.equal(c.known('ftp://s/a/b'), undefined);
    assert.equal(c.known('ftp://s/a/b/c'), undefined);
    assert.equal(c.entry('ftp://s/a/bb', 'z')?.size, 1);
    // Made again by us, then listed: kept.
    c.touched('ftp://s/a', 'b');
    c.set('ftp://s/a/b', [], undefined, false, c.changeCount);
    assert.deepEqual([...c.known('ftp://s/a/b')!.keys()], []);
  });
});
