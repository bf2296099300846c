/// <reference types="mocha" />
/**
 * FTP: Upload... and FTP: Download... as a user walks them, against proftpd: what the notification
 * says while a file moves and when it ends (one unit for sizes, the name once and a percentage, a
 * cancelled download offering nothing to open), how the palette's Download picks what it downloads
 * (VS Code's own file dialog on the site), which questions are asked (not twice after a save
 * dialog; a folder named as a folder), what a replaced local file keeps (its permission bits), and
 * how soon Cancel ends an upload that is making folders on a distant server (a latency relay). The
 * window's functions are swapped for recorders (`watching`): the suite runs in the extension's own
 * host and shares its `vscode` object.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ManagedServer, RunningServer, startServer } from '../../servers';
import { LatencyRelay } from '../../servers/latency-relay';
import { until } from '../host-helpers';
import { FakeServer, startFaultServer } from '../../fakes/fault-server';

const ID = 'ftp-workspace.ftp-workspace';
const SITE = 'walk';
const config = () => vscode.workspace.getConfiguration('ftpWorkspace');

async function setSite(site: Record<string, unknown> | undefined, name = SITE): Promise<void> {
  const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}) };
  if (site) sites[name] = site;
  else delete sites[name];
  await config().update('sites', Object.keys(sites).length ? sites : undefined, vscode.ConfigurationTarget.Global);
  await until('the new settings', () => JSON.stringify(config().get<Record<string, unknown>>('sites')?.[name]) === JSON.stringify(site));
}

/** Puts a file on the server as its user would have (proftpd serves as nobody). */
function onServer(server: RunningServer, rel: string, data: string | Buffer): void {
  const file = path.join(server.root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  for (let p = file; p.startsWith(server.root) && p !== server.root; p = path.dirname(p)) fs.chownSync(p, server.owner.uid, server.owner.gid);
}

interface Seen {
  /** Each notification with progress: its title and every report, in order. */
  progress: Array<{ title: string; reports: Array<{ message?: string; increment?: number }> }>;
  /** showInformationMessage calls: the message and its buttons. */
  notes: unknown[][];
  /** Modal questions (showWarningMessage with options): message, detail, buttons. */
  questions: Array<{ message: string; detail?: string; buttons: string[] }>;
  errors: string[];
  openDialogs: vscode.OpenDialogOptions[];
}

interface Answers {
  /** A modal question's answer (undefined: dismissed). */
  question?: (message: string, buttons: string[]) => string | undefined;
  /** The notification's Cancel, pressed at the first report this accepts. */
  cancelAt?: (report: { message?: string; increment?: number }) => boolean;
  /** Given the notification's Cancel, to press it later. */
  onCancel?: (cancel: () => void) => void;
  saveDialog?: (options: vscode.SaveDialogOptions) => vscode.Uri | undefined;
  /** What the open dialog returns; unset, VS Code's own dialog is shown. */
  openDialog?: (options: vscode.OpenDialogOptions) => vscode.Uri[] | undefined;
  quickPick?: (items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined;
  /** Given each list made with createQuickPick (the real one, shown), to drive it. */
  onPicker?: (picker: vscode.QuickPick<vscode.QuickPickItem>) => void;
}

/** Resolves once the window has said nothing of the list's active row for 300 ms. */
async function settled(p: vscode.QuickPick<vscode.QuickPickItem>): Promise<void> {
  let last = Date.now();
  const sub = p.onDidChangeActive(() => (last = Date.now()));
  try {
    await until('the window to settle on an active row', () => Date.now() - last >= 300);
  } finally {
    sub.dispose();
  }
}

/** Runs `body` with the window's notifications, questions and dialogs recorded and answered. */
async function watching<T>(body: () => Thenable<T>, answers: Answers = {}): Promise<{ result: T } & Seen> {
  const seen: Seen = { progress: [], notes: [], questions: [], errors: [], openDialogs: [] };
  const window = vscode.window as unknown as Record<string, unknown>;
  const swapped = ['withProgress', 'showInformationMessage', 'showErrorMessage', 'showWarningMessage', 'showSaveDialog', 'showOpenDialog', 'showQuickPick', 'createQuickPick'];
  const saved = Object.fromEntries(swapped.map((name) => [name, window[name]]));
  window.withProgress = (opts: { title: string }, task: (p: unknown, t: vscode.CancellationToken) => Promise<unknown>) => {
    const shown = { title: opts.title, reports: [] as Array<{ message?: string; increment?: number }> };
    seen.progress.push(shown);
    const cts = new vscode.CancellationTokenSource();
    answers.onCancel?.(() => cts.cancel());
    return task({ report: (r: { message?: string; increment?: number }) => {
      shown.reports.push(r);
      if (answers.cancelAt?.(r)) cts.cancel();
    } }, cts.token);
  };
  window.showInformationMessage = async (...args: unknown[]) => void seen.notes.push(args);
  window.showErrorMessage = async (message: string) => void seen.errors.push(message);
  window.showWarningMessage = async (message: string, ...rest: unknown[]) => {
    const modal = typeof rest[0] === 'object' && rest[0] !== null ? rest.shift() as { detail?: string } : undefined;
    const buttons = rest as string[];
    if (!modal) return undefined; // a warning notification (links not followed...): nothing to answer
    seen.questions.push({ message, detail: modal.detail, buttons });
    return answers.question?.(message, buttons);
  };
  if (answers.saveDialog) window.showSaveDialog = async (o: vscode.SaveDialogOptions) => answers.saveDialog!(o);
  window.showOpenDialog = (o: vscode.OpenDialogOptions) => {
    seen.openDialogs.push(o);
    return answers.openDialog ? Promise.resolve(answers.openDialog(o)) : (saved.showOpenDialog as typeof vscode.window.showOpenDialog)(o);
  };
  if (answers.quickPick) window.showQuickPick = async (items: readonly vscode.QuickPickItem[]) => answers.quickPick!(await items);
  window.createQuickPick = () => {
    const picker = (saved.createQuickPick as typeof vscode.window.createQuickPick)();
    answers.onPicker?.(picker);
    return picker;
  };
  try {
    return { result: await body(), ...seen };
  } finally {
    Object.assign(window, saved);
  }
}

suite('transfers as a user walks them (proftpd)', () => {
  let server: ManagedServer;
  let local: string;
  const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
  const disk = (p: string) => path.join(server.root, p);

  suiteSetup(async () => {
    server = await startServer('proftpd');
    await vscode.extensions.getExtension(ID)!.activate();
    await setSite({ host: server.host, port: server.port, user: server.user, pollSeconds: 0 });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-walk-'));
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await setSite(undefined);
    fs.rmSync(local, { recursive: true, force: true });
    await server?.stop();
  });

  test('sizes in one unit: opening a file and downloading it say the same size (VS Code\'s, 1024-based)', async () => {
    onServer(server, 'site/units.bin', crypto.randomBytes(3_400_000));
    await vscode.workspace.fs.readDirectory(uri('/site')); // as the Explorer lists it before the file is opened: its size is known
    const opened = await watching(() => vscode.workspace.fs.readFile(uri('/site/units.bin')));
    const openText = opened.progress.flatMap((p) => p.reports.map((r) => r.message)).filter(Boolean);
    assert.ok(openText.length > 0, 'opening a 3 MB file shows its progress');
    assert.match(openText[openText.length - 1]!, / of 3\.2 MB$/);
    const dest = path.join(local, 'units.bin');
    const down = await watching(() => vscode.commands.executeCommand('ftpWorkspace.download', uri('/site/units.bin'), vscode.Uri.file(dest)), { question: (_m, b) => b[0] });
    assert.equal(String(down.notes[0]?.[0]), `Downloaded 1 file (3.2 MB) to ${dest}.`);
  });

  test('one big file\'s progress names it once (in the title) and shows bytes and a percentage', async () => {
    onServer(server, 'site/big.bin', crypto.randomBytes(3_400_000));
    const dest = path.join(local, 'big.bin');
    const r = await watching(() => vscode.commands.executeCommand('ftpWorkspace.download', uri('/site/big.bin'), vscode.Uri.file(dest)), { question: (_m, b) => b[0] });
    assert.deepEqual(r.progress.map((p) => p.title), ['Downloading big.bin']);
    const lines = r.progress[0].reports.map((p) => p.message);
    assert.ok(lines.every((m) => m !== undefined && /^[\d.]+ (B|KB|MB) of 3\.2 MB \(\d+%\)$/.test(m)), `every line: bytes of the size, and a percentage: ${JSON.stringify(lines)}`);
    assert.equal(lines[0], '0 B of 3.2 MB (0%)');
    assert.equal(lines[lines.length - 1], '3.2 MB of 3.2 MB (100%)');
    const increments = r.progress[0].reports.reduce((sum, p) => sum + (p.increment ?? 0), 0);
    assert.ok(Math.abs(increments - 100) < 0.001, `the bar reaches the end: ${increments}`);
  });

  test('a folder of 300 small files: at most ten progress reports a second (each one a message to the window), each with its text, and the bar reaches the end', async () => {
    const tree = path.join(local, 'many');
    fs.mkdirSync(tree);
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(tree, `f${i}.txt`), `file ${i}\n`.repeat(50));
    const started = Date.now();
    const r = await watching(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.upload', uri('/site'), [vscode.Uri.file(tree)]), { question: (_m, b) => b[0] });
    const ms = Date.now() - started;
    assert.equal(r.result.files, 300);
    const reports = r.progress.flatMap((p) => p.reports);
    // One per 100 ms, and the first text and the first bytes at once (the preparation's own reports too).
    assert.ok(reports.length <= ms / 100 + 6, `${reports.length} reports in ${ms} ms (two a file before)`);
    assert.ok(reports.every((x) => typeof x.message === 'string'), 'every report carries its text (one without blanks it)');
    const counts = reports.map((x) => Number(/^(\d+) of 300: /.exec(x.message ?? '')?.[1] ?? NaN)).filter((n) => !Number.isNaN(n));
    assert.ok(counts.length > 0 && counts.every((n, k) => k === 0 || n >= counts[k - 1]), `"N of 300" never goes back: ${counts.join(' ')}`);
    const files = reports.map((x) => x.message ?? '').filter((m) => / of 300: /.test(m));
    assert.ok(files.every((m) => /^\d+ of 300: f\d+\.txt in many$/.test(m)), `each line names the file, then its folder: ${files.join(' | ')}`);
    const increments = reports.reduce((sum, x) => sum + (x.increment ?? 0), 0);
    assert.ok(Math.abs(increments - 100) < 0.001, `the bar reaches the end: ${increments}`);
    assert.equal(fs.readdirSync(disk('site/many')).length, 300);
  });

  test('a folder download\'s progress names each file, then its folder where it lands', async () => {
    const where: Record<string, string> = { 'top.txt': 'deep-down', '1.txt': 'deep-down/a', '2.txt': 'deep-down/a/b', '3.txt': 'deep-down/a/b' };
    onServer(server, 'site/deep/top.txt', 'top\n');
    onServer(server, 'site/deep/a/1.txt', '1\n');
    onServer(server, 'site/deep/a/b/2.txt', '2\n');
    onServer(server, 'site/deep/a/b/3.txt', '3\n');
    const dest = path.join(local, 'deep-down');
    const r = await watching(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.download', uri('/site/deep'), vscode.Uri.file(dest), 'replace'), { question: (_m, b) => b[0] });
    assert.equal(r.result.files, 4);
    const lines = r.progress.flatMap((p) => p.reports.map((x) => x.message ?? '')).filter((m) => / of 4: /.test(m));
    assert.ok(lines.length > 0, 'a line names a file');
    for (const line of lines) {
      const [, name, folder] = /^\d of 4: (\S+) in (.+)$/.exec(line) ?? [];
      assert.ok(name in where, `a file's name, then its folder: ${line}`);
      assert.equal(folder, where[name].split('/').join(path.sep), line);
    }
  });

  test('a cancelled download says so and offers nothing to open: no file was written, or the one there is as it was', async () => {
    const data = crypto.randomBytes(20 * 1024 * 1024);
    onServer(server, 'site/cancel.bin', data);
    const firstBytes = (p: { increment?: number }) => (p.increment ?? 0) > 0;
    const dest = path.join(local, 'cancel.bin');
    const fresh = await watching(() => vscode.commands.executeCommand<{ cancelled: boolean }>('ftpWorkspace.download', uri('/site/cancel.bin'), vscode.Uri.file(dest)), { question: (_m, b) => b[0], cancelAt: firstBytes });
    assert.equal(fresh.result.cancelled, true);
    assert.deepEqual(fresh.notes, [[`Download of cancel.bin cancelled; nothing was written to ${dest}.`]], 'no Open File, no Reveal: there is nothing to show');
    assert.equal(fs.existsSync(dest), false);

    fs.writeFileSync(dest, 'the local copy\n');
    const over = await watching(() => vscode.commands.executeCommand<{ cancelled: boolean }>('ftpWorkspace.download', uri('/site/cancel.bin'), vscode.Uri.file(dest), 'replace'), { question: (_m, b) => b[0], cancelAt: firstBytes });
    assert.equal(over.result.cancelled, true);
    assert.deepEqual(over.notes, [[`Download of cancel.bin cancelled; ${dest} is as it was.`]], 'Open File would open the old file as if it were the download');
    assert.equal(fs.readFileSync(dest, 'utf8'), 'the local copy\n');
    assert.deepEqual(fs.readdirSync(local).filter((n) => n.includes('.ftpws-')), [], 'no partial file left');
  });

  test('a download that replaces a local file keeps its permission bits (0755, 0444), and never follows a link there', async () => {
    const modeOf = (p: string) => fs.lstatSync(p).mode & 0o7777;
    onServer(server, 'site/modes/run.sh', '#!/bin/sh\necho new\n'); // small: written from memory
    onServer(server, 'site/modes/data.bin', crypto.randomBytes(300 * 1024)); // streamed into an open file
    onServer(server, 'site/modes/linked.txt', 'new\n');
    const dest = path.join(local, 'modes');
    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(dest, 'run.sh'), '#!/bin/sh\necho old\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dest, 'data.bin'), 'old');
    fs.chmodSync(path.join(dest, 'data.bin'), 0o444);
    const target = path.join(local, 'link-target.txt');
    fs.writeFileSync(target, 'not to be touched\n');
    fs.chmodSync(target, 0o700);
    fs.symlinkSync(target, path.join(dest, 'linked.txt'));
    for (const name of ['run.sh', 'data.bin', 'linked.txt']) {
      const r = await watching(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.download', uri(`/site/modes/${name}`), vscode.Uri.file(path.join(dest, name)), 'replace'), { question: (_m, b) => b[0] });
      assert.equal(r.result.files, 1, name);
    }
    assert.equal(fs.readFileSync(path.join(dest, 'run.sh'), 'utf8'), '#!/bin/sh\necho new\n');
    assert.equal(modeOf(path.join(dest, 'run.sh')), 0o755, 'the script stays runnable');
    assert.equal(modeOf(path.join(dest, 'data.bin')), 0o444, 'the read-only file stays read-only');
    // The link itself is replaced by the file; what it pointed to keeps its content and mode, and lends the file nothing.
    assert.ok(fs.lstatSync(path.join(dest, 'linked.txt')).isFile());
    assert.notEqual(modeOf(path.join(dest, 'linked.txt')), 0o700);
    assert.deepEqual([fs.readFileSync(target, 'utf8'), modeOf(target)], ['not to be touched\n', 0o700]);
  });

  test('a file download over a local file chosen in the save dialog is not asked about again (the dialog asked whether to replace it)', async () => {
    onServer(server, 'site/twice.txt', 'from the server\n');
    const dest = path.join(local, 'twice.txt');
    fs.writeFileSync(dest, 'the local copy\n');
    const dialogs: vscode.SaveDialogOptions[] = [];
    const r = await watching(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.download', uri('/site/twice.txt')), {
      saveDialog: (o) => (dialogs.push(o), vscode.Uri.file(dest)), // VS Code's save dialog (code-server's) asked "already exists... overwrite?" there
      question: (_m, b) => b[0],
    });
    assert.equal(dialogs.length, 1);
    assert.deepEqual(r.questions, [], 'no second "replace?" after the dialog\'s');
    assert.equal(r.result.files, 1);
    assert.equal(fs.readFileSync(dest, 'utf8'), 'from the server\n');
  });

  test('the Upload and Download dialogs open in the local folder the last one used (FileZilla\'s local pane stays where it was)', async () => {
    onServer(server, 'site/remember/a.txt', 'a\n');
    onServer(server, 'site/remember/sub/b.txt', 'b\n');
    const first = path.join(local, 'remember-1');
    const second = path.join(local, 'remember-2');
    const sources = path.join(local, 'remember-src');
    for (const d of [first, second, sources]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(sources, 'up.txt'), 'up\n');
    const asked: string[] = [];
    // A file downloaded into the first folder...
    await watching(() => vscode.commands.executeCommand('ftpWorkspace.download', uri('/site/remember/a.txt')), {
      saveDialog: (o) => (asked.push(o.defaultUri!.fsPath), vscode.Uri.file(path.join(first, 'a.txt'))),
    });
    // ...then a folder's download opens there; it goes into the second...
    await watching(() => vscode.commands.executeCommand('ftpWorkspace.download', uri('/site/remember/sub')), {
      openDialog: (o) => (asked.push(o.defaultUri!.fsPath), [vscode.Uri.file(second)]),
    });
    // ...then Upload's dialog opens there; a file is picked in a third...
    await watching(() => vscode.commands.executeCommand('ftpWorkspace.upload', uri('/site/remember')), {
      openDialog: (o) => (asked.push(o.defaultUri!.fsPath), [vscode.Uri.file(path.join(sources, 'up.txt'))]),
    });
    // ...where the next download's dialog opens, with the file's name.
    await watching(() => vscode.commands.executeCommand('ftpWorkspace.download', uri('/site/remember/a.txt')), {
      saveDialog: (o) => void asked.push(o.defaultUri!.fsPath),
    });
    assert.deepEqual(asked.slice(1), [first, second, path.join(sources, 'a.txt')]);
    assert.equal(fs.readFileSync(path.join(first, 'a.txt'), 'utf8'), 'a\n');
    assert.equal(fs.readFileSync(path.join(second, 'sub', 'b.txt'), 'utf8'), 'b\n');
    assert.equal(fs.readFileSync(disk('site/remember/up.txt'), 'utf8'), 'up\n');
  });

  test('the palette\'s Download with an FTP editor open offers that file first in a list (Enter downloads it, no file dialog); "Another file or folder..." opens the site\'s list at its folder', async () => {
    onServer(server, 'site/pick/edited.txt', 'open in an editor\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri('/site/pick/edited.txt')));
    const dest = path.join(local, 'edited.txt');
    const lists: string[][] = [];
    // Enter in the real list (a quick pick): its first item.
    const running = watching(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.download'), { saveDialog: () => vscode.Uri.file(dest) });
    let settled = false;
    void running.finally(() => (settled = true));
    for (let i = 0; i < 60 && !settled && !fs.existsSync(dest); i++) {
      await new Promise((r) => setTimeout(r, 250));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const r = await running;
    // Not a file dialog: opened at the file, it fills the file's path in, and in a browser window
    // Enter on a typed path goes to the machine's disk (a user's walk in code-server).
    assert.equal(r.openDialogs.length, 0, 'no file dialog');
    assert.equal(r.result.files, 1);
    assert.equal(fs.readFileSync(dest, 'utf8'), 'open in an editor\n');
    const pickers: Array<vscode.QuickPick<vscode.QuickPickItem>> = [];
    const other = await watching(() => vscode.commands.executeCommand<{ files: number } | undefined>('ftpWorkspace.download'), {
      quickPick: (items) => (lists.push(items.map((i) => i.label)), items[1]),
      onPicker: (p) => {
        pickers.push(p);
        // Closed (Escape) once its folder is listed.
        void until('the list of the editor\'s folder', () => !p.busy && p.items.length > 0).then(() => vscode.commands.executeCommand('workbench.action.closeQuickOpen'));
      },
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.deepEqual(lists, [['$(file) edited.txt', '$(folder-opened) Another file or folder...']]);
    assert.equal(other.openDialogs.length, 0, 'no file dialog');
    assert.equal(pickers.length, 1);
    assert.equal(pickers[0].title, 'Download from FTP: ftp://walk/site/pick', 'the list opens at the editor\'s folder');
    assert.ok(pickers[0].items.some((i) => i.label === '$(file) edited.txt'), pickers[0].items.map((i) => i.label).join(', '));
    assert.equal(other.result, undefined, 'closed: nothing downloaded');
  });

  test('the palette\'s Download with no FTP editor open walks the site\'s folders in a list: into them, up again, then "Download this folder"', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The extension host hears of the closed editor a moment after the command: until then the
    // Download command would still offer the last test's file first.
    await until('no editor active', () => vscode.window.activeTextEditor === undefined);
    onServer(server, 'site/pick/tree/a.txt', 'a\n');
    onServer(server, 'site/pick/tree/sub/b.txt', 'b\n');
    onServer(server, 'site/pick/tree/$(alert) odd.txt', 'odd\n');
    onServer(server, 'site/pick/tree/aaa/c.txt', 'c\n');
    const into = path.join(local, 'picked');
    fs.mkdirSync(into);
    const titles: string[] = [];
    const shown: string[][] = [];
    const active: string[] = [];
    // Each step, as a user would in the real list: a row made active then Enter, or a path typed then Enter.
    const steps = ['$(folder) site', 'typed: pick/tree', '$(folder) sub', '$(arrow-up) ..', '$(cloud-download) Download this folder'];
    const drive = async (p: vscode.QuickPick<vscode.QuickPickItem>) => {
      for (const step of steps) {
        const before = titles.length;
        await until(`the list for ${step}`, () => !p.busy && p.items.length > 0 && p.title !== titles[before - 1]);
        // The row the window shows active: it says so back after it took the rows (first row) and
        // then the row the list set (two messages; a CI run read between them).
        await settled(p);
        titles.push(p.title ?? '');
        shown.push(p.items.map((i) => i.label));
        active.push(p.activeItems[0]?.label ?? '');
        if (step.startsWith('typed: ')) p.value = step.slice('typed: '.length);
        else {
          const row = p.items.find((i) => i.label === step);
          assert.ok(row, `${step} in ${p.items.map((i) => i.label).join(', ')}`);
          p.activeItems = [row];
        }
        await new Promise((resolve) => setTimeout(resolve, 200)); // the window has it (sent a moment later)
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
    };
    let driven: Promise<void> | undefined;
    const r = await watching(() => vscode.commands.executeCommand<{ files: number }>('ftpWorkspace.download'), {
      quickPick: (items) => items.find((i) => i.label === SITE), // other suites' sites may be configured too
      onPicker: (p) => (driven = drive(p)),
      openDialog: () => [vscode.Uri.file(into)], // where it goes
    });
    await driven;
    assert.deepEqual(r.errors, []);
    assert.deepEqual(titles, ['/', '/site', '/site/pick/tree', '/site/pick/tree/sub', '/site/pick/tree'].map((p) => `Download from FTP: ftp://walk${p}`));
    // At the tree: Download this folder, the folder above, folders, then files by name; a name's "$(" is text, not an icon.
    assert.deepEqual(shown[2], ['$(cloud-download) Download this folder', '$(arrow-up) ..', '$(folder) aaa', '$(folder) sub', '$(file) \\$(alert) odd.txt', '$(file) a.txt']);
    assert.ok(!shown[0].includes('$(arrow-up) ..'), 'no folder above the site\'s root');
    // Enter alone opens the first entry, never downloads a whole folder; back up, on the folder just left.
    assert.deepEqual([active[0], active[2], active[4]], ['$(folder) site', '$(folder) aaa', '$(folder) sub']);
    assert.equal(r.result.files, 4);
    assert.equal(fs.readFileSync(path.join(into, 'tree', 'sub', 'b.txt'), 'utf8'), 'b\n');
  });

  test('a file upload that meets a folder of its name on the server names it a folder, offers only Skip, and never replaces it', async () => {
    onServer(server, 'site/clash/inside.txt', 'in the folder\n');
    const mine = path.join(local, 'clash');
    fs.writeFileSync(mine, 'a file named like the folder\n');
    const upload = (existing?: string) => vscode.commands.executeCommand<{ files: number; skipped: number; cancelled: boolean }>('ftpWorkspace.upload', uri('/site'), [vscode.Uri.file(mine)], existing);
    const skipped = await watching(() => upload(), { question: (_m, b) => (b.includes('Upload') ? 'Upload' : 'Skip') });
    const asked = skipped.questions.filter((q) => !q.buttons.includes('Upload'));
    assert.deepEqual(asked.map((q) => [q.message, q.buttons]), [['"/site/clash" is a folder on the server, where this file would go.', ['Skip']]]);
    assert.match(asked[0].detail!, /A file never replaces a folder/);
    assert.deepEqual({ files: skipped.result.files, skipped: skipped.result.skipped }, { files: 0, skipped: 1 });
    // "Replace" given for all (automation): the folder is still asked about, not replaced; dismissed, the upload stops.
    const told = await watching(() => upload('replace'), { question: (_m, b) => (b.includes('Upload') ? 'Upload' : undefined) });
    assert.equal(told.questions.filter((q) => q.buttons.includes('Skip')).length, 1);
    assert.deepEqual({ files: told.result.files, cancelled: told.result.cancelled }, { files: 0, cancelled: true });
    assert.ok(fs.statSync(disk('site/clash')).isDirectory());
    assert.equal(fs.readFileSync(disk('site/clash/inside.txt'), 'utf8'), 'in the folder\n');
  });

  test('a file download that meets a folder of its name on this computer names it a folder and offers only Skip', async () => {
    onServer(server, 'site/clash-down', 'a file on the server\n');
    const dest = path.join(local, 'clash-down');
    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(dest, 'mine.txt'), 'mine\n');
    const r = await watching(() => vscode.commands.executeCommand<{ files: number; skipped: number }>('ftpWorkspace.download', uri('/site/clash-down'), vscode.Uri.file(dest), 'replace'),
      { question: (_m, b) => (b.includes('Download') ? 'Download' : 'Skip') });
    const asked = r.questions.filter((q) => !q.buttons.includes('Download'));
    assert.deepEqual(asked.map((q) => [q.message, q.buttons]), [[`"${dest}" is a folder on this computer, where this file would go.`, ['Skip']]]);
    assert.deepEqual({ files: r.result.files, skipped: r.result.skipped }, { files: 0, skipped: 1 });
    assert.deepEqual(fs.readdirSync(dest), ['mine.txt']);
  });

  test('Cancel while an upload makes its folders stops before the next command: no folder is made after it, and the end says so at once', async () => {
    // 200 ms round trips (the relay holds each chunk 100 ms each way); making a folder is three of them (is it there, is its parent, MKD).
    const relay = await LatencyRelay.start({ listenHost: '127.0.0.2', targetHost: server.host, ports: [server.port], oneWayMs: 100 });
    const FAR = 'walkfar';
    try {
      await setSite({ host: '127.0.0.2', port: server.port, user: server.user, pollSeconds: 0 }, FAR);
      await vscode.commands.executeCommand('ftpWorkspace.setPassword', FAR, server.password);
      const tree = path.join(local, 'far-tree');
      for (const d of ['a', 'a/b']) fs.mkdirSync(path.join(tree, d), { recursive: true });
      fs.writeFileSync(path.join(tree, 'a/b/1.txt'), '1\n');
      onServer(server, 'site/far/.keep', '');
      let cancel: (() => void) | undefined;
      let cancelledAt = 0;
      const r = await watching(() => vscode.commands.executeCommand<{ files: number; cancelled: boolean }>('ftpWorkspace.upload', vscode.Uri.parse(`ftp://${FAR}/site/far`), [vscode.Uri.file(tree)]), {
        question: (_m, b) => (b.includes('Upload') ? 'Upload' : undefined),
        // Pressed 50 ms into the first folder's first round trip, as a user's click lands.
        cancelAt: (p) => {
          if (p.message === 'Creating /site/far/far-tree' && !cancelledAt) {
            cancelledAt = -1;
            setTimeout(() => ((cancelledAt = performance.now()), cancel!()), 50);
          }
          return false;
        },
        onCancel: (c) => (cancel = c),
      });
      const late = performance.now() - cancelledAt;
      console.log(`    Cancel -> end of the upload: ${Math.round(late)} ms (200 ms round trips)`);
      assert.deepEqual({ files: r.result.files, cancelled: r.result.cancelled }, { files: 0, cancelled: true });
      assert.equal(fs.existsSync(disk('site/far/far-tree')), false, 'the folder under way when Cancel came is not made after it');
      assert.deepEqual(r.notes.map((n) => n[0]), ['Upload to ftp://walkfar/site/far cancelled; nothing was sent.']);
      assert.ok(late < 400, `the end came ${Math.round(late)} ms after Cancel: at most the round trip under way (200 ms), not the three of a folder`);
    } finally {
      await vscode.commands.executeCommand('ftpWorkspace.disconnect', FAR);
      await setSite(undefined, FAR);
      await relay.close();
    }
  });
});

suite('the Download list while a folder is still being listed (FAKE fault server: each listing takes 1.5 s)', () => {
  const SLOW = 'slowlist';
  let srv: FakeServer;
  let local: string;
  suiteSetup(async () => {
    await vscode.extensions.getExtension(ID)!.activate();
    // A slow server, or a far one: the list shows its folder's rows only after the listing.
    srv = await startFaultServer({ onTransfer: async (t) => (/^(LIST|MLSD|NLST)$/.test(t.verb) && (await new Promise((r) => setTimeout(r, 1500))), false) });
    fs.mkdirSync(path.join(srv.root, 'alpha'));
    fs.mkdirSync(path.join(srv.root, 'deep', 'er'), { recursive: true });
    fs.writeFileSync(path.join(srv.root, 'deep', 'er', 'inside.txt'), 'inside\n');
    fs.writeFileSync(path.join(srv.root, 'beta.txt'), 'beta\n');
    await setSite({ host: '127.0.0.1', port: srv.port, transferMode: 'passive' }, SLOW);
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-slowlist-'));
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', SLOW);
    await setSite(undefined, SLOW);
    fs.rmSync(local, { recursive: true, force: true });
    await srv?.stop();
  });

  /** The palette's Download (no FTP editor open) on the slow site, the list given to `drive`. */
  const download = (drive: (p: vscode.QuickPick<vscode.QuickPickItem>) => Promise<void>, into?: string) => {
    let driven: Promise<void> | undefined;
    return watching(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const result = await vscode.commands.executeCommand<{ files: number } | undefined>('ftpWorkspace.download');
      await driven;
      return result;
    }, {
      quickPick: (items) => items.find((i) => i.label === SLOW),
      onPicker: (p) => (driven = drive(p)),
      openDialog: () => (into ? [vscode.Uri.file(into)] : undefined),
    });
  };
  const accept = async () => {
    await new Promise((resolve) => setTimeout(resolve, 200)); // the window has what was typed (sent a moment later)
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  };

  test('a path typed and Enter pressed while the list loads opens that folder once it can; while it is listed, the rows before are gone', async function () {
    this.timeout(30_000);
    const into = path.join(local, 'typed');
    fs.mkdirSync(into);
    const titles: string[] = [];
    const staleRows: string[] = [];
    const r = await download(async (p) => {
      await until('the first listing under way', () => p.busy);
      p.value = 'deep/er';
      await accept();
      await until('the typed folder listed', () => {
        if (p.busy && p.title?.endsWith('/deep/er') && p.items.length) staleRows.push(p.items.map((i) => i.label).join(', '));
        return !p.busy && p.title?.endsWith('/deep/er') === true;
      }, 15_000);
      titles.push(p.title ?? '');
      p.activeItems = [p.items.find((i) => i.label.includes('Download this folder'))!];
      await accept();
    }, into);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(titles, [`Download from FTP: ftp://${SLOW}/deep/er`]);
    assert.deepEqual(staleRows, [], 'while the typed folder is listed, no rows of the folder before show under its title');
    assert.equal(r.result?.files, 1);
    assert.equal(fs.readFileSync(path.join(into, 'er', 'inside.txt'), 'utf8'), 'inside\n');
  });

  test('a filter typed while the list loads keeps the row it matches active (not the first folder, which it hides)', async function () {
    this.timeout(30_000);
    let active: string | undefined;
    const r = await download(async (p) => {
      await until('the first listing under way', () => p.busy);
      p.value = 'bet';
      await until('the listing shown', () => !p.busy && p.items.length > 0, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 500)); // the window filters, and says which row is active
      active = p.activeItems[0]?.label;
      p.hide();
    });
    assert.equal(r.result, undefined);
    assert.equal(active, '$(file) beta.txt');
  });
});
