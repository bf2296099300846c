/// <reference types="mocha" />
/**
 * Every fault kind of test/fakes/fault-cases.ts through the real provider, as VS Code calls it: a
 * read opens the file in an editor, a save edits the editor and saves it, a listing reads the folder.
 * For each: the file on the FAKE server's disk is the old or the new version, whole; an editor shows
 * the file whole or an error, never a part or a double; a failed save leaves the editor dirty with
 * the edit; no temporary file is left; nothing hangs past the site's timeouts; nothing is rejected
 * unhandled. Prints the matrix.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startFaultServer } from '../../fakes/fault-server';
import { FAULT_CASES, NEW, OLD } from '../../fakes/fault-cases';
import { testCertificate } from '../../servers/common';
import { answering } from '../host-helpers';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
const TEMP = /^\..*\.ftpws-[0-9a-z]+\.(tmp|bak)$/;

suite('faults through the provider, every kind (FAKE fault server)', () => {
  const rows: string[] = [];
  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  suiteSetup(() => process.on('unhandledRejection', onUnhandled));
  suiteTeardown(() => {
    process.off('unhandledRejection', onUnhandled);
    console.log(['', '| fault | operation | outcome in VS Code | server disk | ms |', '| --- | --- | --- | --- | --- |', ...rows].join('\n'));
  });

  FAULT_CASES.forEach((c, i) => {
    test(`${c.fault} (${c.op})`, async function () {
      this.timeout(60_000);
      const cert = c.tls ? testCertificate() : undefined;
      const srv = await startFaultServer({ ...c.script(), ...(cert ? { tls: { key: fs.readFileSync(cert.keyFile), cert: cert.pem } } : {}) });
      fs.writeFileSync(path.join(srv.root, 'page.txt'), OLD);
      fs.mkdirSync(path.join(srv.root, 'dir'));
      for (let k = 0; k < 200; k++) fs.writeFileSync(path.join(srv.root, 'dir', `file-${k}.txt`), 'abc');
      const site = `fk${i}`;
      const uri = (p: string) => vscode.Uri.parse(`${c.tls ? 'ftps' : 'ftp'}://${site}${p}`);
      await config().update('sites', { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}), [site]: { host: '127.0.0.1', port: srv.port, timeoutSeconds: 1.5, dataConnectTimeoutSeconds: 1, ...(c.tls ? { secure: 'explicit' } : {}) } }, vscode.ConfigurationTarget.Global);
      const started = Date.now();
      let outcome = 'ok';
      try {
        // The fake's self-signed certificate is trusted when asked; errors are answered by closing them.
        await answering('showWarningMessage', (_m, _o, trust) => trust, () => answering('showErrorMessage', () => undefined, async () => {
          if (c.op === 'read') {
            try {
              const doc = await vscode.workspace.openTextDocument(uri('/page.txt'));
              assert.equal(doc.getText(), OLD.toString(), 'the editor shows the file whole, once');
            } catch (e) {
              outcome = `error: ${(e as Error).message}`;
            }
          } else if (c.op === 'list') {
            try {
              const entries = await vscode.workspace.fs.readDirectory(uri('/dir'));
              assert.equal(entries.length, 200, 'a listing is whole or an error');
            } catch (e) {
              outcome = `error: ${(e as Error).message}`;
            }
          } else {
            await vscode.workspace.fs.readDirectory(uri('/')); // as the Explorer does
            const doc = await vscode.workspace.openTextDocument(uri('/page.txt'));
            await vscode.window.showTextDocument(doc);
            const edit = new vscode.WorkspaceEdit();
            edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), NEW.toString());
            assert.ok(await vscode.workspace.applyEdit(edit));
            const saved = await doc.save();
            if (!saved) {
              outcome = 'error (save refused)';
              assert.equal(doc.isDirty, true, 'a failed save leaves the editor dirty');
              assert.equal(doc.getText(), NEW.toString(), 'with the edit in it');
            }
            await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
          }
        }));
        const ms = Date.now() - started;
        const expect = c.providerExpect ?? c.expect;
        assert.ok(expect === 'either' || (expect === 'ok') === (outcome === 'ok'), `expected ${expect}, got ${outcome}`);
        // Another operation gives the site the chance to delete what an interrupted save left.
        await Promise.resolve(vscode.workspace.fs.readDirectory(uri('/dir'))).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
        let disk: string;
        if (!fs.existsSync(path.join(srv.root, 'page.txt'))) {
          const names = fs.readdirSync(srv.root).filter((n) => TEMP.test(n));
          assert.ok(names.some((n) => fs.readFileSync(path.join(srv.root, n)).equals(OLD)), 'the previous version is in a backup');
          disk = 'old in a named backup';
        } else {
          const onDisk = fs.readFileSync(path.join(srv.root, 'page.txt'));
          disk = onDisk.equals(OLD) ? 'old' : onDisk.equals(NEW) ? 'new' : `CORRUPT (${onDisk.length} B)`;
          assert.ok(disk === 'old' || disk === 'new', `page.txt on the server is ${disk}`);
          if (c.op === 'save' && outcome === 'ok') assert.equal(disk, 'new');
          if (!c.fault.startsWith('DELE')) assert.deepEqual(fs.readdirSync(srv.root).filter((n) => TEMP.test(n)), [], 'no temporary file left');
        }
        assert.ok(ms < 30_000, `took ${ms} ms`);
        rows.push(`| ${c.fault} | ${c.op} | ${outcome.slice(0, 120).replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${disk} | ${ms} |`);
      } finally {
        await vscode.commands.executeCommand('ftpWorkspace.disconnect', site);
        const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}) };
        delete sites[site];
        await config().update('sites', Object.keys(sites).length ? sites : undefined, vscode.ConfigurationTarget.Global);
        await srv.stop();
      }
    });
  });

  test('no promise was rejected unhandled', () => assert.equal(unhandled, 0));
});
