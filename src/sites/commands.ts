/** Command palette actions on sites: transfer mode, open, edit settings, password, disconnect. */
import * as vscode from 'vscode';
import type { TransferMode } from '../ftp';
import { allSites, targetOf, updateSite } from './config';
import { SiteSecrets, describeServer, serverIdentity } from './secrets';
import { AddSiteAnswers, addSite } from './add-site';
import { escapeMessage } from '../ui/escape';
import { openSite } from './open-site';

// Open Site lives in open-site.ts (with its workspace file); extension.ts imports it from here.
export { openSite, setWorkspaceStorage } from './open-site';
export type { OpenWhere } from './open-site';

const MODES: Array<{ label: string; mode: TransferMode; detail: string }> = [
  { label: 'Automatic', mode: 'auto', detail: 'Try passive, then active, and remember what works for this site' },
  { label: 'Passive', mode: 'passive', detail: 'This computer connects to the server (works behind most home and office firewalls)' },
  { label: 'Active', mode: 'active', detail: 'The server connects back to this computer (for servers whose firewall admits only port 21)' },
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

/** The given site, else the active editor's site, else the only site, else the user's pick. */
export async function pickSite(prompt: string, arg?: SiteArg): Promise<string | undefined> {
  const given = nameOf(arg);
  if (given) return given;
  const names = Object.keys(allSites());
  const active = activeSite();
  if (active) return active;
  if (names.length === 1) return names[0];
  if (names.length === 0) {
    const add = await vscode.window.showInformationMessage('No FTP sites are configured yet.', 'Add Site...');
    if (add) await vscode.commands.executeCommand('ftpWorkspace.addSite');
    return undefined;
  }
  return vscode.window.showQuickPick(names.sort(), { placeHolder: prompt });
}

/** FTP: Set Transfer Mode... (args for automation: site, mode). */
export async function setTransferMode(arg?: SiteArg, mode?: TransferMode): Promise<void> {
  const site = await pickSite('Set the transfer mode of which FTP site?', arg);
  if (!site) return;
  const current = allSites()[site]?.transferMode;
  mode ??= (await vscode.window.showQuickPick(MODES.map((m) => ({ ...m, description: m.mode === current ? 'current' : undefined })),
    { placeHolder: `Transfer mode for ${site}` }))?.mode;
  if (!mode) return;
  await updateSite(site, { transferMode: mode });
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

export function registerSiteCommands(secrets: SiteSecrets, reconnect: (site: string) => Promise<void>): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('ftpWorkspace.setTransferMode', setTransferMode),
    vscode.commands.registerCommand('ftpWorkspace.addSite', (answers?: AddSiteAnswers) => addSite(secrets, answers)),
    vscode.commands.registerCommand('ftpWorkspace.openSite', openSite),
    vscode.commands.registerCommand('ftpWorkspace.editSiteSettings', editSiteSettings),
    // Without arguments it asks; with (site, password) it stores directly (automation, tests).
    // The password is bound to the server the site names now (user, host, port, security).
    vscode.commands.registerCommand('ftpWorkspace.setPassword', async (arg?: SiteArg, password?: string) => {
      const site = await pickSite('Set the password of which FTP site?', arg);
      if (!site) return;
      const config = allSites()[site];
      if (!config) throw new Error(escapeMessage(`No FTP site named "${site}" is configured. For an ftp://user@host/ address the password is asked for when it connects.`));
      const server = serverIdentity(config);
      password ??= await vscode.window.showInputBox({ prompt: escapeMessage(`Password for FTP site "${site}" (${describeServer(server)})`), password: true, ignoreFocusOut: true });
      if (password === undefined) return;
      await secrets.set(site, password, server);
      await reconnect(site);
    }),
    vscode.commands.registerCommand('ftpWorkspace.forgetPassword', async (arg?: SiteArg) => {
      const site = await pickSite('Forget the password of which FTP site?', arg);
      if (!site) return;
      await secrets.forget(site);
      await reconnect(site);
    }),
  ];
}
