/// <reference types="mocha" />
/**
 * FTP search against a real server, through the commands as the palette runs them, with their
 * questions given as arguments: on a tree of 2,000 files in 100 folders (a few binaries, a file over
 * the size cap, a link loop, a link to itself, a link to a folder outside the tree, a link to a
 * file) Go to File finds a deep file by a fuzzy query through VS Code's own quick pick matching,
 * stays within its caps and never follows a link; Find in Files finds exactly what grep finds in the
 * text files, skips the binaries and the large file, and a result line opens the file at the match;
 * Cancel stops it early. Prints the time each took. FTPWS_SEARCH_SCREENSHOTS=<dir> saves screenshots of
 * Go to File while listing and of Find in Files in progress, to look at.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, ServerKind, startServer } from '../../servers';
import { PortBlock, claimPortBlock } from '../../servers/common';
import { LatencyRelay } from '../../servers/latency-relay';
import { until } from '../host-helpers';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');

interface GoResult { opened?: string; items: number; state: string; cached: boolean; folders: number; links: number; tooDeep: number; capped: boolean; openedMs?: number; listedMs?: number; ms: number; paths?: string[] }
interface FindResult {
  document: string; state: string; ms: number;
  counts: { listed: number; folders: number; searched: number; binary: number; tooLarge: number; unreadable: number; filtered: number; links: number; results: number; filesWithResults: number };
  matches: Array<{ uri: string; line: number; column: number }>;
}

async function setSite(name: string, site: Record<string, unknown>): Promise<void> {
  const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}), [name]: site };
  await config().update('sites', sites, vscode.ConfigurationTarget.Global);
}
async function dropSite(name: string): Promise<void> {
  const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}) };
  delete sites[name];
  await config().update('sites', Object.keys(sites).length ? sites : undefined, vscode.ConfigurationTarget.Global);
}

const DEEP = 'deep/l1/l2/l3/l4/l5/l6/l7/l8/l9/needleDeepFile.php';

/**
 * 2,000 files in 100 folders under `site/`: d0..d9, each with s0..s7, and the chain deep/l1/.../l9.
 * Every 7th file holds "needle" (some "Needle-<n>", some twice on a line). Links: d0/loop -> ..
 * (the tree's root), d1/s1/self -> ., d2/outside -> the folder `outside/` beside the tree (it holds
 * needles too), d3/alias.php -> a file with a needle. Binaries: a PNG, and two with unknown
 * extensions and a NUL (one small, one 200 kB); a 2 MB log over the 1 MB cap. All hold "needle".
 */
function makeTree(root: string): { files: string[]; binaries: string[]; large: string } {
  const site = path.join(root, 'site');
  const folders: string[] = [];
  for (let d = 0; d < 10; d++) {
    folders.push(`d${d}`);
    for (let s = 0; s < 8; s++) folders.push(`d${d}/s${s}`);
  }
  let chain = 'deep';
  folders.push(chain);
  for (let l = 1; l <= 9; l++) folders.push((chain += `/l${l}`));
  assert.equal(folders.length, 100);
  const files: string[] = [];
  let n = 0;
  for (const folder of folders) {
    fs.mkdirSync(path.join(site, folder), { recursive: true });
    for (let i = 0; i < 20; i++) {
      const name = folder === chain && i === 19 ? 'needleDeepFile.php' : `page-${i}.${['php', 'html', 'txt', 'css'][i % 4]}`;
      const rel = `${folder}/${name}`;
      const lines = Array.from({ length: 12 }, (_, k) => `line ${k + 1} of ${rel}`);
      if (n % 7 === 0) lines[n % 12] = `  echo "needle-${n}";`;
      if (n % 21 === 0) lines[(n + 5) % 12] = `Needle-${n} and needle again`;
      if (name === 'needleDeepFile.php') lines[3] = 'the deepest needle';
      fs.writeFileSync(path.join(site, rel), lines.join('\n') + '\n');
      files.push(rel);
      n++;
    }
  }
  // Binaries replace three files; the large log is one more.
  const binaries = ['d1/page-0.png', 'd2/page-0.blob', 'd3/page-0.blob'];
  for (const [i, rel] of binaries.entries()) {
    const old = files.indexOf(rel.replace(/\.(png|blob)$/, '.php'));
    fs.rmSync(path.join(site, files[old]));
    files[old] = rel;
    const body = i === 2 ? Buffer.concat([Buffer.from('needle '), Buffer.alloc(4), Buffer.alloc(200_000, 0x61)]) : Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR needle '), Buffer.alloc(64)]);
    fs.writeFileSync(path.join(site, rel), body);
  }
  const large = 'd5/huge.log';
  fs.writeFileSync(path.join(site, large), ('a log line\n'.repeat(100_000)) + 'needle at the end\n' + 'x'.repeat(1_000_000) + '\n');
  fs.rmSync(path.join(site, 'd5/page-19.css'));
  files[files.indexOf('d5/page-19.css')] = large;
  // Links: never followed.
  fs.mkdirSync(path.join(root, 'outside'));
  fs.writeFileSync(path.join(root, 'outside', 'outside-needle.php'), 'needle outside the tree\n');
  fs.symlinkSync('..', path.join(site, 'd0/loop'));
  fs.symlinkSync('.', path.join(site, 'd1/s1/self'));
  fs.symlinkSync('../../outside', path.join(site, 'd2/outside'));
  fs.symlinkSync('s0/page-0.php', path.join(site, 'd3/alias.php'));
  return { files, binaries, large };
}

/** `rel:line` (line from 1) of every line grep finds, over the server's disk, as a set. */
function grep(dir: string, args: string[]): Set<string> {
  let out = '';
  try {
    out = execFileSync('grep', ['-rnI', ...args, '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    if ((e as { status?: number }).status !== 1) throw e;
  }
  return new Set(out.split('\n').filter(Boolean).map((l) => {
    const m = /^\.\/(.*?):(\d+):/.exec(l)!;
    return `${m[1]}:${m[2]}`;
  }));
}

/** What the results document lists: `rel:line` of every result line, under its file header. */
function documentResults(text: string): Set<string> {
  const found = new Set<string>();
  let file = '';
  for (const line of text.split('\n')) {
    const header = /^(\S.*):$/.exec(line);
    if (header && !line.startsWith('#')) file = header[1];
    const result = /^ {2}\s*(\d+): /.exec(line);
    if (result) found.add(`${file}:${result[1]}`);
  }
  return found;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

suite('FTP search: Go to File and Find in Files on 2,000 files (vsftpd)', function () {
  this.timeout(600_000);
  const SITE = 'srch';
  /**
   * The same server 20 ms away (a latency relay on 127.0.0.2), for the tests that cancel a search
   * midway: on loopback the whole walk may end before a cancel can arrive.
   */
  const FAR = 'srchfar';
  let server: RunningServer;
  let block: PortBlock | undefined;
  let relay: LatencyRelay | undefined;
  const farFolder = () => `ftp://${FAR}/site`;
  let tree: ReturnType<typeof makeTree>;
  const folder = () => `ftp://${SITE}/site`;
  const siteDir = () => path.join(server.root, 'site');
  const relOf = (uri: string) => decodeURIComponent(vscode.Uri.parse(uri).path).replace(/^\/site\//, '');

  suiteSetup(async () => {
    block = await claimPortBlock('127.0.0.1');
    server = await startServer('vsftpd', { passivePorts: [block.first, block.last] });
    await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
    tree = makeTree(server.root);
    execFileSync('chown', ['-R', '-h', `${server.owner.uid}:${server.owner.gid}`, server.root]);
    await setSite(SITE, { host: server.host, port: server.port, user: server.user, maxConnections: 4 });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
    const ports = [server.port];
    for (let p = block.first; p <= block.last; p++) ports.push(p);
    relay = await LatencyRelay.start({ listenHost: '127.0.0.2', targetHost: server.host, ports, oneWayMs: 10 });
    await setSite(FAR, { host: '127.0.0.2', port: server.port, user: server.user, maxConnections: 4, transferMode: 'passive' });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', FAR, server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', SITE);
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', FAR);
    await dropSite(SITE);
    await dropSite(FAR);
    await relay?.close();
    await server?.stop();
    block?.release();
  });

  test('Go to File lists all 2,000 files, finds the deepest by a fuzzy query ("ndf"), never follows a link; again, at once from the kept listing', async () => {
    const shots = process.env.FTPWS_SEARCH_SCREENSHOTS;
    const picking = vscode.commands.executeCommand<GoResult>('ftpWorkspace.goToFile', { folder: folder(), query: 'ndf', accept: true, fresh: true });
    if (shots) {
      await new Promise((r) => setTimeout(r, 300));
      console.log(`ftpws-screenshot: ${path.join(shots, 'go-to-file-listing.png')}`);
    }
    const cold = await picking;
    console.log(`      Go to File, 2,000 files in 100 folders: connected ${seconds(cold.openedMs!)}, listed ${seconds(cold.listedMs! - cold.openedMs!)} later; picked ${seconds(cold.ms)} after the start`);
    assert.equal(cold.state, 'done');
    assert.equal(cold.opened, `${folder()}/${DEEP}`, 'the quick pick\'s own matching put the deep file first');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), `${folder()}/${DEEP}`);
    assert.deepEqual([...cold.paths!].sort(), [...tree.files].sort(), 'every file once, no file reached through a link');
    assert.equal(cold.folders, 101, 'the root and its 100 folders, none through a link');
    assert.equal(cold.links, 4);
    const warm = await vscode.commands.executeCommand<GoResult>('ftpWorkspace.goToFile', { folder: folder(), query: 'ndf', accept: true });
    console.log(`      Go to File again, from the kept listing: connected ${seconds(warm.openedMs!)}, all 2,000 files in the pick ${seconds(warm.listedMs! - warm.openedMs!)} later; picked ${seconds(warm.ms)} after the start`);
    assert.equal(warm.cached, true);
    assert.equal(warm.opened, cold.opened);
    assert.ok(warm.listedMs! - warm.openedMs! < 250, 'the kept listing is there at once');
  });

  test('Go to File stays within its caps: depth 3 leaves the deep file out, 500 entries stop the listing', async () => {
    const shallow = await vscode.commands.executeCommand<GoResult>('ftpWorkspace.goToFile', { folder: folder(), query: 'ndf', accept: true, maxDepth: 3 });
    assert.equal(shallow.opened, undefined, 'the deep file was never listed');
    assert.ok(shallow.tooDeep >= 1);
    assert.ok(shallow.paths!.every((p) => p.split('/').length <= 4), 'no file below depth 3');
    const few = await vscode.commands.executeCommand<GoResult>('ftpWorkspace.goToFile', { folder: folder(), query: 'page', accept: true, maxEntries: 500 });
    assert.equal(few.capped, true);
    assert.ok(few.items <= 500, `${few.items} items`);
    console.log(`      Go to File capped at 500 entries: ${seconds(few.ms)}, ${few.items} files`);
  });

  test('Escape stops Go to File\'s listing: nothing listed after it, and the part listed is not kept', async () => {
    const lists = () => (fs.readFileSync(server.logFile!, 'utf8').match(/"LIST/g) ?? []).length;
    const before = lists();
    const picking = vscode.commands.executeCommand<GoResult>('ftpWorkspace.goToFile', { folder: farFolder(), maxDepth: 19 });
    await until('a first folder listed', () => lists() > before, 30_000);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    const result = await picking;
    assert.equal(result.state, 'cancelled');
    assert.ok(result.items < 2000, `${result.items} files listed before Escape`);
    const after = lists();
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(lists() <= after + 4, 'at most the listings in flight finish, none start'); // one per connection
    const again = await vscode.commands.executeCommand<GoResult>('ftpWorkspace.goToFile', { folder: farFolder(), maxDepth: 19, query: 'ndf', accept: true });
    assert.equal(again.cached, false, 'listed afresh');
    assert.equal(again.items, 2000);
  });

  test('with no folder given, Go to File lists the active editor\'s site (it is no workspace folder: from its root)', async () => {
    await vscode.window.showTextDocument(vscode.Uri.parse(`${folder()}/${DEEP}`));
    const result = await vscode.commands.executeCommand<GoResult>('ftpWorkspace.goToFile', { query: 'outside-needle', accept: true });
    assert.equal(result.opened, `ftp://${SITE}/outside/outside-needle.php`);
    assert.equal(result.items, 2001, 'the tree and the folder beside it');
  });

  test('Find in Files finds every line grep finds in the text files, skips the binaries and the large file, and says so', async () => {
    const result = await vscode.commands.executeCommand<FindResult>('ftpWorkspace.findInFiles', { folder: folder(), pattern: 'needle', fresh: true });
    const c = result.counts;
    console.log(`      Find in Files "needle", 2,000 files: ${seconds(result.ms)} (${c.searched} searched, ${c.binary} binary, ${c.tooLarge} over 1 MB, ${c.results} results in ${c.filesWithResults} files)`);
    assert.equal(result.state, 'done');
    const expected = grep(siteDir(), ['-i', 'needle']);
    for (const k of [...expected]) if (k.startsWith(`${tree.large}:`)) expected.delete(k);
    const found = new Set(result.matches.map((m) => `${relOf(m.uri)}:${m.line + 1}`));
    assert.deepEqual([...found].sort(), [...expected].sort());
    assert.ok(expected.size > 250, `${expected.size} lines`);
    assert.equal(c.listed, 2000);
    assert.equal(c.binary, tree.binaries.length);
    assert.equal(c.tooLarge, 1);
    assert.equal(c.unreadable, 0);
    assert.equal(c.searched, 2000 - tree.binaries.length - 1);
    assert.equal(c.links, 4);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.document)!;
    assert.ok(doc, 'the results document is open');
    assert.deepEqual([...documentResults(doc.getText())].sort(), [...expected].sort(), 'the document lists the same lines');
    assert.match(doc.getText(), new RegExp(`^${c.results} results - ${c.filesWithResults} files$`, 'm'));
    assert.match(doc.getText(), /^Searched 1,996 of 2,000 files in 101 folders; skipped 4 \(3 binary, 1 over 1 MB\)\. [\d.]+ s\.$/m);
    assert.match(doc.getText(), /^4 links not followed\.$/m);
  });

  test('Find in Files with a regular expression, case and an include glob matches grep -E over those files', async () => {
    const result = await vscode.commands.executeCommand<FindResult>('ftpWorkspace.findInFiles', { folder: folder(), pattern: 'Needle-\\d+', isRegex: true, matchCase: true, include: '*.php' });
    console.log(`      Find in Files /Needle-\\d+/ in *.php, from the kept listing: ${seconds(result.ms)}`);
    const expected = grep(siteDir(), ['-E', 'Needle-[0-9]+', '--include=*.php']);
    const found = new Set(result.matches.map((m) => `${relOf(m.uri)}:${m.line + 1}`));
    assert.deepEqual([...found].sort(), [...expected].sort());
    assert.ok(expected.size > 10);
    assert.ok(result.counts.filtered > 1000, 'the other files were left out by the glob');
  });

  test('a result line opens the file at the match (its link, as Ctrl+click follows it)', async () => {
    const result = await vscode.commands.executeCommand<FindResult>('ftpWorkspace.findInFiles', { folder: folder(), pattern: 'deepest needle' });
    assert.equal(result.matches.length, 1);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(result.document));
    await vscode.window.showTextDocument(doc);
    const line = doc.getText().split('\n').findIndex((l) => l.includes(': the deepest needle'));
    assert.ok(line > 0);
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri);
    const link = links.find((l) => l.range.start.line === line)!;
    assert.ok(link?.target, 'the result line is a link');
    assert.equal(link.target!.scheme, 'command');
    await vscode.commands.executeCommand(link.target!.path, ...JSON.parse(decodeURIComponent(link.target!.query)));
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), `${folder()}/${DEEP}`);
    assert.equal(editor.selection.start.line, 3);
    assert.equal(editor.document.getText(editor.selection), 'deepest needle');
  });

  test('Cancel (FTP: Stop Find in Files) stops it early: no download after it', async () => {
    const retrs = () => (fs.readFileSync(server.logFile!, 'utf8').match(/"RETR /g) ?? []).length;
    const before = retrs();
    const started = Date.now();
    const running = vscode.commands.executeCommand<FindResult>('ftpWorkspace.findInFiles', { folder: farFolder(), pattern: 'needle', fresh: true });
    let searchedWhenCancelled = 0;
    await until('the first files searched', () => {
      const m = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'ftp-search').map((d) => /^Searching… (\d+) of/m.exec(d.getText())).find(Boolean);
      searchedWhenCancelled = m ? Number(m[1]) : 0;
      return searchedWhenCancelled >= 1;
    }, 120_000);
    const shots = process.env.FTPWS_SEARCH_SCREENSHOTS;
    if (shots) {
      // To look at: the notification with Cancel and the results filling in (the launcher takes it).
      console.log(`ftpws-screenshot: ${path.join(shots, 'find-in-files-progress.png')}`);
      await new Promise((r) => setTimeout(r, 1500));
    }
    await vscode.commands.executeCommand('ftpWorkspace.stopFindInFiles');
    const result = await running;
    console.log(`      Find in Files cancelled at ${searchedWhenCancelled} files searched, ${seconds(Date.now() - started)} after the start: ${result.counts.searched} of 2,000 files searched in the end`);
    assert.equal(result.state, 'cancelled');
    assert.ok(result.counts.searched < 1500, `${result.counts.searched} searched`);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.document)!;
    assert.match(doc.getText(), /^Cancelled: the rest was not searched\.$/m);
    const after = retrs();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(retrs(), after, 'no file is downloaded after Cancel');
    assert.ok(after - before < 1500, `${after - before} downloads before Cancel took effect`);
  });
});

for (const kind of ['pyftpdlib'] as ServerKind[]) {
  suite(`FTP search never follows links where MLSD shows them as folders (${kind})`, function () {
    this.timeout(120_000);
    const SITE = `srch-${kind}`;
    let server: RunningServer;
    suiteSetup(async () => {
      server = await startServer(kind);
      await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
      const site = path.join(server.root, 'site');
      fs.mkdirSync(path.join(site, 'a/b'), { recursive: true });
      fs.mkdirSync(path.join(server.root, 'outside'));
      fs.writeFileSync(path.join(site, 'a/b/inside-needle.txt'), 'needle\n');
      fs.writeFileSync(path.join(server.root, 'outside/outside-needle.txt'), 'needle\n');
      fs.symlinkSync('..', path.join(site, 'a/b/up'));
      fs.symlinkSync('../../outside', path.join(site, 'a/out'));
      execFileSync('chown', ['-R', '-h', `${server.owner.uid}:${server.owner.gid}`, server.root]);
      await setSite(SITE, { host: server.host, port: server.port, user: server.user });
      await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
    });
    suiteTeardown(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('ftpWorkspace.disconnect', SITE);
      await dropSite(SITE);
      await server?.stop();
    });

    test('Go to File and Find in Files see only the files inside the tree', async () => {
      const go = await vscode.commands.executeCommand<GoResult>('ftpWorkspace.goToFile', { folder: `ftp://${SITE}/site`, accept: true, query: 'needle' });
      assert.deepEqual(go.paths, ['a/b/inside-needle.txt']);
      assert.equal(go.links, 2);
      const find = await vscode.commands.executeCommand<FindResult>('ftpWorkspace.findInFiles', { folder: `ftp://${SITE}/site`, pattern: 'needle' });
      assert.deepEqual(find.matches.map((m) => vscode.Uri.parse(m.uri).path), ['/site/a/b/inside-needle.txt']);
    });
  });
}
