/**
 * Extension entry point: registers the ftp/ftps file system provider and the commands that exist so
 * far. Sites come from `ftpWorkspace.sites`; passwords from SecretStorage.
 */
import * as vscode from 'vscode';
import { Connections } from './fs/connections';
import { FtpFileSystemProvider } from './fs/provider';
import { SiteSecrets } from './sites/secrets';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('FTP Workspace', { log: true });
  const secrets = new SiteSecrets(context.secrets);
  const connections = new Connections(secrets, log);
  const provider = new FtpFileSystemProvider(connections, log);
  context.subscriptions.push(
    log,
    connections,
    vscode.workspace.registerFileSystemProvider('ftp', provider, { isCaseSensitive: true }),
    vscode.workspace.registerFileSystemProvider('ftps', provider, { isCaseSensitive: true }),
    vscode.commands.registerCommand('ftpWorkspace.showLog', () => log.show()),
    // Without arguments it asks; with (site, password) it stores directly (automation, tests).
    vscode.commands.registerCommand('ftpWorkspace.setPassword', async (site?: string, password?: string) => {
      site ??= await vscode.window.showInputBox({ prompt: 'FTP site name' });
      if (!site) return;
      password ??= await vscode.window.showInputBox({ prompt: `Password for FTP site "${site}"`, password: true });
      if (password === undefined) return;
      await secrets.set(site, password);
      await connections.closeAll();
    }),
    vscode.commands.registerCommand('ftpWorkspace.disconnect', () => connections.closeAll()),
  );
}

export function deactivate(): void {
  // Subscriptions close the connections.
}
