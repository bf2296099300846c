/**
 * PacedProgress (src/ui/paced-progress.ts): a batch's progress reports at most once per interval,
 * each with the newest text and the increments since the last one, none lost.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PacedProgress, ProgressReport } from '../../src/ui/paced-progress';

describe('PacedProgress', () => {
  test('1,000 updates within one interval: the first text and the first bytes sent at once, the rest as one report with their sum and the newest text', () => {
    let now = 1000;
    const sent: ProgressReport[] = [];
    let made = 0;
    const paced = new PacedProgress((v) => sent.push(v), 100, () => now);
    paced.update(() => `${++made} starting`);
    for (let i = 0; i < 1000; i++) paced.update(() => `${++made} text ${i}`, 0.1);
    assert.deepEqual(sent, [{ message: '1 starting' }, { message: '2 text 0', increment: 0.1 }], 'the text, then the first bytes, at once');
    now += 50;
    paced.flush();
    assert.equal(sent.length, 3);
    assert.equal(sent[2].message, '3 text 999', 'the newest text, made once when sent');
    assert.ok(Math.abs(sent[2].increment! - 99.9) < 1e-9, `increments summed: ${sent[2].increment}`);
    assert.equal(made, 3, 'texts are made only when sent');
    paced.flush();
    assert.equal(sent.length, 3, 'nothing new: nothing sent');
  });

  test('updates apart by more than the interval go each at once; one waiting goes by the timer', async () => {
    let now = 0;
    const sent: ProgressReport[] = [];
    const paced = new PacedProgress((v) => sent.push(v), 20, () => now);
    paced.update(() => 'a');
    now = 25;
    paced.update(() => 'b', 5);
    assert.deepEqual(sent, [{ message: 'a' }, { message: 'b', increment: 5 }]);
    now = 30;
    paced.update(() => 'c', 1);
    assert.equal(sent.length, 2);
    now = 60;
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(sent[2], { message: 'c', increment: 1 }, 'sent by the timer');
  });
});
