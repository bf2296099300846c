/**
 * FTP: Diagnose Connection...: runs the engine's connection doctor for a site with the site's own
 * settings and shows the report as it fills in, ending with what it found to change. Apply appears
 * only when the recommendation changes the site's transfer settings, and writes only the keys that
 * change (no default written out) where the site is defined; a server that offers FTPS to a
 * plain-FTP site gets a Switch to FTPS button; a connect or login failure gets Edit Site (and Set
 * Password) instead, and leaves the site's state alone. From the palette it asks which site.
 * The report's webview may run only the commands of DOCTOR_COMMANDS, and Apply writes only what
 * the report offers for that site.
 */
import * as vscode from 'vscode';
import type { FtpClient } from '../ftp';
import { isFtpError } from '../ftp/errors';
import { isEngineLoadError, loadEngine } from '../fs/engine';
import type { DoctorReport } from '../ftp';
import type { Connections } from '../fs/connections';
import { SiteArg, pickSite } from '../sites/commands';
import { SiteConfig, allSites, defaultTransferMode, updateSite } from '../sites/config';
import { SiteSecrets, serverIdentity } from '../sites/secrets';
import { DOCTOR_COMMANDS, Offer, ReportState, offersFor, renderReport, reportMarkdown, reportText } from './doctor-report';
import { escapeMessage } from './escape';

export class Doctor implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; state: ReportState }>();
  /** The password each open report's diagnosis ran with (memory only, gone with the report). */
  private readonly passwords = new Map<string, string | undefined>();

  constructor(private readonly connections: Connections, private readonly secrets: SiteSecrets, private readonly log: vscode.LogOutputChannel) {}

  commands(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('ftpWorkspace.diagnose', (arg?: SiteArg, opts?: { apply?: boolean }) => this.diagnose(arg, opts)),
      // The report's buttons. Whoever calls it (a link elsewhere, another extension), it writes only
      // what the report open for that site offers; other settings are refused.
      vscode.commands.registerCommand('ftpWorkspace.applyRecommendation', (site: string, settings?: Record<string, unknown>) => this.applyHeld(site, settings)),
      vscode.commands.registerCommand('ftpWorkspace.copyDiagnosis', async (site: string) => {
        const entry = this.panels.get(site);
        if (entry) await vscode.env.clipboard.writeText(reportMarkdown(entry.state));
      }),
    ];
  }

  /**
   * Runs the doctor (from the palette it asks which site, the active editor's first); with
   * `{ apply: true }` the mode offer, if there is one, is written without asking (automation, tests).
   */
  async diagnose(arg?: SiteArg, opts: { apply?: boolean } = {}): Promise<(DoctorReport & { offers: Offer[] }) | undefined> {
    const site = await pickSite('Diagnose the connection to which FTP site?', arg, { ask: true });
    if (!site) return undefined;
    const config = allSites()[site];
    if (!config) throw new Error(escapeMessage(`No FTP site named "${site}" is configured.`));
    const options = await this.connections.connectOptions(site, config);
    const state = await this.run(site, options, config, false);
    this.passwords.set(site, options.password); // for Switch to FTPS's test: never asked twice
    if (opts.apply) {
      const mode = state.offers?.find((o) => o.id === 'mode');
      if (mode) await this.apply(site, mode);
    }
    return state.report && { ...state.report, offers: state.offers ?? [] };
  }

  /** The doctor on a site Add Site is testing: nothing saved, so nothing to apply. */
  async diagnoseUnsaved(site: string, config: SiteConfig, password: string | undefined, fingerprint256?: string): Promise<DoctorReport | undefined> {
    const options = this.connections.optionsFor(site, config, password, fingerprint256);
    return (await this.run(site, options, config, true)).report;
  }

  private async run(site: string, options: Awaited<ReturnType<Connections['connectOptions']>>, config: SiteConfig, unsaved: boolean): Promise<ReportState> {
    const target = `${options.secure === 'off' ? 'ftp' : 'ftps'}://${options.user ? `${options.user}@` : ''}${options.server}${options.secure === 'off' ? '' : ` · ${options.secure} FTPS`} · transfer mode ${options.transferMode}`;
    const state: ReportState = { site, target, steps: [], unsaved };
    const panel = this.panelFor(site, state);
    const render = () => (panel.webview.html = renderReport(state, panel.webview.cspSource));
    render();
    try {
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: escapeMessage(`Diagnosing ${site}`), cancellable: true }, (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        // The doctor's engine code is a file of its own (scripts/build.mjs), read when first used.
        return import('../ftp/doctor').then(({ diagnose }) => diagnose(options, {
          signal: controller.signal,
          onStep: (step) => {
            state.steps.push(step);
            progress.report({ message: escapeMessage(step.title) });
            render();
          },
        }));
      });
      state.report = report;
      state.steps = report.steps;
      state.offers = offersFor(report, config, defaultTransferMode());
      this.log.info(`[${site}] ${reportText(state)}`);
    } catch (e) {
      state.error = `The doctor stopped: ${(e as Error).message}`;
    }
    render();
    return state;
  }

  private panelFor(site: string, state: ReportState): vscode.WebviewPanel {
    const existing = this.panels.get(site);
    if (existing) {
      existing.state = state;
      existing.panel.reveal();
      return existing.panel;
    }
    // No scripts; command links only to the commands the report may run (Apply, Run again, Copy, Edit Site, Set Password).
    const panel = vscode.window.createWebviewPanel('ftpWorkspace.doctor', `Diagnose ${site}`, vscode.ViewColumn.Active,
      { enableCommandUris: [...DOCTOR_COMMANDS], enableScripts: false, enableForms: false, localResourceRoots: [] });
    this.panels.set(site, { panel, state });
    panel.onDidDispose(() => {
      this.panels.delete(site);
      this.passwords.delete(site);
    });
    return panel;
  }

  /** A button of the report: one of the offers of the report open for this site, and nothing else. */
  private async applyHeld(site: string, settings?: Record<string, unknown>): Promise<void> {
    const state = this.panels.get(site)?.state;
    const offers = state?.unsaved ? [] : state?.offers ?? [];
    if (!state?.report) throw new Error(escapeMessage(`There is no connection doctor report for FTP site "${site}" to apply: run FTP: Diagnose Connection... first.`));
    const offer = settings === undefined ? offers.find((o) => o.id === 'mode') : offers.find((o) => JSON.stringify(o.settings) === JSON.stringify(settings));
    if (!offer) {
      throw new Error(escapeMessage(offers.length
        ? `Only the doctor's own recommendation for FTP site "${site}" (what its report offers) can be applied; these settings differ from it, so nothing was written.`
        : `The doctor's report for FTP site "${site}" has nothing to apply: the site's settings already do what it recommends.`));
    }
    await this.apply(site, offer);
  }

  /**
   * Writes an offer where the site is defined. The settings change closes the site's connections
   * by itself (Connections); a site switched to FTPS keeps its password, now bound to the FTPS server.
   */
  async apply(site: string, offer: Offer): Promise<void> {
    const before = allSites()[site];
    if (offer.id === 'ftps' && before) {
      // FEAT naming AUTH TLS is a claim (ftp-srv lists it and answers 502 without a certificate):
      // the switch is written only once an FTPS login has worked, else the site would stop working.
      const trial = await this.tryFtps(site, before);
      if (trial.unclear) {
        // A per-IP limit (421, or proftpd's 530 while the site's own connections are in) says nothing of FTPS.
        void vscode.window.showWarningMessage(escapeMessage(`Could not try explicit FTPS on FTP site "${site}" now (${trial.unclear}); nothing was changed. Try Switch to FTPS again in a moment.`));
        return;
      }
      const refusal = trial.refusal;
      if (refusal) {
        const entry = this.panels.get(site);
        if (entry) {
          entry.state.notApplied = `Not switched: explicit FTPS did not work on this server (${refusal}). The site stays on plain FTP.`;
          entry.state.offers = entry.state.offers?.filter((o) => o !== offer);
          entry.panel.webview.html = renderReport(entry.state, entry.panel.webview.cspSource);
        }
        void vscode.window.showWarningMessage(escapeMessage(`FTP site "${site}" stays on plain FTP: its server lists FTPS but explicit FTPS did not work (${refusal}).`));
        return;
      }
      const stored = await this.secrets.lookup(site, serverIdentity(before));
      if (stored.kind === 'bound') await this.secrets.set(site, stored.password, serverIdentity({ ...before, secure: 'explicit' }));
    }
    await updateSite(site, offer.settings as Partial<SiteConfig>);
    const what = offer.id === 'ftps' ? 'explicit FTPS' : describeChanges(offer.settings);
    const entry = this.panels.get(site);
    if (entry) {
      entry.state.applied = `Applied: ${what} for ${site}.`;
      entry.state.offers = entry.state.offers?.filter((o) => o !== offer);
      entry.panel.webview.html = renderReport(entry.state, entry.panel.webview.cspSource);
    }
    void vscode.window.showInformationMessage(escapeMessage(`FTP site "${site}" now uses ${what}, as the doctor recommends.`));
  }

  /**
   * An FTPS login on a connection of its own, with the password the diagnosis ran with (nothing is
   * asked). A certificate not trusted yet is pinned for this one test (the site's own connection
   * asks the trust question later, as for any FTPS site). `refusal`: why FTPS does not work;
   * `unclear`: the server refused another connection, so it could not be told.
   */
  private async tryFtps(site: string, config: SiteConfig): Promise<{ refusal?: string; unclear?: string }> {
    // Only a report of a saved site's diagnosis offers the switch, and its diagnosis stored the password.
    const password = this.passwords.get(site);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: escapeMessage(`Trying explicit FTPS on ${site}`) }, async () => {
      let pinned: string | undefined;
      for (;;) {
        let client: FtpClient | undefined;
        try {
          client = await (await loadEngine()).FtpClient.connect(this.connections.optionsFor(site, { ...config, secure: 'explicit' }, password, pinned));
          return {};
        } catch (e) {
          if (isFtpError(e, 'tls') && e.certificate && pinned === undefined) {
            pinned = e.certificate.fingerprint256;
            continue;
          }
          // The engine's messages end in a full stop; the callers quote them inside parentheses.
          const message = (e as Error).message.replace(/\.$/, '');
          // Not the server's answer: the engine itself could not be loaded (nothing was tried).
          return (isFtpError(e) && (e.code === 421 || e.kind === 'loginRefused')) || isEngineLoadError(e) ? { unclear: message } : { refusal: message };
        } finally {
          await client?.close();
        }
      }
    });
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
  }
}

/** "passive mode (PASV before EPSV)" and the like, for the confirmation. */
function describeChanges(settings: Record<string, unknown>): string {
  const parts: string[] = [];
  if (settings.transferMode) parts.push(`${String(settings.transferMode)} mode`);
  for (const group of ['passive', 'active'] as const) {
    const g = settings[group] as Record<string, unknown> | undefined;
    if (g) parts.push(`${group} settings ${Object.entries(g).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}`);
  }
  return parts.join(', ') || 'the recommended settings';
}
