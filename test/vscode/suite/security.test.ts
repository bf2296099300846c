/// <reference types="mocha" />
/**
 * Nothing lost, nothing let in (issue 8), in a real VS Code against real servers: server text shown
 * without links, the doctor's webview limited to its own commands, passwords sent only to the server
 * they were stored for, one pool per configured site whatever the scheme, no password taken from an
 * address, and Open Site's workspace file inside the extension's storage whatever the site's name.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, startServer } from '../../servers';
import { answering, until } from '../host-helpers';
import { ModeNotices } from '../../../src/ui/notices';
import type { SiteConnection } from '../../../src/fs/connections';
import { errorFromReply } from '../../../src/ftp/errors';
import type { FallbackEvent } from '../../../src/ftp';

const ID = 'ftp-workspace.ftp-workspace';
const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
type Api = { siteItems(): Array<{ site: string; state: string; tooltip: string }>; poolCount(): number };
const api = () => vscode.extensions.getExtension<Api>(ID)!.exports;

// VS Code 1.100's notification link syntax (vs/base/common/linkedText.ts).
// eslint-disable-next-line no-useless-escape
const VSCODE_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^\)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
const HOSTILE = '[click](command:workbench.action.terminal.new)';

async function setSites(sites: Record<string, object> | undefined): Promise<void> {
  await config().update('sites', sites, vscode.ConfigurationTarget.Workspace);
}

/** proftpd's ExtendedLog: every command it received ("PASS (hidden)", "USER test"), one per line. */
function commandsSeen(server: RunningServer): string {
  const file = server.logFile!.replace(/main\.log$/, 'main.ext.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** A fresh memento for notices built here (not the extension's own state). */
function memento(): vscode.Memento {
  const data = new Map<string, unknown>();
  return { keys: () => [...data.keys()], get: <T>(k: string, d?: T) => (data.has(k) ? data.get(k) as T : d), update: async (k: string, v: unknown) => void data.set(k, v) } as vscode.Memento;
}

suite('server text shown without links', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(ID)!.activate();
  });
  suiteTeardown(async () => {
    await setSites(undefined);
  });

  test('a fixed mode\'s failure notice built from a hostile 425 reply has no link, and still says what the server said', async () => {
    const error = errorFromReply(425, `Can't open data connection ${HOSTILE}`, 'LIST');
    assert.equal(error.kind, 'dataConnection');
    assert.ok([...error.message.matchAll(VSCODE_LINK)].length > 0, 'the raw reply would be a link');
    const { calls } = await answering('showErrorMessage', () => undefined, () =>
      new ModeNotices(memento()).fixedModeFailed({ name: 'hostile', mode: 'passive' } as SiteConnection, error));
    assert.equal(calls.length, 1);
    const shown = String(calls[0][0]);
    assert.deepEqual([...shown.matchAll(VSCODE_LINK)], [], shown);
    assert.ok(shown.includes('[click] (command:workbench.action.terminal.new)'), shown);
  });

  test('auto mode\'s one-time notice quoting a hostile reply has no link', async () => {
    const event: FallbackEvent = { method: 'eprt', failed: [{ method: 'epsv', ok: false, failure: 'reply425', code: 425, message: `425 ${HOSTILE}`, at: new Date() }] };
    const { calls } = await answering('showInformationMessage', () => undefined, () => new ModeNotices(memento()).fallback('hostile', event));
    assert.equal(calls.length, 1);
    const shown = String(calls[0][0]);
    assert.deepEqual([...shown.matchAll(VSCODE_LINK)], [], shown);
    assert.match(shown, /^Passive mode failed on hostile \(425 \[click\] \(command:workbench\.action\.terminal\.new\)\); active mode works\.$/);
  });

  test('the FTP Sites view\'s Markdown tooltip shows settings text as text', async () => {
    await setSites({ mdsite: { host: 'www.evil.example', user: `${HOSTILE}<img src=x>`, transferMode: 'auto' } });
    await until('the site in the view', () => api().siteItems().some((i) => i.site === 'mdsite'));
    const tooltip = api().siteItems().find((i) => i.site === 'mdsite')!.tooltip;
    const serverLine = tooltip.split('\n\n')[0];
    assert.ok(serverLine.includes('\\[click\\]\\(command:workbench.action.terminal.new\\)\\<img src=x\\>\\@www\\.evil.example'), tooltip);
    assert.doesNotMatch(serverLine.replace(/\\./g, ''), /[[\]()<>@]/, 'no unescaped bracket, parenthesis, angle bracket or @');
  });
});

suite('the doctor\'s webview runs only the doctor\'s commands (pyftpdlib)', () => {
  let server: RunningServer;
  const panels: Array<{ viewType: string; options: vscode.WebviewPanelOptions & vscode.WebviewOptions }> = [];
  let original: unknown;
  suiteSetup(async () => {
    server = await startServer('pyftpdlib');
    await vscode.extensions.getExtension(ID)!.activate();
    // Passive, where both modes work: the doctor recommends automatic mode, a change it can apply.
    await setSites({ docsite: { host: server.host, port: server.port, user: server.user, transferMode: 'passive' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'docsite', server.password);
    const window = vscode.window as unknown as Record<string, unknown>;
    original = window.createWebviewPanel;
    window.createWebviewPanel = (viewType: string, title: string, column: vscode.ViewColumn, options: vscode.WebviewPanelOptions & vscode.WebviewOptions) => {
      panels.push({ viewType, options });
      return (original as typeof vscode.window.createWebviewPanel)(viewType, title, column, options);
    };
  });
  suiteTeardown(async () => {
    (vscode.window as unknown as Record<string, unknown>).createWebviewPanel = original;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await setSites(undefined);
    await server?.stop();
  });

  test('enableCommandUris lists only the doctor\'s commands (and Edit Site, Set Password), no scripts; Apply writes only what the report offers', async () => {
    const report = await vscode.commands.executeCommand<{ recommendation: { settings: Record<string, unknown> }; offers: Array<{ id: string; settings: Record<string, unknown> }> }>('ftpWorkspace.diagnose', 'docsite');
    assert.ok(report);
    const panel = panels.find((p) => p.viewType === 'ftpWorkspace.doctor');
    assert.ok(panel, 'the doctor opened a webview');
    assert.deepEqual([...(panel!.options.enableCommandUris as string[])].sort(),
      ['ftpWorkspace.applyRecommendation', 'ftpWorkspace.copyDiagnosis', 'ftpWorkspace.diagnose', 'ftpWorkspace.editSiteSettings', 'ftpWorkspace.setPassword']);
    assert.equal(panel!.options.enableScripts, false);
    // A link elsewhere that passes its own settings (a server address to send data to) is refused.
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.applyRecommendation', 'docsite', { transferMode: 'active', active: { externalAddress: '203.0.113.66' } })), /Only the doctor's own recommendation/);
    assert.equal((config().get<Record<string, { active?: unknown }>>('sites') ?? {}).docsite.active, undefined, 'nothing written');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.applyRecommendation', 'no-such-site')), /no connection doctor report/);
    // The report's own button: the change it offers.
    const offer = report.offers.find((o) => o.id === 'mode')!;
    assert.deepEqual(offer.settings, { transferMode: 'auto' });
    await answering('showInformationMessage', () => undefined, () => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.applyRecommendation', 'docsite', offer.settings)));
    await until('the recommendation in the settings', () => (config().get<Record<string, { transferMode?: string }>>('sites') ?? {}).docsite?.transferMode === report.recommendation.settings.transferMode);
  });
});

suite('a password goes only to the server it was stored for (two proftpd servers)', () => {
  let a: RunningServer;
  let b: RunningServer;
  const list = (site: string) => Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse(`ftp://${site}/`)));
  suiteSetup(async () => {
    a = await startServer('proftpd');
    b = await startServer('proftpd', { bindAddress: '127.0.0.2' });
    await vscode.extensions.getExtension(ID)!.activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await vscode.commands.executeCommand('ftpWorkspace.forgetPassword', 'bound');
    await setSites(undefined);
    await a?.stop();
    await b?.stop();
  });

  test('the site\'s host and port changed in the settings: the stored password is not sent, the user is asked, naming both servers', async () => {
    await setSites({ bound: { host: a.host, port: a.port, user: a.user, transferMode: 'passive' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'bound', a.password);
    await list('bound'); // works on a, with the stored password
    await until('a to log the login', () => /"PASS \(hidden\)" 230/.test(commandsSeen(a)));

    // A workspace redefines the site: same name, another server.
    await setSites({ bound: { host: b.host, port: b.port, user: b.user, transferMode: 'passive' } });
    const asked = await answering('showInputBox', () => undefined, () => assert.rejects(list('bound'), /No password given for FTP site "bound"/));
    assert.equal(asked.calls.length, 1, 'asked, not sent');
    const prompt = String((asked.calls[0][0] as { prompt: string }).prompt);
    assert.ok(prompt.includes(`changed from ${a.user}@127.0.0.1:${a.port} (FTP) to ${b.user}@127.0.0.2:${b.port} (FTP)`), prompt);
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(commandsSeen(b), /PASS/, 'the new server never saw a PASS');

    // Typed by the user for the new server (not remembered): it is sent to b, and b's log shows it.
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', 'bound');
    await answering('showInputBox', () => b.password, () => answering('showInformationMessage', () => 'Not now', () => list('bound')));
    await until('b to log the login', () => /"PASS \(hidden\)" 230/.test(commandsSeen(b)));

    // Back to a: the password stored for a is sent again without a question.
    await setSites({ bound: { host: a.host, port: a.port, user: a.user, transferMode: 'passive' } });
    const again = await answering('showInputBox', () => undefined, () => list('bound'));
    assert.equal(again.calls.length, 0);
  });

  test('a changed user is a different server too', async () => {
    await setSites({ bound: { host: a.host, port: a.port, user: 'someone-else', transferMode: 'passive' } });
    const asked = await answering('showInputBox', () => undefined, () => assert.rejects(list('bound'), /No password given/));
    assert.match(String((asked.calls[0][0] as { prompt: string }).prompt), /changed from .* to someone-else@127\.0\.0\.1/);
  });
});

suite('one pool per configured site, whatever the scheme (proftpd)', () => {
  let server: RunningServer;
  suiteSetup(async () => {
    server = await startServer('proftpd');
    fs.writeFileSync(path.join(server.root, 'p.txt'), 'pooled\n');
    await vscode.extensions.getExtension(ID)!.activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await setSites(undefined);
    await server?.stop();
  });

  test('ftp://site/ and ftps://site/ share one pool (and its maxConnections); the settings decide the security', async () => {
    await setSites({ pooled: { host: server.host, port: server.port, user: server.user, secure: 'explicit', maxConnections: 1, transferMode: 'passive' } });
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'pooled', server.password);
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    const before = api().poolCount();
    // The certificate question first (answered: trust), then the same file through the other scheme.
    const { result } = await answering('showWarningMessage', (_m, _o, trust) => trust, async () => [
      await vscode.workspace.fs.readFile(vscode.Uri.parse('ftps://pooled/p.txt')),
      await vscode.workspace.fs.readFile(vscode.Uri.parse('ftp://pooled/p.txt')),
    ]);
    assert.deepEqual(result.map((r) => Buffer.from(r).toString()), ['pooled\n', 'pooled\n']);
    assert.equal(api().poolCount() - before, 1, 'one pool for both addresses');
    // maxConnections 1 for the site: both reads went over one logged-in connection (which is TLS: the settings say explicit).
    const log = commandsSeen(server);
    assert.equal(log.split('\n').filter((l) => /"USER /.test(l)).length, 1, log);
    assert.match(log, /"AUTH TLS"/);
  });

  test('ftps:// of a site set up for plain FTP is refused, not quietly sent in the clear', async () => {
    await setSites({ plain: { host: server.host, port: server.port, user: server.user, transferMode: 'passive' } });
    await assert.rejects(Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftps://plain/'))), /set up for plain FTP.*"secure": "explicit"/);
  });

  test('ad-hoc ftp://user@host and ftps://user@host stay two servers (two pools)', async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    const before = api().poolCount();
    const authority = `${server.user}@${server.host}:${server.port}`;
    await answering('showInputBox', () => server.password, () => answering('showInformationMessage', () => 'Not now', () =>
      answering('showWarningMessage', (_m, _o, trust) => trust, async () => {
        await vscode.workspace.fs.readDirectory(vscode.Uri.parse(`ftps://${authority}/`));
        await vscode.workspace.fs.readDirectory(vscode.Uri.parse(`ftp://${authority}/`));
      })));
    assert.equal(api().poolCount() - before, 2);
  });
});

suite('an address with a password in it (proftpd)', () => {
  let server: RunningServer;
  suiteSetup(async () => {
    server = await startServer('proftpd');
    await vscode.extensions.getExtension(ID)!.activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await server?.stop();
  });

  test('ftp://user:pass@host/ is refused with the way to do it; the password is not shown, nothing is sent', async () => {
    const secret = 'Hunter2-secret';
    const uri = vscode.Uri.parse(`ftp://${server.user}:${secret}@${server.host}:${server.port}/`);
    const asked = await answering('showInputBox', () => undefined, async () => {
      const error = await Promise.resolve(vscode.workspace.fs.readDirectory(uri)).then(() => undefined, (e: Error) => e);
      assert.ok(error, 'refused');
      assert.ok(!error!.message.includes(secret), error!.message);
      assert.match(error!.message, /a password in it is not used/);
      assert.ok(error!.message.includes(`ftp://${server.user}@${server.host}:${server.port}/`), 'names the address to use');
    });
    assert.equal(asked.calls.length, 0, 'no prompt either');
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(commandsSeen(server), /USER/, 'the server saw no USER (not "user:pass", not anything)');
  });
});

suite('names from settings stay names', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(ID)!.activate();
  });
  suiteTeardown(async () => {
    await setSites(undefined);
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
  });

  test('Open Site writes the workspace file of a site named "../../../escape" inside the extension\'s storage', async () => {
    const name = '../../../escape';
    await setSites({ [name]: { host: '192.0.2.1', transferMode: 'auto' } });
    const commands = vscode.commands as unknown as Record<string, unknown>;
    const original = commands.executeCommand as typeof vscode.commands.executeCommand;
    const opened: vscode.Uri[] = [];
    // The window is not really reopened: the command that would do it is recorded.
    commands.executeCommand = (id: string, ...args: unknown[]) => {
      if (id === 'vscode.openFolder') {
        opened.push(args[0] as vscode.Uri);
        return Promise.resolve();
      }
      return original(id, ...args);
    };
    try {
      await original('ftpWorkspace.openSite', name, 'window');
    } finally {
      commands.executeCommand = original;
    }
    assert.equal(opened.length, 1);
    const file = opened[0].path;
    assert.equal(path.posix.basename(path.posix.dirname(file)), 'workspaces', file);
    assert.equal(path.posix.basename(path.posix.dirname(path.posix.dirname(file))), ID, `inside the extension's own storage: ${file}`);
    assert.match(path.posix.basename(file), /^escape-[0-9a-f]{10}\.code-workspace$/);
    const content = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(opened[0])).toString('utf8'));
    assert.equal(content.folders[0].name, name);
    assert.equal(vscode.Uri.parse(content.folders[0].uri).authority, name, 'the folder is the site, by its exact name');
    await vscode.workspace.fs.delete(opened[0]);
  });

  test('Add Site with a name given as an argument never replaces an existing site', async () => {
    await config().update('sites', { keep: { host: 'ftp.example.org', user: 'me', transferMode: 'auto' } }, vscode.ConfigurationTarget.Global);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.addSite', { name: 'keep', host: '203.0.113.9', user: 'me', password: 'x', secure: 'off', noOpen: true, scope: 'user' })), /exists already/);
    assert.equal(config().inspect<Record<string, { host: string }>>('sites')?.globalValue?.keep.host, 'ftp.example.org');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.addSite', { name: 'new', host: 'evil.example/x', user: '', secure: 'off', noOpen: true, scope: 'user' })), /not a host name/);
  });
});
