/**
 * FTP: Diagnose Connection...: runs the engine's connection doctor for a site with the site's own
 * settings and shows the report as it fills in, ending with the recommended settings and a button
 * that writes them where the site is defined. The report's webview may run only the doctor's own
 * commands, and Apply writes only what the doctor recommended for that site.
 */
import * as vscode from 'vscode';
import { DoctorReport, RecommendedSettings, diagnose } from '../ftp';
import type { Connections } from '../fs/connections';
import { SiteArg, pickSite } from '../sites/commands';
import { SiteConfig, allSites, updateSite } from '../sites/config';
import { DOCTOR_COMMANDS, ReportState, renderReport, reportMarkdown } from './doctor-report';
import { escapeMessage } from './escape';

export class Doctor implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; state: ReportState }>();

  constructor(private readonly connections: Connections, private readonly log: vscode.LogOutputChannel) {}

  commands(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('ftpWorkspace.diagnose', (arg?: SiteArg, opts?: { apply?: boolean }) => this.diagnose(arg, opts)),
      // The report's Apply button. Whoever calls it (a link elsewhere, another extension), it writes
      // only the recommendation the doctor holds for that site; other settings are refused.
      vscode.commands.registerCommand('ftpWorkspace.applyRecommendation', (site: string, settings?: RecommendedSettings) => this.applyHeld(site, settings)),
      vscode.commands.registerCommand('ftpWorkspace.copyDiagnosis', async (site: string) => {
        const entry = this.panels.get(site);
        if (entry) await vscode.env.clipboard.writeText(reportMarkdown(entry.state));
      }),
    ];
  }

  /** Runs the doctor; with `{ apply: true }` the recommendation is written without asking (automation, tests). */
  async diagnose(arg?: SiteArg, opts: { apply?: boolean } = {}): Promise<DoctorReport | undefined> {
    const site = await pickSite('Diagnose the connection to which FTP site?', arg);
    if (!site) return undefined;
    const config = allSites()[site];
    if (!config) throw new Error(escapeMessage(`No FTP site named "${site}" is configured.`));
    const options = await this.connections.connectOptions(site, config);
    const target = `${options.secure === 'off' ? 'ftp' : `ftps (${options.secure})`}://${options.user ? `${options.user}@` : ''}${options.server} · transfer mode ${options.transferMode}`;
    const state: ReportState = { site, target, steps: [] };
    const panel = this.panelFor(site, state);
    const render = () => (panel.webview.html = renderReport(state, panel.webview.cspSource));
    render();
    try {
      state.report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: escapeMessage(`Diagnosing ${site}`), cancellable: true }, (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return diagnose(options, {
          signal: controller.signal,
          onStep: (step) => {
            state.steps.push(step);
            progress.report({ message: escapeMessage(step.title) });
            render();
          },
        });
      });
      state.steps = state.report.steps;
      this.log.info(`[${site}] connection doctor:\n${reportMarkdown(state)}`);
      if (opts.apply) await this.apply(site, state.report.recommendation.settings);
    } catch (e) {
      state.error = `The doctor stopped: ${(e as Error).message}`;
    }
    render();
    return state.report;
  }

  private panelFor(site: string, state: ReportState): vscode.WebviewPanel {
    const existing = this.panels.get(site);
    if (existing) {
      existing.state = state;
      existing.panel.reveal();
      return existing.panel;
    }
    // No scripts; command links only to the doctor's own commands (Apply, Run again, Copy as Markdown).
    const panel = vscode.window.createWebviewPanel('ftpWorkspace.doctor', `Diagnose ${site}`, vscode.ViewColumn.Active,
      { enableCommandUris: [...DOCTOR_COMMANDS], enableScripts: false, enableForms: false, localResourceRoots: [] });
    this.panels.set(site, { panel, state });
    panel.onDidDispose(() => this.panels.delete(site));
    return panel;
  }

  /** Apply from the report: the recommendation of the report open for this site, and nothing else. */
  private async applyHeld(site: string, settings?: RecommendedSettings): Promise<void> {
    const held = this.panels.get(site)?.state.report?.recommendation.settings;
    if (!held) throw new Error(escapeMessage(`There is no connection doctor report for FTP site "${site}" to apply: run FTP: Diagnose Connection... first.`));
    if (settings !== undefined && JSON.stringify(settings) !== JSON.stringify(held)) {
      throw new Error(escapeMessage(`Only the doctor's own recommendation for FTP site "${site}" can be applied; these settings differ from it, so nothing was written.`));
    }
    await this.apply(site, held);
  }

  /** Writes the recommended settings where the site is defined, and reconnects with them. */
  async apply(site: string, settings: RecommendedSettings): Promise<void> {
    await updateSite(site, settings as Partial<SiteConfig>);
    await this.connections.close(site);
    const entry = this.panels.get(site);
    if (entry) {
      entry.state.applied = `Applied: transfer mode ${settings.transferMode} for ${site}.`;
      entry.panel.webview.html = renderReport(entry.state, entry.panel.webview.cspSource);
    }
    void vscode.window.showInformationMessage(escapeMessage(`FTP site "${site}" now uses ${settings.transferMode} mode, as the doctor recommends.`));
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
  }
}
