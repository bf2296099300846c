/// <reference types="mocha" />
/**
 * Load through the real provider: 200 concurrent VS Code operations (stat, read, write) on one site
 * with maxConnections 2 and 4, against vsftpd whose per-IP limit is that same cap, so one connection
 * too many would be answered 421: 0 errors, never more sessions than the cap (sampled on the
 * server's side), no 421, and every file whole on disk. Prints the figures.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ManagedServer, sampleSessions, startServer } from '../../servers';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');

for (const cap of [2, 4]) {
  suite(`load: 200 concurrent operations at maxConnections ${cap} (vsftpd, max_per_ip ${cap})`, () => {
    const SITE = `load${cap}`;
    let server: ManagedServer;
    const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
    const disk = (p: string) => path.join(server.root, p);

    suiteSetup(async () => {
      server = await startServer('vsftpd', { maxPerIp: cap });
      fs.mkdirSync(disk('load'));
      fs.chownSync(disk('load'), server.owner.uid, server.owner.gid);
      for (let i = 0; i < 20; i++) {
        fs.writeFileSync(disk(`load/f${i}.txt`), `file ${i}\n`.repeat(100));
        fs.chownSync(disk(`load/f${i}.txt`), server.owner.uid, server.owner.gid);
      }
      await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
      const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}), [SITE]: { host: server.host, port: server.port, user: server.user, maxConnections: cap } };
      await config().update('sites', sites, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
    });
    suiteTeardown(async () => {
      await vscode.commands.executeCommand('ftpWorkspace.disconnect', SITE);
      const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}) };
      delete sites[SITE];
      await config().update('sites', Object.keys(sites).length ? sites : undefined, vscode.ConfigurationTarget.Global);
      await server?.stop();
    });

    test('0 errors, never over the cap, no 421, every file whole', async function () {
      this.timeout(180_000);
      const sampler = sampleSessions(server, 5);
      const started = Date.now();
      const ops = Array.from({ length: 200 }, (_, i) => {
        const u = uri(`/load/f${i % 20}.txt`);
        switch (i % 3) {
          case 0: return Promise.resolve(vscode.workspace.fs.stat(u));
          case 1: return Promise.resolve(vscode.workspace.fs.readFile(u));
          default: return Promise.resolve(vscode.workspace.fs.writeFile(u, Buffer.from(`written by op ${i}\n`.repeat(80))));
        }
      });
      const settled = await Promise.allSettled(ops);
      const ms = Date.now() - started;
      const peak = sampler.stop();
      const failed = settled.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      const log = fs.readFileSync(server.logFile!, 'utf8');
      const refusals = (log.match(/too many connections/gi) ?? []).length;
      console.log(`load at cap ${cap}: 200 operations in ${ms} ms, ${failed.length} errors, peak ${peak} sessions, ${refusals} refusals (421) in the server's log`);
      assert.equal(failed.length, 0, failed.slice(0, 3).map((f) => String(f.reason)).join('; '));
      assert.ok(peak <= cap, `peak ${peak} sessions at cap ${cap}`);
      assert.equal(refusals, 0, 'no connection was refused with 421');
      for (let i = 0; i < 20; i++) {
        const text = fs.readFileSync(disk(`load/f${i}.txt`), 'utf8');
        assert.ok(text === `file ${i}\n`.repeat(100) || /^(written by op \d+\n){80}$/.test(text), `f${i}.txt is whole`);
      }
    });
  });
}
