/// <reference types="mocha" />
/**
 * Saving an editor over FTP never loses data: a refused upload leaves the editor dirty and the file
 * on the server as it was; a file changed on the server since it was opened makes VS Code's own
 * "newer on disk" conflict check refuse the save. proftpd writes as `nobody`, so a read-only
 * directory really refuses uploads (a server running as root would not).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, startServer } from '../../servers';

const SITE = 'savetest';
const config = () => vscode.workspace.getConfiguration('ftpWorkspace');

async function openAndType(uri: vscode.Uri, text: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.equal(doc.isDirty, true);
  return doc;
}

suite('saving (proftpd)', () => {
  let server: RunningServer;
  const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
  const disk = (p: string) => path.join(server.root, p);

  suiteSetup(async () => {
    server = await startServer('proftpd');
    await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
    await config().update('sites', { [SITE]: { host: server.host, port: server.port, user: server.user } }, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
    await server?.stop();
  });

  function writeAsServer(rel: string, text: string): void {
    fs.mkdirSync(path.dirname(disk(rel)), { recursive: true });
    fs.writeFileSync(disk(rel), text);
    fs.chownSync(path.dirname(disk(rel)), 65534, 65534);
    fs.chownSync(disk(rel), 65534, 65534);
  }

  test('a successful save uploads the editor content', async () => {
    writeAsServer('ok/page.txt', 'original\n');
    const doc = await openAndType(uri('/ok/page.txt'), 'edited ');
    assert.equal(await doc.save(), true);
    assert.equal(doc.isDirty, false);
    assert.equal(fs.readFileSync(disk('ok/page.txt'), 'utf8'), 'edited original\n');
  });

  test('a refused upload leaves the editor dirty and the server file unchanged', async () => {
    writeAsServer('locked/page.txt', 'original\n');
    fs.chmodSync(disk('locked'), 0o555); // nobody can't create the temporary file here
    try {
      const doc = await openAndType(uri('/locked/page.txt'), 'lost? ');
      assert.equal(await doc.save(), false);
      assert.equal(doc.isDirty, true, 'the editor keeps the edit');
      assert.equal(doc.getText().startsWith('lost? '), true);
      assert.equal(fs.readFileSync(disk('locked/page.txt'), 'utf8'), 'original\n', 'the server file is intact');
      assert.deepEqual(fs.readdirSync(disk('locked')), ['page.txt'], 'no temporary file left');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      fs.chmodSync(disk('locked'), 0o755);
    }
  });

  // proftpd's ExtendedLog records every command (test/servers/proftpd.ts).
  const commandsFor = (target: string) => {
    const log = server.logFile!.replace(/main\.log$/, 'main.ext.log');
    return (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '').split('\n').filter((l) => l.includes(target)).map((l) => /"([A-Z]+) /.exec(l)?.[1]).filter(Boolean);
  };

  test("a file made by VS Code's create (the Explorer's New File) is asked about once, then made and opened", async () => {
    writeAsServer('made/existing.txt', 'x\n');
    await vscode.workspace.fs.readDirectory(uri('/made'));
    const name = `new-${Date.now()}.txt`;
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(uri(`/made/${name}`), { ignoreIfExists: false });
    assert.ok(await vscode.workspace.applyEdit(edit));
    const doc = await vscode.workspace.openTextDocument(uri(`/made/${name}`));
    assert.equal(doc.getText(), '');
    assert.equal(fs.readFileSync(disk(`made/${name}`), 'utf8'), '');
    // VS Code stats the new path three times and the provider's write looks once more: one MLST
    // answers all four (four MLSTs before). The temporary file's check is the save's own MLST.
    let commands: (string | undefined)[] = [];
    for (let i = 0; i < 50 && !commands.includes('RETR'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      commands = commandsFor(`/made/${name}`);
    }
    assert.deepEqual(commands.filter((c) => c !== 'RNTO'), ['MLST', 'RETR'], `commands naming the new file: ${commands.join(' ')}`);
  });

  test('a file changed on the server since it was opened is not overwritten', async () => {
    writeAsServer('shared/page.txt', 'mine\n');
    const doc = await openAndType(uri('/shared/page.txt'), 'my edit ');
    // A colleague saves a newer version on the server.
    fs.writeFileSync(disk('shared/page.txt'), 'theirs\n');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(disk('shared/page.txt'), later, later);
    await new Promise((r) => setTimeout(r, 5_500)); // past the provider's listing cache
    assert.equal(await doc.save(), false, 'VS Code refuses the save: the file on the server is newer');
    assert.equal(doc.isDirty, true);
    assert.equal(fs.readFileSync(disk('shared/page.txt'), 'utf8'), 'theirs\n');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
