/**
 * The search's tree walk, shared listings and downloads against fakes: breadth first and parallel
 * up to the pool's connections, links never followed, loops and caps, a folder the server won't
 * list passed over, Cancel; listings kept, joined, stopped by their last user, dropped on change;
 * downloads that skip binaries and large files (aborting them), count what they skip, and stop on
 * Cancel, a lost site or the result cap.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileEntry, FtpError } from '../../src/ftp';
import { Lister, WalkedFile, walkTree } from '../../src/search/walk';
import { TreeCache } from '../../src/search/tree-cache';
import { Fetcher, FileSearch } from '../../src/search/searcher';
import { compileQuery } from '../../src/search/matcher';

type Tree = { [name: string]: Tree | string | { link: string } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake server: folders are objects, files strings, links `{ link }`; LIST of a link-as-folder shows the target's entries. */
function fakeLister(tree: Tree, opts: { delayMs?: number; refuse?: string[]; linksAsFolders?: boolean } = {}) {
  const stats = { calls: 0, running: 0, maxRunning: 0, order: [] as string[] };
  const resolve = (path: string): Tree | undefined => {
    let node: Tree | string | { link: string } = tree;
    for (const part of path.split('/').filter(Boolean)) {
      if (typeof node !== 'object' || 'link' in node) return undefined;
      node = (node as Tree)[part];
      if (node && typeof node === 'object' && 'link' in node) node = resolve((node as { link: string }).link) ?? node;
    }
    return typeof node === 'object' && !('link' in node) ? node : undefined;
  };
  const list: Lister = async (path, signal) => {
    stats.calls++;
    stats.order.push(path);
    stats.running++;
    stats.maxRunning = Math.max(stats.maxRunning, stats.running);
    try {
      await sleep(opts.delayMs ?? 1);
      if (signal.aborted) throw new FtpError('aborted', 'Cancelled.');
      if (opts.refuse?.includes(path)) throw new FtpError('permission', `550 ${path}: Permission denied`);
      const node = resolve(path);
      if (!node) throw new FtpError('notFound', `550 ${path}: No such file`);
      return Object.entries(node).map(([name, v]): FileEntry => {
        if (typeof v === 'string') return { name, type: 'file', size: v.length };
        if ('link' in v) return { name, type: opts.linksAsFolders ? 'directory' : 'symlink' };
        return { name, type: 'directory' };
      });
    } finally {
      stats.running--;
    }
  };
  return { list, stats };
}

function bigTree(folders: number, filesEach: number): Tree {
  const t: Tree = {};
  for (let d = 0; d < folders; d++) {
    const f: Tree = {};
    for (let i = 0; i < filesEach; i++) f[`f${i}.txt`] = `file ${d}/${i}`;
    t[`d${d}`] = f;
  }
  return t;
}

async function walk(tree: Tree, o: { maxDepth?: number; maxEntries?: number; concurrency?: number; linksAsFolders?: boolean; refuse?: string[] } = {}) {
  const fake = fakeLister(tree, o);
  const files: WalkedFile[] = [];
  const stats = await walkTree('/', fake.list, { maxDepth: o.maxDepth ?? 20, maxEntries: o.maxEntries ?? 50_000, concurrency: o.concurrency ?? 2, signal: new AbortController().signal, onFiles: (f) => files.push(...f) });
  return { files, stats, fake };
}

describe('the tree walk', () => {
  test('lists every file, breadth first, as many folders at a time as connections', async () => {
    const { files, stats, fake } = await walk(bigTree(20, 5), { concurrency: 3 });
    assert.equal(files.length, 100);
    assert.equal(stats.folders, 21);
    assert.equal(fake.stats.maxRunning, 3);
    assert.equal(fake.stats.order[0], '/');
    assert.deepEqual(files[0], { path: '/d0/f0.txt', rel: 'd0/f0.txt', name: 'f0.txt', size: 8 });
  });
  test('never follows a link (listed as a link), and counts it', async () => {
    const tree: Tree = { a: { 'x.txt': 'x', up: { link: '/' }, out: { link: '/b' } }, b: { 'y.txt': 'y' } };
    const { files, stats } = await walk(tree);
    assert.deepEqual(files.map((f) => f.rel).sort(), ['a/x.txt', 'b/y.txt']);
    assert.equal(stats.links, 2);
  });
  test('a link the server shows as a folder that loops back is caught by its repeated listing', async () => {
    const tree: Tree = { a: { 'x.txt': 'x', loop: { link: '/a' } } };
    const { files, stats } = await walk(tree, { linksAsFolders: true });
    assert.deepEqual(files.map((f) => f.rel), ['a/x.txt']);
    assert.equal(stats.loops, 1);
  });
  test('depth cap: deeper folders are counted, not listed', async () => {
    const tree: Tree = { l1: { l2: { l3: { 'deep.txt': 'd' } }, 'one.txt': '1' } };
    const { files, stats } = await walk(tree, { maxDepth: 2 });
    assert.deepEqual(files.map((f) => f.rel), ['l1/one.txt']);
    assert.equal(stats.tooDeep, 1);
  });
  test('entry cap: no more entries than the cap, and it says so', async () => {
    const { files, stats, fake } = await walk(bigTree(50, 10), { maxEntries: 100, concurrency: 1 });
    assert.ok(files.length + stats.folders - 1 <= 100);
    assert.ok(stats.entries <= 100);
    assert.equal(stats.capped, true);
    assert.ok(fake.stats.calls < 20, `stopped listing early (${fake.stats.calls} listings)`);
  });
  test('a folder the server won\'t list is passed over and named', async () => {
    const { files, stats } = await walk({ a: { 'x.txt': 'x' }, secret: { 'y.txt': 'y' } }, { refuse: ['/secret'] });
    assert.deepEqual(files.map((f) => f.rel), ['a/x.txt']);
    assert.equal(stats.unlistable[0].path, '/secret');
  });
  test('Cancel rejects at once', async () => {
    const fake = fakeLister(bigTree(100, 2), { delayMs: 20 });
    const c = new AbortController();
    const p = walkTree('/', fake.list, { maxDepth: 20, maxEntries: 50_000, concurrency: 2, signal: c.signal, onFiles: () => undefined });
    setTimeout(() => c.abort(), 30);
    await assert.rejects(p, (e: FtpError) => e.kind === 'aborted');
    const calls = fake.stats.calls;
    await sleep(60);
    assert.equal(fake.stats.calls, calls, 'no folder listed after Cancel');
  });
  test('a lost connection ends the walk with its error', async () => {
    const list: Lister = async (p) => {
      if (p !== '/') throw new FtpError('connectionLost', 'gone');
      return [{ name: 'a', type: 'directory' }];
    };
    await assert.rejects(walkTree('/', list, { maxDepth: 20, maxEntries: 10, concurrency: 2, signal: new AbortController().signal, onFiles: () => undefined }), /gone/);
  });
});

describe('kept listings', () => {
  const owner = {};
  const walker = (fake: ReturnType<typeof fakeLister>) => (signal: AbortSignal, onFiles: (f: WalkedFile[]) => void, stats: Parameters<typeof walkTree>[2]['stats']) =>
    walkTree('/', fake.list, { maxDepth: 20, maxEntries: 50_000, concurrency: 2, signal, onFiles, stats });

  test('a complete listing is reused until it is old, or the site changed, or its pool is another', async () => {
    let now = 0;
    const cache = new TreeCache(60_000, () => now);
    const fake = fakeLister(bigTree(3, 3));
    const first = cache.get('s', 'k', owner, walker(fake));
    const releasefirst = first.use();
    await first.done;
    releasefirst();
    assert.equal(first.state, 'done');
    assert.equal(cache.get('s', 'k', owner, walker(fake)), first);
    assert.equal(cache.fresh('k', owner), true);
    assert.equal(cache.fresh('k', {}), false, 'not for another pool');
    assert.equal(cache.fresh('other', owner), false);
    assert.notEqual(cache.get('s', 'k', {}, walker(fake)), first, 'a new pool lists again');
    const second = cache.get('s', 'k', owner, walker(fake));
    const releasesecond = second.use();
    await second.done;
    releasesecond();
    now = 61_000;
    assert.equal(cache.fresh('k', owner), false, 'not once old');
    const third = cache.get('s', 'k', owner, walker(fake));
    assert.notEqual(third, second, 'an old one is listed again');
    const releasethird = third.use();
    await third.done;
    releasethird();
    cache.dropSite('s');
    assert.notEqual(cache.get('s', 'k', owner, walker(fake)), third, 'a change drops it');
  });
  test('a listing in progress is joined; it stops when its last user lets go, and is not kept', async () => {
    const cache = new TreeCache();
    const fake = fakeLister(bigTree(50, 2), { delayMs: 10 });
    const a = cache.get('s', 'k', owner, walker(fake));
    const releaseA = a.use();
    const b = cache.get('s', 'k', owner, walker(fake));
    assert.equal(b, a);
    const seen: WalkedFile[] = [];
    const releaseB = b.use((f) => seen.push(...f));
    await sleep(30);
    releaseA();
    assert.equal(a.state, 'listing', 'still listing for the other user');
    releaseB();
    await a.done;
    assert.equal(a.state, 'cancelled');
    assert.notEqual(cache.get('s', 'k', owner, walker(fake)), a);
  });
});

describe('downloading and searching', () => {
  const file = (rel: string, size?: number): WalkedFile => ({ path: `/${rel}`, rel, name: rel.split('/').pop()!, size });
  function fakeFetch(contents: Record<string, Buffer | string | Error>, delayMs = 1) {
    const log = { started: [] as string[], aborted: [] as string[], running: 0, max: 0 };
    const fetch: Fetcher = async (f, signal, begin) => {
      log.started.push(f.rel);
      log.running++;
      log.max = Math.max(log.max, log.running);
      try {
        const c = contents[f.rel];
        if (c instanceof Error) throw c;
        const bytes = Buffer.isBuffer(c) ? c : Buffer.from(c);
        const onData = begin();
        for (let i = 0; i < bytes.length; i += 4096) {
          await sleep(delayMs);
          if (signal.aborted) {
            log.aborted.push(f.rel);
            throw new FtpError('aborted', 'Cancelled.');
          }
          onData(bytes.subarray(i, i + 4096));
        }
      } finally {
        log.running--;
      }
    };
    return { fetch, log };
  }
  const options = (fetch: Fetcher, o: Partial<ConstructorParameters<typeof FileSearch>[0]> = {}) => {
    const hits: Array<[string, number[]]> = [];
    const search = new FileSearch({ re: compileQuery({ pattern: 'needle' }), filter: () => true, maxFileSize: 100_000, concurrency: 2, maxResults: 1000, fetch, onHits: (f, m) => hits.push([f.rel, m.map((x) => x.line)]), ...o });
    return { search, hits };
  };

  test('finds matches, skips binaries (by extension without downloading, by NUL after), large and unreadable files, counting each', async () => {
    const big = 'a'.repeat(200_000);
    const contents = { 'a.txt': 'x\nneedle', 'b.php': 'nothing', 'pic.png': 'needle', 'blob.x': Buffer.concat([Buffer.from('needle'), Buffer.alloc(70_000)]), 'big.txt': big, 'unsized.txt': big, 'gone.txt': new FtpError('notFound', '550 gone'), 'empty.txt': '' };
    const { fetch, log } = fakeFetch(contents);
    const { search, hits } = options(fetch, { filter: (rel) => rel !== 'b.php' });
    search.add([file('a.txt', 8), file('b.php', 7), file('pic.png', 6), file('blob.x', 70_006), file('big.txt', 200_000), file('unsized.txt'), file('gone.txt', 3), file('empty.txt', 0)]);
    search.close();
    assert.deepEqual(await search.finished, { state: 'done' });
    assert.deepEqual(hits, [['a.txt', [1]]]);
    const c = search.counts;
    assert.deepEqual({ searched: c.searched, binary: c.binary, tooLarge: c.tooLarge, unreadable: c.unreadable.length, filtered: c.filtered, results: c.results }, { searched: 2, binary: 2, tooLarge: 2, unreadable: 1, filtered: 1, results: 1 });
    assert.ok(!log.started.includes('pic.png') && !log.started.includes('big.txt') && !log.started.includes('empty.txt'), 'never downloaded');
    assert.deepEqual(log.aborted.sort(), ['blob.x', 'unsized.txt'], 'a binary and a file past the cap are aborted');
  });
  test('downloads as many at a time as connections, and Cancel aborts those in flight and starts no more', async () => {
    const contents: Record<string, string> = {};
    const files: WalkedFile[] = [];
    for (let i = 0; i < 50; i++) {
      contents[`f${i}.txt`] = 'needle '.repeat(3000);
      files.push(file(`f${i}.txt`, 21_000));
    }
    const { fetch, log } = fakeFetch(contents, 5);
    const { search } = options(fetch, { concurrency: 3, maxResults: 1e9 });
    search.add(files);
    search.close();
    await sleep(40);
    search.stop({ state: 'cancelled' });
    assert.deepEqual(await search.finished, { state: 'cancelled' });
    assert.equal(log.max, 3);
    const started = log.started.length;
    assert.ok(started < 50 && log.aborted.length > 0, `${started} started, ${log.aborted.length} aborted`);
    await sleep(50);
    assert.equal(log.started.length, started, 'nothing started after Cancel');
  });
  test('a lost site ends the search as failed; the result cap as stopped', async () => {
    const { fetch } = fakeFetch({ 'a.txt': new FtpError('connectionLost', 'gone'), 'b.txt': 'needle' });
    const lost = options(fetch, { concurrency: 1 });
    lost.search.add([file('a.txt', 1), file('b.txt', 6)]);
    lost.search.close();
    assert.equal((await lost.search.finished).state, 'failed');
    const many = fakeFetch({ 'a.txt': 'needle needle', 'b.txt': 'needle' });
    const capped = options(many.fetch, { concurrency: 1, maxResults: 2 });
    capped.search.add([file('a.txt', 13), file('b.txt', 6)]);
    capped.search.close();
    assert.equal((await capped.search.finished).state, 'stopped');
    assert.deepEqual(many.log.started, ['a.txt']);
  });
  test('a download run again after a dropped connection starts from empty', async () => {
    let attempt = 0;
    const fetch: Fetcher = async (_f, _s, begin) => {
      const onData = begin();
      onData(Buffer.from(attempt++ === 0 ? 'needle needle ' : 'needle'));
      if (attempt === 1) {
        const again = begin();
        again(Buffer.from('needle'));
      }
    };
    const { search } = options(fetch);
    search.add([file('a.txt', 6)]);
    search.close();
    await search.finished;
    assert.equal(search.counts.results, 1);
  });
});
