/// <reference types="mocha" />
/**
 * What FileZilla users expect of the Explorer, against real servers: a file changed on the server
 * reaches its open, unedited editor by polling (and nothing is polled after Disconnect, or with
 * polling off); an expanded folder sees a new file; the hover's size, time and permissions; files
 * the listing shows as not writable are read-only; FTP: Change Permissions... changes the mode on
 * the server's disk, recursively without ever touching what a link points to, and a refusing server
 * is named as such; the overwrite question shows both sides; a transfer ends with a notification
 * whose actions reveal or open what was moved. proftpd runs as nobody (its files' owner), so modes
 * mean what they say; its ExtendedLog shows every command a poll sends.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ManagedServer, RunningServer, startServer } from '../../servers';
import { answering, until } from '../host-helpers';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
const ID = 'ftp-workspace.ftp-workspace';
const POLL_SECONDS = 1;

/** The lines of the extension's log (its Output channel, at the default level) that say what changed on the server. */
function extensionLog(): string[] {
  const file = vscode.Uri.joinPath(vscode.extensions.getExtension<{ logUri: vscode.Uri }>(ID)!.exports.logUri, 'FTP Workspace.log').fsPath;
  return (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '').split('\n');
}

function remoteChangesLogged(site: string): string[] {
  return extensionLog().filter((l) => l.includes(`[${site}] changed on the server`));
}

async function setSite(name: string, site: Record<string, unknown> | undefined): Promise<void> {
  const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}) };
  if (site) sites[name] = site;
  else delete sites[name];
  await config().update('sites', Object.keys(sites).length ? sites : undefined, vscode.ConfigurationTarget.Global);
  // The extension host sees the change, and drops the site's pool, a moment after the file is written.
  await until('the new settings', () => JSON.stringify(config().get<Record<string, unknown>>('sites')?.[name]) === JSON.stringify(site));
}

/** Writes a file as the server's user would have (proftpd writes as nobody). */
function writeAsServer(server: RunningServer, rel: string, text: string, mode = 0o644): void {
  const file = path.join(server.root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  fs.chownSync(file, server.owner.uid, server.owner.gid);
  for (let d = path.dirname(file); d.startsWith(server.root) && d !== server.root; d = path.dirname(d)) fs.chownSync(d, server.owner.uid, server.owner.gid);
}

const modeOnDisk = (p: string) => fs.lstatSync(p).mode & 0o7777;

/** Runs `body` with `root` added as a folder of the workspace (VS Code then watches it recursively), and removes it. */
async function withSiteFolder<T>(name: string, root: vscode.Uri, body: () => Promise<T>): Promise<T> {
  const before = vscode.workspace.workspaceFolders?.length ?? 0;
  const changed = () => new Promise<void>((resolve) => {
    const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
      sub.dispose();
      resolve();
    });
  });
  const added = changed();
  assert.ok(vscode.workspace.updateWorkspaceFolders(before, 0, { uri: root, name }));
  await added;
  try {
    return await body();
  } finally {
    const removed = changed();
    vscode.workspace.updateWorkspaceFolders(before, 1);
    await removed;
  }
}

async function openUnedited(uri: vscode.Uri): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  assert.equal(doc.isDirty, false);
  return doc;
}

/** The commands proftpd's ExtendedLog recorded so far, of one kind (`MLSD`, `SITE CHMOD`...). */
function logged(server: RunningServer, verb: string): string[] {
  const log = server.logFile!.replace(/main\.log$/, 'main.ext.log');
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.includes(`"${verb}`));
}
const commandsLogged = (server: RunningServer, verb: string) => logged(server, verb).length;

suite('explorer: remote changes reach the editor (proftpd, pollSeconds 1)', () => {
  const SITE = 'watchsite';
  let server: ManagedServer;
  const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);

  suiteSetup(async () => {
    server = await startServer('proftpd');
    await vscode.extensions.getExtension(ID)!.activate();
    await setSite(SITE, { host: server.host, port: server.port, user: server.user, pollSeconds: POLL_SECONDS });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await setSite(SITE, undefined);
    await server?.stop();
  });
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('an open, unedited editor shows a file changed on the server within the poll interval, without Refresh', async () => {
    writeAsServer(server, 'live/page.txt', 'first version\n');
    const doc = await openUnedited(uri('/live/page.txt'));
    assert.equal(doc.getText(), 'first version\n');
    await new Promise((r) => setTimeout(r, 1_000));
    const changedAt = Date.now();
    writeAsServer(server, 'live/page.txt', 'second version, from a colleague\n');
    await until('the editor to show the new text', () => doc.getText() === 'second version, from a colleague\n', POLL_SECONDS * 1000 + 4_000);
    const took = Date.now() - changedAt;
    console.log(`remote change reached the editor ${took} ms after it was made on the server's disk (pollSeconds ${POLL_SECONDS})`);
    assert.equal(doc.isDirty, false);
    // Again with the same size: the listing's time (MLSD: to the second) tells them apart.
    await new Promise((r) => setTimeout(r, 1_100));
    writeAsServer(server, 'live/page.txt', 'THIRD VERSION, FROM A COLLEAGUE\n');
    await until('the editor to show the same-size change', () => doc.getText() === 'THIRD VERSION, FROM A COLLEAGUE\n', POLL_SECONDS * 1000 + 4_000);
  });

  test('an edited editor keeps the user\'s text (VS Code\'s conflict on save is unchanged)', async () => {
    writeAsServer(server, 'live/edited.txt', 'base\n');
    const doc = await openUnedited(uri('/live/edited.txt'));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), 'mine ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    writeAsServer(server, 'live/edited.txt', 'theirs\n');
    await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 * 3));
    assert.equal(doc.getText(), 'mine base\n');
    assert.equal(doc.isDirty, true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('after Disconnect nothing is polled (no connection, no listing); the user\'s next action resumes it', async () => {
    writeAsServer(server, 'live/quiet.txt', 'before\n');
    const doc = await openUnedited(uri('/live/quiet.txt'));
    await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 + 500)); // one poll, so the folder's listing is known
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', SITE);
    const listingsBefore = commandsLogged(server, 'MLSD');
    writeAsServer(server, 'live/quiet.txt', 'changed while disconnected\n');
    let sessions = 0;
    const end = Date.now() + Math.max(4_000, POLL_SECONDS * 1000 * 3);
    while (Date.now() < end) {
      sessions = Math.max(sessions, server.sessions());
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(sessions, 0, 'no connection to the server after Disconnect');
    assert.equal(commandsLogged(server, 'MLSD'), listingsBefore, `no listing after Disconnect: ${logged(server, 'MLSD').slice(listingsBefore).join(' | ')}`);
    assert.equal(doc.getText(), 'before\n');
    // The user acts on the site again (an operation that reaches the server: a stat may be answered
    // from a listing kept moments ago, which opens nothing): polling resumes, and the change arrives.
    await vscode.workspace.fs.readDirectory(uri('/live'));
    await until('the editor to catch up', () => doc.getText() === 'changed while disconnected\n', POLL_SECONDS * 1000 + 4_000);
  });

  test('one listing per tick of a folder with two open files; ticks stop when the editors close', async () => {
    writeAsServer(server, 'pair/a.txt', 'a\n');
    writeAsServer(server, 'pair/b.txt', 'b\n');
    await openUnedited(uri('/pair/a.txt'));
    await openUnedited(uri('/pair/b.txt'));
    await new Promise((r) => setTimeout(r, 1_000));
    const start = commandsLogged(server, 'MLSD');
    const listingLines = () => extensionLog().filter((l) => /\[info\] \[watchsite#\d+\] > MLSD \/pair\b/.test(l)).length;
    const linesBefore = listingLines();
    await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 * 4));
    const polled = commandsLogged(server, 'MLSD') - start;
    console.log(`${polled} listing(s) in ${POLL_SECONDS * 4} s for one folder with two open files (pollSeconds ${POLL_SECONDS})`);
    assert.ok(polled >= 2 && polled <= 4, `one listing per tick: ${polled} in four intervals (two per tick would be 6 to 8)`);
    // A poll's commands are routine: at debug, not in the Output at its default level (info).
    assert.equal(listingLines() - linesBefore, 0, 'no poll listing logged at info');
    await vscode.workspace.fs.readDirectory(uri('/pair'));
    await until('the user\'s own listing logged at info', () => listingLines() > linesBefore);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 + 500));
    const after = commandsLogged(server, 'MLSD');
    await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 * 2));
    assert.equal(commandsLogged(server, 'MLSD'), after, `nothing open, nothing polled: ${logged(server, 'MLSD').slice(after).join(' | ')}`);
  });

  test('pollSeconds 0: never polled', async () => {
    await setSite(SITE, { host: server.host, port: server.port, user: server.user, pollSeconds: 0 });
    try {
      writeAsServer(server, 'live/off.txt', 'one\n');
      const doc = await openUnedited(uri('/live/off.txt'));
      const start = commandsLogged(server, 'MLSD');
      writeAsServer(server, 'live/off.txt', 'two, not seen\n');
      await new Promise((r) => setTimeout(r, 3_000));
      // VS Code itself may stat the open file again (resolving the editor) and reload it from that
      // (MLST, RETR): that is no poll. A poll is a listing of its folder, which must not come.
      assert.ok(['one\n', 'two, not seen\n'].includes(doc.getText()));
      assert.equal(commandsLogged(server, 'MLSD'), start, `no listing: ${logged(server, 'MLSD').slice(start).join(' | ')}`);
    } finally {
      await setSite(SITE, { host: server.host, port: server.port, user: server.user, pollSeconds: POLL_SECONDS });
    }
  });

  test('our own rename, saves, new file, new folder and delete are not logged or announced as changes on the server; a colleague\'s new file is', async () => {
    writeAsServer(server, 'own/walk.txt', 'walk\n');
    writeAsServer(server, 'own/saved.txt', 'v1\n');
    writeAsServer(server, 'own/gone.txt', 'bye\n');
    await withSiteFolder(SITE, uri('/'), async () => {
      await vscode.workspace.fs.readDirectory(uri('/own')); // polled from now on, as a folder the Explorer expanded
      await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 + 500)); // a poll, so the folder's listing is known
      const from = remoteChangesLogged(SITE).length;
      await vscode.workspace.fs.rename(uri('/own/walk.txt'), uri('/own/walk-renamed.txt'));
      await vscode.workspace.fs.writeFile(uri('/own/saved.txt'), Buffer.from('v2, longer\n'));
      await vscode.workspace.fs.writeFile(uri('/own/new.txt'), Buffer.from('new\n'));
      await vscode.workspace.fs.createDirectory(uri('/own/newdir'));
      await vscode.workspace.fs.delete(uri('/own/gone.txt'));
      await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 * 2 + 500)); // two polls at least
      // Nothing: neither the names nor the folder's time in the listing of / (it moves with what is in it).
      assert.deepEqual(remoteChangesLogged(SITE).slice(from), [], 'our own operations are no remote change');
      writeAsServer(server, 'own/theirs.txt', 'from a colleague\n');
      await until('the colleague\'s file in the log', () => remoteChangesLogged(SITE).slice(from).some((l) => l.includes('created /own/theirs.txt')), POLL_SECONDS * 1000 + 4_000);
    });
  });

  test('a colleague\'s edit or delete right after our save, before our next listing, is announced: the open editor gets the edit, the delete is logged', async () => {
    writeAsServer(server, 'after/index.html', '<p>first</p>\n');
    writeAsServer(server, 'after/gone.html', 'first\n');
    await withSiteFolder(SITE, uri('/'), async () => {
      await vscode.workspace.fs.readDirectory(uri('/after')); // polled from now on, as a folder the Explorer expanded
      const doc = await openUnedited(uri('/after/index.html'));
      await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 + 500)); // a poll, so the folder's listing is known
      const from = remoteChangesLogged(SITE).length;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), '<p>ours</p>\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(await doc.save());
      // At once, so before any listing that starts after our save: another size.
      writeAsServer(server, 'after/index.html', '<p>a colleague\'s longer version</p>\n');
      await until('the editor to show the colleague\'s version', () => doc.getText() === '<p>a colleague\'s longer version</p>\n', POLL_SECONDS * 1000 + 4_000);
      assert.equal(doc.isDirty, false);
      // Saved, stat as VS Code does after a save, then deleted by someone else.
      await vscode.workspace.fs.writeFile(uri('/after/gone.html'), Buffer.from('ours\n'));
      fs.rmSync(path.join(server.root, 'after/gone.html'));
      await until('the delete in the log', () => remoteChangesLogged(SITE).slice(from).some((l) => l.includes('deleted /after/gone.html')), POLL_SECONDS * 1000 + 4_000);
      // Our own save is not among them: the colleague's edit is told once.
      const lines = remoteChangesLogged(SITE).slice(from);
      assert.equal(lines.filter((l) => l.includes('changed /after/index.html')).length, 1, lines.join('\n'));
    });
  });

  test('after FTP: Set Transfer Mode of the open site, polling goes on by itself, with the new mode and no password asked', async () => {
    writeAsServer(server, 'resume/first.txt', 'one\n');
    await withSiteFolder(SITE, uri('/'), async () => {
      const created: string[] = [];
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(uri('/'), '**/*'));
      watcher.onDidCreate((u) => created.push(u.toString()));
      try {
        await vscode.workspace.fs.readDirectory(uri('/resume')); // as the Explorer lists a folder it expands
        await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 + 500)); // a poll, so the folder's listing is known
        const activeBefore = commandsLogged(server, 'EPRT') + commandsLogged(server, 'PORT');
        const { calls } = await answering('showInputBox', () => undefined, async () => {
          await vscode.commands.executeCommand('ftpWorkspace.setTransferMode', SITE, 'active');
          // Once the extension host sees the new value it has closed the site's pool (its settings changed).
          await until('the new mode', () => config().get<Record<string, { transferMode?: string }>>('sites')?.[SITE]?.transferMode === 'active');
          const at = Date.now();
          writeAsServer(server, 'resume/second.txt', 'two\n');
          await until('the new file to be announced', () => created.includes(uri('/resume/second.txt').toString()), POLL_SECONDS * 1000 + 4_000);
          console.log(`after a transfer mode change, a new file was announced ${Date.now() - at} ms after it appeared (pollSeconds ${POLL_SECONDS})`);
        });
        assert.equal(calls.length, 0, 'no password asked');
        assert.ok(commandsLogged(server, 'EPRT') + commandsLogged(server, 'PORT') > activeBefore, 'the poll listed in the new mode (active: EPRT/PORT)');
      } finally {
        watcher.dispose();
        await setSite(SITE, { host: server.host, port: server.port, user: server.user, pollSeconds: POLL_SECONDS });
      }
    });
  });

  test('after a settings change of a site whose password was typed but not stored, polling waits for the user (no question), then goes on', async () => {
    const TYPED = 'watchtyped';
    const typed = (p: string) => vscode.Uri.parse(`ftp://${TYPED}${p}`);
    const mlsdOfTyped = () => logged(server, 'MLSD').filter((l) => l.includes('/typed')).length;
    await setSite(TYPED, { host: server.host, port: server.port, user: server.user, pollSeconds: POLL_SECONDS });
    try {
      writeAsServer(server, 'typed/page.txt', 'first\n');
      // The password typed at the prompt, "Not now" to remembering it.
      const open = await answering('showInputBox', () => server.password, () => answering('showInformationMessage', () => 'Not now', () => openUnedited(typed('/typed/page.txt'))));
      assert.equal(open.calls.length, 1, 'asked once');
      const doc = open.result.result;
      await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 + 500)); // polled, so the folder's listing is known
      const { calls } = await answering('showInputBox', () => undefined, async () => {
        await vscode.commands.executeCommand('ftpWorkspace.setTransferMode', TYPED, 'active');
        await until('the new mode', () => config().get<Record<string, { transferMode?: string }>>('sites')?.[TYPED]?.transferMode === 'active');
        const listings = mlsdOfTyped();
        writeAsServer(server, 'typed/page.txt', 'second, while nobody used the site\n');
        await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 * 3));
        assert.equal(mlsdOfTyped(), listings, 'no listing without the password');
      });
      assert.equal(calls.length, 0, 'no password asked by a poll');
      assert.equal(doc.getText(), 'first\n');
      // The user's next operation asks for the password as usual, and polling goes on.
      const again = await answering('showInputBox', () => server.password, () => answering('showInformationMessage', () => 'Not now', () => Promise.resolve(vscode.workspace.fs.readDirectory(typed('/typed')))));
      assert.equal(again.calls.length, 1);
      await until('the editor to catch up', () => doc.getText() === 'second, while nobody used the site\n', POLL_SECONDS * 1000 + 4_000);
      await new Promise((r) => setTimeout(r, 1_100)); // another second: MLSD's time tells the versions apart
      writeAsServer(server, 'typed/page.txt', 'third, seen by a poll\n');
      await until('the next change to arrive by polling', () => doc.getText() === 'third, seen by a poll\n', POLL_SECONDS * 1000 + 4_000);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('ftpWorkspace.disconnect', TYPED);
      await setSite(TYPED, undefined);
    }
  });

  test('a poll that reopens the site after a settings change and has its stored password refused sends it once: not on later ticks or a new watch; the user\'s next operation tells it', async () => {
    const LOCK = 'watchlock';
    const lock = (p: string) => vscode.Uri.parse(`ftp://${LOCK}${p}`);
    // proftpd reads its AuthUserFile at each login: a new hash there is the password changed on the server.
    const passwd = path.join(path.dirname(server.logFile!), 'ftpd.passwd');
    const original = fs.readFileSync(passwd, 'utf8');
    await setSite(LOCK, { host: server.host, port: server.port, user: server.user, pollSeconds: POLL_SECONDS });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', LOCK, server.password);
    try {
      writeAsServer(server, 'lock/page.txt', 'first\n');
      await openUnedited(lock('/lock/page.txt'));
      await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 + 500)); // polled: the pool is open and working
      const hash = execFileSync('openssl', ['passwd', '-6', 'changed on the server'], { encoding: 'utf8' }).trim();
      fs.writeFileSync(passwd, original.replace(/^test:[^:]*:/m, `test:${hash}:`));
      const passes = commandsLogged(server, 'PASS');
      const shown: string[] = [];
      const quiet = () => answering('showInputBox', (m) => void shown.push(`input ${m}`), () => answering('showErrorMessage', (m) => void shown.push(`error ${m}`), async () => {
        await vscode.commands.executeCommand('ftpWorkspace.setTransferMode', LOCK, 'active');
        await until('the new mode', () => config().get<Record<string, { transferMode?: string }>>('sites')?.[LOCK]?.transferMode === 'active');
        await until('the poll to log in again', () => commandsLogged(server, 'PASS') > passes, POLL_SECONDS * 1000 + 4_000);
        await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 * 3)); // three more ticks' time
        // A new watch wakes polling (VS Code watching one more file, say), as coming back to the window does.
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(lock('/lock'), '*'));
        await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 * 3));
        watcher.dispose();
      }));
      await quiet();
      assert.equal(commandsLogged(server, 'PASS') - passes, 1, `the refused password sent once: ${logged(server, 'PASS').slice(passes).join(' | ')}`);
      assert.deepEqual(shown, [], 'a poll shows nothing');
      // The user's next operation gets the refusal without sending the password again, and is asked for one.
      await answering('showInputBox', () => undefined, (asked) => answering('showErrorMessage', () => undefined, async (told) => {
        await assert.rejects(Promise.resolve(vscode.workspace.fs.readDirectory(lock('/lock'))), /530|login|password/i);
        await until('the password question, then the notification', () => asked.length === 1 && told.length === 1);
      }));
      assert.equal(commandsLogged(server, 'PASS') - passes, 1, 'not sent again by the user\'s operation either: the refusal is held until the user acts on it');
    } finally {
      fs.writeFileSync(passwd, original);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('ftpWorkspace.disconnect', LOCK);
      await setSite(LOCK, undefined);
    }
  });

  test('the site as a workspace folder: a folder VS Code listed (as the Explorer does when it is expanded) sees a new file; an open file reloads', async () => {
    writeAsServer(server, 'shown/index.html', '<h1>old</h1>\n');
    const before = vscode.workspace.workspaceFolders?.length ?? 0;
    const added = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
        sub.dispose();
        resolve();
      });
    });
    vscode.workspace.updateWorkspaceFolders(before, 0, { uri: uri('/'), name: SITE });
    await added;
    const created: string[] = [];
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(uri('/'), '**/*'));
    watcher.onDidCreate((u) => created.push(u.toString()));
    try {
      await vscode.workspace.fs.readDirectory(uri('/shown'));
      const doc = await openUnedited(uri('/shown/index.html'));
      await new Promise((r) => setTimeout(r, 1_000));
      const at = Date.now();
      writeAsServer(server, 'shown/new-upload.png', 'png');
      writeAsServer(server, 'shown/index.html', '<h1>new</h1>\n');
      await until('the new file to be announced', () => created.includes(uri('/shown/new-upload.png').toString()), POLL_SECONDS * 1000 + 4_000);
      console.log(`a new file in an expanded folder was announced ${Date.now() - at} ms after it appeared (pollSeconds ${POLL_SECONDS})`);
      await until('the open file to reload', () => doc.getText() === '<h1>new</h1>\n', POLL_SECONDS * 1000 + 4_000);
      assert.ok((await vscode.workspace.fs.readDirectory(uri('/shown'))).some(([n]) => n === 'new-upload.png'));
    } finally {
      watcher.dispose();
      const removed = new Promise<void>((resolve) => {
        const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
          sub.dispose();
          resolve();
        });
      });
      vscode.workspace.updateWorkspaceFolders(before, 1);
      await removed;
    }
  });
});

suite('explorer: hover, read-only, Change Permissions (proftpd)', () => {
  const SITE = 'permsite';
  let server: ManagedServer;
  const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
  const disk = (p: string) => path.join(server.root, p);
  const details = (u: vscode.Uri) => vscode.commands.executeCommand<{ tooltip?: string; readOnly: boolean }>('ftpWorkspace.entryDetails', u);

  suiteSetup(async () => {
    server = await startServer('proftpd');
    await vscode.extensions.getExtension(ID)!.activate();
    await setSite(SITE, { host: server.host, port: server.port, user: server.user, pollSeconds: 0 });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await setSite(SITE, undefined);
    await server?.stop();
  });

  test('the hover shows size, modified time and permissions; a file without write permission is read-only in VS Code', async () => {
    writeAsServer(server, 'ro/locked.txt', 'x'.repeat(12_345), 0o444);
    writeAsServer(server, 'ro/open.txt', 'y', 0o644);
    await vscode.workspace.fs.readDirectory(uri('/ro'));
    const locked = await details(uri('/ro/locked.txt'));
    assert.match(locked.tooltip!, /^12\.1 KB \(12,345 bytes\)\nModified \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nPermissions r--r--r-- \(444\), owner test:nogroup\nRead-only/);
    assert.equal(locked.readOnly, true);
    assert.equal((await vscode.workspace.fs.stat(uri('/ro/locked.txt'))).permissions, vscode.FilePermission.Readonly);
    const open = await details(uri('/ro/open.txt'));
    assert.match(open.tooltip!, /^1 B\nModified .*\nPermissions rw-r--r-- \(644\)/);
    assert.equal(open.readOnly, false);
    assert.equal((await vscode.workspace.fs.stat(uri('/ro/open.txt'))).permissions, undefined);
    // VS Code refuses to edit the read-only one.
    const doc = await openUnedited(uri('/ro/locked.txt'));
    assert.equal(vscode.window.activeTextEditor?.document, doc);
    await vscode.commands.executeCommand('type', { text: 'typed' });
    assert.equal(doc.isDirty, false, 'typing changes nothing');
    assert.equal(doc.getText(), 'x'.repeat(12_345));
    // The same typing in the writable one does change it (so the above is the read-only flag at work).
    const writable = await openUnedited(uri('/ro/open.txt'));
    await vscode.commands.executeCommand('type', { text: 'typed' });
    assert.equal(writable.isDirty, true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Change Permissions 600 -> 644 on the server\'s disk; 644 -> 444 makes it read-only, and back', async () => {
    writeAsServer(server, 'one/private.txt', 'secret\n', 0o600);
    const r = await vscode.commands.executeCommand<{ mode: number; changed: number }>('ftpWorkspace.changePermissions', uri('/one/private.txt'), { mode: '644' });
    assert.deepEqual({ mode: r.mode, changed: r.changed }, { mode: 0o644, changed: 1 });
    assert.equal(modeOnDisk(disk('one/private.txt')), 0o644);
    assert.match((await details(uri('/one/private.txt'))).tooltip!, /rw-r--r-- \(644\)/, 'the hover shows the new mode without a Refresh');
    await vscode.commands.executeCommand('ftpWorkspace.changePermissions', uri('/one/private.txt'), { mode: 0o444 });
    assert.equal(modeOnDisk(disk('one/private.txt')), 0o444);
    assert.equal((await vscode.workspace.fs.stat(uri('/one/private.txt'))).permissions, vscode.FilePermission.Readonly);
    await vscode.commands.executeCommand('ftpWorkspace.changePermissions', uri('/one/private.txt'), { mode: '0644' });
    assert.equal((await vscode.workspace.fs.stat(uri('/one/private.txt'))).permissions, undefined);
    // A save keeps the new mode (it keeps the mode the kept listing says).
    await vscode.workspace.fs.writeFile(uri('/one/private.txt'), Buffer.from('saved\n'));
    assert.equal(modeOnDisk(disk('one/private.txt')), 0o644);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.changePermissions', uri('/one/private.txt'), { mode: '9x9' })), /is not a mode/);
  });

  test('recursive, on a tree with links: the links are neither changed nor followed', async () => {
    writeAsServer(server, 'tree/a.txt', 'a', 0o600);
    writeAsServer(server, 'tree/sub/b.txt', 'b', 0o600);
    writeAsServer(server, 'outside/c.txt', 'c', 0o600);
    writeAsServer(server, 'outside.txt', 'o', 0o600);
    fs.chmodSync(disk('tree/sub'), 0o700);
    fs.chmodSync(disk('outside'), 0o700);
    fs.symlinkSync('../outside.txt', disk('tree/link.txt'));
    fs.symlinkSync('../outside', disk('tree/linkdir'));
    for (const l of ['tree/link.txt', 'tree/linkdir']) fs.lchownSync(disk(l), server.owner.uid, server.owner.gid);

    const files = await vscode.commands.executeCommand<{ changed: number; links: string[] }>('ftpWorkspace.changePermissions', uri('/tree'), { mode: '644', recursive: true, apply: 'files' });
    assert.equal(files.changed, 2);
    assert.deepEqual([modeOnDisk(disk('tree/a.txt')), modeOnDisk(disk('tree/sub/b.txt'))], [0o644, 0o644]);
    assert.deepEqual([modeOnDisk(disk('tree/sub')), modeOnDisk(disk('tree'))], [0o700, 0o755], 'folders keep theirs');
    assert.deepEqual([...files.links].sort(), ['/tree/link.txt', '/tree/linkdir']);

    const all = await vscode.commands.executeCommand<{ changed: number }>('ftpWorkspace.changePermissions', uri('/tree'), { mode: '750', recursive: true });
    assert.equal(all.changed, 4, 'a.txt, sub/b.txt, sub, tree');
    assert.deepEqual(['tree', 'tree/sub', 'tree/a.txt', 'tree/sub/b.txt'].map((p) => modeOnDisk(disk(p))), [0o750, 0o750, 0o750, 0o750]);
    assert.deepEqual([modeOnDisk(disk('outside.txt')), modeOnDisk(disk('outside')), modeOnDisk(disk('outside/c.txt'))], [0o600, 0o700, 0o600], 'nothing a link points to was touched');

    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.changePermissions', uri('/tree/link.txt'), { mode: '777' })), /is a link to \.\.\/outside\.txt: SITE CHMOD would change what it points to/);
    assert.equal(modeOnDisk(disk('outside.txt')), 0o600);
  });
});

suite('explorer: recursive Change Permissions where MLSD shows links as what they point to (pyftpdlib)', () => {
  let server: ManagedServer;
  const disk = (p: string) => path.join(server.root, p);
  suiteSetup(async () => {
    server = await startServer('pyftpdlib');
    await vscode.extensions.getExtension(ID)!.activate();
    await setSite('pylinks', { host: server.host, port: server.port, user: server.user, pollSeconds: 0 });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'pylinks', server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await setSite('pylinks', undefined);
    await server?.stop();
  });

  test('the links that MLSD shows as a folder and a file are found in `ls -l` listings and left alone', async () => {
    fs.mkdirSync(disk('tree/sub'), { recursive: true });
    fs.mkdirSync(disk('outside'));
    for (const [p, m] of [['tree/a.txt', 0o600], ['tree/sub/b.txt', 0o600], ['outside/c.txt', 0o600], ['outside.txt', 0o600]] as const) {
      fs.writeFileSync(disk(p), p);
      fs.chmodSync(disk(p), m);
    }
    fs.chmodSync(disk('outside'), 0o700);
    fs.symlinkSync('../outside', disk('tree/linkdir'));
    fs.symlinkSync('../outside.txt', disk('tree/link.txt'));
    const r = await vscode.commands.executeCommand<{ changed: number; links: string[] }>('ftpWorkspace.changePermissions', vscode.Uri.parse('ftp://pylinks/tree'), { mode: '755', recursive: true });
    assert.deepEqual([...r.links].sort(), ['/tree/link.txt', '/tree/linkdir']);
    assert.deepEqual(['tree', 'tree/sub', 'tree/a.txt', 'tree/sub/b.txt'].map((p) => modeOnDisk(disk(p))), [0o755, 0o755, 0o755, 0o755]);
    assert.deepEqual([modeOnDisk(disk('outside')), modeOnDisk(disk('outside/c.txt')), modeOnDisk(disk('outside.txt'))], [0o700, 0o600, 0o600], 'nothing a link points to was touched');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.changePermissions', vscode.Uri.parse('ftp://pylinks/tree/linkdir'), { mode: '777', recursive: true })), /is a link to \.\.\/outside/);
    assert.equal(modeOnDisk(disk('outside')), 0o700);
  });
});

suite('explorer: Change Permissions on a server that refuses it (vsftpd, anonymous)', () => {
  let server: ManagedServer;
  suiteSetup(async () => {
    server = await startServer('vsftpd', { anonymous: true });
    await vscode.extensions.getExtension(ID)!.activate();
    fs.writeFileSync(path.join(server.root, 'public.txt'), 'hello\n');
    await setSite('anonsite', { host: server.host, port: server.port, user: 'anonymous', pollSeconds: 0 });
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await setSite('anonsite', undefined);
    await server?.stop();
  });

  test('the error says the server refused SITE CHMOD, in its words, and why that happens', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.changePermissions', vscode.Uri.parse('ftp://anonsite/public.txt'), { mode: '600' })),
      (e: Error) => /^Could not change the permissions of ftp:\/\/anonsite\/public\.txt to 600: .*SITE.*5\d\d .*Some servers don't allow changing permissions \(vsftpd with chmod_enable=NO, anonymous logins/s.test(e.message) || assert.fail(e.message));
    assert.equal(fs.statSync(path.join(server.root, 'public.txt')).mode & 0o777, 0o644);
  });
});

suite('explorer: overwrite question and end-of-transfer notification (proftpd)', () => {
  const SITE = 'xfer2';
  let server: ManagedServer;
  let local: string;
  const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
  const disk = (p: string) => path.join(server.root, p);
  const REVEAL_IN_OS = process.platform === 'darwin' ? 'Reveal in Finder' : process.platform === 'win32' ? 'Reveal in File Explorer' : 'Open Containing Folder';
  // The OS's file manager is offered only in a desktop window on this computer (code-server: a browser).
  const reveal = vscode.env.uiKind === vscode.UIKind.Desktop && vscode.env.remoteName === undefined ? [REVEAL_IN_OS] : [];

  /** Runs `body` with the window's questions answered and commands the notification's actions run recorded. */
  async function transfer<T>(body: () => Thenable<T>, existing: (message: string, detail: string, buttons: string[]) => string | undefined, action?: string) {
    const notes: unknown[][] = [];
    const questions: Array<{ message: string; detail: string; buttons: string[] }> = [];
    const ran: unknown[][] = [];
    const commands = vscode.commands as unknown as Record<string, unknown>;
    const execute = vscode.commands.executeCommand;
    commands.executeCommand = (id: string, ...args: unknown[]) => {
      if (['revealFileInOS', 'revealInExplorer', 'vscode.openFolder', 'vscode.open'].includes(id)) {
        ran.push([id, ...args]);
        return Promise.resolve();
      }
      return execute(id, ...args);
    };
    try {
      const { result } = await answering('showWarningMessage', (message, ...rest) => {
        if (rest.includes('Upload')) return 'Upload';
        if (rest.includes('Download')) return 'Download';
        const [options, ...buttons] = rest as [{ detail: string }, ...string[]];
        questions.push({ message, detail: options.detail, buttons });
        return existing(message, options.detail, buttons);
      }, () => answering('showInformationMessage', (...args) => {
        notes.push(args);
        return action;
      }, () => Promise.resolve(body())));
      if (action) await until('the action to run', () => ran.length > 0);
      return { result: result.result, notes, questions, ran };
    } finally {
      commands.executeCommand = execute;
    }
  }

  suiteSetup(async () => {
    server = await startServer('proftpd');
    await vscode.extensions.getExtension(ID)!.activate();
    await setSite(SITE, { host: server.host, port: server.port, user: server.user, pollSeconds: 0 });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-explorer-'));
    writeAsServer(server, 'site/keep.txt', 'on the server\n');
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await setSite(SITE, undefined);
    fs.rmSync(local, { recursive: true, force: true });
    await server?.stop();
  });

  test('upload over an existing file: the question shows both sizes and dates; "Replace if Newer" keeps a newer server file and replaces an older one', async () => {
    const mine = path.join(local, 'keep.txt');
    fs.writeFileSync(mine, 'my local copy, longer\n');
    const old = new Date('2020-01-02T03:04:00Z');
    fs.utimesSync(mine, old, old);
    const a = await transfer(() => vscode.commands.executeCommand<{ files: number; skipped: number }>('ftpWorkspace.upload', uri('/site'), [vscode.Uri.file(mine)]), () => 'Replace if Newer');
    assert.equal(a.questions.length, 1);
    const q = a.questions[0];
    assert.equal(q.message, '"/site/keep.txt" exists already on the server.');
    const serverTime = fs.statSync(disk('site/keep.txt')).mtime;
    const pad = (n: number) => String(n).padStart(2, '0');
    const shown = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
    assert.equal(q.detail, `server: 14 B, ${shown(serverTime)} (newer) · this computer: 22 B, ${shown(old)}`);
    assert.deepEqual(q.buttons, ['Replace', 'Replace if Newer', 'Skip']);
    assert.deepEqual({ files: a.result.files, skipped: a.result.skipped }, { files: 0, skipped: 1 });
    assert.equal(fs.readFileSync(disk('site/keep.txt'), 'utf8'), 'on the server\n', 'the newer server file is kept');

    const later = new Date(Date.now() + 120_000);
    fs.utimesSync(mine, later, later);
    const b = await transfer(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.upload', uri('/site'), [vscode.Uri.file(mine)]), () => 'Replace if Newer');
    assert.match(b.questions[0].detail, /^server: 14 B, .* · this computer: 22 B, .* \(newer\)$/);
    assert.equal(b.result.files, 1);
    assert.equal(fs.readFileSync(disk('site/keep.txt'), 'utf8'), 'my local copy, longer\n');
  });

  test('upload over a file its folder\'s listing leaves out (a dot file, the site listing with plain LIST): still asked, and "Skip" keeps it', async () => {
    // proftpd's plain LIST hides dot files: the batch's listing of the folder doesn't show .env.
    const HIDDEN = 'xfer3';
    await setSite(HIDDEN, { host: server.host, port: server.port, user: server.user, pollSeconds: 0, listCommand: 'LIST' });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', HIDDEN, server.password);
    try {
      writeAsServer(server, 'site/.env', 'SECRET=server\n', 0o600);
      const listed = await vscode.workspace.fs.readDirectory(vscode.Uri.parse(`ftp://${HIDDEN}/site`));
      assert.ok(!listed.some(([n]) => n === '.env'), 'the listing leaves .env out (else this test tests nothing)');
      const mine = path.join(local, '.env');
      fs.writeFileSync(mine, 'SECRET=mine\n');
      const r = await transfer(() => vscode.commands.executeCommand<{ skipped: number }>('ftpWorkspace.upload', vscode.Uri.parse(`ftp://${HIDDEN}/site`), [vscode.Uri.file(mine)]), () => 'Skip');
      assert.equal(r.questions.length, 1, 'asked about the file the listing left out');
      assert.equal(r.result.skipped, 1);
      assert.equal(fs.readFileSync(disk('site/.env'), 'utf8'), 'SECRET=server\n');
      assert.equal(modeOnDisk(disk('site/.env')), 0o600);
    } finally {
      await setSite(HIDDEN, undefined);
    }
  });

  test('a batch offers the "All" answers; "Skip All" asks once', async () => {
    const dir = path.join(local, 'batch');
    fs.mkdirSync(dir);
    for (const n of ['1.txt', '2.txt', '3.txt']) {
      fs.writeFileSync(path.join(dir, n), n);
      writeAsServer(server, `site/batch/${n}`, 'server');
    }
    const r = await transfer(() => vscode.commands.executeCommand<{ skipped: number }>('ftpWorkspace.upload', uri('/site'), [vscode.Uri.file(dir)]), () => 'Skip All');
    assert.equal(r.questions.length, 1);
    assert.deepEqual(r.questions[0].buttons, ['Replace', 'Replace if Newer', 'Skip', 'Replace All', 'Replace All if Newer', 'Skip All']);
    assert.equal(r.result.skipped, 3);

    // Replace All, asked once (a folder of its own: the batch's server files stay for the tests after):
    // the notification says the files took the place of others.
    const again = path.join(local, 'batch-all');
    fs.mkdirSync(again);
    for (const n of ['1.txt', '2.txt', '3.txt']) {
      fs.writeFileSync(path.join(again, n), n);
      writeAsServer(server, `site/batch-all/${n}`, 'server');
    }
    const all = await transfer(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.upload', uri('/site'), [vscode.Uri.file(again)]), () => 'Replace All');
    assert.equal(all.questions.length, 1);
    assert.equal(all.result.files, 3);
    assert.deepEqual(all.notes.map((n) => n[0]), ['Uploaded 3 files (15 B) to ftp://xfer2/site, replacing 3 that were there.']);
    for (const n of ['1.txt', '2.txt', '3.txt']) assert.equal(fs.readFileSync(path.join(server.root, 'site', 'batch-all', n), 'utf8'), n);
  });

  test('an upload ends with a notification saying what was sent; outside the workspace it offers Open Folder, inside Reveal in Explorer', async () => {
    const dir = path.join(local, 'up');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'index.html'), '<h1>hi</h1>\n');
    fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(3_400_000));
    const r = await transfer(() => vscode.commands.executeCommand('ftpWorkspace.upload', uri('/site'), [vscode.Uri.file(dir)]), () => undefined, 'Open Folder');
    assert.deepEqual(r.notes.map((n) => n.slice(0)), [['Uploaded 2 files (3.2 MB) to ftp://xfer2/site.', 'Open Folder']]);
    assert.equal(r.ran[0][0], 'vscode.openFolder');
    assert.equal(String(r.ran[0][1]), 'ftp://xfer2/site');

    const before = vscode.workspace.workspaceFolders?.length ?? 0;
    const changed = () => new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
        sub.dispose();
        resolve();
      });
    });
    let done = changed();
    vscode.workspace.updateWorkspaceFolders(before, 0, { uri: uri('/'), name: SITE });
    await done;
    try {
      const again = await transfer(() => vscode.commands.executeCommand('ftpWorkspace.upload', uri('/site'), [vscode.Uri.file(path.join(dir, 'index.html'))], 'replace'), () => undefined, 'Reveal in Explorer');
      assert.deepEqual(again.notes, [['Uploaded 1 file (12 B) to ftp://xfer2/site.', 'Reveal in Explorer']]);
      assert.deepEqual(again.ran.map((c) => [c[0], String(c[1])]), [['revealInExplorer', 'ftp://xfer2/site/index.html']]);
    } finally {
      done = changed();
      vscode.workspace.updateWorkspaceFolders(before, 1);
      await done;
    }
  });

  test('download over an existing local file: the question shows both sides; the end notification opens the file or folder (and reveals it, in a desktop window)', async () => {
    const dest = path.join(local, 'keep-copy.txt');
    fs.writeFileSync(dest, 'old local\n');
    const old = new Date('2021-05-06T07:08:00Z');
    fs.utimesSync(dest, old, old);
    const r = await transfer(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.download', uri('/site/keep.txt'), vscode.Uri.file(dest)), () => 'Replace if Newer', reveal[0] ?? 'Open File');
    assert.equal(r.questions[0].message, `"${dest}" exists already on this computer.`);
    assert.match(r.questions[0].detail, /^server: 22 B, \d{4}-\d\d-\d\d \d\d:\d\d \(newer\) · this computer: 10 B, /);
    assert.equal(r.result.files, 1);
    assert.equal(fs.readFileSync(dest, 'utf8'), 'my local copy, longer\n');
    assert.deepEqual(r.notes, [[`Downloaded 1 file (22 B) to ${dest}, replacing the one that was there.`, ...reveal, 'Open File']]);
    assert.deepEqual(r.ran.map((c) => [c[0], (c[1] as vscode.Uri).fsPath]), [[reveal.length ? 'revealFileInOS' : 'vscode.open', dest]]);

    const folder = path.join(local, 'whole-site');
    const f = await transfer(() => vscode.commands.executeCommand('ftpWorkspace.download', uri('/site/batch'), vscode.Uri.file(folder)), () => undefined, 'Open Folder');
    assert.deepEqual(f.notes, [[`Downloaded 3 files (18 B) to ${folder}.`, ...reveal, 'Open Folder']]);
    assert.equal(f.ran[0][0], 'vscode.openFolder');
    assert.equal((f.ran[0][1] as vscode.Uri).fsPath, folder);
  });

  test('download of a file listed small that has grown since (a log being written): the whole file arrives', async () => {
    writeAsServer(server, 'site/growing.log', 'one line\n');
    // Listed now: the provider's kept listing says 9 bytes, and the download believes it.
    assert.ok((await vscode.workspace.fs.readDirectory(uri('/site'))).some(([n]) => n === 'growing.log'));
    const grown = Buffer.alloc(300 * 1024, 'x');
    writeAsServer(server, 'site/growing.log', grown.toString());
    const dest = path.join(local, 'growing.log');
    const r = await transfer(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.download', uri('/site/growing.log'), vscode.Uri.file(dest)), () => undefined, reveal[0] ?? 'Open File');
    assert.equal(r.result.files, 1);
    assert.equal(fs.statSync(dest).size, grown.length, 'the file as it is now, not the 9 bytes listed');
    assert.deepEqual(fs.readdirSync(local).filter((n) => n.includes('.ftpws-')), [], 'no temporary file left');
  });
});
