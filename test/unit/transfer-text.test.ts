/**
 * What Upload and Download say while a file moves (src/ui/transfer-text.ts): the name once, "n of m"
 * in a batch, bytes and a percentage for one big file, in VS Code's units.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { progressText } from '../../src/ui/transfer-text';

describe('progressText: the line under a transfer notification\'s title', () => {
  const big = { name: 'big60.bin', size: 60_000_000 };
  test('one big file whose name is in the title: bytes and percent only, rounded down', () => {
    assert.equal(progressText(big, 0, 1, 0, true), '0 B of 57.2 MB (0%)');
    assert.equal(progressText(big, 0, 1, 12_900_000, true), '12.3 MB of 57.2 MB (21%)');
    assert.equal(progressText(big, 0, 1, 59_999_999, true), '57.2 MB of 57.2 MB (99%)');
    assert.equal(progressText(big, 0, 1, 60_000_000, true), '57.2 MB of 57.2 MB (100%)');
    assert.equal(progressText(big, 0, 1, 61_000_000, true), '58.2 MB of 57.2 MB (100%)', 'a file that grew since it was listed');
  });
  test('one file under a title that does not name it (a folder upload): its name, then the bytes', () => {
    assert.equal(progressText(big, 0, 1, 12_900_000, false), 'big60.bin, 12.3 MB of 57.2 MB (21%)');
    assert.equal(progressText({ name: 'notes.txt', size: 900 }, 0, 1, 900, false), 'notes.txt', 'a small file: no figures');
    assert.equal(progressText({ name: 'notes.txt', size: 900 }, 0, 1, 900, true), '');
  });
  test('a batch: which file of how many, never one file\'s figures (several are in flight)', () => {
    assert.equal(progressText(big, 2, 12, 12_900_000, false), '3 of 12: big60.bin');
  });
  test('a batch\'s file in a folder: the name first, then its folder (a long line is cut at its end)', () => {
    assert.equal(progressText({ ...big, folder: 'site/img' }, 2, 12, 0, false), '3 of 12: big60.bin in site/img');
  });
});
