/**
 * A file or folder picked on an FTP site in a list that walks the site's folders through the
 * provider (a quick pick): FTP: Download... from the palette. Not VS Code's file dialog: in a browser
 * or remote window (code-server, Remote-SSH) that dialog reads every path typed and every folder
 * clicked as the machine's own (its `vscode-remote` scheme), so it never left the folder it opened
 * at (a user's walk in code-server). Names from the server are shown escaped and joined as names.
 */
import * as vscode from 'vscode';
import { escapeIcons, escapeMessage } from './escape';
import { rowForFilter } from './typed-filter';

/** How long typing rests before the active row is checked against the filter. */
const REFOCUS_MS = 50;

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

/** A row saying why a listing or a typed path failed; shown whatever is typed. */
function failed(e: unknown): SiteItem {
  const why = escapeIcons(escapeMessage(e instanceof Error ? e.message : String(e)));
  return { label: `$(error) ${why}`, detail: why, action: 'none', alwaysShow: true };
}

/** Shows the list at `start`; resolves with the file or folder picked, undefined when the user closed it. */
export function pickOnSite(start: vscode.Uri, title: string): Promise<vscode.Uri | undefined> {
  const qp = vscode.window.createQuickPick<SiteItem>();
  qp.placeholder = 'Type to filter, or a path (img/icons, /css) and Enter; Enter on a folder opens it';
  let current = start;
  let shown = 0;
  let typedWhileBusy: string | undefined;
  /** Lists `folder`; the row made active: `focus` (the folder just left, going up), else the first entry. */
  const show = async (folder: vscode.Uri, focus?: vscode.Uri): Promise<void> => {
    const turn = ++shown;
    current = folder;
    qp.title = escapeIcons(`${title}: ${folder.toString(true)}`);
    qp.busy = true;
    qp.value = '';
    // Not the folder before's rows under this one's title while it is listed (a click there is not taken).
    qp.items = [];
    let items: SiteItem[];
    try {
      items = siteItems(folder, await vscode.workspace.fs.readDirectory(folder));
    } catch (e) {
      // Listed here, not thrown: the user can go up or elsewhere.
      items = [...siteItems(folder, []).filter((i) => i.action === 'up'), failed(e)];
    }
    if (turn !== shown) return; // a later folder was asked for meanwhile
    qp.items = items;
    // Not "Download this folder": Enter twice must not download a whole site by mistake. Not over
    // a filter typed while the folder was listed: the window makes its first match active (a row
    // set active that the filter hides left none, and Enter did nothing).
    const active = items.find((i) => focus && i.uri?.toString() === focus.toString()) ?? items.find((i) => i.action === 'open' || i.action === 'pick');
    if (active && !qp.value) qp.activeItems = [active];
    qp.busy = false;
    // A path typed and Enter pressed while the folder was listed: gone to now, if it is still what is typed.
    const typed = typedWhileBusy;
    typedWhileBusy = undefined;
    if (typed !== undefined && typed === qp.value) void go(typed);
  };
  /** A path typed and Enter: a folder opens, a file is the pick; one not there is said in the list. */
  const go = async (typed: string): Promise<void> => {
    const target = typed.startsWith('/') ? current.with({ path: typed }) : vscode.Uri.joinPath(current, typed);
    try {
      const st = await vscode.workspace.fs.stat(target);
      if (st.type & vscode.FileType.Directory) await show(target);
      else finish(target);
    } catch (e) {
      qp.items = [failed(e), ...qp.items.filter((i) => i.action !== 'none')];
    }
  };
  let done = false;
  let resolve!: (uri: vscode.Uri | undefined) => void;
  let refocus: NodeJS.Timeout | undefined;
  const finish = (uri: vscode.Uri | undefined) => {
    if (done) return;
    done = true;
    clearTimeout(refocus);
    resolve(uri);
    qp.dispose();
  };
  return new Promise((res) => {
    resolve = res;
    qp.onDidAccept(() => {
      // While a folder is listed its rows are not there yet: a path typed is remembered (above), a
      // bare Enter or a filter is not taken (the row it would pick is not known yet).
      if (qp.busy) {
        if (qp.value.includes('/')) typedWhileBusy = qp.value;
        return;
      }
      // A path (no name holds a "/"): gone to, whatever row was last said to be active.
      if (qp.value.includes('/')) return void go(qp.value);
      // The row under the cursor (a click makes it so too; the selection may be an earlier
      // folder's), unless the filter typed hides it (typed-filter.ts).
      const item = rowForFilter(qp.items, qp.activeItems[0], qp.value);
      if (!item) return;
      if (item.action === 'here' || item.action === 'pick') finish(item.uri);
      else if (item.action === 'up') void show(item.uri!, current);
      else if (item.action === 'open') void show(item.uri!);
    });
    // Keys typed before a folder's rows came reach us after them: the row made active then may be
    // one the filter hides, and the window shows none active. Once the typing rests, the row it
    // stands for is made active.
    qp.onDidChangeValue(() => {
      clearTimeout(refocus);
      refocus = setTimeout(() => {
        if (qp.busy || !qp.value || qp.value.includes('/')) return;
        const row = rowForFilter(qp.items, qp.activeItems[0], qp.value);
        if (row && row !== qp.activeItems[0]) qp.activeItems = [row];
      }, REFOCUS_MS);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
    void show(start);
  });
}
