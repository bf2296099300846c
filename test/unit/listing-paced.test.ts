/**
 * PacedListingFeed: a burst of data events in one event-loop turn (libuv reads a socket up to 32
 * times per turn) is parsed in slices with turns between them, the source is paused while too
 * much text waits, and every line is read exactly once whatever the chunk boundaries.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ListingParser } from '../../src/ftp/listing';
import { PacedListingFeed } from '../../src/ftp/listing/paced';

function lsText(count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += `-rw-r--r--    1 1000     1000     ${String(i).padStart(8)} Nov 22 12:01 file-${String(i).padStart(6, '0')}.txt\r\n`;
  return text;
}

/** Runs a feed over chunks all written in one synchronous burst, as a socket's data events come. */
function burst(text: string, chunkSize: number, sliceMs: number, highWater: number) {
  const parser = new ListingParser('list', { now: new Date('2026-12-01T00:00:00Z') });
  const events: string[] = [];
  let slices = 0;
  return new Promise<{ events: string[]; slices: number; parser: ListingParser; parsedInBurst: number }>((resolve) => {
    const feed = new PacedListingFeed(parser, {
      pause: () => events.push('pause'),
      resume: () => events.push('resume'),
      afterSlice: () => {
        slices++;
        return true;
      },
      done: () => resolve({ events, slices, parser, parsedInBurst }),
    }, sliceMs, highWater);
    for (let at = 0; at < text.length; at += chunkSize) feed.write(text.slice(at, at + chunkSize));
    feed.end();
    const parsedInBurst = parser.entryCount;
  });
}

describe('PacedListingFeed', () => {
  test('a 2 MB burst is not parsed in the turn that delivered it, but in slices with turns between', async () => {
    const text = lsText(25_000); // about 2.3 MB
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const r = await burst(text, 65_536, 2, 1 << 20);
      assert.equal(r.parsedInBurst, 0, 'nothing is parsed inside the data handler');
      const { entries, unparsed } = r.parser.end();
      assert.equal(entries.length, 25_000);
      assert.deepEqual(unparsed, []);
      assert.ok(r.slices > 1, `parsed in ${r.slices} slice(s)`);
      assert.ok(turns > 0, 'timers ran while the listing was parsed');
      assert.deepEqual(r.events, ['pause', 'resume'], 'paused while more than highWater waited, resumed once parsed down');
    } finally {
      clearInterval(ticker);
    }
  });

  test('every line is read once, whatever the chunk boundaries (CR LF split, one-character chunks)', async () => {
    const text = lsText(300);
    for (const size of [1, 2, 7, 80, 81, 4096]) {
      const r = await burst(text, size, 1, 1 << 20);
      const { entries, unparsed } = r.parser.end();
      assert.deepEqual(unparsed, [], `chunks of ${size}`);
      assert.deepEqual(entries.map((e) => e.size), Array.from({ length: 300 }, (_, i) => i), `chunks of ${size}`);
    }
  });

  test('afterSlice false stops the feed: nothing more is parsed and done never comes', async () => {
    const parser = new ListingParser('list');
    let done = false;
    const feed = new PacedListingFeed(parser, { pause() {}, resume() {}, afterSlice: () => parser.entryCount < 10, done: () => (done = true) }, 1, 1 << 20);
    feed.write(lsText(20_000));
    feed.end();
    await new Promise((r) => setTimeout(r, 50));
    const seen = parser.entryCount;
    assert.ok(seen >= 10 && seen < 20_000, `stopped after ${seen} entries`);
    feed.write(lsText(10));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(parser.entryCount, seen, 'a write after the stop is dropped');
    assert.equal(done, false);
  });
});
