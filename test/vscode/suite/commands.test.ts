/// <reference types="mocha" />
/** Site commands, run as the palette runs them, with their inputs given as arguments. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');

suite('site commands', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
    await config().update('sites', { cmdsite: { host: '127.0.0.1', port: 2121, user: 'u', transferMode: 'auto' } }, vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
  });

  test('Set Transfer Mode writes the mode into the site, where the site is defined, and keeps its other settings', async () => {
    for (const mode of ['active', 'passive', 'auto'] as const) {
      await vscode.commands.executeCommand('ftpWorkspace.setTransferMode', 'cmdsite', mode);
      const site = config().inspect<Record<string, Record<string, unknown>>>('sites')?.globalValue?.cmdsite;
      assert.deepEqual(site, { host: '127.0.0.1', port: 2121, user: 'u', transferMode: mode });
    }
  });

  test('every contributed command is registered', async () => {
    const all = await vscode.commands.getCommands(true);
    const contributed = (vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
    assert.ok(contributed.length >= 6);
    for (const c of contributed) assert.ok(all.includes(c), `${c} is registered`);
  });
});
