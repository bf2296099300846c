/**
 * A status bar item for the active editor's FTP site: its name and effective transfer mode
 * ("auto: passive" once auto mode has found what works), red when the site failed. A click
 * changes the mode.
 *
 * The item's command is assigned once per site and then left alone: VS Code turns a command with
 * arguments into a short-lived id and drops the old id when a new command object is assigned, so
 * a click that raced a refresh (many happen while a window loads) ran a command VS Code had already
 * forgotten ("Actual command not found, wanted to execute ftpWorkspace.setTransferMode /17").
 * The other fields are also only written when they change.
 */
import * as vscode from 'vscode';
import { Connections } from '../fs/connections';
import { effectiveMode } from './mode-label';

export class SiteStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ftpWorkspace.site', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];
  /** The site whose command the item holds now. */
  private commandSite?: string;

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
    refresh();
  }

  /** The site the item shows now (undefined: hidden). */
  private shown?: string;

  private refresh(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    // The Output panel focused (to read the FTP log, often) is an editor too: the FTP editor is
    // still on screen, and so stays its site.
    const site = uri?.scheme === 'output' ? this.shown : uri && (uri.scheme === 'ftp' || uri.scheme === 'ftps') ? decodeURIComponent(uri.authority) : undefined;
    this.shown = site;
    if (site === undefined) {
      this.item.hide();
      return;
    }
    const mode = effectiveMode(this.connections, site);
    const state = this.connections.stateOf(site);
    // `$(name)` in a status bar text is an icon: a site name shows as typed.
    const text = `$(remote) ${site.replace(/\$\(/g, '\\$(')} · ${mode.text}`;
    const tooltip = `FTP site "${site}": transfer mode ${mode.text}${mode.method ? ` (${mode.method})` : ''}` +
      `${state.state === 'failed' ? `. Failed: ${state.message}` : state.state === 'reconnecting' ? `. Reconnecting: ${state.message}` : state.state === 'connected' ? ', connected' : ''}. Click to change the mode.`;
    if (this.item.text !== text) this.item.text = text;
    if (this.item.tooltip !== tooltip) this.item.tooltip = tooltip;
    const failed = state.state === 'failed';
    if (failed !== !!this.item.backgroundColor) this.item.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    if (this.commandSite !== site) {
      this.commandSite = site;
      this.item.command = { title: 'Set Transfer Mode', command: 'ftpWorkspace.setTransferMode', arguments: [site] };
    }
    this.item.show();
  }

  /** What the item shows, undefined while hidden (tests). */
  get text(): string | undefined {
    return this.shown === undefined ? undefined : this.item.text;
  }

  /** The command a click runs (tests: the same object across refreshes). */
  get command(): vscode.Command | string | undefined {
    return this.item.command;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
