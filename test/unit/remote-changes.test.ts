/**
 * Remote changes and what the Explorer shows of an entry, without VS Code: which listing differences
 * are changes (as the server gives them: a minute-precision time can't tell two saves within a
 * minute apart), which folders a poll lists, when a site is polled at all; the read-only rule, the
 * hover's words, modes typed and shown.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileEntry } from '../../src/ftp';
import { Scope, Signature, cameBack, diffListing, notListedSince, differsFromTold, fileWatched, folderWatched, listingWatched, nextSnapshot, pollFolders, pollable, signature, signatures } from '../../src/fs/remote-changes';
import { describeEntry, humanSize, localTime, octal, parseOctal, readOnlyByListing, rwx } from '../../src/fs/entry-facts';
import { globToRegExp } from '../../src/search/glob';

const file = (name: string, size: number, at: string, more: Partial<FileEntry> = {}): FileEntry => ({ name, type: 'file', size, modified: new Date(at).getTime(), modifiedPrecision: 'second', ...more });

describe('diffListing: what changed between two listings of a folder', () => {
  const before = signatures([file('a.txt', 1, '2026-12-01T10:00:00Z'), file('b.txt', 2, '2026-12-01T10:00:00Z'), { name: 'd', type: 'directory' }]);
  test('an unchanged listing is no change', () => {
    assert.deepEqual(diffListing(before, signatures([file('a.txt', 1, '2026-12-01T10:00:00Z'), file('b.txt', 2, '2026-12-01T10:00:00Z'), { name: 'd', type: 'directory' }]), 0), { created: [], deleted: [], changed: [] });
  });
  test('new size, new time, new name, a name gone, a file that became a folder', () => {
    const after = signatures([file('a.txt', 5, '2026-12-01T10:00:00Z'), file('b.txt', 2, '2026-12-01T10:00:07Z'), file('c.txt', 1, '2026-12-01T10:00:00Z'), file('d', 0, '2026-12-01T10:00:00Z')]);
    assert.deepEqual(diffListing(before, after, 0), { created: ['c.txt', 'd'], deleted: ['d'], changed: ['a.txt', 'b.txt'] });
  });
  test('a listing with minute precision can\'t tell two saves of one size within a minute apart', () => {
    const m = (at: string) => signatures([file('log.txt', 10, at, { modifiedPrecision: 'minute' })]);
    assert.deepEqual(diffListing(m('2026-12-01T10:01:00Z'), m('2026-12-01T10:01:00Z'), 0).changed, []);
    assert.deepEqual(diffListing(m('2026-12-01T10:01:00Z'), m('2026-12-01T10:02:00Z'), 0).changed, ['log.txt']);
  });
  test('names we wrote, renamed or deleted ourselves are taken as listed, without a change', () => {
    const ours = new Map<string, Signature>(before);
    ours.set('a.txt', { ours: 1, exists: true }); // saved
    ours.set('new.txt', { ours: 2, exists: true }); // created, or a rename's target
    ours.set('b.txt', { ours: 3, exists: false }); // deleted, or renamed away
    const after = signatures([file('a.txt', 99, '2026-12-01T11:00:00Z'), { name: 'd', type: 'directory' }, file('new.txt', 3, '2026-12-01T11:00:00Z')]);
    assert.deepEqual(diffListing(ours, after, 3), { created: [], deleted: [], changed: [] });
    // The next listing compares them again: a change by someone else after ours is one.
    const next = nextSnapshot(ours, after, 3);
    assert.deepEqual([...next.values()].filter((v) => typeof v !== 'string'), [], 'nothing of ours left');
    const later = signatures([file('a.txt', 100, '2026-12-01T11:05:00Z'), { name: 'd', type: 'directory' }, file('new.txt', 3, '2026-12-01T11:00:00Z'), file('b.txt', 7, '2026-12-01T11:05:00Z')]);
    assert.deepEqual(diffListing(next, later, 3), { created: ['b.txt'], deleted: [], changed: ['a.txt'] });
  });
  test('a listing already under way when our operation ended may show the folder from before it: the name stays ours for the next one', () => {
    // Renamed old.txt to new.txt (operations 4 and 5) while a listing that started after operation 3 was on its way.
    const ours = new Map<string, Signature>(signatures([file('old.txt', 1, '2026-12-01T10:00:00Z')]));
    ours.set('old.txt', { ours: 4, exists: false });
    ours.set('new.txt', { ours: 5, exists: true });
    const stale = signatures([file('old.txt', 1, '2026-12-01T10:00:00Z')]);
    assert.deepEqual(diffListing(ours, stale, 3), { created: [], deleted: [], changed: [] }, 'neither new.txt deleted nor old.txt seen');
    const next = nextSnapshot(ours, stale, 3);
    assert.deepEqual([next.get('old.txt'), next.get('new.txt')], [{ ours: 4, exists: false }, { ours: 5, exists: true }]);
    const fresh = signatures([file('new.txt', 1, '2026-12-01T10:00:00Z')]);
    assert.deepEqual(diffListing(next, fresh, 5), { created: [], deleted: [], changed: [] }, 'nor old.txt deleted, new.txt created');
    assert.deepEqual([...nextSnapshot(next, fresh, 5)], [...fresh], 'then they are compared again');
  });
  describe('someone else\'s change right after ours, before our next listing: the first listing after ours tells it', () => {
    // We saved index.html (operation 7); stat then told VS Code 12 bytes at 10:00:05. A colleague acted before our next listing.
    const told = { size: 12, mtime: Date.parse('2026-12-01T10:00:05Z') };
    const saved = (): Map<string, Signature> => new Map<string, Signature>([['index.html', { ours: 7, exists: true }], ['other.txt', signature(file('other.txt', 1, '2026-12-01T09:00:00Z'))]]);
    const other = file('other.txt', 1, '2026-12-01T09:00:00Z');
    const differs = (entries: FileEntry[]) => (name: string) => differsFromTold(entries.find((e) => e.name === name)!, told);
    test('edited (another size): changed', () => {
      const listed = [file('index.html', 30, '2026-12-01T10:00:09Z'), other];
      assert.deepEqual(diffListing(saved(), signatures(listed), 7, differs(listed)), { created: [], deleted: [], changed: ['index.html'] });
    });
    test('edited (same size, a later second on a listing to the second): changed', () => {
      const listed = [file('index.html', 12, '2026-12-01T10:00:09Z'), other];
      assert.deepEqual(diffListing(saved(), signatures(listed), 7, differs(listed)), { created: [], deleted: [], changed: ['index.html'] });
    });
    test('as we left it: no change (our save is not told again)', () => {
      const listed = [file('index.html', 12, '2026-12-01T10:00:05Z'), other];
      assert.deepEqual(diffListing(saved(), signatures(listed), 7, differs(listed)), { created: [], deleted: [], changed: [] });
      const minute = [file('index.html', 12, '2026-12-01T10:00:00Z', { modifiedPrecision: 'minute' }), other];
      assert.deepEqual(diffListing(saved(), signatures(minute), 7, differs(minute)), { created: [], deleted: [], changed: [] }, 'a listing to the minute shows the minute stat told');
    });
    test('nothing told since our write (no stat after it): taken as listed', () => {
      const listed = [file('index.html', 30, '2026-12-01T10:00:09Z'), other];
      assert.deepEqual(diffListing(saved(), signatures(listed), 7, () => false), { created: [], deleted: [], changed: [] });
    });
    test('deleted: deleted', () => {
      assert.deepEqual(diffListing(saved(), signatures([other]), 7, differs([other])), { created: [], deleted: ['index.html'], changed: [] });
    });
    test('a name we deleted or renamed away that is there again: created', () => {
      const gone = new Map<string, Signature>([['old.txt', { ours: 8, exists: false }]]);
      assert.deepEqual(diffListing(gone, signatures([file('old.txt', 3, '2026-12-01T10:00:09Z')]), 8), { created: ['old.txt'], deleted: [], changed: [] });
      assert.deepEqual(diffListing(gone, signatures([]), 8), { created: [], deleted: [], changed: [] }, 'still gone: nothing');
    });
    test('a listing that may predate our operation still tells nothing of the name', () => {
      const listed = [other];
      assert.deepEqual(diffListing(saved(), signatures(listed), 6, differs(listed)), { created: [], deleted: [], changed: [] });
    });
    test('a delete that failed part-way (exists not known): taken as listed, present or not', () => {
      const unsure = new Map<string, Signature>([['tree', { ours: 9 }]]);
      assert.deepEqual(diffListing(unsure, signatures([{ name: 'tree', type: 'directory' }]), 9), { created: [], deleted: [], changed: [] });
      assert.deepEqual(diffListing(unsure, signatures([]), 9), { created: [], deleted: [], changed: [] });
    });
    test('the listing after that compares as usual', () => {
      const listed = [file('index.html', 30, '2026-12-01T10:00:09Z'), other];
      const next = nextSnapshot(saved(), signatures(listed), 7);
      assert.deepEqual(diffListing(next, signatures(listed), 7), { created: [], deleted: [], changed: [] }, 'told once');
    });
  });
  test('a link whose target changed is a change', () => {
    const l = (target: string) => signatures([{ name: 'current', type: 'symlink', linkTarget: target }]);
    assert.deepEqual(diffListing(l('releases/1'), l('releases/2'), 0).changed, ['current']);
  });
});

describe('differsFromTold: a file listed for the first time against what stat said', () => {
  const told = { size: 10, mtime: Date.parse('2026-12-01T10:01:37Z') };
  test('same size, and the stat time within the listed minute: no change', () => {
    assert.equal(differsFromTold(file('x', 10, '2026-12-01T10:01:00Z', { modifiedPrecision: 'minute' }), told), false);
    assert.equal(differsFromTold(file('x', 10, '2026-12-01T10:01:37Z'), told), false);
  });
  test('another size, another second, another minute: a change', () => {
    assert.equal(differsFromTold(file('x', 11, '2026-12-01T10:01:37Z'), told), true);
    assert.equal(differsFromTold(file('x', 10, '2026-12-01T10:01:38Z'), told), true);
    assert.equal(differsFromTold(file('x', 10, '2026-12-01T10:02:00Z', { modifiedPrecision: 'minute' }), told), true);
  });
  test('a time told from MDTM (UTC) against an `ls -l` time (the server\'s zone): only the size says', () => {
    const mdtm = { ...told, precision: 'second' as const };
    // A server two hours ahead of UTC lists the file VS Code was told of at 10:01:37 UTC as 12:01.
    assert.equal(differsFromTold(file('x', 10, '2026-12-01T12:01:00Z', { modifiedPrecision: 'minute' }), mdtm), false);
    assert.equal(differsFromTold(file('x', 11, '2026-12-01T12:01:00Z', { modifiedPrecision: 'minute' }), mdtm), true);
    // Both from `ls -l` lines (a listing, a STAT): same zone, times compared.
    const line = { size: 10, mtime: Date.parse('2026-12-01T12:01:00Z'), precision: 'minute' as const };
    assert.equal(differsFromTold(file('x', 10, '2026-12-01T12:03:00Z', { modifiedPrecision: 'minute' }), line), true);
    assert.equal(differsFromTold(file('x', 10, '2026-12-01T10:01:37Z'), mdtm), false);
    assert.equal(differsFromTold(file('x', 10, '2026-12-01T10:01:39Z'), mdtm), true);
  });
});

describe('what a poll lists', () => {
  const workspace: Scope = { path: '/', recursive: true, excludes: ['**/.git/objects/**', '**/node_modules/**'].map(globToRegExp) };
  test('a recursive watch covers folders and files below it, except what it excludes', () => {
    assert.equal(folderWatched('/www/img', [workspace]), true);
    assert.equal(fileWatched('/www/index.html', [workspace]), true);
    assert.equal(folderWatched('/repo/.git/objects/ab', [workspace]), false);
    assert.equal(fileWatched('/app/node_modules/x/index.js', [workspace]), false);
  });
  test('a watch of one file (an editor outside the workspace) covers that file and its folder\'s listing only', () => {
    const one: Scope = { path: '/www/index.html', recursive: false, excludes: [] };
    assert.equal(fileWatched('/www/index.html', [one]), true);
    assert.equal(fileWatched('/www/other.html', [one]), false);
    assert.equal(listingWatched('/www', [one]), true);
    assert.equal(folderWatched('/www', [one]), false, 'no events about the folder itself');
  });
  test('folders of open files first (the active one first), then the folders listed most recently; each once, within the caps', () => {
    const listed = new Map([['/old', 1], ['/www', 2], ['/www/img', 3], ['/latest', 4]]);
    const scopes: Scope[] = [{ path: '/', recursive: true, excludes: [] }];
    assert.deepEqual(pollFolders({ openFiles: ['/www/css/site.css', '/www/index.html', '/www/about.html'], listedFolders: listed, scopes, maxFileFolders: 10, maxListedFolders: 8 }),
      ['/www/css', '/www', '/latest', '/www/img', '/old']);
    assert.deepEqual(pollFolders({ openFiles: ['/a/x', '/b/y', '/c/z'], listedFolders: listed, scopes, maxFileFolders: 2, maxListedFolders: 1 }), ['/a', '/b', '/latest']);
  });
  test('nothing outside what VS Code watches', () => {
    const scopes: Scope[] = [{ path: '/www', recursive: true, excludes: [] }];
    assert.deepEqual(pollFolders({ openFiles: ['/private/key.txt', '/www/a.html'], listedFolders: new Map([['/private', 1]]), scopes, maxFileFolders: 10, maxListedFolders: 8 }), ['/www']);
    assert.deepEqual(pollFolders({ openFiles: ['/www/a.html'], listedFolders: new Map(), scopes: [], maxFileFolders: 10, maxListedFolders: 8 }), []);
  });
  test('a site is polled only while open, not failed, and used within the last minute', () => {
    const now = 1_000_000;
    assert.equal(pollable('open', now - 59_000, now, 60_000), true);
    assert.equal(pollable('open', now - 60_000, now, 60_000), false, 'idle: the pool would close it');
    assert.equal(pollable('failed', now, now, 60_000), false);
    assert.equal(pollable('closed', now, now, 60_000), false, 'Disconnect');
    assert.equal(pollable('resumable', now - 59_000, now, 60_000), true, 'closed by a settings change while it worked');
    assert.equal(pollable('resumable', now - 60_000, now, 60_000), false, 'but not kept open by polls');
  });
});

describe('read-only, as the listing says', () => {
  test('the MLSD perm fact decides when there is one (w: this login may write)', () => {
    assert.equal(readOnlyByListing({ type: 'file', facts: { perm: 'adfr' }, mode: 0o644 }), true);
    assert.equal(readOnlyByListing({ type: 'file', facts: { perm: 'adfrw' }, mode: 0o444 }), false);
  });
  test('else the owner-write bit, as FileZilla reads it', () => {
    assert.equal(readOnlyByListing({ type: 'file', mode: 0o444 }), true);
    assert.equal(readOnlyByListing({ type: 'file', mode: 0o644 }), false);
    assert.equal(readOnlyByListing({ type: 'file', mode: 0o466 }), true, 'the owner\'s bit, whatever the others');
  });
  test('nothing known, a folder or a link: not read-only', () => {
    assert.equal(readOnlyByListing({ type: 'file' }), false);
    assert.equal(readOnlyByListing({ type: 'directory', mode: 0o555 }), false);
    assert.equal(readOnlyByListing({ type: 'symlink', mode: 0o444 }), false);
  });
});

describe('what the hover says', () => {
  test('sizes and modes', () => {
    // VS Code's units (1024-based, KB/MB/GB): a 60,000,000-byte file is 57.2 MB in every message.
    assert.deepEqual([0, 1023, 1024, 12_345, 1_048_575, 3_400_000, 60_000_000, 5 * 1024 ** 3].map(humanSize), ['0 B', '1023 B', '1.0 KB', '12.1 KB', '1.0 MB', '3.2 MB', '57.2 MB', '5.0 GB']);
    assert.deepEqual([0o644, 0o755, 0o600, 0o4755, 0o1777, 0o2750].map(rwx), ['rw-r--r--', 'rwxr-xr-x', 'rw-------', 'rwsr-xr-x', 'rwxrwxrwt', 'rwxr-s---']);
    assert.deepEqual([0o644, 0o4755, 0o7].map(octal), ['644', '4755', '007']);
    assert.deepEqual(['644', '0644', '4755', ' 600 ', '64', '888', '12345', 'rw-'].map(parseOctal), [0o644, 0o644, 0o4755, 0o600, undefined, undefined, undefined, undefined]);
  });
  test('times at the precision the server gave', () => {
    const d = new Date(2026, 10, 30, 14, 2, 7);
    assert.equal(localTime(d, 'second'), '2026-11-30 14:02:07');
    assert.equal(localTime(d, 'minute'), '2026-11-30 14:02');
    assert.equal(localTime(d, 'day'), '2026-11-30');
  });
  test('size, time, permissions with owner, read-only; a server\'s bidi characters shown, not obeyed', () => {
    const e: FileEntry = { name: 'index.html', type: 'file', size: 12_345, modified: new Date(2026, 10, 30, 14, 2).getTime(), modifiedPrecision: 'minute', mode: 0o444, permissions: 'r--r--r--', owner: 'www\u202Eevil', group: 'www' };
    assert.equal(describeEntry(e), '12.1 KB (12,345 bytes)\nModified 2026-11-30 14:02\nPermissions r--r--r-- (444), owner www<U+202E>evil:www\nRead-only: the owner has no write permission');
    assert.equal(describeEntry({ name: 'img', type: 'directory', modified: new Date(2026, 0, 2, 3, 4, 5).getTime(), mode: 0o755, facts: { perm: 'flcdmpe' } }), 'Folder\nModified 2026-01-02 03:04:05\nPermissions rwxr-xr-x (755)');
    assert.equal(describeEntry({ name: 'current', type: 'symlink', linkTarget: 'releases/2' }), 'Link to releases/2');
  });
});

describe('coming back to the window', () => {
  test('focused and active again: from another window, or input in a focused window gone inactive; a focused window turning inactive is the user leaving', () => {
    const away = { focused: false, active: false };
    const idle = { focused: true, active: false };
    const here = { focused: true, active: true };
    assert.equal(cameBack(away, here), true, 'back from another window');
    assert.equal(cameBack(idle, here), true, 'input again in a window that stayed focused');
    assert.equal(cameBack(here, idle), false, 'no input for a minute: leaving');
    assert.equal(cameBack(here, away), false);
    assert.equal(cameBack(here, here), false);
    assert.equal(cameBack(idle, away), false);
    // An older VS Code without `active`: focus alone.
    assert.equal(cameBack({ focused: false }, { focused: true }), true);
    assert.equal(cameBack({ focused: true }, { focused: true }), false);
  });
});

describe('the first tick after coming back to the window', () => {
  test('leaves out the folders VS Code read since (its Explorer reads its expanded folders on focus), keeps the others', () => {
    const listed = new Map([['/css', 900], ['/js', 1_100], ['/', 1_200]]);
    assert.deepEqual(notListedSince(['/', '/css', '/js', '/docs'], listed, 1_000), ['/css', '/docs']);
    assert.deepEqual(notListedSince(['/', '/css'], new Map(), 1_000), ['/', '/css']);
  });
});
