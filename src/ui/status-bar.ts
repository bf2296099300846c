/**
 * A status bar item for the active editor's FTP site: its name and effective transfer mode
 * ("auto: passive" once auto mode has found what works), red when the site failed. A click
 * changes the mode.
 */
import * as vscode from 'vscode';
import { Connections } from '../fs/connections';
import { effectiveMode } from './mode-label';

export class SiteStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ftpWorkspace.site', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly connections: Connections, fileChanges: vscode.Event<unknown>) {
    this.item.name = 'FTP site';
    const refresh = () => this.refresh();
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(refresh),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('ftpWorkspace') && refresh()),
      fileChanges(refresh),
      connections.onDidChange(refresh),
      connections.onDidFallBack(refresh),
    ];
    // Auto mode learns on the first transfer, which an editor's first read is.
    const timer = setInterval(refresh, 2000);
    this.subscriptions.push(new vscode.Disposable(() => clearInterval(timer)));
    refresh();
  }

  private refresh(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (!uri || (uri.scheme !== 'ftp' && uri.scheme !== 'ftps')) {
      this.item.hide();
      return;
    }
    const site = decodeURIComponent(uri.authority);
    const mode = effectiveMode(this.connections, site);
    const state = this.connections.stateOf(site);
    // `$(name)` in a status bar text is an icon: a site name shows as typed.
    this.item.text = `$(remote) ${site.replace(/\$\(/g, '\\$(')} · ${mode.text}`;
    this.item.tooltip = `FTP site "${site}": transfer mode ${mode.text}${mode.method ? ` (${mode.method})` : ''}` +
      `${state.state === 'failed' ? `. Failed: ${state.message}` : state.state === 'connected' ? ', connected' : ''}. Click to change the mode.`;
    this.item.backgroundColor = state.state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.command = { title: 'Set Transfer Mode', command: 'ftpWorkspace.setTransferMode', arguments: [site] };
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
