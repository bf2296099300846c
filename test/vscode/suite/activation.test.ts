/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const ID = 'ftp-workspace.ftp-workspace';

suite('activation', () => {
  test('the extension is present, activates, and contributes its commands', async () => {
    const ext = vscode.extensions.getExtension(ID);
    assert.ok(ext, `extension ${ID} is loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('ftpWorkspace.showLog'), 'ftpWorkspace.showLog is registered');
  });
});
