/** The pause between attempts (src/ftp/wait.ts): over after its time, or at once on a cancel. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../../src/ftp/wait';
import { isFtpError } from '../../src/ftp/errors';

describe('sleep', () => {
  test('resolves after its time when nothing cancels it', async () => {
    const cancel = new AbortController();
    const start = Date.now();
    await sleep(30, cancel.signal);
    assert.ok(Date.now() - start >= 25, 'it waited');
  });

  test('a cancel during the wait rejects at once with an aborted error in the given words, and leaves no timer', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const cancel = new AbortController();
    let settled = false;
    const waiting = sleep(60_000, cancel.signal, 'The transfer was cancelled.').finally(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false);
    cancel.abort();
    await assert.rejects(waiting, (e) => isFtpError(e, 'aborted') && e.message === 'The transfer was cancelled.');
    assert.equal(timers(), before, 'its timer is cleared');
  });

  test('a signal aborted before rejects without waiting', async () => {
    const cancel = new AbortController();
    cancel.abort();
    await assert.rejects(sleep(60_000, cancel.signal), (e) => isFtpError(e, 'aborted') && e.message === 'Cancelled.');
  });
});
