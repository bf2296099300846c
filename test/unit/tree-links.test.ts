/**
 * linksInList (src/ftp/tree.ts): which MLSD names a LIST listing shows as links, where a name with
 * " -> " in it makes a link line read two ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linksInList } from '../../src/ftp/tree';
import type { FileEntry } from '../../src/ftp/listing/entry';

const mlsd = (...names: string[]): FileEntry[] => names.map((name) => ({ name, type: 'directory', facts: { type: 'dir' } }));
const link = (name: string, linkTarget?: string): FileEntry => ({ name, type: 'symlink', linkTarget });

test('a link line is matched with its MLSD name', () => {
  const r = linksInList([link('uploads', '../shared'), { name: 'css', type: 'directory' }], mlsd('uploads', 'css'));
  assert.deepEqual([...r.links], ['uploads']);
  assert.deepEqual([...r.unsure], []);
});

test('"x -> y -> z" beside a folder "x": the line fits both, so both are unsure, neither a link nor entered', () => {
  // The parser splits at the first " -> ": name "x", target "y -> z".
  const r = linksInList([link('x', 'y -> z')], mlsd('x', 'x -> y'));
  assert.deepEqual([...r.links], []);
  assert.deepEqual([...r.unsure].sort(), ['x', 'x -> y']);
});

test('"x -> y -> z" with only the link "x -> y" in MLSD: that name is the link', () => {
  const r = linksInList([link('x', 'y -> z')], mlsd('x -> y'));
  assert.deepEqual([...r.links], ['x -> y']);
});

test('names with a trailing space, and a link line naming nothing in MLSD', () => {
  const r = linksInList([link('sp ', 'target'), link('gone', 'nowhere')], mlsd('sp ', 'sp'));
  assert.deepEqual([...r.links], ['sp ']);
  assert.deepEqual([...r.unsure], []);
});
