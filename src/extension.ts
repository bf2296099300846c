/**
 * Extension entry point. The file system provider, sites and commands arrive with issue 3; for now
 * the extension only offers its log, so that the build, the manifest and packaging are exercised.
 */
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('FTP Workspace', { log: true });
  context.subscriptions.push(log, vscode.commands.registerCommand('ftpWorkspace.showLog', () => log.show()));
}

export function deactivate(): void {
  // Nothing to release yet.
}
