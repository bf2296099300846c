/**
 * The "FTP Sites" view: every configured site with its connection state and effective transfer
 * mode; inline actions open it, change its mode, disconnect it. In an untrusted workspace a row
 * says that the workspace's own sites wait for trust, so they don't silently vanish.
 */
import * as vscode from 'vscode';
import { Connections, anonymous } from '../fs/connections';
import { allSites, workspaceSitesWithheld } from '../sites/config';
import { effectiveMode } from './mode-label';
import { escapeMarkdown } from './escape';

export class SiteItem extends vscode.TreeItem {
  /** `tooltip` is Markdown whose every part from settings or a server is already escaped. */
  /** `user`: the site logs in with a user name (so it has a password to set or forget). */
  constructor(readonly site: string, readonly state: 'idle' | 'connected' | 'reconnecting' | 'failed' | 'untrusted', description: string, tooltip: string, user = false) {
    super(site, vscode.TreeItemCollapsibleState.None);
    this.id = `ftpSite:${site}`;
    this.description = description;
    const md = new vscode.MarkdownString(tooltip);
    md.isTrusted = false; // no command links, whatever it holds
    md.supportHtml = false;
    md.supportThemeIcons = false;
    this.tooltip = md;
    this.contextValue = `ftpSite.${state}${user ? '.user' : ''}`;
    this.iconPath = new vscode.ThemeIcon(
      state === 'connected' ? 'vm-active' : state === 'reconnecting' ? 'sync~spin' : state === 'failed' ? 'error' : state === 'untrusted' ? 'workspace-untrusted' : 'vm-outline',
      state === 'failed' ? new vscode.ThemeColor('errorForeground') : undefined);
    if (state !== 'untrusted') this.command = { title: 'Open Site', command: 'ftpWorkspace.openSite', arguments: [site] };
  }
}

export class SitesView implements vscode.TreeDataProvider<SiteItem>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];
  readonly view: vscode.TreeView<SiteItem>;

  constructor(private readonly connections: Connections) {
    this.view = vscode.window.createTreeView('ftpWorkspace.sites', { treeDataProvider: this, showCollapseAll: false });
    // Refreshed only when what it shows changes (Connections tells when a site's state does), so a
    // row's tooltip stays open while it is read.
    const refresh = () => this.emitter.fire();
    this.subscriptions = [
      this.view,
      this.emitter,
      connections.onDidChange(refresh),
      connections.onDidFallBack(refresh),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('ftpWorkspace') && refresh()),
      vscode.workspace.onDidGrantWorkspaceTrust(refresh),
    ];
  }

  getTreeItem(item: SiteItem): vscode.TreeItem {
    return item;
  }

  getChildren(): SiteItem[] {
    const sites = allSites();
    const items = Object.entries(sites).sort(([a], [b]) => a.localeCompare(b)).map(([name, site]) => {
      const state = this.connections.stateOf(name);
      const mode = effectiveMode(this.connections, name);
      const server = `${site.user ? `${site.user}@` : ''}${site.host}${site.port ? `:${site.port}` : ''}`;
      const stateText = state.state === 'connected' ? 'connected' : state.state === 'reconnecting' ? 'reconnecting' : state.state === 'failed' ? 'failed' : 'not connected';
      const security = site.secure === 'explicit' ? 'FTPS (explicit)' : site.secure === 'implicit' ? 'FTPS (implicit)' : 'FTP';
      // Markdown: the name and host come from settings, the failure from the server; all of it escaped.
      const tooltip = [
        `**${escapeMarkdown(name)}**: ${security} ${escapeMarkdown(server)}`,
        `Transfer mode: ${escapeMarkdown(mode.text)}${mode.method ? ` (${escapeMarkdown(mode.method)})` : ''}`,
        `State: ${stateText}${state.state === 'failed' || state.state === 'reconnecting' ? `: ${escapeMarkdown(state.message)}` : ''}`,
      ].join('\n\n');
      return new SiteItem(name, state.state, `${mode.text} · ${stateText}`, tooltip, !anonymous(site));
    });
    if (workspaceSitesWithheld()) {
      const note = new SiteItem('Workspace sites wait for trust', 'untrusted', 'restricted mode',
        'This workspace is not trusted, so VS Code withholds the FTP sites it defines (they could point your passwords at any server). Click to manage workspace trust.');
      note.command = { title: 'Manage Workspace Trust', command: 'workbench.trust.manage' };
      items.push(note);
    }
    return items;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}
