/**
 * What the scenario suites share: sites in the workspace file, the extension's questions answered
 * by swapping a window function for one call (the suite runs in the extension's own host and shares
 * its `vscode` object, as test/vscode/suite/ui.test.ts does), nft rulesets through the harness's
 * rules, the doctor, and screenshots through the launcher.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DoctorReport, DoctorStep, DoctorStepId } from '../../../../src/ftp';
import { runIn } from '../../../scenarios/netns';
import { ScenarioServer, scenarioEnv } from './env';
import { answering, until, workspaceFileSites } from '../../host-helpers';

export { answering, until, workspaceFileSites };

export const env = scenarioEnv();
export const ID = 'ftp-workspace.ftp-workspace';
export const FILE = 'hello.txt';
export const CONTENT = 'hello across namespaces\n';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');
type Api = { siteItems(): Array<{ site: string; state: string; description: string }> };

export function server(key: string): ScenarioServer {
  const s = env.servers[key];
  assert.ok(s, `run.ts started no server "${key}"`);
  return s;
}

/** A site's settings for a server of this run. */
export function siteOn(key: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const s = server(key);
  return { host: s.host, port: s.port, user: s.user, ...extra };
}

/** Writes these sites into the workspace file (replacing the suite's earlier ones) and their passwords into secret storage. */
export async function setSites(sites: Record<string, { site: Record<string, unknown>; server: string }>): Promise<void> {
  await vscode.extensions.getExtension(ID)!.activate();
  await config().update('sites', Object.fromEntries(Object.entries(sites).map(([k, v]) => [k, v.site])), vscode.ConfigurationTarget.Workspace);
  for (const [name, v] of Object.entries(sites)) await vscode.commands.executeCommand('ftpWorkspace.setPassword', name, server(v.server).password);
  await until('the extension host to see the sites', () => Object.keys(sites).every((k) => (config().get<Record<string, unknown>>('sites') ?? {})[k]));
}

export async function clearSites(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('ftpWorkspace.disconnect');
  await config().update('sites', undefined, vscode.ConfigurationTarget.Workspace);
}

/** The extension host's view of a site's settings (it reconnects once it sees a change). */
export function configuredSite(name: string): Record<string, unknown> | undefined {
  return (config().get<Record<string, Record<string, unknown>>>('sites') ?? {})[name];
}

export function siteItem(name: string): { site: string; state: string; description: string } | undefined {
  return vscode.extensions.getExtension<Api>(ID)!.exports.siteItems().find((i) => i.site === name);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const uri = (site: string, p = '') => vscode.Uri.parse(`ftp://${site}/${p}`);

export async function names(site: string): Promise<string[]> {
  return (await vscode.workspace.fs.readDirectory(uri(site))).map(([n]) => n).sort();
}

export async function readText(site: string, p = FILE): Promise<string> {
  return Buffer.from(await vscode.workspace.fs.readFile(uri(site, p))).toString();
}

/** Opens a file of the site in an editor, replaces its text, saves with the editor's save; the file on the server's disk must then hold it. */
export async function saveInEditor(site: string, serverKey: string, text: string, p = FILE): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri(site, p));
  const editor = await vscode.window.showTextDocument(doc);
  await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text));
  assert.equal(await doc.save(), true, `the editor saved ftp://${site}/${p}`);
  assert.equal(doc.isDirty, false);
  assert.equal(fs.readFileSync(path.join(server(serverKey).root, p), 'utf8'), text, 'the server has the saved text');
  assert.deepEqual(fs.readdirSync(server(serverKey).root).filter((n) => n.includes('.ftpws-')), [], 'no temporary file left');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}

/** Puts FILE back as it was (a save test changed it). */
export function resetFile(serverKey: string): void {
  const s = server(serverKey);
  fs.writeFileSync(path.join(s.root, FILE), CONTENT);
  fs.chownSync(path.join(s.root, FILE), s.owner.uid, s.owner.gid);
}

/** Loads an nft ruleset into a namespace of the topology, replacing what was there (as Topology.firewall does). */
export async function firewall(ns: string, ruleset = ''): Promise<void> {
  assert.ok(env.topology.namespaces.includes(ns), `${ns} is not a namespace of ${env.topology.name}`);
  const r = await runIn(ns, 'nft', ['-f', '-'], { input: `flush ruleset\n${ruleset}\n`, timeoutMs: 10_000 });
  assert.equal(r.code, 0, `nft in ${ns}: ${r.stderr}`);
}

/** No filtering in the client and server namespaces (the router's NAT is left alone). */
export async function openFirewalls(): Promise<void> {
  await firewall(env.topology.client.ns);
  await firewall(env.topology.server.ns);
}

/**
 * Starts FTP: Diagnose Connection... for a site without applying anything (so it asks nothing and
 * can run beside other tests); the report opens in a webview tab "Diagnose <site>".
 */
export function startDiagnose(site: string): Promise<DoctorReport | undefined> {
  const run = Promise.resolve(vscode.commands.executeCommand<DoctorReport | undefined>('ftpWorkspace.diagnose', site));
  run.catch(() => undefined); // awaited by the test that checks it; never an unhandled rejection meanwhile
  return run;
}

/** Runs the doctor for a site (with apply: writes its recommendation) and checks that its report tab is open. */
export async function diagnose(site: string, apply = false, started?: Thenable<DoctorReport | undefined>): Promise<DoctorReport> {
  // With apply, the doctor says "now uses ... mode" in a notification: answered (swallowed) here.
  const { result } = await answering('showInformationMessage', () => undefined, () =>
    Promise.resolve(started ?? vscode.commands.executeCommand<DoctorReport | undefined>('ftpWorkspace.diagnose', site, { apply })));
  assert.ok(result, `the doctor returned a report for ${site}`);
  await until(`the report in a webview tab "Diagnose ${site}"`, () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label === `Diagnose ${site}` && t.input instanceof vscode.TabInputWebview), 5000);
  return result;
}

/**
 * What the report's "Apply to the settings of <site>" button runs (it passes its offer's settings:
 * the keys the recommendation changes; none means that same offer); its notification is swallowed.
 */
export async function applyRecommendation(site: string): Promise<string> {
  const { calls } = await answering('showInformationMessage', () => undefined, () =>
    Promise.resolve(vscode.commands.executeCommand('ftpWorkspace.applyRecommendation', site)));
  return String(calls[0]?.[0] ?? '');
}

export function step(report: DoctorReport, id: DoctorStepId): DoctorStep {
  const s = report.steps.find((x) => x.id === id);
  assert.ok(s, `no doctor step ${id} in ${report.steps.map((x) => x.id).join(', ')}`);
  return s;
}

export function brief(report: DoctorReport): string {
  return report.steps.map((s) => `${s.id}: ${s.status} - ${s.verdict}`).join('\n') + `\n=> ${JSON.stringify(report.recommendation)}`;
}

export function assertConnected(report: DoctorReport): void {
  for (const id of ['resolve', 'connect', 'login', 'feat'] as const) assert.equal(step(report, id).status, 'ok', brief(report));
}

/**
 * Asks the launcher for a screenshot of the workbench (it watches the console for this line) and
 * waits for the file. Side bar, panel and notifications are closed first, so the editor is large.
 */
export async function screenshot(name: string): Promise<string> {
  for (const c of ['workbench.action.closeSidebar', 'workbench.action.closePanel', 'workbench.action.closeAuxiliaryBar', 'notifications.clearAll', 'notifications.hideToasts']) {
    await vscode.commands.executeCommand(c).then(undefined, () => undefined);
  }
  await sleep(1500); // the webview lays out again at its new size
  const file = path.join(env.screenshotDir, `${name}.png`);
  fs.rmSync(file, { force: true });
  console.log(`ftpws-screenshot: ${file}`);
  await until(`the screenshot ${file}`, () => fs.existsSync(file), 20_000);
  return file;
}
