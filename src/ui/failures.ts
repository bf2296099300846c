/**
 * Connection failures, told: one notification per failure episode and site (Connections decides
 * when an episode starts and ends), with the server's words escaped and the actions that fit:
 * Enter Password, Edit Site, Diagnose, Retry, Show Log. A login refused for a site with a user asks
 * for the password once, at once (bound to the site's server, as every stored password is); if the
 * server refuses the typed one too, the notification says so and nothing asks again until the user acts.
 */
import * as vscode from 'vscode';
import { Connections, SiteFailure, anonymous } from '../fs/connections';
import { describeServer, serverIdentity } from '../sites/secrets';
import { escapeMessage } from './escape';

/** The notification's buttons. */
export const FAILURE_ACTIONS = {
  password: 'Enter Password...',
  edit: 'Edit Site',
  diagnose: 'Diagnose',
  retry: 'Retry',
  log: 'Show Log',
} as const;

export class FailureNotices implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(private readonly connections: Connections, private readonly log: vscode.LogOutputChannel) {
    this.subscription = connections.onDidFail((f) => void this.failed(f).catch((e: unknown) => this.log.error(`[${f.site}] ${(e as Error).message}`)));
  }

  /** A refused login asks for the password first (once); everything else, and a dismissed question, is a notification. */
  async failed(f: SiteFailure): Promise<void> {
    if (f.askPassword && (await this.askPassword(f, true))) return;
    await this.notify(f);
  }

  /** The notification: what happened in the server's words, and what can be done about it. */
  async notify(f: SiteFailure): Promise<void> {
    const loginRefused = f.error.kind === 'loginRefused';
    const canType = loginRefused && !anonymous(f.config);
    const actions: string[] = [canType ? FAILURE_ACTIONS.password : FAILURE_ACTIONS.retry];
    if (f.configured) actions.push(FAILURE_ACTIONS.edit, FAILURE_ACTIONS.diagnose);
    actions.push(FAILURE_ACTIONS.log);
    const answer = await vscode.window.showErrorMessage(escapeMessage(failureMessage(f)), ...actions);
    switch (answer) {
      case FAILURE_ACTIONS.password:
        await this.askPassword(f, false);
        break;
      case FAILURE_ACTIONS.edit:
        await vscode.commands.executeCommand('ftpWorkspace.editSiteSettings', f.site);
        break;
      case FAILURE_ACTIONS.diagnose:
        await vscode.commands.executeCommand('ftpWorkspace.diagnose', f.site);
        break;
      case FAILURE_ACTIONS.retry:
        await this.connections.retry(f.site);
        break;
      case FAILURE_ACTIONS.log:
        this.log.show();
        break;
    }
  }

  /**
   * Asks for the password of the site's server; a typed one is kept in secret storage and the site
   * is tried again (its folders reload). `afterRefusal`: asked by itself, right after the server
   * refused the saved one. True when a password was given.
   */
  private async askPassword(f: SiteFailure, afterRefusal: boolean): Promise<boolean> {
    const server = describeServer(serverIdentity(f.config));
    const said = (f.error.code ? `${f.error.code} ${(f.error.replyText ?? '').trim()}`.trim() : f.error.message).replace(/\.$/, '');
    const password = await vscode.window.showInputBox({
      // The prompt renders links like a notification does: the server's words stay words.
      title: escapeMessage(afterRefusal ? `FTP site "${f.site}": the server refused the password` : `FTP site "${f.site}": password`),
      prompt: escapeMessage(`${afterRefusal ? `The server said: ${said}. ` : ''}Password for ${server} (kept in VS Code's secret storage)`),
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return false;
    await this.connections.passwordEntered(f.site, f.config, password);
    return true;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/** The notification's text (not yet escaped). */
export function failureMessage(f: SiteFailure): string {
  const what = `FTP site "${f.site}"`;
  if (f.refusedAgain) {
    const said = f.error.code ? ` (${f.error.code} ${(f.error.replyText ?? '').trim().replace(/\.$/, '')})`.replace(/ \)$/, ')') : '';
    return `${what}: the server refused the password you entered too${said}. It is not sent again until you enter another one, retry or change the site.`;
  }
  if (f.error.kind === 'loginRefused') return `${what}: ${f.error.message}`;
  if (f.error.kind === 'tls') return `${what}: the secure connection failed. ${f.error.message}`;
  return `${what} can't be reached. ${f.error.message}`;
}
