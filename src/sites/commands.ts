/** Command palette actions on sites: transfer mode, open, edit settings, password, remove, rename. */
import * as vscode from 'vscode';
import type { TransferMode } from '../ftp';
import { SiteConfig, allSites, targetOf, updateSite } from './config';
import { describeServer, serverIdentity } from './secrets';
import { AddSiteAnswers, AddSiteDeps, addSite } from './add-site';
import { escapeIcons, escapeMessage } from '../ui/escape';
import { siteNameProblem } from './names';
import { openSite } from './open-site';

// Open Site lives in open-site.ts (with its workspace file); extension.ts imports it from here.
export { openSite, repairSiteWorkspace, setWorkspaceStorage } from './open-site';
export type { OpenWhere } from './open-site';

const MODES: Array<{ label: string; mode: TransferMode; detail: string }> = [
  { label: 'Automatic', mode: 'auto', detail: 'Try passive, then active, and remember what works for this site' },
  { label: 'Passive', mode: 'passive', detail: 'This computer connects to the server (works behind most home and office firewalls)' },
  { label: 'Active', mode: 'active', detail: 'The server connects back to this computer (for servers that admit only port 21)' },
];

/** A site argument as commands receive it: a name, or an item of the FTP Sites view. */
export type SiteArg = string | { site: string } | undefined;
const nameOf = (arg: SiteArg) => (typeof arg === 'object' ? arg.site : arg);

/** The site of the active editor, when it is a configured one. */
function activeSite(): string | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  if (!uri || (uri.scheme !== 'ftp' && uri.scheme !== 'ftps')) return undefined;
  const name = decodeURIComponent(uri.authority);
  return allSites()[name] ? name : undefined;
}

export interface PickOptions {
  /** Only sites this accepts are offered (Set Password: sites with a user). */
  filter?: (name: string, site: SiteConfig) => boolean;
  /** What to say when no site passes the filter. */
  none?: string;
  /** Ask even when the active editor shows a site (it is offered first): commands whose target must be chosen. */
  ask?: boolean;
}

/**
 * The given site, else the active editor's site (unless `ask`), else the only site, else the
 * user's pick (the active editor's site first).
 */
export async function pickSite(prompt: string, arg?: SiteArg, opts: PickOptions = {}): Promise<string | undefined> {
  const given = nameOf(arg);
  if (given) return given;
  const sites = allSites();
  const names = Object.keys(sites).filter((n) => !opts.filter || opts.filter(n, sites[n]));
  const active = activeSite();
  if (active && !opts.ask && names.includes(active)) return active;
  if (names.length === 1) return names[0];
  if (names.length === 0) {
    if (opts.none && Object.keys(sites).length) {
      void vscode.window.showInformationMessage(opts.none);
      return undefined;
    }
    const add = await vscode.window.showInformationMessage('No FTP sites are configured yet.', 'Add Site...');
    if (add) await vscode.commands.executeCommand('ftpWorkspace.addSite');
    return undefined;
  }
  const items = names.sort((a, b) => (a === active ? -1 : b === active ? 1 : a.localeCompare(b))).map((n) => ({
    // Names and hosts come from settings a workspace may define: shown as typed, never as icons or links.
    label: escapeIcons(n), site: n,
    description: escapeIcons(`${sites[n].user ? `${sites[n].user}@` : ''}${sites[n].host}${sites[n].port ? `:${sites[n].port}` : ''}${n === active ? ' · the active editor\'s site' : ''}`),
  }));
  return (await vscode.window.showQuickPick(items, { placeHolder: prompt }))?.site;
}

/** Sites with a user, whose password can be set (anonymous ones have none). */
const hasUser = (_name: string, site: SiteConfig) => !!site.user && site.user !== 'anonymous' && site.user !== 'ftp';

/** FTP: Set Transfer Mode... (args for automation: site, mode). */
export async function setTransferMode(arg?: SiteArg, mode?: TransferMode): Promise<void> {
  const site = await pickSite('Set the transfer mode of which FTP site?', arg);
  if (!site) return;
  const current = allSites()[site]?.transferMode;
  mode ??= (await vscode.window.showQuickPick(MODES.map((m) => ({ ...m, description: m.mode === current ? 'current' : undefined })),
    { placeHolder: `Transfer mode for ${site}` }))?.mode;
  if (!mode) return;
  await updateSite(site, { transferMode: mode });
  // Said where it shows whatever is open (the site's status bar item shows only beside its editors).
  vscode.window.setStatusBarMessage(`$(check) FTP site "${escapeIcons(site)}": transfer mode ${MODES.find((m) => m.mode === mode)?.label.toLowerCase() ?? mode}`, 5000);
}

/** FTP: Edit Site Settings: the settings file that defines the site, with the cursor on it. */
export async function editSiteSettings(arg?: SiteArg): Promise<void> {
  const site = await pickSite('Edit the settings of which FTP site?', arg);
  if (!site) return;
  const target = targetOf(site);
  await vscode.commands.executeCommand(target === vscode.ConfigurationTarget.Global ? 'workbench.action.openSettingsJson'
    : target === vscode.ConfigurationTarget.Workspace ? 'workbench.action.openWorkspaceSettingsFile' : 'workbench.action.openFolderSettingsFile');
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const text = editor.document.getText();
  const at = text.search(new RegExp(`"${site.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*\\{`));
  if (at < 0) return;
  const pos = editor.document.positionAt(at);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Every settings scope that defines the site (user, workspace, and each folder whose own settings do). */
function definingScopes(site: string): Array<{ target: vscode.ConfigurationTarget; folder?: vscode.Uri; label: string }> {
  const found: Array<{ target: vscode.ConfigurationTarget; folder?: vscode.Uri; label: string }> = [];
  const inspected = vscode.workspace.getConfiguration('ftpWorkspace').inspect<Record<string, unknown>>('sites');
  if (inspected?.globalValue?.[site]) found.push({ target: vscode.ConfigurationTarget.Global, label: 'the user settings' });
  if (inspected?.workspaceValue?.[site]) found.push({ target: vscode.ConfigurationTarget.Workspace, label: 'the workspace settings' });
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    if (vscode.workspace.getConfiguration('ftpWorkspace', f.uri).inspect<Record<string, unknown>>('sites')?.workspaceFolderValue?.[site]) {
      found.push({ target: vscode.ConfigurationTarget.WorkspaceFolder, folder: f.uri, label: `the settings of folder "${f.name}"` });
    }
  }
  return found;
}

/**
 * Rewrites one scope's sites: `from` removed (no `to`), or `to` added right after it with the same
 * settings (a rename's first step; `keep` false drops `from` at once).
 */
async function rewriteScope(scope: { target: vscode.ConfigurationTarget; folder?: vscode.Uri }, from: string, to?: string, keep = false): Promise<void> {
  const config = vscode.workspace.getConfiguration('ftpWorkspace', scope.folder);
  const inspected = config.inspect<Record<string, SiteConfig>>('sites');
  const value = (scope.target === vscode.ConfigurationTarget.Global ? inspected?.globalValue
    : scope.target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.workspaceFolderValue) ?? {};
  const entries = Object.entries(value).flatMap(([n, s]): Array<[string, SiteConfig]> =>
    (n !== from ? [[n, s]] : to === undefined ? [] : keep ? [[n, s], [to, s]] : [[to, s]]));
  await config.update('sites', entries.length ? Object.fromEntries(entries) : undefined, scope.target);
}

/** The next change of the workspace's folders (at most 5 s). */
function folderChange(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    };
    const timer = setTimeout(done, 5000);
    const sub = vscode.workspace.onDidChangeWorkspaceFolders(done);
  });
}

/** What Remove Site and Rename Site need besides the settings. */
export interface SiteCommandDeps extends AddSiteDeps {
  /** The user acted on a site (Set Password): its connections close, a held refusal is let through, its folders reload. */
  retry(site: string): Promise<void>;
  /** Closes a site's connections. */
  close(site: string): Promise<void>;
  /** What else is kept per site name (auto mode's memory) follows a rename, or goes with a removed site. */
  renamed(from: string, to?: string): Promise<void>;
}

/**
 * FTP: Remove Site...: deleted from every scope that defines it, after a modal question (`confirm`
 * true skips it: automation); its password and trusted certificates are forgotten, its connections
 * closed. Files on the server are not touched. True when removed.
 */
export async function removeSite(deps: SiteCommandDeps, arg?: SiteArg, confirm?: boolean): Promise<boolean> {
  const site = await pickSite('Remove which FTP site?', arg, { ask: true });
  if (!site) return false;
  const scopes = definingScopes(site);
  if (!scopes.length) throw new Error(escapeMessage(`No FTP site named "${site}" is configured here.`));
  if (confirm !== true) {
    const answer = await vscode.window.showWarningMessage(escapeMessage(`Remove the FTP site "${site}"?`), {
      modal: true,
      detail: escapeMessage(`It is deleted from ${scopes.map((x) => x.label).join(' and ')}; its saved password and trusted certificate are forgotten. Nothing on the server is touched.`),
    }, 'Remove');
    if (answer !== 'Remove') return false;
  }
  await deps.close(site);
  for (const scope of scopes) await rewriteScope(scope, site);
  await deps.secrets.forget(site);
  await deps.certificates.forget(site);
  await deps.renamed(site);
  return true;
}

/**
 * FTP: Rename Site...: the site under a new name in every scope that defines it (same place among
 * the others, same settings); its password (still bound to its server), trusted certificates and
 * what auto mode learnt move with it; its connections close. A folder of this workspace open on the
 * old name is pointed at the new one (except the first folder, which VS Code can't replace without
 * restarting the extensions: the message says so). Returns the new name.
 */
export async function renameSite(deps: SiteCommandDeps, arg?: SiteArg, newName?: string): Promise<string | undefined> {
  const site = await pickSite('Rename which FTP site?', arg, { ask: true });
  if (!site) return undefined;
  const scopes = definingScopes(site);
  if (!scopes.length) throw new Error(escapeMessage(`No FTP site named "${site}" is configured here.`));
  const others = { ...allSites() };
  delete others[site];
  const problemOf = (v: string) => (v === site ? 'Type the new name.' : siteNameProblem(v, others));
  const to = newName ?? await vscode.window.showInputBox({
    title: escapeMessage(`Rename the FTP site "${site}"`), prompt: 'The new name; the site is then opened as ftp://<name>/', value: site, ignoreFocusOut: true,
    validateInput: (v) => {
      const problem = problemOf(v);
      return problem && escapeMessage(problem);
    },
  });
  if (!to || to === site) return undefined;
  const problem = problemOf(to);
  if (problem) throw new Error(escapeMessage(`"${to}" can't be the new name: ${problem}`));
  // In steps that keep every folder working: the new name beside the old one, with a copy of its
  // password, certificates and what auto mode learnt; the folders pointed at the new name; then the
  // old name goes.
  for (const scope of scopes) await rewriteScope(scope, site, to, true);
  await deps.secrets.copy(site, to);
  await deps.certificates.copy(site, to);
  await deps.renamed(site, to);
  const folders = vscode.workspace.workspaceFolders ?? [];
  const open = folders.filter((f) => (f.uri.scheme === 'ftp' || f.uri.scheme === 'ftps') && decodeURIComponent(f.uri.authority) === site);
  // One at a time (VS Code takes one change until it has told it), from the last so the indexes of
  // the others stay right; the old name goes once VS Code has let go of those folders.
  for (const f of open.filter((x) => x.index > 0).reverse()) {
    const moved = folderChange();
    if (vscode.workspace.updateWorkspaceFolders(f.index, 1, { uri: f.uri.with({ authority: to }), name: f.name === site ? to : f.name })) await moved;
  }
  await deps.close(site);
  for (const scope of scopes) await rewriteScope(scope, site);
  await deps.secrets.forget(site);
  await deps.certificates.forget(site);
  await deps.renamed(site);
  const first = open.find((f) => f.index === 0);
  void vscode.window.showInformationMessage(escapeMessage(`FTP site "${site}" is now "${to}".${first ? ` This window's folder ${first.uri.toString(true)} still names the old site: open ftp://${to}/ (FTP: Open Site...).` : ''}`));
  return to;
}

export function registerSiteCommands(deps: SiteCommandDeps): vscode.Disposable[] {
  const { secrets } = deps;
  return [
    vscode.commands.registerCommand('ftpWorkspace.setTransferMode', setTransferMode),
    vscode.commands.registerCommand('ftpWorkspace.addSite', (answers?: AddSiteAnswers) => addSite(deps, answers)),
    vscode.commands.registerCommand('ftpWorkspace.removeSite', (arg?: SiteArg, confirm?: unknown) => removeSite(deps, arg, confirm === true)),
    vscode.commands.registerCommand('ftpWorkspace.renameSite', (arg?: SiteArg, newName?: unknown) => renameSite(deps, arg, typeof newName === 'string' ? newName : undefined)),
    vscode.commands.registerCommand('ftpWorkspace.openSite', openSite),
    vscode.commands.registerCommand('ftpWorkspace.editSiteSettings', editSiteSettings),
    // Without arguments it asks; with (site, password) it stores directly (automation, tests).
    // The password is bound to the server the site names now (user, host, port, security).
    // Anonymous sites have no password: they are not offered. A new password is tried at once
    // (the site's folders reload), and a refused login held back is let through.
    vscode.commands.registerCommand('ftpWorkspace.setPassword', async (arg?: SiteArg, password?: string) => {
      const site = await pickSite('Set the password of which FTP site?', arg, { filter: hasUser, none: 'No FTP site has a user name: anonymous sites need no password.' });
      if (!site) return;
      const config = allSites()[site];
      if (!config) throw new Error(escapeMessage(`No FTP site named "${site}" is configured. For an ftp://user@host/ address the password is asked for when it connects.`));
      if (!hasUser(site, config)) throw new Error(escapeMessage(`FTP site "${site}" logs in anonymously: it has no password. To log in as a user, set its "user" (FTP: Edit Site Settings).`));
      const server = serverIdentity(config);
      password ??= await vscode.window.showInputBox({ prompt: escapeMessage(`Password for FTP site "${site}": ${describeServer(server)}`), password: true, ignoreFocusOut: true });
      if (password === undefined) return;
      await secrets.set(site, password, server);
      // Said where it can't get in the way: a site not in use is not connected now, so nothing else tells.
      vscode.window.setStatusBarMessage(`$(key) ${escapeIcons(`Password saved for FTP site "${site}" (in VS Code's secret storage)`)}`, 5000);
      await deps.retry(site);
    }),
    vscode.commands.registerCommand('ftpWorkspace.forgetPassword', async (arg?: SiteArg) => {
      const site = await pickSite('Forget the password of which FTP site?', arg, { filter: hasUser, none: 'No FTP site has a user name: anonymous sites have no password.' });
      if (!site) return;
      await secrets.forget(site);
      await deps.close(site);
    }),
  ];
}
