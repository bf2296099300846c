/**
 * A status bar item for the active editor's FTP site: its name and effective transfer mode
 * ("auto: passive" once auto mode has found what works). A click changes the mode.
 */
import * as vscode from 'vscode';
import { modeOfMethod } from '../ftp';
import { Connections } from '../fs/connections';
import { defaultTransferMode, readSites } from '../sites/config';

export class SiteStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ftpWorkspace.site', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly connections: Connections, fileChanges: vscode.Event<unknown>) {
    this.item.name = 'FTP site';
    const refresh = () => void this.refresh();
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(refresh),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('ftpWorkspace') && refresh()),
      fileChanges(refresh),
    ];
    // Auto mode learns on the first transfer, which an editor's first read is.
    const timer = setInterval(refresh, 2000);
    this.subscriptions.push(new vscode.Disposable(() => clearInterval(timer)));
    refresh();
  }

  private async refresh(): Promise<void> {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (!uri || (uri.scheme !== 'ftp' && uri.scheme !== 'ftps')) {
      this.item.hide();
      return;
    }
    const site = decodeURIComponent(uri.authority);
    const open = await this.connections.peek(uri)?.catch(() => undefined);
    const mode = open?.mode ?? readSites()[site]?.transferMode ?? defaultTransferMode();
    const working = open?.pool.modeMemory.working;
    const effective = mode === 'auto' ? (working ? `auto: ${modeOfMethod(working)}` : 'auto') : mode;
    this.item.text = `$(remote) ${site} · ${effective}`;
    this.item.tooltip = `FTP site "${site}": transfer mode ${effective}${working ? ` (${working.toUpperCase()})` : ''}. Click to change.`;
    this.item.command = { title: 'Set Transfer Mode', command: 'ftpWorkspace.setTransferMode', arguments: [site] };
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
