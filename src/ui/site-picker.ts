/**
 * A file or folder picked on an FTP site in a list that walks the site's folders through the
 * provider (a quick pick): FTP: Download... from the palette. Not VS Code's file dialog: in a browser
 * or remote window (code-server, Remote-SSH) that dialog reads every path typed and every folder
 * clicked as the machine's own (its `vscode-remote` scheme), so it never left the folder it opened
 * at (a user's walk in code-server). Names from the server are shown escaped and joined as names.
 */
import * as vscode from 'vscode';
import { escapeIcons, escapeMessage } from './escape';

/** A row of the list: the folder shown (download it), the folder above, an entry, or a listing's failure. */
export interface SiteItem extends vscode.QuickPickItem {
  action: 'here' | 'up' | 'open' | 'pick' | 'none';
  uri?: vscode.Uri;
}

const byName = (a: [string, vscode.FileType], b: [string, vscode.FileType]) => a[0].localeCompare(b[0], undefined, { sensitivity: 'base' }) || (a[0] < b[0] ? -1 : 1);

/** The rows for `folder` and its entries: Download this folder, the folder above (not at the site's root), folders, then files, each by name. */
export function siteItems(folder: vscode.Uri, entries: Array<[string, vscode.FileType]>): SiteItem[] {
  const name = folder.path.replace(/\/+$/, '').split('/').pop() || folder.authority;
  const items: SiteItem[] = [{ label: '$(cloud-download) Download this folder', description: escapeIcons(name), action: 'here', uri: folder }];
  if (folder.path.replace(/\/+$/, '') !== '') items.push({ label: '$(arrow-up) ..', description: 'the folder above', action: 'up', uri: vscode.Uri.joinPath(folder, '..') });
  const isDir = (t: vscode.FileType) => (t & vscode.FileType.Directory) !== 0;
  const link = (t: vscode.FileType) => ((t & vscode.FileType.SymbolicLink) !== 0 ? 'a link' : undefined);
  for (const [n, t] of entries.filter(([, t]) => isDir(t)).sort(byName)) items.push({ label: `$(folder) ${escapeIcons(n)}`, description: link(t), action: 'open', uri: vscode.Uri.joinPath(folder, n) });
  for (const [n, t] of entries.filter(([, t]) => !isDir(t)).sort(byName)) items.push({ label: `$(file) ${escapeIcons(n)}`, description: link(t), action: 'pick', uri: vscode.Uri.joinPath(folder, n) });
  return items;
}

/** Shows the list at `start`; resolves with the file or folder picked, undefined when the user closed it. */
export function pickOnSite(start: vscode.Uri, title: string): Promise<vscode.Uri | undefined> {
  const qp = vscode.window.createQuickPick<SiteItem>();
  qp.placeholder = 'A file to download, a folder to open, or "Download this folder"';
  let shown = 0;
  const show = async (folder: vscode.Uri): Promise<void> => {
    const turn = ++shown;
    qp.title = escapeIcons(`${title}: ${folder.toString(true)}`);
    qp.busy = true;
    qp.value = '';
    let items: SiteItem[];
    try {
      items = siteItems(folder, await vscode.workspace.fs.readDirectory(folder));
    } catch (e) {
      // Listed here, not thrown: the user can go up or elsewhere.
      const why = e instanceof Error ? e.message : String(e);
      items = [...siteItems(folder, []).filter((i) => i.action === 'up'), { label: `$(error) ${escapeIcons(escapeMessage(why))}`, action: 'none' }];
    }
    if (turn !== shown) return; // a later folder was asked for meanwhile
    qp.items = items;
    qp.busy = false;
  };
  return new Promise((resolve) => {
    let done = false;
    const finish = (uri: vscode.Uri | undefined) => {
      if (done) return;
      done = true;
      resolve(uri);
      qp.dispose();
    };
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (!item || qp.busy) return;
      if (item.action === 'here' || item.action === 'pick') finish(item.uri);
      else if (item.action !== 'none' && item.uri) void show(item.uri);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
    void show(start);
  });
}
