/// <reference types="mocha" />
/**
 * The doctor acts only on what it found (issue 9), against real servers: no Apply after a connect
 * or login failure (Edit Site and Set Password instead, and the site's failure stays shown), Apply
 * writes only the keys that change, a server offering FTPS to a plain-FTP site gets Switch to FTPS
 * (the password follows), and from the palette it asks which site.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, startServer } from '../../servers';
import { startFaultServer } from '../../fakes/fault-server';
import { answering, until } from '../host-helpers';

const ID = 'ftp-workspace.ftp-workspace';
const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
type Api = { siteItems(): Array<{ site: string; state: string }> };
const api = () => vscode.extensions.getExtension<Api>(ID)!.exports;
const stateOf = (site: string) => api().siteItems().find((i) => i.site === site)?.state;
const userSites = () => config().inspect<Record<string, Record<string, unknown>>>('sites')?.globalValue ?? {};
type Result = { recommendation: { transferMode: string; settings: Record<string, unknown> }; offers: Array<{ id: string; settings: Record<string, unknown> }> };
const diagnose = (site?: string) => Promise.resolve(vscode.commands.executeCommand<Result | undefined>('ftpWorkspace.diagnose', site));

/**
 * Runs body with a plain-FTP site "claims" on a server whose root is `root`, then checks the site
 * still reads its file over plain FTP, and removes the site.
 */
async function withClaimsSite(root: string, site: Record<string, unknown>, body: () => Promise<void>): Promise<void> {
  fs.writeFileSync(path.join(root, 'plain.txt'), 'still plain\n');
  await config().update('sites', { ...userSites(), claims: site }, vscode.ConfigurationTarget.Global);
  try {
    await body();
    const read = await vscode.workspace.fs.readFile(vscode.Uri.parse('ftp://claims/plain.txt'));
    assert.equal(Buffer.from(read).toString(), 'still plain\n');
  } finally {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', 'claims');
    const sites = userSites();
    delete sites.claims;
    await config().update('sites', sites, vscode.ConfigurationTarget.Global);
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

suite('the doctor acts only on what it found', () => {
  let server: RunningServer;
  const panels: vscode.WebviewPanel[] = [];
  let original: unknown;
  /** The HTML of the latest report. */
  const html = () => panels[panels.length - 1].webview.html;
  const links = () => [...html().matchAll(/href="command:([^?"]+)\?([^"]*)"/g)].map((m) => ({ command: m[1], args: JSON.parse(decodeURIComponent(m[2])) as unknown[] }));
  suiteSetup(async () => {
    server = await startServer('proftpd'); // offers AUTH TLS in FEAT, both modes work
    fs.writeFileSync(path.join(server.root, 'doc.txt'), 'doctor\n');
    await vscode.extensions.getExtension(ID)!.activate();
    const window = vscode.window as unknown as Record<string, unknown>;
    original = window.createWebviewPanel;
    window.createWebviewPanel = (...args: unknown[]) => {
      const panel = (original as (...a: unknown[]) => vscode.WebviewPanel)(...args);
      panels.push(panel);
      return panel;
    };
  });
  suiteTeardown(async () => {
    (vscode.window as unknown as Record<string, unknown>).createWebviewPanel = original;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await config().update('sites', undefined, vscode.ConfigurationTarget.Global);
    await server?.stop();
  });

  test('a connection failure: no Apply (the settings are not "fixed" to auto), Edit Site offered, the site stays shown as failed', async () => {
    const port = await closedPort();
    await config().update('sites', { down: { host: '127.0.0.1', port, transferMode: 'passive' } }, vscode.ConfigurationTarget.Global);
    await answering('showErrorMessage', () => undefined, () => assert.rejects(Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://down/')))));
    assert.equal(stateOf('down'), 'failed');
    const report = await diagnose('down');
    assert.deepEqual(report!.offers, []);
    assert.deepEqual(links().map((l) => l.command), ['ftpWorkspace.editSiteSettings', 'ftpWorkspace.diagnose', 'ftpWorkspace.copyDiagnosis']);
    assert.deepEqual(links()[0].args, ['down']);
    assert.ok(!html().includes('Apply'), 'no Apply button');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.applyRecommendation', 'down')), /nothing to apply/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.applyRecommendation', 'down', report!.recommendation.settings)), /nothing to apply/);
    assert.deepEqual(userSites().down, { host: '127.0.0.1', port, transferMode: 'passive' }, 'nothing written');
    assert.equal(stateOf('down'), 'failed', 'the failure is not hidden');
  });

  test('a login failure: Set Password and Edit Site, no Apply', async () => {
    await config().update('sites', { ...userSites(), badlogin: { host: server.host, port: server.port, user: server.user, transferMode: 'passive' } }, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'badlogin', 'wrong');
    const report = await diagnose('badlogin');
    assert.deepEqual(report!.offers, []);
    assert.deepEqual(links().map((l) => l.command), ['ftpWorkspace.setPassword', 'ftpWorkspace.editSiteSettings', 'ftpWorkspace.diagnose', 'ftpWorkspace.copyDiagnosis']);
    assert.deepEqual(links()[0].args, ['badlogin'], 'the link carries the site only, never a password');
  });

  test('Apply writes only the keys that change: a default is never written out', async () => {
    await config().update('sites', { ...userSites(), tuned: { host: server.host, port: server.port, user: server.user, transferMode: 'passive', passive: { epsvFirst: false } } }, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'tuned', server.password);
    const report = await diagnose('tuned');
    // Both modes work: automatic, EPSV first. The site said passive and PASV first: those two change.
    assert.equal(report!.recommendation.transferMode, 'auto');
    const mode = report!.offers.find((o) => o.id === 'mode')!;
    assert.deepEqual(mode.settings, { transferMode: 'auto', passive: { epsvFirst: true } });
    assert.ok(html().includes('Apply to the settings of tuned'));
    await answering('showInformationMessage', () => undefined, () => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.applyRecommendation', 'tuned', mode.settings)));
    await until('the settings', () => userSites().tuned?.transferMode === 'auto');
    assert.deepEqual(userSites().tuned, { host: server.host, port: server.port, user: server.user, transferMode: 'auto', passive: { epsvFirst: true } });
    // Run again: the settings now match, so there is nothing to apply.
    const again = await diagnose('tuned');
    assert.equal(again!.offers.find((o) => o.id === 'mode'), undefined);
    assert.match(html(), /already do this: nothing to change/);
  });

  test('a plain-FTP site on a server whose FEAT offers AUTH TLS: Switch to FTPS; applied, the password follows and the site works over FTPS', async () => {
    const report = await diagnose('tuned');
    const ftps = report!.offers.find((o) => o.id === 'ftps')!;
    assert.deepEqual(ftps.settings, { secure: 'explicit' });
    assert.ok(html().includes('Switch to FTPS (explicit)'));
    await answering('showInformationMessage', () => undefined, () => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.applyRecommendation', 'tuned', ftps.settings)));
    await until('the settings', () => userSites().tuned?.secure === 'explicit');
    await until('the extension host to see it', () => (config().get<Record<string, { secure?: string }>>('sites') ?? {}).tuned?.secure === 'explicit');
    // The test server's certificate is self-signed: trusted when asked. No password question.
    const read = await answering('showWarningMessage', (_m, _o, trust) => trust, () => answering('showInputBox', () => undefined, () =>
      Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.parse('ftps://tuned/doc.txt')))));
    assert.equal(read.result.calls.length, 0, 'no password question: it was bound to the FTPS server');
    assert.equal(Buffer.from(read.result.result).toString(), 'doctor\n');
    // Now FTPS: no Switch to FTPS any more.
    const after = await diagnose('tuned');
    assert.equal(after!.offers.find((o) => o.id === 'ftps'), undefined);
  });

  test('a server whose FEAT lists AUTH TLS but refuses it (ftp-srv without a certificate): the doctor tried it, says so, and offers no Switch to FTPS; the site still works', async () => {
    const claims = await startServer('ftpsrv');
    try {
      await withClaimsSite(claims.root, { host: claims.host, port: claims.port, user: claims.user, transferMode: 'passive' }, async () => {
        await vscode.commands.executeCommand('ftpWorkspace.setPassword', 'claims', claims.password);
        const report = await diagnose('claims');
        assert.equal(report!.offers.find((o) => o.id === 'ftps'), undefined, 'no Switch to FTPS');
        assert.match(html(), /AUTH TLS<\/pre>/, 'the FEAT step shows AUTH TLS sent');
        assert.match(html(), /But AUTH TLS, tried on a connection of its own, was refused \(502 /);
        assert.ok(!html().includes('Switch to FTPS (explicit)'));
        assert.ok(!html().includes('<h2>Security</h2>'));
      });
    } finally {
      await claims.stop();
    }
  });

  // FAKE server: AUTH TLS answered 234 and then no TLS at all (the connection closed), which no real
  // server here does. The doctor's AUTH TLS got its 234, so it offers the switch; the switch tries a
  // whole FTPS login first, and is not written.
  test('a server that accepts AUTH TLS but then does no TLS (FAKE): Switch to FTPS is tried first, not written, and the site still works', async () => {
    const fake = await startFaultServer({
      features: ['EPSV', 'SIZE', 'UTF8', 'AUTH TLS'],
      onCommand: (verb, _arg, session) => {
        if (verb !== 'AUTH') return undefined;
        session.write('234 Go ahead.\r\n');
        return 'close';
      },
    });
    try {
      await withClaimsSite(fake.root, { host: '127.0.0.1', port: fake.port, transferMode: 'passive', timeoutSeconds: 3 }, async () => {
        const report = await diagnose('claims');
        const ftps = report!.offers.find((o) => o.id === 'ftps')!;
        assert.deepEqual(ftps.settings, { secure: 'explicit' }, 'offered: AUTH TLS was answered 234 (else this test tests nothing)');
        assert.match(html(), /AUTH TLS, tried on a connection of its own, was accepted/);
        const { calls } = await answering('showWarningMessage', () => undefined, () => Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.applyRecommendation', 'claims', ftps.settings)));
        assert.equal(calls.length, 1);
        assert.match(String(calls[0][0]), /^FTP site "claims" stays on plain FTP: its server lists FTPS but explicit FTPS did not work \(/);
        assert.match(String(calls[0][0]), /[^.]\)\.$/, 'one full stop at the end, not ".)."');
        assert.equal(userSites().claims?.secure, undefined, 'nothing written');
        assert.match(html(), /<h2>Security<\/h2><p class="failed">✘ Not switched: explicit FTPS did not work on this server \(/);
        assert.ok(!html().includes('Switch to FTPS (explicit)'), 'the button is gone');
      });
    } finally {
      await fake.stop();
    }
  });

  test('from the palette it asks which site, the active editor\'s first, even with an FTP editor open', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.parse('ftps://tuned/doc.txt')));
    const window = vscode.window as unknown as Record<string, unknown>;
    const originalPick = window.showQuickPick;
    const picks: Array<{ items: vscode.QuickPickItem[]; options: vscode.QuickPickOptions }> = [];
    window.showQuickPick = async (items: vscode.QuickPickItem[], options: vscode.QuickPickOptions) => {
      picks.push({ items, options });
      return undefined;
    };
    try {
      assert.equal(await diagnose(), undefined, 'nothing diagnosed when the question is dismissed');
    } finally {
      window.showQuickPick = originalPick;
    }
    assert.equal(picks.length, 1);
    assert.equal(picks[0].options.placeHolder, 'Diagnose the connection to which FTP site?');
    assert.equal(picks[0].items[0].label, 'tuned');
    assert.match(String(picks[0].items[0].description), /the active editor's site/);
    assert.deepEqual(picks[0].items.map((i) => i.label).sort(), ['badlogin', 'down', 'tuned']);
  });
});
