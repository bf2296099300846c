/**
 * Which FTP folders a search covers, and its limits. The folders: those given as arguments, else
 * the active editor's FTP folder, else every FTP folder of the workspace, else the site the user
 * picks. Each is checked through the provider first (a password is asked, a certificate question
 * shown, a failure reported to the FTP Sites view), then walked with the site's own pool.
 */
import * as vscode from 'vscode';
import type { Connections, SiteConnection } from '../fs/connections';
import { allSites, siteOf, siteRoot } from '../sites/config';
import { escapeIcons, escapeMessage } from '../ui/escape';
import type { Limits } from './results-format';
import { Lister } from './walk';

export type FolderArg = string | vscode.Uri | Array<string | vscode.Uri>;

export interface SearchRoot {
  uri: vscode.Uri;
  /** What the user calls the folder: its workspace folder name, or `site` / `site:/path`. */
  label: string;
  site: SiteConnection;
  /** The folder's path on the server. */
  path: string;
  /** Lists one folder of the tree with the site's pool. */
  list: Lister;
  /** Folders listed at a time: the pool's connections. */
  concurrency: number;
  /** The tree cache's key: site, folder and caps. */
  key: string;
}

export const isFtp = (u: vscode.Uri | undefined): u is vscode.Uri => !!u && (u.scheme === 'ftp' || u.scheme === 'ftps');

export const DEFAULT_LIMITS: Limits = { maxDepth: 20, maxEntries: 50_000, maxFileSize: 1024 * 1024 };

/** The caps from the settings (`ftpWorkspace.search.*`), overridden by a command's arguments. */
export function searchLimits(given: Partial<Limits> = {}): Limits {
  const c = vscode.workspace.getConfiguration('ftpWorkspace.search');
  const positive = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : d);
  return {
    maxDepth: positive(given.maxDepth ?? c.get('maxDepth'), DEFAULT_LIMITS.maxDepth),
    maxEntries: Math.max(1, positive(given.maxEntries ?? c.get('maxEntries'), DEFAULT_LIMITS.maxEntries)),
    maxFileSize: positive(given.maxFileSize ?? (c.get<number>('maxFileSizeKB') ?? 1024) * 1024, DEFAULT_LIMITS.maxFileSize),
  };
}

/** The FTP folders to search; undefined when the user dismissed the question or there is none. */
export async function chooseFolders(arg: { folder?: FolderArg; site?: string }, verb: string): Promise<vscode.Uri[] | undefined> {
  if (arg.folder !== undefined) {
    const given = (Array.isArray(arg.folder) ? arg.folder : [arg.folder]).map((f) => (typeof f === 'string' ? vscode.Uri.parse(f) : f));
    const bad = given.find((u) => !isFtp(u));
    if (bad) throw new Error(`Not an FTP folder: ${(bad as vscode.Uri).toString(true)}`);
    return given;
  }
  if (arg.site !== undefined) return [siteRoot(arg.site)];
  const active = vscode.window.activeTextEditor?.document.uri;
  if (isFtp(active)) {
    const folder = vscode.workspace.getWorkspaceFolder(active);
    return [folder && isFtp(folder.uri) ? folder.uri : active.with({ path: '/', query: '', fragment: '' })];
  }
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => isFtp(f.uri)).map((f) => f.uri);
  if (folders.length) return folders;
  const sites = allSites();
  const names = Object.keys(sites).sort();
  if (!names.length) {
    void vscode.window.showErrorMessage(`${verb}: no FTP site is configured. Run FTP: Add Site... first.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(names.map((n) => ({ label: escapeIcons(n), description: escapeIcons(sites[n].host), name: n })), { placeHolder: `${verb} in which FTP site?` });
  return pick ? [siteRoot(pick.name)] : undefined;
}

/** How the folder is named in results: its workspace folder's name, or site and path. */
export function folderLabel(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder && folder.uri.toString() === uri.toString()) return folder.name;
  const site = decodeURIComponent(uri.authority);
  const p = uri.path.replace(/\/+$/, '');
  return p ? `${site}:${p}` : site;
}

/** The folder's path on the server (the site's remote root applied), as the provider computes it. */
export function serverPath(site: SiteConnection, uri: vscode.Uri): string {
  const p = uri.path.replace(/\/+$/, '') || '/';
  if (site.root === '/') return p;
  return p === '/' ? site.root : site.root + p;
}

const rootKey = (uri: vscode.Uri, path: string, limits: Limits) => `${uri.authority}\u0000${path}\u0000${limits.maxDepth}\u0000${limits.maxEntries}`;

/**
 * Connects (through the provider, so questions and failures are handled as everywhere else) and
 * makes the root. A folder whose listing is kept (`kept`, for the site's open pool) is not checked
 * again: a second Go to File costs no round trip.
 */
export async function openRoot(connections: Connections, uri: vscode.Uri, limits: Limits, kept: (key: string, pool: object) => boolean = () => false): Promise<SearchRoot> {
  const open = await connections.peek(uri)?.catch(() => undefined);
  if (!open || !kept(rootKey(uri, serverPath(open, uri), limits), open.pool)) {
    const stat = await vscode.workspace.fs.stat(uri);
    if (!(stat.type & vscode.FileType.Directory)) throw vscode.FileSystemError.FileNotADirectory(uri);
  }
  const site = await connections.get(uri);
  const path = serverPath(site, uri);
  // LIST shows a link as a link on the servers whose MLSD follows it (pyftpdlib); a site set to MLSD keeps MLSD.
  const unixStyle = siteOf(uri)?.site.listCommand !== 'MLSD';
  const list: Lister = async (p, signal) => {
    const r = await site.pool.run((c) => c.list(p, { signal, unixStyle }), { idempotent: true, signal });
    return r.entries;
  };
  return {
    uri, label: folderLabel(uri), site, path, list,
    concurrency: Math.max(1, site.pool.stats.cap),
    key: rootKey(uri, path, limits),
  };
}

/** An error as the user reads it, server text escaped. */
export function errorText(e: unknown): string {
  return escapeMessage(e instanceof Error ? e.message : String(e));
}
