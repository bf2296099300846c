/**
 * What the user is told when transfer modes fail. Auto mode: a one-time notice per site when it
 * found that one mode fails and the other works, offering to make that the site's setting. A fixed
 * mode never switches by itself: its failure names the mode and offers the other one.
 */
import * as vscode from 'vscode';
import type { FallbackEvent, FtpError, MethodAttempt } from '../ftp';
import { modeOfMethod } from '../ftp/data/methods';
import { updateSite } from '../sites/config';
import type { SiteConnection } from '../fs/connections';
import { escapeMessage } from './escape';

const DISMISSED_KEY = 'ftpWorkspace.fallbackNoticeDismissed';

export class ModeNotices {
  private readonly shownThisSession = new Set<string>();
  private readonly lastOffer = new Map<string, number>();

  constructor(private readonly state: vscode.Memento) {}

  /** "Passive mode failed on <site> (425 ...); active mode works." once per site and outcome. */
  async fallback(site: string, event: FallbackEvent): Promise<void> {
    const works = modeOfMethod(event.method);
    const failedAttempts = event.failed.filter((f) => modeOfMethod(f.method) !== works);
    if (!failedAttempts.length) return; // only EPSV -> PASV within one mode: nothing to tell
    const key = `${site}|${works}`;
    const dismissed = this.state.get<string[]>(DISMISSED_KEY) ?? [];
    if (this.shownThisSession.has(key) || dismissed.includes(key)) return;
    this.shownThisSession.add(key);
    const failed = modeOfMethod(failedAttempts[0].method);
    const why = reason(failedAttempts[failedAttempts.length - 1]);
    const always = `Always use ${works} for ${site}`;
    // The reason quotes the server's reply: escaped, so it can't carry a link.
    const answer = await vscode.window.showInformationMessage(
      escapeMessage(`${capitalize(failed)} mode failed on ${site} (${why}); ${works} mode works.`), always, 'Keep automatic');
    if (answer === always) await updateSite(site, { transferMode: works });
    else if (answer === 'Keep automatic') await this.state.update(DISMISSED_KEY, [...dismissed, key]);
  }

  /** A data-connection failure in a fixed mode: name the mode, offer the other one and the doctor. */
  async fixedModeFailed(site: SiteConnection, error: FtpError): Promise<void> {
    if (error.kind !== 'dataConnection' || site.mode === 'auto') return;
    // VS Code retries reads on its own; one offer per site a minute is enough.
    const now = Date.now();
    if (now - (this.lastOffer.get(site.name) ?? 0) < 60_000) return;
    this.lastOffer.set(site.name, now);
    const other = site.mode === 'passive' ? 'active' : 'passive';
    const use = `Use ${other} mode for ${site.name}`;
    const diagnose = 'Diagnose Connection...';
    const answer = await vscode.window.showErrorMessage(escapeMessage(error.message), use, diagnose);
    if (answer === use) await updateSite(site.name, { transferMode: other });
    else if (answer === diagnose) await vscode.commands.executeCommand('ftpWorkspace.diagnose', site.name);
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Why an attempt failed, short enough for a notice: the server's reply, or what the engine saw. */
export function reason(f: MethodAttempt): string {
  const reply = f.code ? new RegExp(`\\b${f.code}[ -](.*?)\\.?$`).exec(f.message ?? '') : null;
  if (reply) return `${f.code} ${reply[1]}`;
  switch (f.failure) {
    case 'acceptTimeout': return `${f.method.toUpperCase()}: the server could not connect back to this computer`;
    case 'foreignPeer': return `${f.method.toUpperCase()}: another computer than the server connected back`;
    case 'connectTimeout': return `${f.method.toUpperCase()}: no answer from the server's data port`;
    case 'connectRefused': return `${f.method.toUpperCase()}: the server's data port refused the connection`;
    case 'unroutableAddress': return `${f.method.toUpperCase()}: the server named an address this computer can't reach`;
    case 'refused': return `the server refuses ${f.method.toUpperCase()}`;
    default: return `${f.method.toUpperCase()}: ${(f.message ?? 'failed').replace(/\.$/, '')}`;
  }
}
