/**
 * The connection doctor's report as HTML for a webview: one row per step (what was sent, the reply,
 * the time, the verdict), then the recommended settings with buttons. No script runs in it: the
 * buttons are command links, and every text from the server is escaped.
 */
import type { DoctorReport, DoctorStep } from '../ftp';
import { escapeHtml as esc, escapeMarkdown, markdownCell, markdownCodeCell, markdownFence } from './escape';

const ICON: Record<DoctorStep['status'], string> = { ok: '✔', warning: '⚠', failed: '✖', skipped: '–' };

/** The only commands the report's links may run (the webview's enableCommandUris allows just these). */
export const DOCTOR_COMMANDS = ['ftpWorkspace.applyRecommendation', 'ftpWorkspace.diagnose', 'ftpWorkspace.copyDiagnosis'] as const;
const commandLink = (command: typeof DOCTOR_COMMANDS[number], args: unknown[]) => `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;

export interface ReportState {
  site: string;
  target: string;
  steps: DoctorStep[];
  report?: DoctorReport;
  error?: string;
  applied?: string;
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
  const recommendation = r ? `
    <h2>Recommendation</h2>
    <p class="summary">${esc(r.recommendation.summary)}</p>
    <pre class="settings">"ftpWorkspace.sites": { "${esc(s.site)}": ${esc(JSON.stringify(r.recommendation.settings, null, 2).replace(/\n/g, '\n  '))} }</pre>
    ${s.applied ? `<p class="applied">✔ ${esc(s.applied)}</p>` : `<a class="button" href="${commandLink('ftpWorkspace.applyRecommendation', [s.site, r.recommendation.settings])}">Apply to the settings of ${esc(s.site)}</a>`}
    <a class="button secondary" href="${commandLink('ftpWorkspace.diagnose', [s.site])}">Run again</a>
    <a class="button secondary" href="${commandLink('ftpWorkspace.copyDiagnosis', [s.site])}">Copy as Markdown</a>` : s.error ? `<p class="failed">${esc(s.error)}</p>` : '<p class="running">Running…</p>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline';">
<style>
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 16px; }
  h1 { font-size: 1.3em; font-weight: 600; } h2 { font-size: 1.1em; margin-top: 1.5em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
  th { font-weight: 600; }
  pre { margin: 0; font-family: var(--vscode-editor-font-family); font-size: 0.9em; white-space: pre-wrap; word-break: break-all; }
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
 * The same report as Markdown, to paste into a support request (no password: the engine masks it).
 * Everything that came from the server or the settings is escaped: it reads as text wherever the
 * Markdown is rendered (no link, image, HTML or broken table).
 */
export function reportMarkdown(s: ReportState): string {
  const lines = [`# Connection doctor: ${escapeMarkdown(s.site)}`, '', escapeMarkdown(s.target), '', '| | Step | Sent | Reply | Time | What it means |', '|---|---|---|---|---|---|'];
  for (const step of s.steps) lines.push(`| ${ICON[step.status]} | ${markdownCell(step.title)} | ${markdownCodeCell(step.sent.join('\n'))} | ${markdownCodeCell(step.reply)} | ${step.ms} ms | ${markdownCell(step.verdict)} |`);
  if (s.report) lines.push('', `**Recommendation:** ${escapeMarkdown(s.report.recommendation.summary)}`, '', markdownFence(JSON.stringify(s.report.recommendation.settings, null, 2), 'json'));
  else if (s.error) lines.push('', escapeMarkdown(s.error));
  return lines.join('\n');
}
