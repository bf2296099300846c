/** Sites as configured in `ftpWorkspace.sites` (keyed by name), with their defaults. */
import * as vscode from 'vscode';
import type { DataMethod, ListCommand, SecureMode, TransferMode } from '../ftp';

export interface SiteConfig {
  host: string;
  port?: number;
  user?: string;
  secure?: SecureMode;
  transferMode?: TransferMode;
  /** Directory on the server that `ftp://<site>/` shows. */
  remoteRoot?: string;
  encoding?: string;
  maxConnections?: number;
  /** Upload to a temporary name and rename it over the target (default true). */
  safeSave?: boolean;
  passive?: { epsvFirst?: boolean; trustPasvAddress?: boolean };
  active?: { bindAddress?: string; portRange?: [number, number]; externalAddress?: string; eprtFirst?: boolean };
  serverTimeZoneOffsetMinutes?: number;
  listCommand?: ListCommand;
  /** false for servers that ignore case in names (IIS): case-only renames go through a temporary name. */
  caseSensitive?: boolean;
  /** Send NOOP on idle connections this often so a firewall or NAT keeps them (0: off). */
  keepaliveSeconds?: number;
  /** How long a data connection may take to open before auto mode tries the next method (default 10). */
  dataConnectTimeoutSeconds?: number;
  /** How long to wait for each reply and the greeting, and how long a transfer may stall (default 30). */
  timeoutSeconds?: number;
}

export type SitesScope = 'user' | 'workspace' | 'folder';

/**
 * The configured sites. With a URI, a multi-root workspace's folder settings for that folder count
 * too. In an untrusted workspace VS Code reads `ftpWorkspace.sites` (a restricted setting) from the
 * user settings only, so a site that an untrusted workspace defines does not exist until it is trusted.
 */
export function readSites(scope?: vscode.Uri): Record<string, SiteConfig> {
  return vscode.workspace.getConfiguration('ftpWorkspace', scope).get<Record<string, SiteConfig>>('sites') ?? {};
}

/**
 * Every site the window knows: user and workspace sites, and those that a folder of a multi-root
 * workspace defines in its own settings (for UI lists and pickers; a connection reads its folder's).
 */
export function allSites(): Record<string, SiteConfig> {
  const sites: Record<string, SiteConfig> = {};
  for (const f of vscode.workspace.workspaceFolders ?? []) Object.assign(sites, readSites(f.uri));
  return { ...sites, ...readSites() };
}

/** `ftp://<site>/`, or `ftps://` for a site with FTPS. */
export function siteRoot(site: string): vscode.Uri {
  // Built from parts, not parsed: a name with "/", "#" or "@" in it stays the authority.
  return vscode.Uri.from({ scheme: (allSites()[site]?.secure ?? 'off') !== 'off' ? 'ftps' : 'ftp', authority: site, path: '/' });
}

/** The workspace folder whose own settings define this site, if one does. */
export function folderDefining(site: string): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.find((f) =>
    vscode.workspace.getConfiguration('ftpWorkspace', f.uri).inspect<Record<string, unknown>>('sites')?.workspaceFolderValue?.[site])?.uri;
}

/** The site's settings for this URI's folder, if it is a configured site. */
export function siteOf(uri: vscode.Uri): { name: string; site: SiteConfig } | undefined {
  if (uri.scheme !== 'ftp' && uri.scheme !== 'ftps') return undefined;
  const name = decodeURIComponent(uri.authority);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  // The URI's own folder first (its folder settings win), then any site the window knows.
  const site = readSites(folder?.uri)[name] ?? allSites()[name];
  return site ? { name, site } : undefined;
}

/**
 * In an untrusted workspace VS Code hides the workspace's value of `ftpWorkspace.sites` entirely
 * (inspect() too), so which sites it defines can't be known: only that there may be some.
 */
export function workspaceSitesWithheld(): boolean {
  return !vscode.workspace.isTrusted && !!vscode.workspace.workspaceFolders?.length;
}

export function defaultTransferMode(): TransferMode {
  return vscode.workspace.getConfiguration('ftpWorkspace').get<TransferMode>('defaultTransferMode') ?? 'auto';
}

/** The data method order the site's passive/active options ask for. */
export function methodOrder(site: SiteConfig): DataMethod[] {
  const passive: DataMethod[] = site.passive?.epsvFirst === false ? ['pasv', 'epsv'] : ['epsv', 'pasv'];
  const active: DataMethod[] = site.active?.eprtFirst === false ? ['port', 'eprt'] : ['eprt', 'port'];
  return [...passive, ...active];
}

/** Where a site's settings live: the innermost scope that defines it, so an edit lands next to it. */
export function targetOf(site: string, folder = folderDefining(site)): vscode.ConfigurationTarget {
  const inspected = vscode.workspace.getConfiguration('ftpWorkspace', folder).inspect<Record<string, unknown>>('sites');
  if (inspected?.workspaceFolderValue?.[site]) return vscode.ConfigurationTarget.WorkspaceFolder;
  if (inspected?.workspaceValue?.[site]) return vscode.ConfigurationTarget.Workspace;
  if (inspected?.globalValue?.[site]) return vscode.ConfigurationTarget.Global;
  return vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

/** Merges `changes` into one site's settings in the scope that defines it, keeping its other settings. */
export async function updateSite(site: string, changes: Partial<SiteConfig>, folder = folderDefining(site)): Promise<void> {
  const target = targetOf(site, folder);
  const config = vscode.workspace.getConfiguration('ftpWorkspace', folder);
  const inspected = config.inspect<Record<string, SiteConfig>>('sites');
  const scoped = target === vscode.ConfigurationTarget.Global ? inspected?.globalValue
    : target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.workspaceFolderValue;
  const sites = { ...(scoped ?? {}) };
  const merged: Record<string, unknown> = { ...(sites[site] ?? readSites(folder)[site]) };
  for (const [k, v] of Object.entries(changes)) {
    const old = merged[k];
    // Nested option groups (passive, active) merge too, so applying one key keeps the others.
    merged[k] = v && typeof v === 'object' && !Array.isArray(v) && old && typeof old === 'object' ? { ...old, ...v } : v;
  }
  sites[site] = merged as unknown as SiteConfig;
  await config.update('sites', sites, target);
}
