/**
 * FTP: Diagnose Connection...: runs the engine's connection doctor for a site with the site's own
 * settings and shows the report as it fills in, ending with the recommended settings and a button
 * that writes them where the site is defined.
 */
import * as vscode from 'vscode';
import { DoctorReport, RecommendedSettings, diagnose } from '../ftp';
import type { Connections } from '../fs/connections';
import { SiteArg, pickSite } from '../sites/commands';
import { SiteConfig, allSites, updateSite } from '../sites/config';
import { ReportState, renderReport, reportMarkdown } from './doctor-report';

export class Doctor implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; state: ReportState }>();

  constructor(private readonly connections: Connections, private readonly log: vscode.LogOutputChannel) {}

  commands(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('ftpWorkspace.diagnose', (arg?: SiteArg, opts?: { apply?: boolean }) => this.diagnose(arg, opts)),
      vscode.commands.registerCommand('ftpWorkspace.applyRecommendation', (site: string, settings: RecommendedSettings) => this.apply(site, settings)),
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
    if (!config) throw new Error(`No FTP site named "${site}" is configured.`);
    const options = await this.connections.connectOptions(site, config);
    const target = `${options.secure === 'off' ? 'ftp' : `ftps (${options.secure})`}://${options.user ? `${options.user}@` : ''}${options.server} · transfer mode ${options.transferMode}`;
    const state: ReportState = { site, target, steps: [] };
    const panel = this.panelFor(site, state);
    const render = () => (panel.webview.html = renderReport(state, panel.webview.cspSource));
    render();
    try {
      state.report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Diagnosing ${site}`, cancellable: true }, (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return diagnose(options, {
          signal: controller.signal,
          onStep: (step) => {
            state.steps.push(step);
            progress.report({ message: step.title });
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
    const panel = vscode.window.createWebviewPanel('ftpWorkspace.doctor', `Diagnose ${site}`, vscode.ViewColumn.Active, { enableCommandUris: true, enableScripts: false });
    this.panels.set(site, { panel, state });
    panel.onDidDispose(() => this.panels.delete(site));
    return panel;
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
    void vscode.window.showInformationMessage(`FTP site "${site}" now uses ${settings.transferMode} mode, as the doctor recommends.`);
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
  }
}
