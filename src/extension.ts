/**
 * Extension entry point: registers the ftp/ftps file system provider and the commands that exist so
 * far. Sites come from `ftpWorkspace.sites`; passwords from SecretStorage.
 */
import * as vscode from 'vscode';
import { Connections } from './fs/connections';
import { FtpFileSystemProvider } from './fs/provider';
import { SiteSecrets } from './sites/secrets';
import { registerSiteCommands } from './sites/commands';
import { SiteStatusBar } from './ui/status-bar';

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
    new SiteStatusBar(connections, provider.onDidChangeFile),
    vscode.commands.registerCommand('ftpWorkspace.showLog', () => log.show()),
    vscode.commands.registerCommand('ftpWorkspace.disconnect', () => connections.closeAll()),
    // Connections reopen on next use; closing them is what reconnecting takes.
    vscode.commands.registerCommand('ftpWorkspace.reconnect', () => connections.closeAll()),
    ...registerSiteCommands(secrets, () => connections.closeAll()),
  );
}

export function deactivate(): void {
  // Subscriptions close the connections.
}
