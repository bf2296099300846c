/**
 * FTP: Open Site...: a site as a folder of this workspace, or in this or a new window on a
 * one-folder workspace named after the site. That workspace file lives in the extension's storage
 * and carries the site's settings when only a workspace or a folder defines it (the new window
 * would not know the site otherwise, and would take `ftp://hosting/` for a host name).
 */
import * as vscode from 'vscode';
import { allSites, folderDefining, readSites, siteRoot } from './config';
import type { SiteArg } from './commands';
import { escapeMessage } from '../ui/escape';
import { workspaceFileName } from './names';
import { SiteSettings, carrySite } from './carried-site';
import { stripJsonComments } from './import/sftp-json';
import { foldersToRestore } from './workspace-repair';

export type OpenWhere = 'add' | 'window' | 'newWindow';

const nameOf = (arg: SiteArg) => (typeof arg === 'object' ? arg.site : arg);

/** FTP: Open Site... as a folder of this workspace, in this window, or in a new window. */
export async function openSite(arg?: SiteArg, where?: OpenWhere): Promise<void> {
  const site = nameOf(arg) ?? await pickSiteToOpen();
  if (!site) return;
  const uri = siteRoot(site);
  const folders = vscode.workspace.workspaceFolders ?? [];
  const existing = folders.find((f) => f.uri.authority === uri.authority && (f.uri.scheme === 'ftp' || f.uri.scheme === 'ftps'));
  if (existing && !where) {
    await vscode.commands.executeCommand('revealInExplorer', existing.uri);
    return;
  }
  if (!where) {
    const choices = [
      ...(folders.length ? [{ label: 'Add to Workspace', where: 'add' as const, detail: 'A folder beside the ones open now' }] : []),
      { label: 'Open in This Window', where: 'window' as const },
      { label: 'Open in New Window', where: 'newWindow' as const },
    ];
    where = (await vscode.window.showQuickPick(choices, { placeHolder: `Open ${uri.toString(true)}` }))?.where;
    if (!where) return;
  }
  if (where === 'add') {
    if (!vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: site })) throw new Error(escapeMessage(`Could not add ${uri.toString(true)} to the workspace.`));
    return;
  }
  await vscode.commands.executeCommand('vscode.openFolder', await siteWorkspaceFile(site, uri), { forceNewWindow: where === 'newWindow' });
}

let storage: vscode.Uri | undefined;
/** Where Open Site keeps its one-folder workspace files (the extension's global storage). */
export function setWorkspaceStorage(uri: vscode.Uri): void {
  storage = uri;
}

interface WorkspaceContent {
  folders: Array<{ uri: string; name: string }>;
  settings: Record<string, unknown>;
  [other: string]: unknown;
}

/**
 * A window opened on a bare ftp://site/ folder is titled "/ [FTP]". A one-folder workspace file
 * names the folder after the site, so the title bar and the Explorer read "site". It lives in the
 * extension's storage whatever the site's name (see workspaceFileName). What the user set in that
 * workspace is kept; the site's settings are carried into it when only this window's workspace
 * or folder settings define the site (see carrySite), never a password (secret storage, keyed by
 * site and bound to its server, is the extension's in every window). The file is written only when
 * its content changes, so a file the user commented is left as it is otherwise.
 */
export async function siteWorkspaceFile(site: string, uri: vscode.Uri): Promise<vscode.Uri> {
  if (!storage) return uri;
  const folder = vscode.Uri.joinPath(storage, 'workspaces');
  const name = workspaceFileName(site);
  const file = vscode.Uri.joinPath(folder, name);
  const sidecar = vscode.Uri.joinPath(folder, `${name}.carried.json`);
  if (file.path !== `${folder.path}/${name}`) throw new Error(escapeMessage(`No workspace file can be made for the FTP site "${site}".`));

  const before = await readJson(file);
  const content: WorkspaceContent = { ...(isObject(before) ? before : {}), folders: [{ uri: uri.toString(), name: site }], settings: {} };
  if (isObject(before) && isObject(before.settings)) content.settings = { ...before.settings }; // what the user set in that workspace

  // Opened from the site's own window, the site is defined right here: nothing to carry.
  if (vscode.workspace.workspaceFile?.toString() !== file.toString()) {
    const sidecarBefore = await readJson(sidecar);
    const carried = isObject(sidecarBefore) && sidecarBefore.site === site && isObject(sidecarBefore.carried) ? sidecarBefore.carried : undefined;
    const sites = isObject(content.settings['ftpWorkspace.sites']) ? { ...content.settings['ftpWorkspace.sites'] } : {};
    const copy = isObject(sites[site]) ? sites[site] : undefined;
    const source = definedHere(site);
    const next = carrySite(source, copy, carried);
    if (next) sites[site] = next;
    else delete sites[site];
    if (Object.keys(sites).length) content.settings['ftpWorkspace.sites'] = sites;
    else delete content.settings['ftpWorkspace.sites'];
    const sidecarNext = source ? { site, carried: source } : next ? sidecarBefore : undefined;
    if (JSON.stringify(sidecarNext) !== JSON.stringify(sidecarBefore)) {
      if (sidecarNext) await vscode.workspace.fs.writeFile(sidecar, Buffer.from(JSON.stringify(sidecarNext, null, 2)));
      else await vscode.workspace.fs.delete(sidecar).then(undefined, () => undefined);
    }
  }
  if (JSON.stringify(content) !== JSON.stringify(before)) await vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify(content, null, 2)));
  return file;
}

/**
 * A site's window that code-server opened with none of its folders (a start-up race of its own:
 * workspace-repair.ts) gets them back from the workspace file Open Site wrote, without a reload;
 * if VS Code doesn't take them within 10 s, the window is reloaded, once per file and minute.
 * Runs at activation, which onStartupFinished brings about in such a window.
 */
export async function repairSiteWorkspace(state: vscode.Memento, log: vscode.LogOutputChannel): Promise<void> {
  const file = vscode.workspace.workspaceFile;
  if (!file || !storage || vscode.workspace.workspaceFolders?.length) return;
  const folders = foldersToRestore(file.path, vscode.Uri.joinPath(storage, 'workspaces').path, 0, await readJson(file));
  if (!folders.length || vscode.workspace.workspaceFolders?.length) return;
  log.warn(`This window opened ${file.path} with none of its folders (a code-server start-up race); adding ${folders.map((f) => f.uri).join(', ')} back.`);
  const added = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => (listening.dispose(), resolve(false)), 10_000);
    const listening = vscode.workspace.onDidChangeWorkspaceFolders(() => {
      clearTimeout(timer);
      listening.dispose();
      resolve(true);
    });
  });
  if (vscode.workspace.updateWorkspaceFolders(0, 0, ...folders.map((f) => ({ uri: vscode.Uri.parse(f.uri), name: f.name }))) && (await added)) return;
  const key = 'ftpWorkspace.repairReload';
  const last = state.get<{ file: string; at: number }>(key);
  if (last?.file === file.path && Date.now() - last.at < 60_000) {
    log.error(`The folders of ${file.path} could not be added back; reload the window (Developer: Reload Window).`);
    return;
  }
  await state.update(key, { file: file.path, at: Date.now() });
  log.warn(`The folders of ${file.path} were not taken; reloading the window once.`);
  await vscode.commands.executeCommand('workbench.action.reloadWindow');
}

/**
 * The site as this window's workspace or folder settings define it (merged with the user's, as
 * the window reads it), or undefined when only the user settings do (or the workspace is not
 * trusted: VS Code then hides its sites).
 */
function definedHere(site: string): SiteSettings | undefined {
  const folder = folderDefining(site);
  const inspected = vscode.workspace.getConfiguration('ftpWorkspace', folder).inspect<Record<string, unknown>>('sites');
  if (!inspected?.workspaceFolderValue?.[site] && !inspected?.workspaceValue?.[site]) return undefined;
  const effective = readSites(folder)[site] as unknown;
  return isObject(effective) ? { ...effective } : undefined;
}

/** The file's JSON (comments and trailing commas allowed, as VS Code allows them), or undefined. */
async function readJson(file: vscode.Uri): Promise<unknown> {
  let text: string;
  try {
    text = Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
  } catch {
    return undefined; // first time
  }
  try {
    return JSON.parse(stripJsonComments(text));
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function pickSiteToOpen(): Promise<string | undefined> {
  const sites = allSites();
  const items = Object.entries(sites).sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => ({ label: name, description: `${s.user ? `${s.user}@` : ''}${s.host}${s.port ? `:${s.port}` : ''}` }));
  const add = { label: '$(add) Add Site...', description: '' };
  const picked = await vscode.window.showQuickPick([...items, add], { placeHolder: 'Open which FTP site?' });
  if (picked === add) {
    await vscode.commands.executeCommand('ftpWorkspace.addSite');
    return undefined;
  }
  return picked?.label;
}
