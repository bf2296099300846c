/**
 * rowForFilter (src/ui/typed-filter.ts): the row a filter typed in the Download list stands for,
 * when the row the extension host made active may be one the filter hides (keys typed before a
 * folder's rows came reach the extension host after them).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { holdsFilter, rowForFilter } from '../../src/ui/typed-filter';

const rows = [
  { label: '$(cloud-download) Download this folder' },
  { label: '$(arrow-up) ..' },
  { label: '$(folder) big' },
  { label: '$(folder) css' },
  { label: '$(file) \\$(alert) odd.txt' },
  { label: '$(file) index.html' },
  { label: '$(file) Notes été.txt' },
];
const [, , big, css, odd, index, notes] = rows;

describe('rowForFilter', () => {
  test('the row made active is hidden by the filter typed: the first row that holds it', () => {
    assert.equal(rowForFilter(rows, big, 'ind'), index);
    assert.equal(rowForFilter(rows, big, 'NOT'), notes, 'any case');
    assert.equal(rowForFilter(rows, undefined, 'cs'), css, 'none active');
  });

  test('the active row holds the filter, or there is none: the active row, as the window says', () => {
    assert.equal(rowForFilter(rows, big, ''), big);
    assert.equal(rowForFilter(rows, css, 's'), css, 'kept though an earlier row holds it too');
    assert.equal(rowForFilter(rows, big, 'zzz'), big, 'nothing holds it: as it was (the window may match otherwise)');
    assert.equal(rowForFilter(rows, undefined, 'zzz'), undefined);
  });

  test('icons are not text; an escaped "$(" in a name is', () => {
    assert.equal(holdsFilter(big, 'folder'), false, 'the $(folder) icon');
    assert.equal(holdsFilter(rows[0], 'download'), true, 'the label\'s words');
    assert.equal(rowForFilter(rows, big, '$(alert'), odd);
    assert.equal(rowForFilter(rows, big, 'cloud'), big, 'no row holds "cloud" as text');
  });
});
