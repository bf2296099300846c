/// <reference types="mocha" />
/**
 * FTP: Import Sites... in a real VS Code: a FileZilla file with nested folders and base64 passwords
 * (test/fixtures/import/filezilla-extension-host.xml, a temp copy pointed at this test's servers)
 * imported into the user settings; the settings read back; the passwords proven to be in secret
 * storage by what the sites send: one site opens on a real pyftpdlib with its imported password and
 * no prompt, the others' PASS is recorded by a local server (the FAKE server as a recorder, the one
 * thing a real server can't show); a site whose password was encrypted is asked for it. Then the
 * question about existing names, and an sftp.json imported into the workspace file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, startServer } from '../../servers';
import { FakeServer, startFaultServer } from '../../fakes/fault-server';
import { answering, workspaceFileSites } from '../host-helpers';
import { IMPORT_FIXTURES } from '../../fixtures/import';

interface ImportResult {
  format: string;
  scope: string;
  imported: Array<{ from: string; name: string; replaced: boolean; password: string; notes: string[] }>;
  skipped: Array<{ from: string; reason: string }>;
}

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
const userSites = () => config().inspect<Record<string, Record<string, unknown>>>('sites')?.globalValue ?? {};
const importSites = (args: object) => Promise.resolve(vscode.commands.executeCommand<ImportResult | undefined>('ftpWorkspace.importSites', args));

const NAMES = ['work-clients-shop', 'work-clients-blog', 'work-intranet', 'work-secure-archive', 'personal-old-plain'];

suite('Import Sites... (FileZilla, nested folders, base64 passwords)', () => {
  let py: RunningServer;
  let recorder: FakeServer;
  let scratch: string;
  let file: string;
  let userBefore: Record<string, unknown> | undefined;

  suiteSetup(async () => {
    await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
    py = await startServer('pyftpdlib');
    fs.mkdirSync(path.join(py.root, 'www'));
    fs.writeFileSync(path.join(py.root, 'www', 'imported.txt'), 'opened with the imported password\n');
    recorder = await startFaultServer();
    userBefore = config().inspect<Record<string, unknown>>('sites')?.globalValue;
    // The fixture's *.invalid hosts pointed at this test's servers, in a temp copy.
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-import-'));
    file = path.join(scratch, 'sitemanager.xml');
    const point = (xml: string, host: string, port: number) => xml.replace(new RegExp(`<Host>${host.replace('.', '\\.')}</Host>(\\s*)<Port>21</Port>`, 'g'), `<Host>127.0.0.1</Host>$1<Port>${port}</Port>`);
    const xml = fs.readFileSync(path.join(IMPORT_FIXTURES, 'filezilla-extension-host.xml'), 'utf8');
    fs.writeFileSync(file, point(point(xml, 'pyftpdlib.invalid', py.port), 'recorder.invalid', recorder.port));
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    for (const name of [...NAMES, ...NAMES.map((n) => `${n}-2`)]) await vscode.commands.executeCommand('ftpWorkspace.forgetPassword', name);
    await config().update('sites', userBefore, vscode.ConfigurationTarget.Global);
    await py?.stop();
    await recorder?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('imports every FTP entry into the user settings under folder-path names; SFTP is skipped with the reason', async () => {
    const { result, calls } = await answering('showInformationMessage', () => undefined, () => importSites({ file, select: 'all', scope: 'user' }));
    assert.ok(result);
    assert.equal(result.format, 'FileZilla');
    assert.equal(result.scope, 'user');
    assert.deepEqual(result.imported.map((i) => [i.from, i.name, i.password]), [
      ['Work/Clients/Shop', 'work-clients-shop', 'saved'],
      ['Work/Clients/Blog', 'work-clients-blog', 'saved'],
      ['Work/Intranet', 'work-intranet', 'asked'],
      ['Work/Secure Archive', 'work-secure-archive', 'saved'],
      ['Personal/Old & Plain', 'personal-old-plain', 'saved'],
    ]);
    assert.match(result.imported[2].notes.join('\n'), /master password/);
    assert.deepEqual(result.skipped.map((s) => s.from), ['Personal/SSH Box']);
    assert.match(result.skipped[0].reason, /SFTP runs over SSH/);
    assert.equal(calls.length, 1, 'one notification at the end');
    assert.equal(calls[0][0], 'Imported 5 FTP sites into your user settings; 1 not imported.');
  });

  test('the settings read back are the sites as FileZilla had them, and hold no password', async () => {
    const sites = userSites();
    assert.deepEqual(sites['work-clients-shop'], { host: '127.0.0.1', port: py.port, user: 'test', transferMode: 'passive', remoteRoot: '/www' });
    assert.deepEqual(sites['work-clients-blog'], { host: '127.0.0.1', port: recorder.port, user: 'blogger', transferMode: 'active' });
    assert.deepEqual(sites['work-intranet'], { host: '127.0.0.1', port: recorder.port, user: 'intra', transferMode: 'auto' });
    assert.deepEqual(sites['work-secure-archive'], { host: 'ftp.example.com', port: 990, user: 'secure-user', secure: 'implicit', transferMode: 'auto', encoding: 'windows-1252' });
    assert.deepEqual(sites['personal-old-plain'], { host: '127.0.0.1', port: recorder.port, user: 'old', transferMode: 'auto' });
    assert.equal(sites['personal-ssh-box'], undefined);
    const everything = JSON.stringify(config().inspect('sites'));
    // (pyftpdlib's password is its user name, "test": the other passwords are the ones to look for.)
    for (const secret of ['pässwörd', 'hunter2', 'plain-pass']) assert.ok(!everything.includes(secret), `${secret} is in no settings scope`);
    assert.ok(!/password/i.test(everything), 'no password key anywhere');
  });

  test('the imported password opens the site on a real server (pyftpdlib), with no prompt, at its RemoteDir', async () => {
    const { result: entries, calls } = await answering('showInputBox', () => undefined, () => Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://work-clients-shop/'))));
    assert.equal(calls.length, 0, 'no password prompt');
    assert.deepEqual(entries.map(([n]) => n), ['imported.txt']);
    const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.parse('ftp://work-clients-shop/imported.txt'))).toString('utf8');
    assert.equal(text, 'opened with the imported password\n');
  });

  test('each site sends exactly the password FileZilla had (base64 with non-ASCII, plain with an entity) from secret storage', async () => {
    const { calls } = await answering('showInputBox', () => undefined, async () => {
      await vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://work-clients-blog/'));
      await vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://personal-old-plain/'));
    });
    assert.equal(calls.length, 0, 'no password prompt');
    const sent = recorder.sessions.flatMap((s) => s.commands).filter((c) => /^(USER|PASS) /.test(c));
    assert.ok(sent.includes('USER blogger') && sent.includes('PASS pässwörd ✓'), sent.join(' | '));
    assert.ok(sent.includes('USER old') && sent.includes('PASS plain-pass'), sent.join(' | '));
  });

  test('a password FileZilla kept encrypted was not imported: the site asks for it, and sends nothing when the question is dismissed', async () => {
    const before = recorder.sessions.length;
    const { calls } = await answering('showInputBox', () => undefined, () =>
      assert.rejects(Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://work-intranet/'))), /No password given for FTP site "work-intranet"/));
    assert.equal(calls.length, 1, 'asked once');
    assert.match(String((calls[0][0] as { prompt?: string }).prompt), /intra@127\.0\.0\.1/);
    assert.equal(recorder.sessions.length, before, 'no connection made without the password');
  });

  test('importing the same file again asks about the existing names: Skip keeps them as they are', async () => {
    await config().update('sites', { ...userSites(), 'work-clients-blog': { ...userSites()['work-clients-blog'], transferMode: 'passive' } }, vscode.ConfigurationTarget.Global);
    const { result, calls } = await answering('showWarningMessage', () => 'Skip', () => importSites({ file, select: ['Work/Clients/Blog', 'personal-old-plain'], scope: 'user', quiet: true }));
    assert.equal(calls.length, 1);
    assert.match(String(calls[0][0]), /2 sites named work-clients-blog, personal-old-plain exist already/);
    assert.deepEqual(calls[0].slice(2), ['Replace', 'Keep Both', 'Skip']);
    assert.deepEqual(result!.imported, []);
    assert.equal(userSites()['work-clients-blog'].transferMode, 'passive', 'the existing site is untouched');
  });

  test('Keep Both imports under a new name; Replace puts the file\'s site back in place', async () => {
    const both = await importSites({ file, select: ['Work/Clients/Blog'], scope: 'user', existing: 'keepBoth', quiet: true });
    assert.deepEqual(both!.imported.map((i) => [i.name, i.replaced]), [['work-clients-blog-2', false]]);
    assert.equal(userSites()['work-clients-blog-2'].transferMode, 'active');
    const replaced = await answering('showWarningMessage', () => 'Replace', () => importSites({ file, select: ['Work/Clients/Blog'], scope: 'user', quiet: true }));
    assert.deepEqual(replaced.result!.imported.map((i) => [i.name, i.replaced]), [['work-clients-blog', true]]);
    assert.equal(userSites()['work-clients-blog'].transferMode, 'active');
  });

  test('a site of the same name that the workspace defines wins over the user settings: the imported password is not stored for it', async () => {
    await vscode.commands.executeCommand('ftpWorkspace.forgetPassword', 'personal-old-plain');
    await config().update('sites', { 'personal-old-plain': { host: '127.0.0.1', port: recorder.port, user: 'someone-else', transferMode: 'auto' } }, vscode.ConfigurationTarget.Workspace);
    try {
      const result = await importSites({ file, select: ['Personal/Old & Plain'], scope: 'user', existing: 'replace', quiet: true });
      assert.deepEqual(result!.imported.map((i) => [i.name, i.password]), [['personal-old-plain', 'asked']]);
      assert.match(result!.imported[0].notes.join('\n'), /workspace's own site of this name is the one used, so the password was not stored/);
      const sentBefore = recorder.sessions.flatMap((x) => x.commands).filter((c) => c === 'PASS plain-pass').length;
      const { calls } = await answering('showInputBox', () => undefined, () =>
        assert.rejects(Promise.resolve(vscode.workspace.fs.readDirectory(vscode.Uri.parse('ftp://personal-old-plain/'))), /No password given/));
      assert.equal(calls.length, 1, 'the workspace\'s site asks: it has no password');
      assert.equal(recorder.sessions.flatMap((x) => x.commands).filter((c) => c === 'PASS plain-pass').length, sentBefore, 'the imported password never went to it');
    } finally {
      await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    }
  });

  test('a file that is not a site list is refused with the reason, and nothing is written', async () => {
    const bad = path.join(scratch, 'bad.xml');
    fs.writeFileSync(bad, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><FileZilla3/>');
    const before = JSON.stringify(userSites());
    const { result, calls } = await answering('showErrorMessage', () => undefined, () => importSites({ file: bad, select: 'all', scope: 'user' }));
    assert.equal(result, undefined);
    assert.match(String(calls[0][0]), /Can't import FTP sites from .*bad\.xml: The file has a document type declaration/);
    assert.equal(JSON.stringify(userSites()), before);
  });
});

suite('Import Sites... (sftp.json into the workspace)', () => {
  suiteTeardown(async () => {
    for (const name of ['shop-ftp', 'anonymous-mirror', 'staged-dev', 'staged-prod']) await vscode.commands.executeCommand('ftpWorkspace.forgetPassword', name);
    await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('its FTP entries land in the .code-workspace file without passwords; SFTP and local entries are skipped', async () => {
    const result = await importSites({ file: path.join(IMPORT_FIXTURES, 'sftp.json'), select: 'all', scope: 'workspace', quiet: true });
    assert.equal(result!.format, 'sftp.json');
    assert.deepEqual(result!.imported.map((i) => i.name), ['shop-ftp', 'implicit', 'anonymous-mirror', 'staged-dev', 'staged-prod']);
    assert.deepEqual(result!.skipped.map((s) => s.from), ['Server over SSH', 'Staged/backup', 'Remote FS reference', 'Local']);
    const onDisk = workspaceFileSites();
    assert.deepEqual(onDisk['shop-ftp'], { host: 'ftp.example.com', port: 2121, user: 'shop', secure: 'explicit', transferMode: 'passive', remoteRoot: '/public_html' });
    assert.deepEqual(onDisk['staged-prod'], { host: 'prod.example.com', port: 990, user: 'stage', secure: 'implicit', transferMode: 'auto', remoteRoot: '/live' });
    assert.ok(!/password|dev-pass|base-pass|dev-only/.test(fs.readFileSync(process.env.FTPWS_TEST_WORKSPACE!, 'utf8')), 'no password in the workspace file');
    assert.equal(userSites()['shop-ftp'], undefined, 'nothing in the user settings');
  });
});
