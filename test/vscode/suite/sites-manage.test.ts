/// <reference types="mocha" />
/**
 * Sites follow the user (issue 9), against real servers: Add Site keeps a site in the user settings
 * by default, tests the connection before saving (Save Anyway / Diagnose / Edit when it fails),
 * asks the start folder from the server's own folders, and checks host and port; Remove Site and
 * Rename Site take the password and the trusted certificate along (or forget them); Set Password
 * never offers an anonymous site; a settings change closes only the site that changed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, startServer } from '../../servers';
import { answering, until, workspaceFileSites } from '../host-helpers';

const ID = 'ftp-workspace.ftp-workspace';
const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
type Api = { siteItems(): Array<{ site: string; state: string }>; poolCount(): number };
const api = () => vscode.extensions.getExtension<Api>(ID)!.exports;
const stateOf = (site: string) => api().siteItems().find((i) => i.site === site)?.state;
const userSites = () => config().inspect<Record<string, Record<string, unknown>>>('sites')?.globalValue ?? {};
type Item = vscode.QuickPickItem & Record<string, unknown>;

/** Replaces showQuickPick while `body` runs: `answer` gets the items and options and returns the picked item. */
async function picking<T>(answer: (items: Item[], options: vscode.QuickPickOptions) => unknown, body: (calls: Array<{ items: Item[]; options: vscode.QuickPickOptions }>) => Promise<T>): Promise<{ result: T; calls: Array<{ items: Item[]; options: vscode.QuickPickOptions }> }> {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = window.showQuickPick;
  const calls: Array<{ items: Item[]; options: vscode.QuickPickOptions }> = [];
  window.showQuickPick = async (items: Item[] | Thenable<Item[]>, options: vscode.QuickPickOptions) => {
    const list = await items;
    calls.push({ items: list, options });
    return answer(list, options);
  };
  try {
    return { result: await body(calls), calls };
  } finally {
    window.showQuickPick = original;
  }
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

suite('Add Site keeps the site in the user settings, tests it, asks the start folder (vsftpd)', () => {
  let server: RunningServer;
  suiteSetup(async () => {
    server = await startServer('vsftpd');
    for (const dir of ['public_html', 'www', 'logs']) {
      fs.mkdirSync(path.join(server.root, dir));
      fs.chownSync(path.join(server.root, dir), server.owner.uid, server.owner.gid);
    }
    fs.writeFileSync(path.join(server.root, 'public_html', 'inside.txt'), 'web root\n');
    await vscode.extensions.getExtension(ID)!.activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
    await server?.stop();
  });

  test('with a local folder open, "User settings" is offered first and chosen; the connection is tested; the start folder is picked from the server\'s folders', async () => {
    const { result, calls } = await picking((items, options) => {
      if (/start folder/.test(options.title ?? '')) return items.find((i) => i.label === 'public_html');
      return items[0]; // where to keep it: the first, recommended one
    }, () => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.addSite', {
      name: 'userkept', host: `${server.host}:${server.port}`, user: server.user, password: server.password, secure: 'off', noOpen: true,
    })));
    assert.equal(result, 'userkept');
    assert.equal(calls.length, 2);
    // The start folder: the login's folder first, web roots next, then the others, then typing one.
    assert.deepEqual(calls[0].items.map((i) => i.label), ['/', 'public_html', 'www', 'logs', 'Type a folder...']);
    assert.match(String(calls[0].items[1].description), /usually the web site/);
    assert.deepEqual(calls[1].items.map((i) => i.label), ['User settings', 'This workspace']);
    assert.equal(calls[1].items[0].description, 'recommended');
    assert.deepEqual(userSites().userkept, { host: '127.0.0.1', port: server.port, user: server.user, transferMode: 'auto', remoteRoot: '/public_html' });
    assert.equal(workspaceFileSites().userkept, undefined, 'not in the workspace file');
    // Every window finds it; it shows the start folder, and its password came along.
    const asked = await answering('showInputBox', () => undefined, () => Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://userkept/'))));
    assert.equal(asked.calls.length, 0);
    assert.deepEqual(asked.result.map(([n]) => n), ['inside.txt']);
  });

  test('the test fails (nothing listens): Diagnose runs the doctor on the unsaved site, Edit asks again with the answers filled in; nothing is saved before', async function () {
    this.timeout(90_000);
    const port = await closedPort();
    const warnings: string[] = [];
    const answers = ['Diagnose', 'Edit'];
    const inputs: Array<{ prompt?: string; value?: string }> = [];
    const security: string[][] = [];
    await answering('showWarningMessage', (message) => {
      warnings.push(message);
      assert.equal(userSites().fixme, undefined, 'nothing saved while the question is open');
      return answers.shift();
    }, () => answering('showInputBox', (opts) => {
      const o = opts as unknown as { prompt?: string; value?: string };
      inputs.push(o);
      if (/^Host name/.test(o.prompt ?? '')) return `${server.host}:${server.port}`;
      if (/^User name/.test(o.prompt ?? '')) return o.value;
      if (/^Password/.test(o.prompt ?? '')) return o.value;
      return undefined;
    }, () => picking((items, options) => {
      if (!/security/.test(options.title ?? '')) return items[0];
      security.push(items.map((i) => String(i.detail)));
      return items.find((i) => i.picked);
    }, () =>
      Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.addSite', {
        name: 'fixme', host: `127.0.0.1:${port}`, user: server.user, password: server.password, secure: 'off', scope: 'user', noOpen: true,
      })))));
    assert.equal(warnings.length, 2, 'asked, then asked again after the doctor');
    assert.equal(warnings[0], `Could not connect to ${server.user}@127.0.0.1:${port} (FTP) for FTP site "fixme": Connection to 127.0.0.1:${port}: the connection was refused (nothing listens there, or a firewall rejects it). Nothing is saved yet.`);
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Diagnose fixme');
    assert.ok(tab, 'the doctor\'s report of the unsaved site is open');
    // Edit: the server question shows what was typed; user and password are filled in.
    assert.equal(inputs[0].value, `127.0.0.1:${port}`);
    assert.equal(inputs[1].value, server.user);
    assert.equal(inputs[2].value, server.password);
    // The security question names the port typed with the host, not the usual 21 or 990.
    assert.deepEqual(security, [[`Plain FTP on port ${server.port}`, `AUTH TLS on port ${server.port} (most FTPS servers)`, `TLS from the first byte on port ${server.port} (implicit FTPS usually listens on 990)`]]);
    assert.deepEqual(userSites().fixme, { host: '127.0.0.1', port: server.port, user: server.user, transferMode: 'auto' });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Save Anyway keeps a site the test could not reach; Escape at that question saves nothing', async () => {
    const port = await closedPort();
    const add = (name: string) => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.addSite', { name, host: `127.0.0.1:${port}`, user: '', secure: 'off', scope: 'user', remoteRoot: '', noOpen: true }));
    const kept = await answering('showWarningMessage', (_m, ...buttons) => {
      assert.deepEqual(buttons, ['Save Anyway', 'Diagnose', 'Edit']);
      return 'Save Anyway';
    }, () => add('keptanyway'));
    assert.equal(kept.result, 'keptanyway');
    assert.deepEqual(userSites().keptanyway, { host: '127.0.0.1', port, transferMode: 'auto' });
    const dropped = await answering('showWarningMessage', () => undefined, () => add('dropped'));
    assert.equal(dropped.result, undefined);
    assert.equal(userSites().dropped, undefined);
  });

  test('host and port are checked: port 99999, 0, a folder or a user in the host are refused; ftp://host:port/ is taken apart', async () => {
    const add = (answers: object) => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.addSite', { name: 'checked', user: '', secure: 'off', scope: 'user', remoteRoot: '', test: false, noOpen: true, ...answers }));
    await assert.rejects(add({ host: '127.0.0.1:99999' }), /99999 is not a port number \(1-65535\)/);
    await assert.rejects(add({ host: '127.0.0.1', port: 0 }), /0 is not a port number/);
    await assert.rejects(add({ host: 'ftp.example.com/public_html' }), /not a host name/);
    await assert.rejects(add({ host: 'me@ftp.example.com' }), /without a user name/);
    assert.equal(userSites().checked, undefined);
    // The question says so while typing.
    let problems: Record<string, string | undefined> = {};
    await answering('showInputBox', (opts) => {
      const validate = (opts as unknown as { validateInput?: (v: string) => string | undefined }).validateInput!;
      problems = Object.fromEntries(['127.0.0.1:99999', 'ftp://ftp.example.com:2121/', 'ftp.example.com', '[::1]:21', 'a b', '-bad-.example'].map((v) => [v, validate(v)]));
      return undefined;
    }, () => add({ host: undefined }));
    assert.match(problems['127.0.0.1:99999']!, /not a port number/);
    assert.equal(problems['ftp://ftp.example.com:2121/'], undefined);
    assert.equal(problems['ftp.example.com'], undefined);
    assert.equal(problems['[::1]:21'], undefined);
    assert.ok(problems['a b']);
    assert.ok(problems['-bad-.example']);
    // Pasted with its scheme: host and port taken apart.
    assert.equal(await add({ host: 'ftp://ftp.example.com:2121/' }), 'checked');
    assert.deepEqual(userSites().checked, { host: 'ftp.example.com', port: 2121, transferMode: 'auto' });
  });
});

suite('Remove Site and Rename Site take the password and the trusted certificate along (proftpd, explicit FTPS)', () => {
  let server: RunningServer;
  const read = (site: string) => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.parse(`ftps://${site}/secret.txt`)));
  suiteSetup(async () => {
    server = await startServer('proftpd');
    fs.writeFileSync(path.join(server.root, 'secret.txt'), 'over TLS\n');
    await vscode.extensions.getExtension(ID)!.activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
    await server?.stop();
  });

  test('Rename: same settings at the same place, password and certificate moved (no question), the old name gone, a folder of the workspace follows', async function () {
    this.timeout(60_000);
    const site = { host: server.host, port: server.port, user: server.user, secure: 'explicit', transferMode: 'passive' };
    await config().update('sites', { first: { host: 'ftp.example.org' }, oldname: site, last: { host: 'ftp.example.net' } }, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'oldname', server.password);
    const trusted = await answering('showWarningMessage', (_m, _o, trust) => trust, () => read('oldname'));
    assert.equal(trusted.calls.length, 1, 'the certificate was asked about once, and trusted');
    // Open as a folder of this workspace (after the local folder).
    const index = vscode.workspace.workspaceFolders!.length;
    const folders = () => new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
        sub.dispose();
        resolve();
      });
    });
    let changed = folders();
    vscode.workspace.updateWorkspaceFolders(index, 0, { uri: vscode.Uri.parse('ftps://oldname/'), name: 'oldname' });
    await changed;
    try {
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.renameSite', 'oldname', 'last')), /exists already/);
      changed = folders();
      const renamed = await answering('showInformationMessage', () => undefined, () => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.renameSite', 'oldname', 'newname')));
      assert.equal(renamed.result, 'newname');
      assert.deepEqual(Object.keys(userSites()), ['first', 'newname', 'last'], 'in the same place');
      assert.deepEqual(userSites().newname, site);
      await changed;
      assert.equal(vscode.workspace.workspaceFolders![index].uri.toString(), 'ftps://newname/');
      assert.equal(vscode.workspace.workspaceFolders![index].name, 'newname');
      // No password question, no certificate question: both came along.
      const asked = await answering('showWarningMessage', () => undefined, () => answering('showInputBox', () => undefined, () => read('newname')));
      assert.equal(asked.calls.length, 0, 'no certificate question');
      assert.equal(asked.result.calls.length, 0, 'no password question');
      assert.equal(Buffer.from(asked.result.result).toString(), 'over TLS\n');
    } finally {
      changed = folders();
      vscode.workspace.updateWorkspaceFolders(index, 1);
      await changed;
    }
  });

  test('Remove: asked first (declined: kept); removed, its password and certificate are forgotten: the same site added again asks both', async () => {
    const declined = await answering('showWarningMessage', () => undefined, () => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.removeSite', 'newname')));
    assert.equal(declined.result, false);
    assert.equal(String(declined.calls[0][0]), 'Remove the FTP site "newname"?');
    assert.match((declined.calls[0][1] as { detail: string }).detail, /deleted from the user settings; its saved password and trusted certificate are forgotten/);
    assert.ok(userSites().newname, 'kept');
    assert.equal(await vscode.commands.executeCommand('ftpWorkspace.removeSite', 'newname', true), true);
    assert.equal(userSites().newname, undefined);
    assert.ok(userSites().first, 'the others stay');
    // The same server under the same name again: nothing was inherited.
    await config().update('sites', { ...userSites(), newname: { host: server.host, port: server.port, user: server.user, secure: 'explicit', transferMode: 'passive' } }, vscode.ConfigurationTarget.Global);
    const password = await answering('showInputBox', () => undefined, () => assert.rejects(read('newname'), /No password given/));
    assert.equal(password.calls.length, 1, 'the password is asked');
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'newname', server.password);
    const certificate = await answering('showWarningMessage', () => undefined, () => assert.rejects(read('newname'), /not trusted/));
    assert.equal(certificate.calls.length, 1, 'the certificate is asked about');
  });
});

suite('Set Password never offers an anonymous site', () => {
  suiteTeardown(async () => {
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
  });

  test('named, it is refused; from the palette with only anonymous sites, it says so and asks nothing', async () => {
    await config().update('sites', { anon1: { host: 'ftp.example.org' }, anon2: { host: 'ftp.example.net', user: 'anonymous' } }, vscode.ConfigurationTarget.Global);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.setPassword', 'anon1', 'x')), /logs in anonymously: it has no password/);
    const { calls } = await answering('showInformationMessage', () => undefined, () => answering('showInputBox', () => undefined, async (inputs) => {
      await vscode.commands.executeCommand('ftpWorkspace.setPassword');
      assert.equal(inputs.length, 0);
    }));
    assert.equal(String(calls[0][0]), 'No FTP site has a user name: anonymous sites need no password.');
    // With one site that has a user, that one is taken without a list.
    await config().update('sites', { anon1: { host: 'ftp.example.org' }, withuser: { host: 'ftp.example.net', user: 'me' } }, vscode.ConfigurationTarget.Global);
    const { calls: boxes } = await picking(() => undefined, () => answering('showInputBox', () => undefined, () => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.setPassword'))));
    assert.equal(boxes.length, 0, 'no list of one');
  });
});

suite('a settings change closes only the site that changed (pyftpdlib)', () => {
  let server: RunningServer;
  suiteSetup(async () => {
    server = await startServer('pyftpdlib');
    await vscode.extensions.getExtension(ID)!.activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
    await server?.stop();
  });

  test('adding a site leaves the others connected; changing one site closes that one only', async () => {
    const site = (mode: string) => ({ host: server.host, port: server.port, user: server.user, transferMode: mode });
    await config().update('sites', { stays: site('passive'), other: site('passive') }, vscode.ConfigurationTarget.Global);
    for (const s of ['stays', 'other']) await vscode.commands.executeCommand('ftpWorkspace.setPassword', s, server.password);
    for (const s of ['stays', 'other']) await vscode.workspace.fs.readDirectory(vscode.Uri.parse(`ftp://${s}/`));
    assert.deepEqual([stateOf('stays'), stateOf('other')], ['connected', 'connected']);
    await vscode.commands.executeCommand('ftpWorkspace.addSite', { name: 'added', host: 'ftp.example.org', user: '', secure: 'off', scope: 'user', remoteRoot: '', test: false, noOpen: true });
    await until('the new site in the view', () => stateOf('added') !== undefined);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([stateOf('stays'), stateOf('other')], ['connected', 'connected'], 'adding a site disconnects nobody');
    await vscode.commands.executeCommand('ftpWorkspace.setTransferMode', 'other', 'active');
    await until('the changed site to close', () => stateOf('other') === 'idle');
    assert.equal(stateOf('stays'), 'connected');
  });
});
