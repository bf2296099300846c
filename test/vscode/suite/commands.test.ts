/// <reference types="mocha" />
/** Site commands, run as the palette runs them, with their inputs given as arguments. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, startServer } from '../../servers';
import { answering } from '../host-helpers';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');

suite('site commands', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
    await config().update('sites', { cmdsite: { host: '127.0.0.1', port: 2121, user: 'u', transferMode: 'auto' } }, vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
  });

  test('Set Transfer Mode writes the mode into the site, where the site is defined, and keeps its other settings; the status bar says so', async () => {
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.setStatusBarMessage;
    const said: string[] = [];
    window.setStatusBarMessage = (text: string) => (said.push(text), new vscode.Disposable(() => undefined));
    try {
      for (const mode of ['active', 'passive', 'auto'] as const) {
        await vscode.commands.executeCommand('ftpWorkspace.setTransferMode', 'cmdsite', mode);
        const site = config().inspect<Record<string, Record<string, unknown>>>('sites')?.globalValue?.cmdsite;
        assert.deepEqual(site, { host: '127.0.0.1', port: 2121, user: 'u', transferMode: mode });
      }
    } finally {
      window.setStatusBarMessage = original;
    }
    assert.deepEqual(said, ['active', 'passive', 'automatic'].map((m) => `$(check) FTP site "cmdsite": transfer mode ${m}`));
  });

  test('a site defined in the workspace gets its mode written there, in the .code-workspace file', async () => {
    await config().update('sites', { wsite: { host: '127.0.0.1', port: 2122, transferMode: 'auto' } }, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('ftpWorkspace.setTransferMode', 'wsite', 'passive');
      const file = JSON.parse(fs.readFileSync(process.env.FTPWS_TEST_WORKSPACE!, 'utf8'));
      assert.deepEqual(file.settings['ftpWorkspace.sites'].wsite, { host: '127.0.0.1', port: 2122, transferMode: 'passive' });
      assert.equal(config().inspect<Record<string, unknown>>('sites')?.globalValue?.wsite, undefined, 'nothing written to the user settings');
    } finally {
      await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('every contributed command is registered', async () => {
    const all = await vscode.commands.getCommands(true);
    const contributed = (vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
    assert.ok(contributed.length >= 6);
    for (const c of contributed) assert.ok(all.includes(c), `${c} is registered`);
  });
});

suite('Add Site...', () => {
  let server: RunningServer;
  suiteSetup(async () => {
    server = await startServer('vsftpd');
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
    await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
    await server?.stop();
  });

  test('writes the site to the settings and the password to secret storage only; the site then works', async () => {
    const name = await vscode.commands.executeCommand('ftpWorkspace.addSite', {
      name: 'added', host: `${server.host}:${server.port}`, user: server.user, password: server.password, secure: 'off', transferMode: 'active', remoteRoot: '', scope: 'workspace', noOpen: true,
    });
    assert.equal(name, 'added');
    // Asked for the workspace: the site lands in the workspace configuration, the .code-workspace file on disk.
    const site = config().inspect<Record<string, Record<string, unknown>>>('sites')?.workspaceValue?.added;
    assert.deepEqual(site, { host: '127.0.0.1', port: server.port, user: server.user, transferMode: 'active' });
    const file = JSON.parse(fs.readFileSync(process.env.FTPWS_TEST_WORKSPACE!, 'utf8'));
    assert.deepEqual(file.settings['ftpWorkspace.sites'].added, site);
    // (The test user and password are the same word here, so look for a password key in any scope.)
    assert.ok(!/"password"/i.test(JSON.stringify(config().inspect('sites'))), 'no password in any settings scope');
    // The password comes from secret storage: no prompt appears and the listing works.
    fs.writeFileSync(path.join(server.root, 'hello.txt'), 'hi');
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://added/'));
    assert.deepEqual(entries.map(([n]) => n).filter((n) => n === 'hello.txt'), ['hello.txt']);
  });

  test('FTPS and anonymous choices are written as such', async () => {
    await vscode.commands.executeCommand('ftpWorkspace.addSite', { name: 'secure-one', host: 'ftp.example.org', user: '', secure: 'implicit', noOpen: true, scope: 'user', remoteRoot: '', test: false });
    const site = config().inspect<Record<string, Record<string, unknown>>>('sites')?.globalValue?.['secure-one'];
    assert.deepEqual(site, { host: 'ftp.example.org', secure: 'implicit', transferMode: 'auto' });
  });

  test('refuses a name that could not be a URI authority', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.addSite', { name: 'my site', host: 'h', user: '', secure: 'off', noOpen: true })), /can't be a site name/);
  });
});

suite('a site defined in one folder\'s own settings (multi-root)', () => {
  let server: RunningServer;
  const folder = () => vscode.workspace.workspaceFolders!.find((f) => f.uri.scheme === 'file')!;
  const folderConfig = () => vscode.workspace.getConfiguration('ftpWorkspace', folder().uri);
  const settingsFile = () => path.join(folder().uri.fsPath, '.vscode', 'settings.json');
  suiteSetup(async () => {
    server = await startServer('pyftpdlib');
    fs.writeFileSync(path.join(server.root, 'infolder.txt'), 'x');
    await folderConfig().update('sites', { foldersite: { host: server.host, port: server.port, user: server.user, transferMode: 'auto' } }, vscode.ConfigurationTarget.WorkspaceFolder);
    // Set Password says it kept the password (in the status bar: the site isn't connected, so nothing else would).
    const { calls } = await answering('setStatusBarMessage', () => ({ dispose: () => undefined }), () => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.setPassword', 'foldersite', server.password)));
    assert.deepEqual(calls.map((c) => c[0]), ['$(key) Password saved for FTP site "foldersite" (in VS Code\'s secret storage)']);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await folderConfig().update('sites', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await server?.stop();
  });

  test('is listed, connects, and its mode is written back into that folder\'s settings file', async () => {
    const api = vscode.extensions.getExtension<{ siteItems(): Array<{ site: string }> }>('ftp-workspace.ftp-workspace')!.exports;
    assert.ok(api.siteItems().some((i) => i.site === 'foldersite'), 'in the FTP Sites view');
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://foldersite/'));
    assert.ok(entries.some(([n]) => n === 'infolder.txt'));
    await vscode.commands.executeCommand('ftpWorkspace.setTransferMode', 'foldersite', 'active');
    const onDisk = JSON.parse(fs.readFileSync(settingsFile(), 'utf8'));
    assert.equal(onDisk['ftpWorkspace.sites'].foldersite.transferMode, 'active');
    assert.equal(config().inspect<Record<string, unknown>>('sites')?.workspaceValue?.foldersite, undefined, 'not copied into the workspace file');
  });
});
