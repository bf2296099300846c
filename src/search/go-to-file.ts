/**
 * FTP: Go to File...: a quick pick of the files of the FTP folders, filled in as the folders are
 * listed (breadth first, the site's connections in parallel, links never followed, depth and entry
 * caps). VS Code's own quick pick matching filters it on the name (label) and the folder
 * (description). Escape stops the listing; a complete listing is kept for a minute, so the next
 * Go to File opens at once.
 */
import * as vscode from 'vscode';
import type { Connections } from '../fs/connections';
import { escapeIcons, escapeMessage } from '../ui/escape';
import { FolderArg, SearchRoot, chooseFolders, errorText, folderLabel, openRoot, searchLimits } from './roots';
import { plural } from './results-format';
import { TreeCache, TreeListing } from './tree-cache';
import { WalkedFile, walkTree } from './walk';

export interface GoToFileArgs {
  /** FTP folders to list (URIs); default: the active editor's FTP folder, else the workspace's. */
  folder?: FolderArg;
  /** A site's root, by name. */
  site?: string;
  /** Typed into the quick pick. */
  query?: string;
  /** Once the listing is done, open the file the quick pick shows first (for automation). */
  accept?: boolean;
  maxDepth?: number;
  maxEntries?: number;
  /** List again even if a listing is kept. */
  fresh?: boolean;
}

export interface GoToFileResult {
  /** The file opened, if one was. */
  opened?: string;
  /** Items the quick pick held at the end. */
  items: number;
  /** The listing's state at the end: done, cancelled (Escape), failed. */
  state: string;
  /** Whether the listing was taken from the cache (already complete). */
  cached: boolean;
  folders: number;
  links: number;
  tooDeep: number;
  capped: boolean;
  /** From the command's start: the folders checked (connected), and the listing done. */
  openedMs?: number;
  listedMs?: number;
  ms: number;
  /** Relative paths of every item, for tests of the caps (only when `accept` was given). */
  paths?: string[];
}

interface FileItem extends vscode.QuickPickItem {
  uri: vscode.Uri;
  rel: string;
}

/** How often the quick pick's items are replaced while listing: each replacement sends them all to the window. */
const refreshMs = (n: number) => 150 + Math.min(1500, n / 40);

export async function goToFile(connections: Connections, cache: TreeCache, args: GoToFileArgs = {}): Promise<GoToFileResult | undefined> {
  const started = Date.now();
  const limits = searchLimits(args);
  const uris = await chooseFolders(args, 'Go to File');
  if (!uris?.length) return undefined;

  // Connected first: a password or certificate question is itself a quick input, which would close ours.
  const where = uris.map(folderLabel).join(', ');
  let roots: SearchRoot[];
  try {
    roots = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: escapeMessage(`Connecting to ${where}`) }, () =>
      Promise.all(uris.map((u) => openRoot(connections, u, limits, (key, pool) => !args.fresh && cache.fresh(key, pool)))));
  } catch (e) {
    void vscode.window.showErrorMessage(`Go to File: ${errorText(e)}`);
    return undefined;
  }
  const openedMs = Date.now() - started;

  const pick = vscode.window.createQuickPick<FileItem>();
  pick.matchOnDescription = true;
  pick.placeholder = 'File name (the folder is matched too). Listing the FTP folders; Escape stops.';
  pick.title = escapeMessage(`Go to File in ${where}`);
  pick.busy = true;
  if (args.query) pick.value = args.query;
  pick.show();

  const items: FileItem[] = [];
  const releases: Array<() => void> = [];
  const listings: TreeListing[] = [];
  let hidden = false;
  let accepted: vscode.Uri | undefined;
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (!dirty || hidden) return;
    dirty = false;
    pick.items = items.slice();
  };
  const changed = () => {
    dirty = true;
    timer ??= setTimeout(flush, refreshMs(items.length));
  };
  const addFiles = (root: SearchRoot, files: WalkedFile[]) => {
    const many = roots.length > 1;
    for (const f of files) {
      const slash = f.rel.lastIndexOf('/');
      const dir = slash < 0 ? '' : f.rel.slice(0, slash);
      items.push({
        label: escapeIcons(f.name),
        description: escapeIcons(many ? (dir ? `${root.label} • ${dir}` : root.label) : dir),
        uri: vscode.Uri.joinPath(root.uri, ...f.rel.split('/')),
        rel: f.rel,
      });
    }
    changed();
  };

  const closed = new Promise<void>((resolve) => {
    pick.onDidHide(() => {
      hidden = true;
      releases.forEach((r) => r());
      resolve();
    });
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (!item) return;
      accepted = item.uri;
      pick.hide();
    });
  });

  let cached = true;
  let listedMs: number | undefined;
  for (const root of roots) {
    const listing = cache.get(root.uri.authority, root.key, root.site.pool, (signal, onFiles, stats) =>
      walkTree(root.path, root.list, { ...limits, concurrency: root.concurrency, signal, onFiles, stats }), args.fresh);
    if (listing.state !== 'done') cached = false;
    listings.push(listing);
    addFiles(root, listing.files);
    releases.push(listing.use((files) => addFiles(root, files)));
  }
  flush();

  const ended = Promise.all(listings.map((l) => l.done)).then(() => {
    listedMs = Date.now() - started;
    if (hidden) return;
    if (timer) clearTimeout(timer);
    flush();
    pick.busy = false;
    const failed = listings.find((l) => l.state === 'failed');
    if (failed) {
      roots.forEach((r, i) => listings[i].state === 'failed' && connections.reportResult(r.uri, listings[i].error));
      void vscode.window.showErrorMessage(`Go to File: listing stopped: ${errorText(failed.error)}`);
    } else roots.forEach((r) => connections.reportResult(r.uri));
    pick.title = escapeMessage(title(where, listings, limits.maxDepth, limits.maxEntries));
  });

  if (args.accept) {
    await Promise.race([ended, closed]);
    if (!hidden) {
      // The quick pick filters in the window: wait until it says which item it shows first.
      await settled(pick);
      const first = pick.activeItems[0];
      if (first) accepted = first.uri;
      pick.hide();
    }
  }
  await closed;
  if (timer) clearTimeout(timer);
  const result: GoToFileResult = {
    opened: accepted?.toString(),
    items: items.length,
    state: listings.some((l) => l.state === 'failed') ? 'failed' : listings.length && listings.every((l) => l.state === 'done') ? 'done' : 'cancelled',
    cached,
    folders: listings.reduce((n, l) => n + l.stats.folders, 0),
    links: listings.reduce((n, l) => n + l.stats.links, 0),
    tooDeep: listings.reduce((n, l) => n + l.stats.tooDeep, 0),
    capped: listings.some((l) => l.stats.capped),
    openedMs,
    listedMs,
    ms: Date.now() - started,
    paths: args.accept ? items.map((i) => i.rel) : undefined,
  };
  pick.dispose();
  if (accepted) await vscode.window.showTextDocument(accepted);
  return result;
}

/** The title once the listing is done: how many files, and what the caps left out. */
function title(where: string, listings: TreeListing[], maxDepth: number, maxEntries: number): string {
  const files = listings.reduce((n, l) => n + l.files.length, 0);
  const notes: string[] = [];
  if (listings.some((l) => l.stats.capped)) notes.push(`stopped at ${maxEntries.toLocaleString('en-US')} entries`);
  const deep = listings.reduce((n, l) => n + l.stats.tooDeep, 0);
  if (deep) notes.push(`${plural(deep, 'folder')} below depth ${maxDepth} not listed`);
  const links = listings.reduce((n, l) => n + l.stats.links, 0);
  if (links) notes.push(`${plural(links, 'link')} not followed`);
  if (listings.some((l) => l.state === 'failed')) notes.push('listing failed');
  return `Go to File in ${where}: ${plural(files, 'file')}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** Resolves once the quick pick's active item has not changed for a moment (its filtering is done in the window). */
async function settled(pick: vscode.QuickPick<FileItem>): Promise<void> {
  let last = Date.now();
  const sub = pick.onDidChangeActive(() => (last = Date.now()));
  try {
    const end = Date.now() + 5000;
    while (Date.now() < end && !(pick.activeItems.length && Date.now() - last >= 400)) await new Promise((r) => setTimeout(r, 50));
  } finally {
    sub.dispose();
  }
}
