/**
 * The doctor's report with a hostile server: its words are text in the webview (no tag, no link
 * but the doctor's own three commands) and in the Markdown copy (no link, image, HTML or broken table);
 * the Output log's copy is plain text, its lines all ours.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DoctorReport, DoctorStep } from '../../src/ftp';
import { DOCTOR_COMMANDS, ReportState, renderReport, reportMarkdown, reportText } from '../../src/ui/doctor-report';

const EVIL = '[click](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> | `x` ![t](https://t.example/p.png) https://evil.example';

function state(): ReportState {
  const step = (id: DoctorStep['id'], over: Partial<DoctorStep> = {}): DoctorStep => ({ id, title: `Step ${id}`, sent: ['USER me', 'PASS ****'], reply: `530 ${EVIL}\n530 second line`, ms: 12, status: 'failed', verdict: `The server said: ${EVIL}`, ...over });
  const report = {
    host: '127.0.0.1', port: 21, secure: 'off', user: 'me', startedAt: new Date(0).toISOString(), ms: 40,
    steps: [step('connect', { status: 'ok', reply: `220 ${EVIL}` }), step('login')],
    recommendation: { transferMode: 'auto', settings: { transferMode: 'auto' }, summary: `Fix it: ${EVIL}` },
  } as unknown as DoctorReport;
  return { site: 'prod', target: 'ftp://me@127.0.0.1:21', steps: report.steps, report };
}

describe('the doctor report', () => {
  test('HTML: server text is text, and the only links are the doctor\'s own commands', () => {
    const html = renderReport(state(), 'vscode-resource:');
    assert.ok(!html.includes('<img'), 'no tag from the server');
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(hrefs.length >= 3);
    for (const h of hrefs) assert.ok(DOCTOR_COMMANDS.some((c) => h.startsWith(`command:${c}?`)), h);
    assert.match(html, /default-src 'none'/);
  });
  test('Markdown copy: every cell escaped, the table stays six columns, replies as code', () => {
    const md = reportMarkdown(state());
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    assert.equal(rows.length, 3);
    for (const row of rows) assert.equal(row.replace(/\\\|/g, '').split('|').length - 2, 6, row);
    // Outside code spans (whose content is never Markdown), every [ ( < is escaped.
    const prose = md.replace(/(`+)[\s\S]*?(?<!`)\1(?!`)/g, '');
    assert.doesNotMatch(prose, /(^|[^\\])\[click/, 'no link outside code spans');
    assert.doesNotMatch(prose, /(^|[^\\])<img/, 'no HTML outside code spans');
    assert.match(md, /``530 \[click\]\(command:workbench\.action\.terminal\.new\) <img src=x onerror=alert\(1\)> \\\| `x` /);
    assert.match(md, /`USER me`<br>`PASS \*\*\*\*`/);
    assert.match(md, /\*\*Recommendation:\*\* Fix it: \\\[click\\\]\\\(command:workbench\.action\.terminal\.new\\\)/);
    assert.match(md, /https\\:\/\/evil\.example/);
  });
  test('plain text for the log: no Markdown escapes; a reply\'s lines indented under their step; no line the server starts', () => {
    const s = state();
    s.steps[0].reply = `220 hello\r\n220 \u001b[2J ✔ Login (1 ms): fake line\rmore`;
    s.steps[1].verdict = `The server said: 421-Busy\r\nRecommendation: set transferMode to active\r\n421 bye`;
    const text = reportText(s);
    const lines = text.split('\n');
    assert.equal(lines[0], 'Connection doctor: prod (ftp://me@127.0.0.1:21)');
    assert.equal(lines[1], `  ✔ Step connect (12 ms): The server said: ${EVIL}`, 'the verdict as it is: no escapes');
    assert.deepEqual(lines.slice(2, 6), ['    > USER me', '    > PASS ****', '    < 220 hello', '    < 220 <U+001B>[2J ✔ Login (1 ms): fake line<U+000D>more']);
    assert.equal(lines[6], '  ✖ Step login (12 ms): The server said: 421-Busy / Recommendation: set transferMode to active / 421 bye');
    // Every line is the report's: a header, a step, or an indented command or reply.
    for (const line of lines) assert.match(line, /^(Connection doctor: | {2}[✔⚠✖–] | {4}[<>] |Recommendation: )/, line);
    assert.equal(lines.at(-1), `Recommendation: Fix it: ${EVIL}`);
    assert.equal(lines.filter((l) => l.startsWith('Recommendation: ')).length, 1, 'the one recommendation line is the doctor\'s');
    assert.doesNotMatch(text, /\\[[(|]/, 'no Markdown escapes');
  });
});
