/**
 * Our own changes told to VS Code together (provider.ts announce): a burst of operations is a few
 * onDidChangeFile events, not one per change; each change once, at its last place (lastOfEach), so
 * what remains reads in the order it happened. The real provider with the `vscode` stub of
 * test/bench, on the FAKE fault server (no fault: only to be quick; any server would do).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import '../bench/vscode-stub';
import * as vscode from 'vscode';
import { startFaultServer } from '../fakes/fault-server';
import { openSite } from '../bench/site';
import { lastOfEach } from '../../src/fs/provider';

const told = (events: readonly vscode.FileChangeEvent[]) => events.map((e) => `${['', 'changed', 'created', 'deleted'][e.type]} ${e.uri.path}`);

describe('our own changes, told together (the real provider)', () => {
  test('lastOfEach: each change once, at its last place; the order of what remains kept', () => {
    const a = vscode.Uri.parse('ftp://s/a');
    const p = vscode.Uri.parse('ftp://s/');
    const { Created, Changed, Deleted } = vscode.FileChangeType;
    const batch = [[Created, a], [Changed, p], [Changed, a], [Deleted, a], [Changed, p], [Created, a], [Changed, p]] as const;
    assert.deepEqual(told(lastOfEach(batch.map(([type, uri]) => ({ type, uri })))), ['changed /a', 'deleted /a', 'created /a', 'changed /']);
  });

  test('40 files written at once: every one told, in a few events (one a file before), the folder once an event', async () => {
    const srv = await startFaultServer();
    const site = openSite({ host: '127.0.0.1', port: srv.port, user: 'anonymous', password: 'x' });
    const fired: vscode.FileChangeEvent[][] = [];
    const listening = site.provider.onDidChangeFile((e) => fired.push(e));
    try {
      const opts = { create: true, overwrite: true };
      const started = Date.now();
      await Promise.all(Array.from({ length: 40 }, (_, i) => site.provider.writeFile(site.uri(`/f${i}.txt`), Buffer.from(`${i}`), opts)));
      const ms = Date.now() - started;
      for (let i = 0; i < 200 && fired.flat().filter((e) => e.type === vscode.FileChangeType.Created).length < 40; i++) await new Promise((r) => setTimeout(r, 10));
      const all = fired.flatMap(told);
      assert.equal(all.filter((t) => t.startsWith('created /f')).length, 40, 'every file told');
      // One at 50 ms, then one every 250 ms while they keep coming (one a file before: 40).
      assert.ok(fired.length <= ms / 250 + 3, `${fired.length} events for 40 files in ${ms} ms`);
      assert.ok(fired.every((e) => told(e).filter((t) => t === 'changed /').length === 1), 'the folder once an event');
    } finally {
      listening.dispose();
      await site.close();
      await srv.stop();
    }
  });
});
