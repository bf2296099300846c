/// <reference types="mocha" />
/**
 * The file system provider in a real extension host against a real FTP server (pyftpdlib on
 * 127.0.0.1), through vscode.workspace.fs as VS Code itself calls it, in passive and active mode.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, startServer } from '../../servers';

const SITE = 'itest';
const config = () => vscode.workspace.getConfiguration('ftpWorkspace');

for (const mode of ['passive', 'active'] as const) {
  suite(`file system provider (pyftpdlib, ${mode})`, () => {
    let server: RunningServer;
    const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
    const disk = (p: string) => path.join(server.root, p);

    suiteSetup(async () => {
      server = await startServer('pyftpdlib');
      await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
      await config().update('sites', { [SITE]: { host: server.host, port: server.port, user: server.user, transferMode: mode } }, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
    });
    suiteTeardown(async () => {
      await vscode.commands.executeCommand('ftpWorkspace.disconnect');
      await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
      await server?.stop();
    });

    test('the password is in secret storage, not in the settings', () => {
      // (This server's user and password are the same word, so the check is on keys, not text.)
      const site = (config().get('sites') as Record<string, Record<string, unknown>>)[SITE];
      assert.deepEqual(Object.keys(site).sort(), ['host', 'port', 'transferMode', 'user']);
    });

    test('writeFile creates, readFile and readDirectory and stat see it', async () => {
      const body = Buffer.from(`hello ${mode} ✓\n`);
      await vscode.workspace.fs.writeFile(uri('/hello ü.txt'), body);
      assert.deepEqual(fs.readFileSync(disk('hello ü.txt')), body);
      assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(uri('/hello ü.txt'))), body);
      const entries = await vscode.workspace.fs.readDirectory(uri('/'));
      assert.deepEqual(entries.find(([n]) => n === 'hello ü.txt'), ['hello ü.txt', vscode.FileType.File]);
      const st = await vscode.workspace.fs.stat(uri('/hello ü.txt'));
      assert.equal(st.type, vscode.FileType.File);
      assert.equal(st.size, body.length);
      assert.ok(Math.abs(st.mtime - fs.statSync(disk('hello ü.txt')).mtimeMs) < 1500, `mtime ${st.mtime}`);
    });

    test('overwriting goes through a temporary file and leaves none behind', async () => {
      await vscode.workspace.fs.writeFile(uri('/hello ü.txt'), Buffer.from('second version'));
      assert.equal(fs.readFileSync(disk('hello ü.txt'), 'utf8'), 'second version');
      assert.deepEqual(fs.readdirSync(server.root).filter((n) => n.includes('ftpws')), []);
    });

    test('missing files are FileNotFound, existing targets FileExists', async () => {
      await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(uri('/nope.txt'))), (e: vscode.FileSystemError) => e.code === 'FileNotFound');
      await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(uri('/nope.txt'))), (e: vscode.FileSystemError) => e.code === 'FileNotFound');
      await vscode.workspace.fs.writeFile(uri('/copy-target.txt'), Buffer.from('target'));
      await assert.rejects(Promise.resolve(vscode.workspace.fs.copy(uri('/hello ü.txt'), uri('/copy-target.txt'), { overwrite: false })),
        (e: vscode.FileSystemError) => e.code === 'FileExists');
      assert.equal(fs.readFileSync(disk('copy-target.txt'), 'utf8'), 'target', 'the existing target is untouched');
      await vscode.workspace.fs.delete(uri('/copy-target.txt'));
      // VS Code's writeFile creates missing parent folders through createDirectory.
      await vscode.workspace.fs.writeFile(uri('/new/nested/x.txt'), Buffer.from('x'));
      assert.equal(fs.readFileSync(disk('new/nested/x.txt'), 'utf8'), 'x');
      await vscode.workspace.fs.delete(uri('/new'), { recursive: true });
    });

    test('createDirectory, rename, delete (recursive)', async () => {
      await vscode.workspace.fs.createDirectory(uri('/dir a'));
      assert.ok(fs.statSync(disk('dir a')).isDirectory());
      await vscode.workspace.fs.createDirectory(uri('/dir a')); // mkdir -p semantics in VS Code: no error
      await vscode.workspace.fs.writeFile(uri('/dir a/inner.txt'), Buffer.from('inner'));
      await vscode.workspace.fs.rename(uri('/dir a'), uri('/dir b'));
      assert.equal(fs.readFileSync(disk('dir b/inner.txt'), 'utf8'), 'inner');
      assert.equal(fs.existsSync(disk('dir a')), false);
      await vscode.workspace.fs.writeFile(uri('/other.txt'), Buffer.from('other'));
      await assert.rejects(Promise.resolve(vscode.workspace.fs.rename(uri('/other.txt'), uri('/hello ü.txt'), { overwrite: false })),
        (e: vscode.FileSystemError) => e.code === 'FileExists');
      await vscode.workspace.fs.rename(uri('/other.txt'), uri('/hello ü.txt'), { overwrite: true });
      assert.equal(fs.readFileSync(disk('hello ü.txt'), 'utf8'), 'other');
      await vscode.workspace.fs.delete(uri('/dir b'), { recursive: true });
      assert.equal(fs.existsSync(disk('dir b')), false);
      await vscode.workspace.fs.delete(uri('/hello ü.txt'));
      assert.deepEqual(fs.readdirSync(server.root), []);
    });
  });
}
