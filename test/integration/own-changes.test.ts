/**
 * Our own changes told to VS Code together (provider.ts announce): a burst of operations is one
 * onDidChangeFile event, each change in it once at its last place, so what remains reads in the
 * order it happened. The real provider with the `vscode` stub of test/bench, on the FAKE fault
 * server (no fault: only to be quick; any server would do).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFaultServer } from '../fakes/fault-server';
import { openSite } from '../bench/site';

describe("our own changes, told together (the real provider)", () => {
  test('write, delete, write again: one event, each change once at its last place; 40 files: a few events, each file told, the folder once an event', async () => {
    const srv = await startFaultServer();
    const site = openSite({ host: '127.0.0.1', port: srv.port, user: 'anonymous', password: 'x' });
    const fired: vscode.FileChangeEvent[][] = [];
    const listening = site.provider.onDidChangeFile((e) => fired.push(e));
    try {
      const x = site.uri('/x.txt');
      const opts = { create: true, overwrite: true };
      const settle = async () => {
        for (let i = 0; i < 100 && site.provider['ownTimer']; i++) await new Promise((r) => setTimeout(r, 10));
      };
      // Logged in first (its own event), so the three changes below come within one batch.
      await site.provider.writeFile(site.uri('/warm.txt'), Buffer.from('warm'), opts);
      await settle();
      fired.length = 0;
      // Three changes of one file in a moment: one event, the file's creation told once, after its deletion.
      await site.provider.writeFile(x, Buffer.from('one'), opts);
      await site.provider.delete(x, { recursive: false });
      await site.provider.writeFile(x, Buffer.from('two'), opts);
      await settle();
      const told = (events: vscode.FileChangeEvent[]) => events.map((e) => `${['', 'changed', 'created', 'deleted'][e.type]} ${e.uri.path}`);
      assert.deepEqual(fired.map(told), [['deleted /x.txt', 'created /x.txt', 'changed /']]);
      // 40 files one after another: a few events, each telling many files and the folder once.
      fired.length = 0;
      const started = Date.now();
      for (let i = 0; i < 40; i++) await site.provider.writeFile(site.uri(`/f${i}.txt`), Buffer.from(`${i}`), opts);
      const ms = Date.now() - started;
      await settle();
      const all = fired.flatMap(told);
      assert.equal(all.filter((t) => t.startsWith('created /f')).length, 40, 'every file told');
      assert.ok(fired.length <= ms / 50 + 2, `${fired.length} events in ${ms} ms (one a file before)`);
      assert.ok(fired.every((e) => told(e).filter((t) => t === 'changed /').length === 1), 'the folder once an event');
    } finally {
      listening.dispose();
      await site.close();
      await srv.stop();
    }
  });
});
