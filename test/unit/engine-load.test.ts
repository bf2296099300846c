/**
 * The engine loaded when first needed (src/fs/engine.ts): once, the same promise for every caller;
 * a failed load said in words that name the cause and what to do, and not kept (the next call
 * tries again).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineLoadError, loadEngine, loadOnce } from '../../src/fs/engine';

test('a load is made once and its promise shared; a failed one is told as the engine not loading, and the next call tries again', async () => {
  let calls = 0;
  const load = loadOnce(async () => {
    calls++;
    if (calls === 1) throw Object.assign(new Error("ENOENT: no such file or directory, open '/ext/dist/engine.js'"), { code: 'ENOENT' });
    return { made: calls };
  });
  const first = load();
  assert.equal(load(), first, 'callers during the load share it');
  const e = await first.then(() => undefined, (err: unknown) => err);
  assert.ok(isEngineLoadError(e), `an EngineLoadError, not ${String(e)}`);
  assert.match((e as Error).message, /could not load its FTP engine \(ENOENT: no such file or directory, open '\/ext\/dist\/engine\.js'\)\. Reload the window/);
  // No errno code of its own: fs/errors.ts must not read it as the user's local file missing.
  assert.equal((e as NodeJS.ErrnoException).code, undefined);
  const second = load();
  assert.notEqual(second, first, 'the failure is not kept');
  assert.deepEqual(await second, { made: 2 });
  assert.equal(load(), second, 'a load that worked is kept');
  assert.equal(calls, 2);
});

test('the engine itself loads: the pool, the client, the safe save and the tree walk', async () => {
  const engine = await loadEngine();
  for (const name of ['FtpPool', 'FtpClient', 'safeSave', 'tempName', 'planTree', 'removeTree'] as const) assert.equal(typeof engine[name], 'function', name);
  assert.equal(await loadEngine(), engine);
});
