/// <reference types="mocha" />
/**
 * Data safety through the real provider, as VS Code calls it: deleting a link (and a folder that
 * holds one) never touches what it points to, on a server that lists links as links (vsftpd) and on
 * ones that list them as folders (pyftpdlib, ftp-srv); an editor save keeps the file's permissions
 * (proftpd) and survives a server that won't rename over a file; a download broken off by 426 never
 * comes back doubled. Faults real servers can't produce come from the FAKE fault server.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ManagedServer, RunningServer, ServerKind, startServer } from '../../servers';
import { FakeServer, FaultScript, startFaultServer } from '../../fakes/fault-server';
import { breakRetr, combine, refuseRenameOverFile, answer } from '../../fakes/faults';
import { answering } from '../host-helpers';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
const TEMP = /\.ftpws-[0-9a-z]+\.(tmp|bak)$/;

async function setSite(name: string, site: Record<string, unknown>): Promise<void> {
  const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}), [name]: site };
  await config().update('sites', sites, vscode.ConfigurationTarget.Global);
}
async function dropSite(name: string): Promise<void> {
  const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}) };
  delete sites[name];
  await config().update('sites', Object.keys(sites).length ? sites : undefined, vscode.ConfigurationTarget.Global);
}

async function openAndType(uri: vscode.Uri, text: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  return doc;
}

for (const kind of ['vsftpd', 'pyftpdlib', 'ftpsrv'] as ServerKind[]) {
  suite(`links are never crossed (${kind})`, () => {
    const SITE = `links-${kind}`;
    let server: RunningServer;
    const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
    const disk = (p: string) => path.join(server.root, p);
    const own = (p: string) => fs.lchownSync(disk(p), server.owner.uid, server.owner.gid);

    suiteSetup(async () => {
      server = await startServer(kind);
      await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
      await setSite(SITE, { host: server.host, port: server.port, user: server.user });
      await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
      for (const d of ['shared', 'one', 'two', 'two/sub']) {
        fs.mkdirSync(disk(d), { recursive: true });
        own(d);
      }
      fs.writeFileSync(disk('shared/keep.txt'), 'keep me');
      fs.writeFileSync(disk('two/sub/x.txt'), 'x');
      own('two/sub/x.txt');
      fs.symlinkSync('../shared', disk('one/uploads'));
      own('one/uploads');
      fs.symlinkSync('../shared', disk('two/uploads'));
      own('two/uploads');
    });
    suiteTeardown(async () => {
      await vscode.commands.executeCommand('ftpWorkspace.disconnect', SITE);
      await dropSite(SITE);
      await server?.stop();
    });

    test('deleting the link deletes the link only', async () => {
      await vscode.workspace.fs.readDirectory(uri('/one')); // as the Explorer does before a delete
      await Promise.resolve(vscode.workspace.fs.delete(uri('/one/uploads'), { recursive: true, useTrash: false })).catch((e: Error) => {
        // ftp-srv follows links for DELE and RMD too: the link can't be deleted, and nothing else is.
        assert.match(e.message, /link/);
      });
      assert.deepEqual(fs.readdirSync(disk('shared')), ['keep.txt'], 'the folder it points to is untouched');
    });

    test('deleting a folder that holds a link deletes the folder and the link, not what it points to', async () => {
      await vscode.workspace.fs.readDirectory(uri('/'));
      let error: Error | undefined;
      await Promise.resolve(vscode.workspace.fs.delete(uri('/two'), { recursive: true, useTrash: false })).catch((e: Error) => (error = e));
      assert.deepEqual(fs.readdirSync(disk('shared')), ['keep.txt'], 'the folder the link points to is untouched');
      if (error) assert.match(error.message, /link/, 'only a link the server will not delete may stop it');
      else assert.equal(fs.existsSync(disk('two')), false);
    });
  });
}

suite('saving keeps the file as it was (proftpd)', () => {
  const SITE = 'keepmode';
  let server: RunningServer;
  const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
  const disk = (p: string) => path.join(server.root, p);

  suiteSetup(async () => {
    server = await startServer('proftpd');
    await setSite(SITE, { host: server.host, port: server.port, user: server.user });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', SITE);
    await dropSite(SITE);
    await server?.stop();
  });

  test('an editor save keeps 600 and 755, and a link stays a link', async () => {
    fs.mkdirSync(disk('site/real'), { recursive: true });
    for (const [name, mode] of [['wp-config.php', 0o600], ['run.cgi', 0o755], ['real/page.html', 0o644]] as const) {
      fs.writeFileSync(disk(`site/${name}`), 'original\n');
      fs.chmodSync(disk(`site/${name}`), mode);
    }
    fs.symlinkSync('real/page.html', disk('site/page.html'));
    for (const p of ['site', 'site/real', 'site/wp-config.php', 'site/run.cgi', 'site/real/page.html', 'site/page.html']) fs.lchownSync(disk(p), server.owner.uid, server.owner.gid);
    await vscode.workspace.fs.readDirectory(uri('/site'));
    for (const name of ['wp-config.php', 'run.cgi', 'page.html']) {
      const doc = await openAndType(uri(`/site/${name}`), 'edited ');
      assert.equal(await doc.save(), true, `${name} saved`);
    }
    assert.equal(fs.statSync(disk('site/wp-config.php')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(disk('site/run.cgi')).mode & 0o777, 0o755);
    assert.equal(fs.readFileSync(disk('site/wp-config.php'), 'utf8'), 'edited original\n');
    assert.ok(fs.lstatSync(disk('site/page.html')).isSymbolicLink(), 'the link is still a link');
    assert.equal(fs.readFileSync(disk('site/real/page.html'), 'utf8'), 'edited original\n', 'its target got the edit');
    assert.deepEqual(fs.readdirSync(disk('site')).filter((n) => TEMP.test(n)), []);
  });
});

suite('faults through the provider (FAKE fault server)', () => {
  let fake: FakeServer | undefined;
  let n = 0;
  const OLD = 'old version\n'.repeat(500);

  async function site(script: FaultScript): Promise<{ name: string; uri: (p: string) => vscode.Uri; disk: (p: string) => string }> {
    fake = await startFaultServer(script);
    const name = `fault${++n}`;
    await setSite(name, { host: '127.0.0.1', port: fake.port, dataConnectTimeoutSeconds: 2 });
    const root = fake.root;
    fs.writeFileSync(path.join(root, 'page.txt'), OLD);
    return { name, uri: (p) => vscode.Uri.parse(`ftp://${name}${p}`), disk: (p) => path.join(root, p) };
  }
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', `fault${n}`);
    await dropSite(`fault${n}`);
    await fake?.stop();
  });

  test('a server that will not rename over a file (IIS): the save goes through a backup and succeeds', async () => {
    const s = await site(refuseRenameOverFile());
    const doc = await openAndType(s.uri('/page.txt'), 'new ');
    assert.equal(await doc.save(), true);
    assert.equal(fs.readFileSync(s.disk('page.txt'), 'utf8'), 'new ' + OLD);
    assert.deepEqual(fs.readdirSync(s.disk('.')).filter((x) => TEMP.test(x)), [], 'no backup or temporary file left');
  });

  test('a server that refuses every rename: the save fails, the editor stays dirty, the file is intact', async () => {
    const s = await site(answer('RNTO', ['550 Rename not allowed: permission denied.']));
    const doc = await openAndType(s.uri('/page.txt'), 'lost? ');
    await answering('showErrorMessage', () => undefined, async () => assert.equal(await doc.save(), false));
    assert.equal(doc.isDirty, true, 'the editor keeps the edit');
    assert.equal(fs.readFileSync(s.disk('page.txt'), 'utf8'), OLD, 'the server file is intact');
    assert.deepEqual(fs.readdirSync(s.disk('.')).filter((x) => TEMP.test(x)), [], 'no temporary file left');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('a download broken off by 426 after some bytes never comes back doubled', async () => {
    const s = await site(combine(breakRetr(2048, 'drop-data-426', 'always')));
    await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(s.uri('/page.txt'))), /broke off after 2048 bytes/);
  });

  test('a download broken off by 426 once is read again from the start, whole', async () => {
    const s = await site(breakRetr(2048, 'drop-data-426', 'once'));
    const doc = await vscode.workspace.openTextDocument(s.uri('/page.txt'));
    assert.equal(doc.getText(), OLD, 'the editor shows the file once, whole');
  });
});

suite('a server restarted in the middle of work (vsftpd)', () => {
  const SITE = 'restart';
  let server: ManagedServer;
  const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
  const disk = (p: string) => path.join(server.root, p);

  suiteSetup(async () => {
    server = await startServer('vsftpd');
    fs.mkdirSync(disk('r'));
    fs.chownSync(disk('r'), server.owner.uid, server.owner.gid);
    for (let i = 0; i < 10; i++) {
      fs.writeFileSync(disk(`r/f${i}.txt`), `original ${i}\n`.repeat(100));
      fs.chownSync(disk(`r/f${i}.txt`), server.owner.uid, server.owner.gid);
    }
    await setSite(SITE, { host: server.host, port: server.port, user: server.user });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', SITE);
    await dropSite(SITE);
    await server?.stop();
  });

  test('reads and saves started around a restart all complete, every file whole, no temporary file', async function () {
    this.timeout(120_000);
    await vscode.workspace.fs.readDirectory(uri('/r'));
    let done = 0;
    let restart: Promise<void> | undefined;
    const ops = Array.from({ length: 60 }, (_, i) => {
      const u = uri(`/r/f${i % 10}.txt`);
      const op = i % 2 ? Promise.resolve(vscode.workspace.fs.readFile(u)) : Promise.resolve(vscode.workspace.fs.writeFile(u, Buffer.from(`saved by op ${i}\n`.repeat(90))));
      return op.finally(() => {
        if (++done === 15) restart = server.restart(300);
      });
    });
    const settled = await Promise.allSettled(ops);
    await restart;
    const failed = settled.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    assert.equal(failed.length, 0, failed.slice(0, 3).map((f) => String(f.reason)).join('; '));
    for (let i = 0; i < 10; i++) {
      const text = fs.readFileSync(disk(`r/f${i}.txt`), 'utf8');
      assert.ok(text === `original ${i}\n`.repeat(100) || /^(saved by op \d+\n){90}$/.test(text), `f${i}.txt is whole`);
    }
    await vscode.workspace.fs.readDirectory(uri('/r')); // the next good connection deletes what an interrupted save left
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(fs.readdirSync(disk('r')).filter((n) => TEMP.test(n)), [], 'no temporary file left');
  });
});
