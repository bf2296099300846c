/** Command palette actions on sites: add, transfer mode, password. */
import * as vscode from 'vscode';
import type { TransferMode } from '../ftp';
import { readSites } from './config';
import { SiteSecrets } from './secrets';
import { AddSiteAnswers, addSite } from './add-site';

const MODES: Array<{ label: string; mode: TransferMode; detail: string }> = [
  { label: 'Automatic', mode: 'auto', detail: 'Try passive, then active, and remember what works for this site' },
  { label: 'Passive', mode: 'passive', detail: 'This computer connects to the server (works behind most home and office firewalls)' },
  { label: 'Active', mode: 'active', detail: 'The server connects back to this computer (for servers whose firewall admits only port 21)' },
];

/** The site of the active editor, when it is a configured one. */
function activeSite(): string | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  if (!uri || (uri.scheme !== 'ftp' && uri.scheme !== 'ftps')) return undefined;
  const name = decodeURIComponent(uri.authority);
  return readSites()[name] ? name : undefined;
}

/** The active editor's site, else the only site, else the user's pick. */
export async function pickSite(prompt: string): Promise<string | undefined> {
  const names = Object.keys(readSites());
  const active = activeSite();
  if (active) return active;
  if (names.length === 1) return names[0];
  if (names.length === 0) {
    void vscode.window.showInformationMessage('No FTP sites are configured yet (ftpWorkspace.sites).');
    return undefined;
  }
  return vscode.window.showQuickPick(names, { placeHolder: prompt });
}

/** Where a site's settings live: the innermost scope that defines it, so the edit lands next to it. */
function targetOf(site: string): vscode.ConfigurationTarget {
  const inspected = vscode.workspace.getConfiguration('ftpWorkspace').inspect<Record<string, unknown>>('sites');
  if (inspected?.workspaceFolderValue?.[site]) return vscode.ConfigurationTarget.WorkspaceFolder;
  if (inspected?.workspaceValue?.[site]) return vscode.ConfigurationTarget.Workspace;
  if (inspected?.globalValue?.[site]) return vscode.ConfigurationTarget.Global;
  return vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

/** FTP: Set Transfer Mode... (args for automation: site, mode). */
export async function setTransferMode(site?: string, mode?: TransferMode): Promise<void> {
  site ??= await pickSite('Set the transfer mode of which FTP site?');
  if (!site) return;
  const current = readSites()[site]?.transferMode;
  mode ??= (await vscode.window.showQuickPick(MODES.map((m) => ({ ...m, description: m.mode === current ? 'current' : undefined })),
    { placeHolder: `Transfer mode for ${site}` }))?.mode;
  if (!mode) return;
  const target = targetOf(site);
  const config = vscode.workspace.getConfiguration('ftpWorkspace');
  const inspected = config.inspect<Record<string, object>>('sites');
  const scoped = target === vscode.ConfigurationTarget.Global ? inspected?.globalValue : target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.workspaceFolderValue;
  const sites = { ...(scoped ?? {}) };
  sites[site] = { ...(sites[site] ?? readSites()[site]), transferMode: mode };
  await config.update('sites', sites, target);
}

export function registerSiteCommands(secrets: SiteSecrets, reconnect: () => Promise<void>): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('ftpWorkspace.setTransferMode', setTransferMode),
    vscode.commands.registerCommand('ftpWorkspace.addSite', (answers?: AddSiteAnswers) => addSite(secrets, answers)),
    // Without arguments it asks; with (site, password) it stores directly (automation, tests).
    vscode.commands.registerCommand('ftpWorkspace.setPassword', async (site?: string, password?: string) => {
      site ??= await pickSite('Set the password of which FTP site?');
      if (!site) return;
      password ??= await vscode.window.showInputBox({ prompt: `Password for FTP site "${site}"`, password: true, ignoreFocusOut: true });
      if (password === undefined) return;
      await secrets.set(site, password);
      await reconnect();
    }),
    vscode.commands.registerCommand('ftpWorkspace.forgetPassword', async (site?: string) => {
      site ??= await pickSite('Forget the password of which FTP site?');
      if (!site) return;
      await secrets.forget(site);
      await reconnect();
    }),
  ];
}
