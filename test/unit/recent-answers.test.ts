/** What the server said of a path a moment ago (src/fs/recent-answers.ts): kept briefly, forgotten on any change of ours. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOUNCED_MS, ANSWER_MS, RecentAnswers } from '../../src/fs/recent-answers';

describe('recent answers', () => {
  test('an answer holds for ANSWER_MS, for its own kind only', () => {
    let clock = 1_000_000;
    const r = new RecentAnswers(() => clock);
    r.note('ftp://s/new.txt', 'missing', r.generation);
    r.note('ftp://s/dir', 'folder', r.generation);
    assert.equal(r.is('ftp://s/new.txt', 'missing'), true);
    assert.equal(r.is('ftp://s/new.txt', 'folder'), false);
    assert.equal(r.is('ftp://s/dir', 'folder'), true);
    assert.equal(r.is('ftp://s/other.txt', 'missing'), false);
    clock += ANSWER_MS - 1;
    assert.equal(r.is('ftp://s/new.txt', 'missing'), true);
    clock += 1;
    assert.equal(r.is('ftp://s/new.txt', 'missing'), false, 'no longer than ANSWER_MS');
    assert.equal(r.is('ftp://s/dir', 'folder'), false);
  });

  test('the default clock is monotonic: a wall clock set back does not keep an answer', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 10_000_000 });
    const r = new RecentAnswers();
    r.note('k', 'missing', r.generation);
    t.mock.timers.setTime(0); // the wall clock stepped back hours
    await new Promise((r) => setTimeout(r, ANSWER_MS + 50)); // a second passes (timers are not mocked)
    assert.equal(r.is('k', 'missing'), false);
  });

  test("a listing that announced changes answers once (take), for ANNOUNCED_MS", () => {
    let clock = 1_000_000;
    const r = new RecentAnswers(() => clock);
    r.note('listing ftp://s/dir', 'announced', r.generation);
    clock += ANSWER_MS; // longer than other answers last
    assert.equal(r.take('listing ftp://s/dir', 'missing'), false, 'its own kind only');
    assert.equal(r.take('listing ftp://s/dir', 'announced'), true);
    assert.equal(r.take('listing ftp://s/dir', 'announced'), false, 'used up');
    r.note('listing ftp://s/dir', 'announced', r.generation);
    clock += ANNOUNCED_MS;
    assert.equal(r.take('listing ftp://s/dir', 'announced'), false, 'no longer than ANNOUNCED_MS');
  });

  test('a change of ours forgets every answer', () => {
    const r = new RecentAnswers();
    r.note('ftp://s/new.txt', 'missing', r.generation);
    r.note('ftp://t/other.txt', 'missing', r.generation);
    r.clear();
    assert.equal(r.is('ftp://s/new.txt', 'missing'), false);
    assert.equal(r.is('ftp://t/other.txt', 'missing'), false);
  });

  test('an answer asked for before a change of ours and arriving after it is not kept', () => {
    const r = new RecentAnswers();
    const asked = r.generation;
    r.clear(); // e.g. our save of that very path finished while the stat was on its way
    r.note('ftp://s/new.txt', 'missing', asked);
    assert.equal(r.is('ftp://s/new.txt', 'missing'), false);
    r.note('ftp://s/new.txt', 'missing', r.generation);
    assert.equal(r.is('ftp://s/new.txt', 'missing'), true);
  });

  test('a later answer replaces an earlier one; the number kept is bounded', () => {
    const r = new RecentAnswers();
    r.note('k', 'missing', r.generation);
    r.note('k', 'folder', r.generation);
    assert.equal(r.is('k', 'missing'), false);
    assert.equal(r.is('k', 'folder'), true);
    for (let i = 0; i < 1_000; i++) r.note(`p${i}`, 'missing', r.generation);
    assert.equal(r.is('p0', 'missing'), false, 'the oldest went');
    assert.equal(r.is('p999', 'missing'), true);
  });
});
