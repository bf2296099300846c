/// <reference types="mocha" />
/**
 * Races through the real provider on three real servers: ten saves of one file at once (auto-save,
 * Ctrl+S, a script), ten times over, always leave exactly one of the written versions; two renames
 * onto one name with overwrite off: exactly one wins, the other is told the name exists, nothing lost.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, ServerKind, startServer } from '../../servers';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
const TEMP = /\.ftpws-[0-9a-z]+\.(tmp|bak)$/;

for (const kind of ['vsftpd', 'proftpd', 'pureftpd'] as ServerKind[]) {
  suite(`races (${kind})`, () => {
    const SITE = `race-${kind}`;
    let server: RunningServer;
    const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
    const disk = (p: string) => path.join(server.root, p);

    suiteSetup(async () => {
      server = await startServer(kind);
      await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
      const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}), [SITE]: { host: server.host, port: server.port, user: server.user, maxConnections: 4 } };
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

    test('10 concurrent saves of one file, 10 times: the file is always one of the writes, whole', async function () {
      this.timeout(120_000);
      await vscode.workspace.fs.writeFile(uri('/race.txt'), Buffer.from('seed\n'));
      for (let run = 0; run < 10; run++) {
        // Different sizes, so a mix or a cut would show.
        const writes = Array.from({ length: 10 }, (_, i) => Buffer.from(`run ${run} writer ${i}\n`.repeat(50 + i * 37)));
        const settled = await Promise.allSettled(writes.map((w) => vscode.workspace.fs.writeFile(uri('/race.txt'), w)));
        const failed = settled.filter((r) => r.status === 'rejected');
        assert.equal(failed.length, 0, `failed saves: ${failed.map((f) => String((f as PromiseRejectedResult).reason)).join('; ')}`);
        const onDisk = fs.readFileSync(disk('race.txt'));
        assert.ok(writes.some((w) => w.equals(onDisk)), `run ${run}: the file (${onDisk.length} B) is none of the writes`);
      }
      assert.deepEqual(fs.readdirSync(server.root).filter((n) => TEMP.test(n)), [], 'no temporary file left');
    });

    test('two renames onto one name without overwrite: one wins, the other gets FileExists, nothing is lost', async () => {
      for (let run = 0; run < 10; run++) {
        await vscode.workspace.fs.writeFile(uri(`/a${run}.txt`), Buffer.from(`a ${run}`));
        await vscode.workspace.fs.writeFile(uri(`/b${run}.txt`), Buffer.from(`b ${run}`));
        const results = await Promise.allSettled([
          vscode.workspace.fs.rename(uri(`/a${run}.txt`), uri(`/t${run}.txt`), { overwrite: false }),
          vscode.workspace.fs.rename(uri(`/b${run}.txt`), uri(`/t${run}.txt`), { overwrite: false }),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled').length;
        assert.equal(won, 1, `run ${run}: ${won} renames succeeded`);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        assert.ok(lost.reason instanceof vscode.FileSystemError && lost.reason.code === 'FileExists', String(lost.reason));
        const t = fs.readFileSync(disk(`t${run}.txt`), 'utf8');
        const loser = t === `a ${run}` ? `b${run}.txt` : `a${run}.txt`;
        assert.ok(t === `a ${run}` || t === `b ${run}`);
        assert.equal(fs.readFileSync(disk(loser), 'utf8'), loser.startsWith('a') ? `a ${run}` : `b ${run}`, 'the other file is still there, whole');
      }
    });
  });
}
