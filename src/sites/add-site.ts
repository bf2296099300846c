/**
 * FTP: Add Site... — a guided flow (name, host, port, user, password, security, transfer mode) that
 * writes the site to the settings and the password to SecretStorage, then offers to open it.
 * Every answer can be passed in (automation, tests); what is missing is asked.
 */
import * as vscode from 'vscode';
import type { SecureMode, TransferMode } from '../ftp';
import { SiteConfig, allSites } from './config';
import { SiteSecrets, serverIdentity } from './secrets';
import { escapeMessage } from '../ui/escape';
import { HOST_PORT, siteNameProblem } from './names';

export interface AddSiteAnswers {
  name?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  secure?: SecureMode;
  transferMode?: TransferMode;
  /** 'workspace' when a folder is open, else 'user'. */
  scope?: 'user' | 'workspace';
  /** Skip the final "Open it now?" question. */
  noOpen?: boolean;
}

export async function addSite(secrets: SiteSecrets, given: AddSiteAnswers = {}): Promise<string | undefined> {
  const existing = allSites();
  const name = given.name ?? await vscode.window.showInputBox({
    title: 'Add FTP Site (1/5)', prompt: 'A short name for the site; it is opened as ftp://<name>/', ignoreFocusOut: true,
    validateInput: (v) => {
      const problem = siteNameProblem(v, existing);
      return problem && escapeMessage(problem);
    },
  });
  if (!name) return undefined;
  // Given as an argument (automation, or a link someone else wrote): the same rules, and never a
  // silent replacement of an existing site (its password stays bound to that site's server anyway).
  const problem = siteNameProblem(name, existing);
  if (problem) throw new Error(escapeMessage(`"${name}" can't be a site name: ${problem}`));
  const hostPort = given.host ?? await vscode.window.showInputBox({ title: 'Add FTP Site (2/5)', prompt: 'Server host name or address, optionally with :port', placeHolder: 'ftp.example.com', ignoreFocusOut: true,
    validateInput: (v) => (HOST_PORT.test(v.trim()) ? undefined : 'A host name or address, like ftp.example.com or 192.0.2.10:2121') });
  if (!hostPort) return undefined;
  const m = HOST_PORT.exec(hostPort.trim());
  if (!m) throw new Error(escapeMessage(`"${hostPort}" is not a host name or address (like ftp.example.com or 192.0.2.10:2121).`));
  const host = m[1].replace(/^\[|\]$/g, '');
  const port = given.port ?? (m[2] ? Number(m[2]) : undefined);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new Error(`${port} is not a port number (1-65535).`);
  const user = given.user ?? await vscode.window.showInputBox({ title: 'Add FTP Site (3/5)', prompt: 'User name (empty for anonymous)', ignoreFocusOut: true });
  if (user === undefined) return undefined;
  const anonymous = user === '' || user === 'anonymous';
  let password = given.password;
  if (!anonymous && password === undefined) {
    password = await vscode.window.showInputBox({ title: 'Add FTP Site (4/5)', prompt: escapeMessage(`Password for ${user}@${host} (kept in VS Code's secret storage)`), password: true, ignoreFocusOut: true });
    if (password === undefined) return undefined;
  }
  const secure = given.secure ?? (await vscode.window.showQuickPick([
    { label: 'FTP', detail: 'Plain FTP (port 21)', value: 'off' as const },
    { label: 'FTPS, explicit', detail: 'AUTH TLS on the FTP port (most FTPS servers)', value: 'explicit' as const },
    { label: 'FTPS, implicit', detail: 'TLS from the first byte (port 990)', value: 'implicit' as const },
  ], { title: 'Add FTP Site (5/5): security', ignoreFocusOut: true }))?.value;
  if (!secure) return undefined;
  const transferMode = given.transferMode ?? 'auto';

  const site: SiteConfig = { host, ...(port ? { port } : {}), ...(anonymous ? {} : { user }), ...(secure !== 'off' ? { secure } : {}), transferMode };
  const scope = given.scope ?? (vscode.workspace.workspaceFolders?.some((f) => f.uri.scheme === 'file') ? 'workspace' : 'user');
  const target = scope === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const config = vscode.workspace.getConfiguration('ftpWorkspace');
  const inspected = config.inspect<Record<string, SiteConfig>>('sites');
  const current = (scope === 'workspace' ? inspected?.workspaceValue : inspected?.globalValue) ?? {};
  await config.update('sites', { ...current, [name]: site }, target);
  if (!anonymous && password !== undefined) await secrets.set(name, password, serverIdentity(site));

  if (!given.noOpen) {
    const open = await vscode.window.showInformationMessage(escapeMessage(`FTP site "${name}" added.`), 'Open in This Window', 'Open in New Window');
    if (open) await vscode.commands.executeCommand('ftpWorkspace.openSite', name, open === 'Open in New Window' ? 'newWindow' : 'window');
  }
  return name;
}
