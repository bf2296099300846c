/// <reference types="mocha" />
/**
 * The commands and views around the file system, against real servers: the FTP Sites view and its
 * states, Open Site (a folder added to this multi-root workspace), Edit Site Settings, Disconnect and
 * Reconnect, Upload and Download, the certificate trust question, and the notices about transfer
 * modes. Questions the extension asks are answered through host-helpers' `answering`.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, startServer } from '../../servers';
import { answering, until, workspaceFileSites } from '../host-helpers';
import { FakeServer, startFaultServer } from '../../fakes/fault-server';
import { answer, combine, trickleRetr } from '../../fakes/faults';

const ID = 'ftp-workspace.ftp-workspace';
const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
type Api = { siteItems(): Array<{ site: string; state: string; description: string }> };
const api = () => vscode.extensions.getExtension<Api>(ID)!.exports;

/**
 * Runs `body` with local paths given as arguments, confirming the modal that names them (Upload or
 * Download); other warnings (a file that exists already) get `other`'s answer. The calls are returned.
 */
async function confirmingLocal<T>(body: () => Thenable<T>, other: (message: string) => string | undefined = () => undefined): Promise<{ result: T; calls: unknown[][] }> {
  return answering('showWarningMessage', (message, ...rest) => (rest.includes('Upload') ? 'Upload' : rest.includes('Download') ? 'Download' : other(message)), () => Promise.resolve(body()));
}

async function setSites(sites: Record<string, object>): Promise<void> {
  await config().update('sites', sites, vscode.ConfigurationTarget.Workspace);
}

suite('FTP Sites view, Open Site, Edit Site Settings, Disconnect (vsftpd)', () => {
  let server: RunningServer;
  suiteSetup(async () => {
    server = await startServer('vsftpd');
    await vscode.extensions.getExtension(ID)!.activate();
    await setSites({ viewsite: { host: server.host, port: server.port, user: server.user, transferMode: 'auto' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'viewsite', server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await setSites({});
    await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
    await server?.stop();
  });

  test('the view lists the site, then shows it connected with the mode auto mode found, then idle after Disconnect', async () => {
    const item = () => api().siteItems().find((i) => i.site === 'viewsite');
    await until('the site in the view', () => item() !== undefined);
    assert.equal(item()!.state, 'idle');
    assert.equal(item()!.description, 'auto · not connected');
    fs.writeFileSync(path.join(server.root, 'seen.txt'), 'x');
    await vscode.workspace.fs.readFile(vscode.Uri.parse('ftp://viewsite/seen.txt'));
    assert.equal(item()!.state, 'connected');
    assert.equal(item()!.description, 'auto: passive · connected');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', { site: 'viewsite' }); // as the view's inline button passes it
    assert.equal(item()!.state, 'idle');
    await vscode.commands.executeCommand('ftpWorkspace.reconnect', 'viewsite');
    assert.equal(item()!.state, 'connected');
  });

  test('a wrong password shows the site as failed, with the server\'s words', async () => {
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'viewsite', 'not-the-password');
    // The refusal asks for the password once (dismissed here), then tells it in a notification (closed).
    const asked = await answering('showInputBox', () => undefined, () => answering('showErrorMessage', () => undefined, async (told) => {
      await assert.rejects(Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://viewsite/'))), /530|Login|password/i);
      await until('the notification', () => told.length > 0);
    }));
    assert.equal(asked.calls.length, 1);
    const item = api().siteItems().find((i) => i.site === 'viewsite')!;
    assert.equal(item.state, 'failed');
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'viewsite', server.password);
    await vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://viewsite/'));
    assert.equal(api().siteItems().find((i) => i.site === 'viewsite')!.state, 'connected');
  });

  test('Forget Password: the next connection asks for it again (declined: "No password given"); Show Log opens the log', async () => {
    await vscode.commands.executeCommand('ftpWorkspace.forgetPassword', 'viewsite');
    const asked = await answering('showInputBox', () => undefined, () =>
      assert.rejects(Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://viewsite/'))), /No password given for FTP site "viewsite"/));
    assert.equal(asked.calls.length, 1);
    assert.match(String((asked.calls[0][0] as { prompt: string }).prompt), /Password for .*viewsite/);
    assert.equal((asked.calls[0][0] as { password: boolean }).password, true, 'typed as a password');
    // VS Code retries by itself: a dismissed prompt is not shown again until the user reconnects.
    const retried = await answering('showInputBox', () => undefined, () =>
      assert.rejects(Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://viewsite/'))), /Set Password/));
    assert.equal(retried.calls.length, 0);
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', 'viewsite'); // the user may be asked again
    // Answered and remembered: stored in secret storage, and the listing works.
    const remembered = await answering('showInputBox', () => server.password, () =>
      answering('showInformationMessage', (_m, ...buttons) => buttons[0], () => Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://viewsite/')))));
    assert.equal(remembered.calls.length, 1);
    assert.deepEqual(remembered.result.calls[0].slice(1), ['Remember', 'Not now']);
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', 'viewsite');
    const again = await answering('showInputBox', () => undefined, () => Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://viewsite/'))));
    assert.equal(again.calls.length, 0, 'the remembered password is used');
    await vscode.commands.executeCommand('ftpWorkspace.showLog');
    try {
      await until('the Output panel to show the log', () => vscode.window.activeTextEditor?.document.uri.scheme === 'output');
    } finally {
      // Left open, the panel renders every line later tests log: the extension host was reported
      // unresponsive in the next test.
      await vscode.commands.executeCommand('workbench.action.closePanel');
    }
  });

  test('Open Site adds the site as a named folder of this workspace; again, it only reveals it', async () => {
    const before = vscode.workspace.workspaceFolders?.length ?? 0;
    const added = new Promise<vscode.WorkspaceFoldersChangeEvent>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        sub.dispose();
        resolve(e);
      });
    });
    await vscode.commands.executeCommand('ftpWorkspace.openSite', 'viewsite', 'add');
    const event = await added;
    assert.equal(event.added[0].uri.toString(), 'ftp://viewsite/');
    assert.equal(event.added[0].name, 'viewsite');
    assert.equal(vscode.workspace.workspaceFolders!.length, before + 1);
    // A folder of the workspace answers through the provider like any other.
    assert.ok((await vscode.workspace.fs.readDirectory(event.added[0].uri)).some(([n]) => n === 'seen.txt'));
    await vscode.commands.executeCommand('ftpWorkspace.openSite', 'viewsite'); // already open: no question, no second folder
    assert.equal(vscode.workspace.workspaceFolders!.length, before + 1);
    const removed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
        sub.dispose();
        resolve();
      });
    });
    vscode.workspace.updateWorkspaceFolders(before, 1);
    await removed;
  });

  test('Edit Site Settings opens the file that defines the site with the cursor on it', async () => {
    await vscode.commands.executeCommand('ftpWorkspace.editSiteSettings', 'viewsite');
    const editor = vscode.window.activeTextEditor!;
    assert.ok(editor, 'an editor is open');
    assert.equal(editor.document.uri.fsPath, process.env.FTPWS_TEST_WORKSPACE, 'the .code-workspace file, where the site is defined');
    const line = editor.document.lineAt(editor.selection.active.line).text;
    assert.match(line, /"viewsite"\s*:/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});

suite('Upload and Download (proftpd)', () => {
  let server: RunningServer;
  let local: string;
  const disk = (p: string) => path.join(server.root, p);
  suiteSetup(async () => {
    server = await startServer('proftpd');
    await vscode.extensions.getExtension(ID)!.activate();
    await setSites({ xfer: { host: server.host, port: server.port, user: server.user, transferMode: 'passive' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'xfer', server.password);
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-xfer-'));
    fs.mkdirSync(disk('site'));
    fs.chownSync(disk('site'), server.owner.uid, server.owner.gid);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
    fs.rmSync(local, { recursive: true, force: true });
    await server?.stop();
  });

  test('Upload sends a local folder tree (one file of 3 MB) into the FTP folder, byte for byte', async () => {
    const big = crypto.randomBytes(3 * 1024 * 1024);
    fs.mkdirSync(path.join(local, 'up', 'assets', 'img'), { recursive: true });
    fs.writeFileSync(path.join(local, 'up', 'index.html'), '<h1>hi</h1>\n');
    fs.writeFileSync(path.join(local, 'up', 'assets', 'img', 'big.bin'), big);
    const { result, calls } = await confirmingLocal(() => vscode.commands.executeCommand<{ files: number; skipped: number }>('ftpWorkspace.upload', vscode.Uri.parse('ftp://xfer/site'), [vscode.Uri.file(path.join(local, 'up'))]));
    assert.equal(calls.length, 1, 'local paths given as arguments: confirmed once');
    assert.deepEqual({ files: result.files, skipped: result.skipped }, { files: 2, skipped: 0 });
    assert.equal(fs.readFileSync(disk('site/up/index.html'), 'utf8'), '<h1>hi</h1>\n');
    assert.ok(fs.readFileSync(disk('site/up/assets/img/big.bin')).equals(big), 'the 3 MB file arrived intact');
    assert.deepEqual(fs.readdirSync(disk('site/up')).sort(), ['assets', 'index.html'], 'no temporary files left');
  });

  test('Upload over existing files asks; "Skip All" keeps the server\'s file', async () => {
    fs.writeFileSync(path.join(local, 'up', 'index.html'), 'changed locally\n');
    const { result, calls } = await confirmingLocal(() =>
      vscode.commands.executeCommand<{ files: number; skipped: number }>('ftpWorkspace.upload', vscode.Uri.parse('ftp://xfer/site/up/index.html'), [vscode.Uri.file(path.join(local, 'up', 'index.html'))]), () => 'Skip All');
    assert.equal(calls.length, 2, 'the confirmation, then the question, once');
    assert.match(String(calls[1][0]), /index\.html" exists already/);
    assert.equal(result.skipped, 1);
    assert.equal(fs.readFileSync(disk('site/up/index.html'), 'utf8'), '<h1>hi</h1>\n');
    const replaced = await confirmingLocal(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.upload', vscode.Uri.parse('ftp://xfer/site/up'), [vscode.Uri.file(path.join(local, 'up', 'index.html'))], 'replace'));
    assert.match(String((replaced.calls[0][1] as { detail: string }).detail), /will be replaced/, 'the modal says files will be replaced');
    assert.equal(replaced.result.files, 1);
    assert.equal(fs.readFileSync(disk('site/up/index.html'), 'utf8'), 'changed locally\n');
  });

  test('Download brings a folder tree back to disk, and leaves no partial file', async () => {
    const dest = path.join(local, 'down');
    const { result } = await confirmingLocal(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/up'), vscode.Uri.file(dest)));
    assert.equal(result.files, 2);
    assert.ok(fs.readFileSync(path.join(dest, 'assets', 'img', 'big.bin')).equals(fs.readFileSync(disk('site/up/assets/img/big.bin'))));
    assert.equal(fs.readFileSync(path.join(dest, 'index.html'), 'utf8'), 'changed locally\n');
    assert.deepEqual(fs.readdirSync(dest).sort(), ['assets', 'index.html']);
  });

  test('local paths given as arguments are confirmed in a modal naming them and the destination; declined, nothing is read or written', async () => {
    fs.mkdirSync(path.join(local, 'asked'));
    fs.writeFileSync(path.join(local, 'asked', 'private.txt'), 'private\n');
    const up = await answering('showWarningMessage', () => undefined, () =>
      Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.upload', vscode.Uri.parse('ftp://xfer/site'), [vscode.Uri.file(path.join(local, 'asked'))])));
    assert.equal(up.result, undefined);
    assert.equal(up.calls.length, 1);
    assert.equal(String(up.calls[0][0]), 'Upload "asked" to ftp://xfer/site?');
    const options = up.calls[0][1] as { modal: boolean; detail: string };
    assert.equal(options.modal, true);
    assert.ok(options.detail.includes(path.join(local, 'asked')), options.detail);
    assert.deepEqual(up.calls[0].slice(2), ['Upload']);
    assert.equal(fs.existsSync(disk('site/asked')), false, 'nothing sent');

    const dest = path.join(local, 'not-written');
    const down = await answering('showWarningMessage', () => undefined, () =>
      Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/up'), vscode.Uri.file(dest), 'replace')));
    assert.equal(down.result, undefined);
    assert.equal(String(down.calls[0][0]), `Download ftp://xfer/site/up to ${dest}?`);
    assert.match((down.calls[0][1] as { detail: string }).detail, /will be replaced/);
    assert.deepEqual(down.calls[0].slice(2), ['Download']);
    assert.equal(fs.existsSync(dest), false, 'nothing written');
  });

  test('Upload of a folder never follows a local symbolic link: neither the link nor what it points to is sent, and the user is told', async () => {
    const outside = path.join(local, 'outside');
    fs.mkdirSync(path.join(outside, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(outside, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n');
    const tree = path.join(local, 'linked');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'index.html'), 'ok\n');
    fs.symlinkSync(path.join(outside, '.ssh'), path.join(tree, 'ssh'));
    fs.symlinkSync(path.join(outside, '.ssh', 'id_ed25519'), path.join(tree, 'key.txt'));
    const { result, calls } = await confirmingLocal(() =>
      vscode.commands.executeCommand<{ files: number; links: string[] }>('ftpWorkspace.upload', vscode.Uri.parse('ftp://xfer/site'), [vscode.Uri.file(tree)]));
    assert.equal(result.files, 1);
    assert.deepEqual([...result.links].sort(), [path.join(tree, 'key.txt'), path.join(tree, 'ssh')]);
    assert.deepEqual(fs.readdirSync(disk('site/linked')), ['index.html'], 'only the real file arrived');
    assert.ok(calls.some((c) => /Symbolic links are not uploaded/.test(String(c[0]))), 'the user is told');
  });

  test('Download never writes through a local symbolic link where a folder of the tree goes: refused before anything is written', async () => {
    const elsewhere = path.join(local, 'elsewhere');
    fs.mkdirSync(elsewhere);
    const dest = path.join(local, 'down-linked');
    fs.mkdirSync(dest);
    fs.symlinkSync(elsewhere, path.join(dest, 'assets'));
    await assert.rejects(confirmingLocal(() => vscode.commands.executeCommand('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/up'), vscode.Uri.file(dest), 'replace')),
      /assets exists on this computer and is a symbolic link/);
    assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing written through the link');
    assert.deepEqual(fs.readdirSync(dest), ['assets'], 'nothing written at all');
  });

  test('a 20 MB save shows progress; Cancel aborts it (ABOR): the save fails, the server file is intact, no temporary file', async () => {
    const original = crypto.randomBytes(1024);
    fs.writeFileSync(disk('site/keep.bin'), original);
    fs.chownSync(disk('site/keep.bin'), server.owner.uid, server.owner.gid);
    const big = crypto.randomBytes(20 * 1024 * 1024);
    const window = vscode.window as unknown as Record<string, unknown>;
    const original$ = window.withProgress;
    const titles: string[] = [];
    // The notification's Cancel button, pressed as soon as the first progress figure shows.
    window.withProgress = (opts: { title: string; cancellable: boolean }, task: (p: unknown, t: vscode.CancellationToken) => Promise<unknown>) => {
      titles.push(`${opts.title}${opts.cancellable ? ' (cancellable)' : ''}`);
      const cts = new vscode.CancellationTokenSource();
      return task({ report: () => cts.cancel() }, cts.token);
    };
    try {
      await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(vscode.Uri.parse('ftp://xfer/site/keep.bin'), big)), /cancel/i);
    } finally {
      window.withProgress = original$;
    }
    assert.deepEqual(titles, ['Uploading keep.bin (cancellable)']);
    assert.ok(fs.readFileSync(disk('site/keep.bin')).equals(original), 'the file on the server is as it was');
    await until('the temporary file to be removed', () => !fs.readdirSync(disk('site')).some((n) => n.includes('.ftpws-')));
    // The connection is still good after ABOR: a small save goes through.
    await vscode.workspace.fs.writeFile(vscode.Uri.parse('ftp://xfer/site/keep.bin'), Buffer.from('after cancel'));
    assert.equal(fs.readFileSync(disk('site/keep.bin'), 'utf8'), 'after cancel');
  });

  type BatchOutcome = { files: number; cancelled: boolean };

  /** Runs a transfer command (local paths confirmed) with the notification's Cancel pressed once the first bytes have moved. */
  async function cancelledOnFirstBytes(run: () => Thenable<BatchOutcome>): Promise<BatchOutcome> {
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.withProgress;
    window.withProgress = (_opts: unknown, task: (p: unknown, t: vscode.CancellationToken) => Promise<unknown>) => {
      const cts = new vscode.CancellationTokenSource();
      return task({ report: (p: { increment?: number }) => p.increment !== undefined && cts.cancel() }, cts.token);
    };
    try {
      return (await confirmingLocal(run)).result;
    } finally {
      window.withProgress = original;
    }
  }

  test('Cancel during an upload of two 20 MB files (both in flight, one per connection): both are aborted and leave nothing', async () => {
    fs.mkdirSync(path.join(local, 'two'));
    for (const n of ['one.bin', 'two.bin']) fs.writeFileSync(path.join(local, 'two', n), crypto.randomBytes(20 * 1024 * 1024));
    const result = await cancelledOnFirstBytes(() => vscode.commands.executeCommand<BatchOutcome>('ftpWorkspace.upload', vscode.Uri.parse('ftp://xfer/site'), [vscode.Uri.file(path.join(local, 'two'))]));
    assert.deepEqual({ files: result.files, cancelled: result.cancelled }, { files: 0, cancelled: true });
    await until('the aborted temporary file to be removed', () => fs.readdirSync(disk('site/two')).length === 0);
  });

  test('a failed download from the Explorer\'s context menu says so (VS Code shows nothing for a menu command that fails)', async () => {
    const window = vscode.window as unknown as Record<string, unknown>;
    const saved = { save: window.showSaveDialog, error: window.showErrorMessage };
    const shown: string[] = [];
    window.showSaveDialog = async () => vscode.Uri.file(path.join(local, 'never.bin'));
    window.showErrorMessage = async (message: string) => void shown.push(message);
    try {
      // A file listed a moment ago and gone since: the download fails.
      const result = await vscode.commands.executeCommand('ftpWorkspace.downloadToDisk', vscode.Uri.parse('ftp://xfer/site/gone-since.bin'));
      assert.equal(result, undefined);
    } finally {
      window.showSaveDialog = saved.save;
      window.showErrorMessage = saved.error;
    }
    assert.equal(shown.length, 1, `one error notification: ${JSON.stringify(shown)}`);
    assert.match(shown[0], /^Download failed: .*gone-since\.bin/);
    assert.ok(!fs.existsSync(path.join(local, 'never.bin')), 'nothing written');
  });

  test('Cancel during a download of two 20 MB files (into open files, receive-file.ts): both stop, no partial file is left, the site still works', async () => {
    fs.mkdirSync(disk('site/dl-two'));
    for (const n of ['one.bin', 'two.bin']) {
      fs.writeFileSync(disk(`site/dl-two/${n}`), crypto.randomBytes(20 * 1024 * 1024));
      fs.chownSync(disk(`site/dl-two/${n}`), server.owner.uid, server.owner.gid);
    }
    fs.chownSync(disk('site/dl-two'), server.owner.uid, server.owner.gid);
    const dest = path.join(local, 'dl-two-dest');
    fs.mkdirSync(dest);
    const result = await cancelledOnFirstBytes(() => vscode.commands.executeCommand<BatchOutcome>('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/dl-two'), vscode.Uri.file(dest), 'replace'));
    assert.equal(result.cancelled, true);
    assert.ok(result.files < 2, `${result.files} files reported downloaded`);
    // Whatever is on disk is whole (a file finished before the cancel) or nothing: no partial file, no temporary one.
    const left = fs.existsSync(path.join(dest, 'dl-two')) ? fs.readdirSync(path.join(dest, 'dl-two')) : [];
    assert.deepEqual(left.filter((n) => n.includes('.ftpws-')), [], 'no temporary download file left');
    for (const n of left) assert.ok(fs.readFileSync(path.join(dest, 'dl-two', n)).equals(fs.readFileSync(disk(`site/dl-two/${n}`))), `${n} is whole`);
    assert.equal(left.length, result.files, 'the files on disk are the ones reported');
    // The connections are good after the aborts: a file reads whole.
    const again = await vscode.workspace.fs.readFile(vscode.Uri.parse('ftp://xfer/site/dl-two/one.bin'));
    assert.ok(Buffer.from(again).equals(fs.readFileSync(disk('site/dl-two/one.bin'))));
  });

  /** Runs `run` with the notification's Cancel pressed at the first progress message `when` matches; returns the messages. */
  async function cancelledAt<T>(when: RegExp, run: () => Thenable<T>): Promise<{ result: T; titles: string[]; messages: string[] }> {
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.withProgress;
    const titles: string[] = [];
    const messages: string[] = [];
    window.withProgress = (opts: { title: string; cancellable: boolean }, task: (p: unknown, t: vscode.CancellationToken) => Promise<unknown>) => {
      titles.push(`${opts.title}${opts.cancellable ? ' (cancellable)' : ''}`);
      const cts = new vscode.CancellationTokenSource();
      return task({ report: (p: { message?: string }) => {
        if (p.message === undefined) return;
        messages.push(p.message);
        if (when.test(p.message)) cts.cancel();
      } }, cts.token);
    };
    try {
      return { result: await run(), titles, messages };
    } finally {
      window.withProgress = original;
    }
  }

  test('a folder upload shows its notification while the folders are made and listed, and Cancel there stops it: nothing uploaded', async () => {
    const tree = path.join(local, 'prep');
    for (const d of ['a', 'a/b', 'c']) fs.mkdirSync(path.join(tree, d), { recursive: true });
    for (const f of ['a/1.txt', 'a/b/2.txt', 'c/3.txt', '4.txt']) fs.writeFileSync(path.join(tree, f), `${f}\n`);
    // Cancel pressed while the second folder is being made.
    const notes = await answering('showInformationMessage', () => undefined, () => cancelledAt(/^Creating .*\/prep\/a$/, () => confirmingLocal(() =>
      vscode.commands.executeCommand<{ files: number; cancelled: boolean }>('ftpWorkspace.upload', vscode.Uri.parse('ftp://xfer/site'), [vscode.Uri.file(tree)]))));
    const { result, titles, messages } = notes.result;
    assert.deepEqual({ files: result.result.files, cancelled: result.result.cancelled }, { files: 0, cancelled: true });
    // The folders it made before Cancel are named in the end notification (they stay on the server).
    assert.match(String(notes.calls[0]?.[0]), /^Upload to ftp:\/\/xfer\/site cancelled before any file was sent; the (folder it had made, ftp:\/\/xfer\/site\/prep, stays|\d+ folders it had made stay) on the server\.$/);
    assert.deepEqual(titles, ['Uploading to ftp://xfer/site (cancellable)'], 'one notification, from the start');
    assert.deepEqual(messages, ['Looking at the files to upload', 'Creating /site/prep', 'Creating /site/prep/a'], 'the preparation is shown, and stops at Cancel');
    const uploaded = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? uploaded(path.join(dir, e.name)) : [e.name]));
    assert.deepEqual(uploaded(disk('site/prep')), [], 'no file uploaded');
    assert.ok(!fs.existsSync(disk('site/prep/a/b')) && !fs.existsSync(disk('site/prep/c')), 'no folder made after Cancel');
  });

  test('the progress names each file as it is called (not percent-encoded), and every report keeps its text', async () => {
    const tree = path.join(local, 'named');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'notes été [v2].txt'), 'x\n');
    const reports: Array<{ message?: string; increment?: number }> = [];
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.withProgress;
    window.withProgress = (_opts: unknown, task: (p: unknown, t: vscode.CancellationToken) => Promise<unknown>) =>
      task({ report: (p: { message?: string; increment?: number }) => reports.push(p) }, new vscode.CancellationTokenSource().token);
    try {
      const { result } = await confirmingLocal(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.upload', vscode.Uri.parse('ftp://xfer/site'), [vscode.Uri.file(tree)]));
      assert.equal(result.files, 1);
    } finally {
      window.withProgress = original;
    }
    // The title ("Uploading to ftp://xfer/site") does not name the lone file: the line under it does.
    assert.ok(reports.some((r) => r.message === 'notes été [v2].txt'), JSON.stringify(reports));
    const increments = reports.filter((r) => r.increment !== undefined);
    assert.ok(increments.length > 0 && increments.every((r) => r.message === 'notes été [v2].txt'), `an increment without its text blanks the notification: ${JSON.stringify(increments)}`);
  });

  test('a folder download lists its tree under its notification, and Cancel there stops it: nothing written', async () => {
    for (const d of ['tree/x', 'tree/y', 'tree/y/z']) fs.mkdirSync(disk(`site/${d}`), { recursive: true });
    for (const f of ['tree/x/1.txt', 'tree/y/2.txt', 'tree/y/z/3.txt']) fs.writeFileSync(disk(`site/${f}`), `${f}\n`);
    const dest = path.join(local, 'tree-down');
    const notes = await answering('showInformationMessage', () => undefined, () => cancelledAt(/^Listing \/site\/tree$/, () => confirmingLocal(() =>
      vscode.commands.executeCommand<{ files: number; cancelled: boolean }>('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/tree'), vscode.Uri.file(dest), 'replace'))));
    const { result, titles, messages } = notes.result;
    assert.deepEqual({ files: result.result.files, cancelled: result.result.cancelled }, { files: 0, cancelled: true });
    // The destination was never made: the end names the source, not a folder that is not there.
    assert.deepEqual(notes.calls.map((c) => c[0]), ['Download of tree cancelled; nothing was written to this computer.']);
    assert.deepEqual(titles, ['Downloading tree (cancellable)']);
    assert.deepEqual(messages, ['Listing /site/tree'], 'stopped before its subfolders were listed');
    assert.equal(fs.existsSync(dest), false, 'nothing written on this computer');
    // Not cancelled: the whole tree, every file in its place, in path order.
    const done = await confirmingLocal(() => vscode.commands.executeCommand<{ files: number; cancelled: boolean }>('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/tree'), vscode.Uri.file(dest), 'replace'));
    assert.deepEqual({ files: done.result.files, cancelled: done.result.cancelled }, { files: 3, cancelled: false });
    for (const f of ['x/1.txt', 'y/2.txt', 'y/z/3.txt']) assert.equal(fs.readFileSync(path.join(dest, f), 'utf8'), `tree/${f}\n`);
  });

  test('Cancel while the files move: the end notification says how many of how many, and the folders the batch made and left (on the server, on this computer)', async () => {
    const tree = path.join(local, 'of-n');
    fs.mkdirSync(tree);
    for (let i = 1; i <= 150; i++) fs.writeFileSync(path.join(tree, `${i}.txt`), 'n\n');
    // Cancel pressed once the line shows the fifth file or a later one started (some have arrived by then).
    const late = /^([5-9]|\d\d+) of 150: /;
    const up = await answering('showInformationMessage', () => undefined, () => cancelledAt(late, () => confirmingLocal(() =>
      vscode.commands.executeCommand<{ files: number; total?: number; cancelled: boolean }>('ftpWorkspace.upload', vscode.Uri.parse('ftp://xfer/site'), [vscode.Uri.file(tree)]))));
    const u = up.result.result.result;
    assert.deepEqual({ total: u.total, cancelled: u.cancelled }, { total: 150, cancelled: true });
    assert.ok(u.files >= 1 && u.files < 150, `${u.files} of 150 uploaded`);
    assert.equal(fs.readdirSync(disk('site/of-n')).filter((n) => n.endsWith('.txt')).length, u.files, 'the files on the server are the ones counted');
    assert.equal(String(up.calls[0]?.[0]), `Uploaded ${u.files} of 150 files (${u.files * 2} B) to ftp://xfer/site, then cancelled (the folder it had made, ftp://xfer/site/of-n, stays on the server).`);

    fs.mkdirSync(disk('site/of-n-tree/y/z'), { recursive: true });
    fs.mkdirSync(disk('site/of-n-tree/x'));
    for (let i = 1; i <= 150; i++) fs.writeFileSync(disk(`site/of-n-tree/x/${i}.txt`), 'n\n');
    const dest = path.join(local, 'of-n-down');
    const down = await answering('showInformationMessage', () => undefined, () => cancelledAt(late, () => confirmingLocal(() =>
      vscode.commands.executeCommand<{ files: number; total?: number; cancelled: boolean }>('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/of-n-tree'), vscode.Uri.file(dest), 'replace'))));
    const d = down.result.result.result;
    assert.deepEqual({ total: d.total, cancelled: d.cancelled }, { total: 150, cancelled: true });
    assert.ok(d.files >= 1 && d.files < 150, `${d.files} of 150 downloaded`);
    // The destination and its folders x, y and y/z were made before the first file moved.
    assert.equal(String(down.calls[0]?.[0]), `Downloaded ${d.files} of 150 files (${d.files * 2} B) to ${dest}, then cancelled (the 4 folders it had made stay on this computer).`);
    // Not cancelled, the words are as before: no "of".
    const elsewhere = path.join(local, 'of-n-down-whole');
    const whole = await answering('showInformationMessage', () => undefined, () => confirmingLocal(() =>
      vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/of-n-tree'), vscode.Uri.file(elsewhere), 'replace')));
    assert.equal(String(whole.calls[0]?.[0]), `Downloaded 150 files (300 B) to ${elsewhere}.`);
  });

  test('Download of a tree never goes through a link on the server (one to ".." would be endless): links are skipped and reported', async () => {
    fs.mkdirSync(disk('site/remote-links/real'), { recursive: true });
    fs.writeFileSync(disk('site/remote-links/real/inner.txt'), 'inner\n');
    fs.symlinkSync('..', disk('site/remote-links/real/up'));
    fs.symlinkSync('real/inner.txt', disk('site/remote-links/file-link.txt'));
    const dest = path.join(local, 'remote-links-down');
    const { result } = await confirmingLocal(() => vscode.commands.executeCommand<{ files: number; links: string[] }>('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/remote-links'), vscode.Uri.file(dest), 'replace'));
    assert.equal(result.files, 1);
    assert.deepEqual(result.links, ['ftp://xfer/site/remote-links/file-link.txt', 'ftp://xfer/site/remote-links/real/up']);
    assert.deepEqual(fs.readdirSync(dest).sort(), ['real']);
    assert.deepEqual(fs.readdirSync(path.join(dest, 'real')), ['inner.txt']);
  });

  test('Download of a missing file fails with FileNotFound and writes nothing', async () => {
    const dest = path.join(local, 'missing.txt');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.download', vscode.Uri.parse('ftp://xfer/site/nope.txt'), vscode.Uri.file(dest))), /FileNotFound|not found|No such/i);
    assert.equal(fs.existsSync(dest), false);
    assert.deepEqual(fs.readdirSync(local).filter((n) => n.includes('.part')), []);
  });
});

suite('a Cancel the server does not confirm (FAKE fault server: ABOR unanswered, as ftp-srv does at times)', () => {
  let srv: FakeServer;
  let local: string;
  suiteSetup(async () => {
    await vscode.extensions.getExtension(ID)!.activate();
    // RETR trickles (64 bytes every 20 ms), so Cancel comes while the file moves; ABOR gets no answer.
    srv = await startFaultServer(combine(trickleRetr(20), answer('ABOR', 'silence')));
    fs.writeFileSync(path.join(srv.root, 'slow.txt'), 'x'.repeat(20_000));
    await setSites({ stopper: { host: '127.0.0.1', port: srv.port, transferMode: 'passive' } });
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-stopper-'));
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
    fs.rmSync(local, { recursive: true, force: true });
    await srv?.stop();
  });

  test('while the cancelled download waits for the server, a notification says so; it closes when the download has ended, before the end notification', async function () {
    this.timeout(30_000);
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.withProgress;
    const events: string[] = [];
    window.withProgress = (opts: { title: string; cancellable?: boolean }, task: (p: unknown, t: vscode.CancellationToken) => Promise<unknown>) => {
      const title = `${opts.title}${opts.cancellable ? ' (cancellable)' : ''}`;
      events.push(`shown: ${title}`);
      const cts = new vscode.CancellationTokenSource();
      // Cancel pressed once bytes have moved.
      return task({ report: (p: { increment?: number }) => void (p.increment && cts.cancel()) }, cts.token).finally(() => events.push(`closed: ${title}`));
    };
    const dest = path.join(local, 'slow.txt');
    try {
      const told = await answering('showInformationMessage', (m) => void events.push(`told: ${m}`), () => confirmingLocal(() =>
        vscode.commands.executeCommand<{ files: number; cancelled: boolean }>('ftpWorkspace.download', vscode.Uri.parse('ftp://stopper/slow.txt'), vscode.Uri.file(dest))));
      assert.deepEqual({ files: told.result.result.files, cancelled: told.result.result.cancelled }, { files: 0, cancelled: true });
    } finally {
      window.withProgress = original;
    }
    const waiting = 'Cancelling: waiting for the server to confirm';
    assert.deepEqual(events.filter((e) => !e.startsWith('closed: Downloading')), [
      'shown: Downloading slow.txt (cancellable)',
      `shown: ${waiting}`,
      `closed: ${waiting}`,
      `told: Download of slow.txt cancelled; nothing was written to ${dest}.`,
    ]);
    assert.equal(fs.existsSync(dest), false);
  });
});

suite('certificate trust (proftpd, explicit FTPS, a self-signed certificate)', () => {
  let server: RunningServer;
  suiteSetup(async () => {
    server = await startServer('proftpd');
    await vscode.extensions.getExtension(ID)!.activate();
    await setSites({ tlssite: { host: server.host, port: server.port, user: server.user, secure: 'explicit', transferMode: 'passive' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'tlssite', server.password);
    fs.writeFileSync(path.join(server.root, 'secret.txt'), 'over TLS\n');
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
    await server?.stop();
  });

  test('declined: the read fails and says why, with the SHA-256 fingerprint shown in the question', async () => {
    const { calls } = await answering('showWarningMessage', () => undefined, async () => {
      await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.parse('ftps://tlssite/secret.txt'))), /not trusted/);
    });
    assert.equal(calls.length, 1);
    assert.match(String(calls[0][0]), /certificate of FTP site "tlssite"/);
    const detail = (calls[0][1] as { detail: string; modal: boolean });
    assert.equal(detail.modal, true);
    assert.ok(detail.detail.includes(`SHA-256: ${server.certSha256}`), `the fingerprint ${server.certSha256} is shown: ${detail.detail}`);
    assert.equal(calls[0][2], 'Trust this certificate for tlssite');
  });

  test('declined once, asked once: parallel reads share the question, later reads are not asked until Disconnect or Reconnect', async () => {
    const { calls } = await answering('showWarningMessage', () => undefined, async () => {
      const reads = await Promise.allSettled(['secret.txt', 'secret.txt', 'other.txt'].map((n) => vscode.workspace.fs.readFile(vscode.Uri.parse(`ftps://tlssite/${n}`))));
      for (const r of reads) assert.match(String(r.status === 'rejected' && r.reason), /not trusted/);
    });
    assert.equal(calls.length, 0, 'declined in the test before: not asked again');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', 'tlssite');
    const again = await answering('showWarningMessage', () => undefined, async () => {
      const reads = await Promise.allSettled([1, 2, 3].map(() => vscode.workspace.fs.readFile(vscode.Uri.parse('ftps://tlssite/secret.txt'))));
      for (const r of reads) assert.match(String(r.status === 'rejected' && r.reason), /not trusted/);
    });
    assert.equal(again.calls.length, 1, 'three parallel reads, one question');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', 'tlssite'); // so the next test is asked
  });

  test('trusted: the same read works, and later connections are not asked again', async () => {
    const { result, calls } = await answering('showWarningMessage', (_m, _o, trust) => trust, () =>
      Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.parse('ftps://tlssite/secret.txt'))));
    assert.equal(Buffer.from(result).toString(), 'over TLS\n');
    assert.equal(calls.length, 1);
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', 'tlssite');
    const again = await answering('showWarningMessage', () => undefined, () => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.parse('ftps://tlssite/secret.txt'))));
    assert.equal(again.calls.length, 0, 'no second question');
    assert.equal(Buffer.from(again.result).toString(), 'over TLS\n');
    assert.ok(!JSON.stringify(config().inspect('sites')).includes(server.certSha256), 'the trust is not written into the settings');
  });
});

suite('transfer mode notices (vsftpd with passive mode disabled)', () => {
  let server: RunningServer;
  suiteSetup(async () => {
    server = await startServer('vsftpd', { passive: false });
    await vscode.extensions.getExtension(ID)!.activate();
    fs.writeFileSync(path.join(server.root, 'page.txt'), 'hello\n');
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
    await server?.stop();
  });

  test('auto: the first listing falls back to active; the one-time notice\'s "Always use active" writes the site\'s mode', async () => {
    await setSites({ nopasv: { host: server.host, port: server.port, user: server.user, transferMode: 'auto' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'nopasv', server.password);
    const { result, calls } = await answering('showInformationMessage', (_m, ...buttons) => buttons[0], async (calls) => {
      const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://nopasv/'));
      await until('the notice', () => calls.length > 0);
      await until('the setting', () => workspaceFileSites().nopasv?.transferMode === 'active');
      return entries;
    });
    assert.ok(result.some(([n]) => n === 'page.txt'));
    // vsftpd with pasv_enable=NO answers EPSV and PASV with "550 Permission denied."
    assert.equal(String(calls[0][0]), 'Passive mode failed on nopasv (550 Permission denied); active mode works.');
    assert.deepEqual(calls[0].slice(1), ['Always use active for nopasv', 'Keep automatic']);
    assert.equal(workspaceFileSites().nopasv.transferMode, 'active');
  });

  test('a fixed passive mode does not switch by itself: the error names passive mode and offers active', async () => {
    await setSites({ fixed: { host: server.host, port: server.port, user: server.user, transferMode: 'passive' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'fixed', server.password);
    const { calls } = await answering('showErrorMessage', () => 'Use active mode for fixed', async (calls) => {
      await assert.rejects(Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://fixed/'))), /Passive mode failed.*Try active mode.*Diagnose Connection/s);
      await until('the offer', () => calls.length > 0);
      await until('the setting', () => workspaceFileSites().fixed?.transferMode === 'active');
    });
    assert.match(String(calls[0][0]), /Passive mode failed on 127\.0\.0\.1/);
    assert.deepEqual(calls[0].slice(1), ['Use active mode for fixed', 'Diagnose Connection...']);
    // The file is written before the extension host hears of the change (which reconnects).
    await until('the extension host to see the new mode', () => (config().get<Record<string, { transferMode?: string }>>('sites') ?? {}).fixed?.transferMode === 'active');
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://fixed/'));
    assert.ok(entries.some(([n]) => n === 'page.txt'), 'active mode works once chosen');
  });

  test('Diagnose Connection: the report names the refused passive mode, recommends active, and applies it', async () => {
    await setSites({ doc: { host: server.host, port: server.port, user: server.user, transferMode: 'passive' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'doc', server.password);
    const report = await answering('showInformationMessage', () => undefined, () =>
      Promise.resolve(vscode.commands.executeCommand<{ steps: Array<{ id: string; status: string; verdict: string }>; recommendation: { transferMode: string; summary: string } }>('ftpWorkspace.diagnose', 'doc', { apply: true })));
    const steps = Object.fromEntries(report.result.steps.map((st) => [st.id, st]));
    assert.deepEqual(['resolve', 'connect', 'login', 'feat'].map((id) => steps[id]?.status), ['ok', 'ok', 'ok', 'ok']);
    assert.equal(steps['list-epsv'].status, 'failed');
    assert.equal(steps['list-pasv'].status, 'failed');
    assert.match(steps['list-pasv'].verdict, /refuse|disabled/i);
    assert.equal(steps['list-eprt'].status, 'ok');
    assert.equal(report.result.recommendation.transferMode, 'active');
    await until('the setting', () => workspaceFileSites().doc?.transferMode === 'active');
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Diagnose doc');
    assert.ok(tab, 'the report is open in an editor tab');
    assert.ok(tab!.input instanceof vscode.TabInputWebview);
    await vscode.commands.executeCommand('ftpWorkspace.copyDiagnosis', 'doc');
    const copied = await vscode.env.clipboard.readText();
    assert.match(copied, /^# Connection doctor: doc/);
    assert.match(copied, /List \/ with PASV/);
    // The login row shows PASS with its argument masked, never the password itself.
    assert.match(copied, /PASS \*{3,}/);
    assert.ok(!copied.includes(`PASS ${server.password}`), 'no password in the report');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

suite('one listing answers the stats of its entries (pyftpdlib, MLSD)', () => {
  let server: RunningServer;
  suiteSetup(async () => {
    server = await startServer('pyftpdlib');
    await vscode.extensions.getExtension(ID)!.activate();
    for (const [name, size] of [['a.txt', 1], ['b.txt', 22], ['c.txt', 333]] as const) fs.writeFileSync(path.join(server.root, name), 'x'.repeat(size));
    fs.mkdirSync(path.join(server.root, 'sub'));
    await setSites({ cached: { host: server.host, port: server.port, user: server.user, transferMode: 'passive' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'cached', server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
    await server?.stop();
  });

  test('after a listing, stat of every entry works with the server gone: no round trip', async () => {
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://cached/'));
    assert.deepEqual(entries.map(([n]) => n).sort(), ['a.txt', 'b.txt', 'c.txt', 'sub']);
    await server.stop(); // nothing answers any more
    const sizes = await Promise.all(['a.txt', 'b.txt', 'c.txt'].map(async (n) => (await vscode.workspace.fs.stat(vscode.Uri.parse(`ftp://cached/${n}`))).size));
    assert.deepEqual(sizes, [1, 22, 333]);
    assert.equal((await vscode.workspace.fs.stat(vscode.Uri.parse('ftp://cached/sub'))).type, vscode.FileType.Directory);
    // A name the listing did not have is asked of the server, which is gone: that fails.
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.parse('ftp://cached/d.txt'))));
  });
});
