/**
 * The connection doctor's report as HTML for a webview: one row per step (what was sent, the reply,
 * the time, the verdict), then what the doctor found to change, with buttons. No script runs in it:
 * the buttons are command links, and every text from the server is escaped. What may be applied is
 * decided here, from what the doctor found and the site's settings: only settings it would change
 * (never a default written out), FTPS when the server offers it to a plain-FTP site; after a
 * connect or login failure, Edit Site and Set Password instead of an Apply that fixes nothing.
 */
import type { DoctorReport, DoctorStep, RecommendedSettings, TransferMode } from '../ftp';
import { escapeHtml as esc, escapeMarkdown, markdownCell, markdownCodeCell, markdownFence, showInvisible } from './escape';

const ICON: Record<DoctorStep['status'], string> = { ok: '✔', warning: '⚠', failed: '✖', skipped: '–' };

/**
 * The only commands the report's links may run (the webview's enableCommandUris allows just these):
 * the doctor's own, and the site's settings and password questions (links pass only the site's name).
 */
export const DOCTOR_COMMANDS = ['ftpWorkspace.applyRecommendation', 'ftpWorkspace.diagnose', 'ftpWorkspace.copyDiagnosis', 'ftpWorkspace.editSiteSettings', 'ftpWorkspace.setPassword'] as const;
const commandLink = (command: typeof DOCTOR_COMMANDS[number], args: unknown[]) => `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;

/** Something the report offers to write into the site's settings. */
export interface Offer {
  id: 'mode' | 'ftps';
  /** The keys to write, as in `ftpWorkspace.sites.<name>` (merged into the site's own). */
  settings: Record<string, unknown>;
}

export interface ReportState {
  site: string;
  target: string;
  steps: DoctorStep[];
  report?: DoctorReport;
  error?: string;
  applied?: string;
  /** An offer that was tried and not written (explicit FTPS that did not work), and why. */
  notApplied?: string;
  /** What Apply may write (see `offersFor`). */
  offers?: Offer[];
  /** A site Add Site is testing, not saved yet: nothing to apply or edit. */
  unsaved?: boolean;
}

/** The site's settings as far as the doctor's offers care. */
export interface SiteModeSettings {
  transferMode?: TransferMode;
  secure?: string;
  passive?: Record<string, unknown>;
  active?: Record<string, unknown>;
}

/** The defaults the engine uses for a key the site doesn't set: never written out. */
const DEFAULTS: Record<'passive' | 'active', Record<string, unknown>> = { passive: { epsvFirst: true, trustPasvAddress: false }, active: { eprtFirst: true } };

/**
 * The keys of the recommendation that would change what the site does now (its own value, else the
 * default): a key the site doesn't set and whose recommended value is the default is left out, and
 * so is the transfer mode when it is already in force. Empty: nothing to apply.
 */
export function modeChanges(rec: RecommendedSettings, site: SiteModeSettings, defaultMode: TransferMode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (rec.transferMode !== (site.transferMode ?? defaultMode)) out.transferMode = rec.transferMode;
  for (const group of ['passive', 'active'] as const) {
    const recommended = rec[group] as Record<string, unknown> | undefined;
    if (!recommended) continue;
    const current = site[group] ?? {};
    const diff: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(recommended)) {
      if (v === undefined) continue;
      if (JSON.stringify(v) !== JSON.stringify(current[k] ?? DEFAULTS[group][k])) diff[k] = v;
    }
    if (Object.keys(diff).length) out[group] = diff;
  }
  return out;
}

/**
 * Whether the server said in its FEAT answer that it does explicit FTPS (AUTH TLS, or the older AUTH
 * SSL), and did not refuse AUTH TLS when the doctor tried it (doctor.ts authTlsAnswer).
 */
export function offersFtps(report: DoctorReport): boolean {
  const feat = report.steps.find((s) => s.id === 'feat');
  return !!feat && feat.status !== 'skipped' && feat.authTls !== 'refused' && /^\s*AUTH\b.*\b(TLS|SSL)\b/im.test(feat.reply);
}

/** What Apply may write for this report and site: the changed mode settings, and FTPS when offered to a plain-FTP site. */
export function offersFor(report: DoctorReport, site: SiteModeSettings, defaultMode: TransferMode): Offer[] {
  const offers: Offer[] = [];
  const changes = modeChanges(report.recommendation.settings, site, defaultMode);
  if (Object.keys(changes).length) offers.push({ id: 'mode', settings: changes });
  if ((site.secure ?? 'off') === 'off' && offersFtps(report)) offers.push({ id: 'ftps', settings: { secure: 'explicit' } });
  return offers;
}

/** The step that stopped the doctor before any listing: settings or the password are what to fix. */
export function blockingStep(report: DoctorReport): DoctorStep | undefined {
  return report.steps.find((s) => s.status === 'failed' && (s.id === 'resolve' || s.id === 'connect' || s.id === 'tls' || s.id === 'login'));
}

export function renderReport(s: ReportState, cspSource: string): string {
  const rows = s.steps.map((step) => `
    <tr class="${step.status}">
      <td class="status" title="${step.status}">${ICON[step.status]}</td>
      <td class="title">${esc(step.title)}</td>
      <td><pre>${esc(step.sent.join('\n'))}</pre></td>
      <td><pre>${esc(step.reply)}</pre></td>
      <td class="ms">${step.status === 'skipped' ? '' : `${step.ms} ms`}</td>
      <td class="verdict">${esc(step.verdict)}</td>
    </tr>`).join('');
  const r = s.report;
  const cert = r?.certificate ? `<p class="cert">Certificate: ${esc(r.certificate.subject)}, issued by ${esc(r.certificate.issuer)}, valid ${esc(r.certificate.validFrom)} to ${esc(r.certificate.validTo)}<br>SHA-256 ${esc(r.certificate.fingerprint256)}</p>` : '';
  const settingsBlock = (settings: Record<string, unknown>) =>
    `<pre class="settings">"ftpWorkspace.sites": { "${esc(s.site)}": ${esc(JSON.stringify(settings, null, 2).replace(/\n/g, '\n  '))} }</pre>`;
  const button = (href: string, text: string, secondary = false) => `<a class="button${secondary ? ' secondary' : ''}" href="${href}">${esc(text)}</a>`;
  const blocked = r && blockingStep(r);
  const mode = s.offers?.find((o) => o.id === 'mode');
  const ftps = s.offers?.find((o) => o.id === 'ftps');
  const applied = s.applied ? `<p class="applied">✔ ${esc(s.applied)}</p>` : '';
  let actions = '';
  if (r && !s.unsaved) {
    if (mode && !s.applied) actions += `${settingsBlock(mode.settings)}${button(commandLink('ftpWorkspace.applyRecommendation', [s.site, mode.settings]), `Apply to the settings of ${s.site}`)}`;
    else if (!mode && !blocked && !s.applied) actions += '<p class="match">The site\'s transfer settings already do this: nothing to change.</p>';
    if (blocked) {
      // Nothing about transfer modes can fix a server that can't be reached or won't log in.
      if (blocked.id === 'login') actions += button(commandLink('ftpWorkspace.setPassword', [s.site]), 'Set Password...');
      actions += button(commandLink('ftpWorkspace.editSiteSettings', [s.site]), 'Edit Site', blocked.id === 'login');
    }
    // Where the Switch to FTPS button was: why it is gone.
    if (s.notApplied) actions += `<h2>Security</h2><p class="failed">✘ ${esc(s.notApplied)}</p>`;
    if (ftps) {
      actions += `<h2>Security</h2><p class="summary">This server offers FTPS (AUTH TLS in its FEAT answer), but the site uses plain FTP: the password and the files cross the network readable by anyone on the way. Switch the site to explicit FTPS.</p>`;
      actions += button(commandLink('ftpWorkspace.applyRecommendation', [s.site, ftps.settings]), 'Switch to FTPS (explicit)');
    }
  }
  const recommendation = r ? `
    <h2>Recommendation</h2>
    <p class="summary">${esc(r.recommendation.summary)}</p>
    ${applied}
    ${actions}
    <p class="more">${s.unsaved ? '' : `${button(commandLink('ftpWorkspace.diagnose', [s.site]), 'Run again', true)} `}${button(commandLink('ftpWorkspace.copyDiagnosis', [s.site]), 'Copy as Markdown', true)}</p>`
    : s.error ? `<p class="failed">${esc(s.error)}</p>` : '<p class="running">Running…</p>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline';">
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 16px; }
  h1 { font-size: 1.3em; font-weight: 600; } h2 { font-size: 1.1em; margin-top: 1.5em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
  th { font-weight: 600; }
  pre { margin: 0; font-family: var(--vscode-editor-font-family); font-size: 0.9em; white-space: pre-wrap; overflow-wrap: break-word; }
  .status { font-size: 1.1em; width: 1.5em; } .ms { white-space: nowrap; } .title { white-space: nowrap; font-weight: 600; }
  tr.ok .status { color: var(--vscode-testing-iconPassed, #388a34); }
  tr.warning .status { color: var(--vscode-editorWarning-foreground, #bf8803); }
  tr.failed .status, p.failed { color: var(--vscode-errorForeground, #e51400); }
  tr.skipped { opacity: 0.6; }
  .verdict { max-width: 36em; }
  .summary { font-size: 1.05em; }
  .settings { background: var(--vscode-textCodeBlock-background); padding: 8px; }
  .button { display: inline-block; margin: 8px 8px 0 0; padding: 4px 12px; text-decoration: none; color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
  .button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  .applied { color: var(--vscode-testing-iconPassed, #388a34); }
  td { overflow-wrap: break-word; }
</style></head>
<body>
  <h1>Connection doctor: ${esc(s.site)}</h1>
  <p>${esc(s.target)}${r ? ` · ${esc(new Date(r.startedAt).toLocaleString())} · ${r.ms} ms` : ''}</p>
  <table>
    <thead><tr><th></th><th>Step</th><th>Sent</th><th>Reply</th><th>Time</th><th>What it means</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>
  ${cert}
  ${recommendation}
</body></html>`;
}

/**
 * The same report as plain text, for the Output log (read there as text: no Markdown escapes, no
 * table). Each step on a line of its own, then what it sent and what came back, indented; a
 * server's line breaks and control characters are shown, so none starts a line that reads as ours.
 */
export function reportText(s: ReportState): string {
  // A server's line breaks inside a verdict (a multi-line greeting it quotes) are shown, not made.
  const flat = (text: string) => showInvisible(text.replace(/\r?\n/g, ' / ')).replace(/\r/g, '<U+000D>');
  const indented = (mark: string, text: string) => text.split(/\r?\n/).filter((l) => l !== '').map((l) => `    ${mark} ${flat(l)}`);
  const lines = [`Connection doctor: ${flat(s.site)} (${flat(s.target)})`];
  for (const step of s.steps) {
    lines.push(`  ${ICON[step.status]} ${flat(step.title)}${step.status === 'skipped' ? '' : ` (${step.ms} ms)`}: ${flat(step.verdict)}`);
    for (const sent of step.sent) lines.push(...indented('>', sent));
    lines.push(...indented('<', step.reply));
  }
  if (s.report) {
    lines.push(`Recommendation: ${flat(s.report.recommendation.summary)}`);
    for (const offer of s.offers ?? []) lines.push(`${offer.id === 'ftps' ? 'The server offers FTPS; for the site' : 'To change in the site\'s settings'}: ${JSON.stringify(offer.settings)}`);
  } else if (s.error) lines.push(flat(s.error));
  return lines.join('\n');
}

/**
 * The same report as Markdown, to paste into a support request (no password: the engine masks it).
 * Everything that came from the server or the settings is escaped: it reads as text wherever the
 * Markdown is rendered (no link, image, HTML or broken table).
 */
export function reportMarkdown(s: ReportState): string {
  const lines = [`# Connection doctor: ${escapeMarkdown(s.site)}`, '', escapeMarkdown(s.target), '', '| | Step | Sent | Reply | Time | What it means |', '|---|---|---|---|---|---|'];
  for (const step of s.steps) lines.push(`| ${ICON[step.status]} | ${markdownCell(step.title)} | ${markdownCodeCell(step.sent.join('\n'))} | ${markdownCodeCell(step.reply)} | ${step.ms} ms | ${markdownCell(step.verdict)} |`);
  if (s.report) {
    lines.push('', `**Recommendation:** ${escapeMarkdown(s.report.recommendation.summary)}`);
    for (const offer of s.offers ?? []) lines.push('', offer.id === 'ftps' ? 'The server offers FTPS; for the site:' : 'To change in the site\'s settings:', '', markdownFence(JSON.stringify(offer.settings, null, 2), 'json'));
  }
  else if (s.error) lines.push('', escapeMarkdown(s.error));
  return lines.join('\n');
}
