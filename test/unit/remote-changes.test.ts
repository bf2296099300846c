/**
 * Remote changes and what the Explorer shows of an entry, without VS Code: which listing differences
 * are changes (as the server gives them: a minute-precision time can't tell two saves within a
 * minute apart), which folders a poll lists, when a site is polled at all; the read-only rule, the
 * hover's words, modes typed and shown.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileEntry } from '../../src/ftp';
import { Scope, diffListing, differsFromTold, fileWatched, folderWatched, listingWatched, pollFolders, pollable, signatures } from '../../src/fs/remote-changes';
import { describeEntry, humanSize, localTime, octal, parseOctal, readOnlyByListing, rwx } from '../../src/fs/entry-facts';
import { globToRegExp } from '../../src/search/glob';

const file = (name: string, size: number, at: string, more: Partial<FileEntry> = {}): FileEntry => ({ name, type: 'file', size, modified: new Date(at).getTime(), modifiedPrecision: 'second', ...more });

describe('diffListing: what changed between two listings of a folder', () => {
  const before = signatures([file('a.txt', 1, '2026-12-01T10:00:00Z'), file('b.txt', 2, '2026-12-01T10:00:00Z'), { name: 'd', type: 'directory' }]);
  test('an unchanged listing is no change', () => {
    assert.deepEqual(diffListing(before, signatures([file('a.txt', 1, '2026-12-01T10:00:00Z'), file('b.txt', 2, '2026-12-01T10:00:00Z'), { name: 'd', type: 'directory' }])), { created: [], deleted: [], changed: [] });
  });
  test('new size, new time, new name, a name gone, a file that became a folder', () => {
    const after = signatures([file('a.txt', 5, '2026-12-01T10:00:00Z'), file('b.txt', 2, '2026-12-01T10:00:07Z'), file('c.txt', 1, '2026-12-01T10:00:00Z'), file('d', 0, '2026-12-01T10:00:00Z')]);
    assert.deepEqual(diffListing(before, after), { created: ['c.txt', 'd'], deleted: ['d'], changed: ['a.txt', 'b.txt'] });
  });
  test('a listing with minute precision can\'t tell two saves of one size within a minute apart', () => {
    const m = (at: string) => signatures([file('log.txt', 10, at, { modifiedPrecision: 'minute' })]);
    assert.deepEqual(diffListing(m('2026-12-01T10:01:00Z'), m('2026-12-01T10:01:00Z')).changed, []);
    assert.deepEqual(diffListing(m('2026-12-01T10:01:00Z'), m('2026-12-01T10:02:00Z')).changed, ['log.txt']);
  });
  test('a name we wrote ourselves (null) is taken as listed, without a change', () => {
    const ours = new Map(before);
    ours.set('a.txt', null);
    ours.set('new.txt', null);
    const after = signatures([file('a.txt', 99, '2026-12-01T11:00:00Z'), file('b.txt', 2, '2026-12-01T10:00:00Z'), { name: 'd', type: 'directory' }, file('new.txt', 3, '2026-12-01T11:00:00Z')]);
    assert.deepEqual(diffListing(ours, after), { created: [], deleted: [], changed: [] });
  });
  test('a link whose target changed is a change', () => {
    const l = (target: string) => signatures([{ name: 'current', type: 'symlink', linkTarget: target }]);
    assert.deepEqual(diffListing(l('releases/1'), l('releases/2')).changed, ['current']);
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
