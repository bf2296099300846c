/// <reference types="mocha" />
/**
 * With VS Code's `http.experimental.systemCertificatesV2` on, the extension host's replacement of
 * `net.connect` makes each socket without the caller's options and connects it once the system's
 * certificates are loaded (@vscode/proxy-agent patchNetConnect). A data socket made through it
 * lost its `onread` (the engine's reads into a reused buffer), and every plain download of a big
 * file or one of unknown size ended with "the transfer was cut short". Data connections are made
 * without it now (src/ftp/sockets.ts directSocket); here, with the setting on, files of every
 * size are read, written and listed whole on vsftpd, passive.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunningServer, startServer } from '../../servers';

const SITE = 'syscerts';
const SETTING = 'experimental.systemCertificatesV2';

suite('data connections with http.experimental.systemCertificatesV2 on (vsftpd)', () => {
  let server: RunningServer;
  const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
  const http = () => vscode.workspace.getConfiguration('http');
  const ftp = () => vscode.workspace.getConfiguration('ftpWorkspace');

  suiteSetup(async () => {
    server = await startServer('vsftpd');
    await vscode.extensions.getExtension('ftp-workspace.ftp-workspace')!.activate();
    await http().update(SETTING, true, vscode.ConfigurationTarget.Global);
    await ftp().update('sites', { [SITE]: { host: server.host, port: server.port, user: server.user, transferMode: 'passive', pollSeconds: 0 } }, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('ftpWorkspace.disconnect');
    await ftp().update('sites', undefined, vscode.ConfigurationTarget.Global);
    await http().update(SETTING, undefined, vscode.ConfigurationTarget.Global);
    await server?.stop();
  });

  test('files small and big read, written and listed whole', async () => {
    // What this suite is about: the host's net.connect is VS Code's replacement, and the setting is on.
    assert.ok(String(net.connect).includes('addCertificatesV2'), 'net.connect in this extension host is not VS Code\'s replacement (@vscode/proxy-agent): this suite tests nothing here');
    assert.equal(http().get(SETTING), true);
    const small = Buffer.from('small file\n');
    const big = crypto.randomBytes(700_000); // over 256 KiB: read into a reused buffer (raw-reads.ts)
    fs.writeFileSync(path.join(server.root, 'small.txt'), small);
    fs.writeFileSync(path.join(server.root, 'big.bin'), big);
    for (const f of ['small.txt', 'big.bin']) fs.chownSync(path.join(server.root, f), server.owner.uid, server.owner.gid);
    assert.ok(Buffer.from(await vscode.workspace.fs.readFile(uri('/big.bin'))).equals(big), 'big.bin read whole');
    assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(uri('/small.txt'))), small);
    const written = crypto.randomBytes(300_000);
    await vscode.workspace.fs.writeFile(uri('/written.bin'), written);
    assert.ok(fs.readFileSync(path.join(server.root, 'written.bin')).equals(written), 'written.bin whole on the server');
    const names = (await vscode.workspace.fs.readDirectory(uri('/'))).map(([n]) => n).sort();
    assert.deepEqual(names.filter((n) => ['big.bin', 'small.txt', 'written.bin'].includes(n)), ['big.bin', 'small.txt', 'written.bin']);
    // A download of unknown size (the Download command streams it to a file).
    const dest = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'ftpws-syscerts-'));
    const window = vscode.window as unknown as Record<string, unknown>;
    const ask = window.showWarningMessage;
    // Its question ("Download ... to ...?") answered with the first button.
    window.showWarningMessage = async (_message: string, ...rest: unknown[]) => (typeof rest[0] === 'object' ? rest[1] : undefined);
    try {
      await vscode.commands.executeCommand('ftpWorkspace.download', uri('/big.bin'), vscode.Uri.file(path.join(dest, 'big.bin')), 'replace');
      assert.ok(fs.readFileSync(path.join(dest, 'big.bin')).equals(big), 'the Download command wrote big.bin whole');
    } finally {
      window.showWarningMessage = ask;
      fs.rmSync(dest, { recursive: true, force: true });
    }
  });
});
