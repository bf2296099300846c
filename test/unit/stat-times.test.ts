/**
 * One modification time per unchanged file, whatever answered the stat (src/fs/stat-times.ts): a
 * listing's minute or day and MDTM's second never look like a change to VS Code's conflict check.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ToldTimes, sameState, steadyTime } from '../../src/fs/stat-times';

const minute = (iso: string) => ({ size: 10, mtime: Date.parse(iso), precision: 'minute' as const });
const second = (iso: string, size = 10) => ({ size, mtime: Date.parse(iso), precision: 'second' as const });
const day = (iso: string) => ({ size: 10, mtime: Date.parse(iso), precision: 'day' as const });

describe('stat times: the same file keeps the time told first', () => {
  test('a listing minute and an MDTM second inside it are the same state, either way round', () => {
    assert.equal(sameState(minute('2026-12-01T12:01:00Z'), second('2026-12-01T12:01:37Z')), true);
    assert.equal(sameState(second('2026-12-01T12:01:37Z'), minute('2026-12-01T12:01:00Z')), true);
    assert.equal(sameState(second('2026-12-01T12:01:00Z'), minute('2026-12-01T12:01:00Z')), true);
  });

  test('a time outside the minute, or another size, is a change', () => {
    assert.equal(sameState(minute('2026-12-01T12:01:00Z'), second('2026-12-01T12:02:00Z')), false);
    assert.equal(sameState(minute('2026-12-01T12:01:00Z'), second('2026-12-01T12:00:59Z')), false);
    assert.equal(sameState(minute('2026-12-01T12:01:00Z'), second('2026-12-01T12:01:30Z', 11)), false);
  });

  test('two second-precise times must be the same second; unknown times never match', () => {
    assert.equal(sameState(second('2026-12-01T12:01:30Z'), second('2026-12-01T12:01:31Z')), false);
    assert.equal(sameState(second('2026-12-01T12:01:30.200Z'), second('2026-12-01T12:01:30.900Z')), true);
    assert.equal(sameState({ size: 10, mtime: 0, precision: 'second' }, { size: 10, mtime: 0, precision: 'second' }), false);
  });

  test('a day-precise listing (an old file) matches any time that day, in the zone the listing was read in', () => {
    const local = day('2025-01-04T22:00:00Z'); // midnight of Jan 5 at UTC+2, as the parser gives it
    assert.equal(sameState(local, second('2025-01-05T14:33:12Z')), true);
    assert.equal(sameState(local, second('2025-01-05T22:00:00Z')), false);
  });

  test('steadyTime: the told time while the file is the same, the new one after a change, never earlier than told', () => {
    const told = minute('2026-12-01T12:01:00Z');
    assert.equal(steadyTime(second('2026-12-01T12:01:37Z'), told, told), told);
    const changed = second('2026-12-01T12:03:05Z');
    assert.equal(steadyTime(changed, told, told), changed);
    assert.equal(steadyTime(changed, undefined, undefined), changed);
    // A change answered with an earlier time (a listing's minute after MDTM's second) moves forward.
    const fine = second('2026-12-01T12:01:37Z');
    const coarseChanged = { ...minute('2026-12-01T12:01:00Z'), size: 12 };
    assert.equal(steadyTime(coarseChanged, fine, fine).mtime, fine.mtime + 1);
    assert.equal(steadyTime(coarseChanged, fine, fine).size, 12);
  });

  test('ToldTimes: a real change is always told with a later time (VS Code sees nothing else as a change)', () => {
    // Alice opens by MDTM at 12:01:05; Bob saves another size at 12:01:40; a listing (to the minute) reports it first.
    const t = new ToldTimes();
    const opened = t.tell('f', second('2026-12-01T12:01:05Z', 100));
    const changed = t.tell('f', { ...minute('2026-12-01T12:01:00Z'), size: 120 });
    assert.ok(changed.mtime > opened.mtime, 'told later than what the editor holds');
    // MDTM of the same new state afterwards: no second change.
    assert.equal(t.tell('f', second('2026-12-01T12:01:40Z', 120)).mtime, changed.mtime);
    // A server whose listing is in local time (UTC+2) and MDTM in UTC: switching sources never goes back.
    const z = new ToldTimes();
    const saved = z.tell('g', { ...minute('2026-12-01T14:01:00Z'), size: 50 }); // the save's STAT line, local time
    const other = z.tell('g', second('2026-12-01T12:05:00Z', 60)); // someone else's edit, MDTM in UTC
    assert.ok(other.mtime > saved.mtime, 'a change two hours "earlier" is still told as later');
  });

  test('ToldTimes: open from a listing, save-time stat by MDTM, never later than what was told', () => {
    const t = new ToldTimes();
    const first = t.tell('ftp://s/a.txt', minute('2026-12-01T12:01:00Z'));
    const again = t.tell('ftp://s/a.txt', second('2026-12-01T12:01:37Z'));
    assert.equal(again.mtime, first.mtime);
    const after = t.tell('ftp://s/a.txt', second('2026-12-01T12:05:00Z', 12));
    assert.equal(after.mtime, Date.parse('2026-12-01T12:05:00Z'));
    // Other files keep their own.
    assert.equal(t.tell('ftp://s/b.txt', second('2026-12-01T12:01:37Z')).mtime, Date.parse('2026-12-01T12:01:37Z'));
  });

  test('ToldTimes is bounded: the oldest file is forgotten first', () => {
    const t = new ToldTimes(2);
    t.tell('a', minute('2026-12-01T12:01:00Z'));
    t.tell('b', minute('2026-12-01T12:01:00Z'));
    t.tell('c', minute('2026-12-01T12:01:00Z'));
    assert.equal(t.tell('a', second('2026-12-01T12:01:37Z')).mtime, Date.parse('2026-12-01T12:01:37Z'));
    assert.equal(t.tell('c', second('2026-12-01T12:01:37Z')).mtime, Date.parse('2026-12-01T12:01:00Z'));
  });
});
