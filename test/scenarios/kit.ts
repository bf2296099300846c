/** What the scenario tests share: a real server in the server namespace, the probe in the client namespace, lookups in reports. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConnectOptions, DoctorReport, DoctorStep, DoctorStepId } from '../../src/ftp';
import { RunningServer, ServerKind, ServerOptions, startServer } from '../servers';
import { Topology, runIn } from './netns';
import { ProbeInput, ProbeOutput, ProbeRunResult } from './probe';

/** Short data timeouts keep every failing attempt near 1.5 s; replies on an idle LAN come in milliseconds. */
export const TIMEOUTS = { connectMs: 5_000, replyMs: 5_000, dataConnectMs: 1_500, dataIdleMs: 5_000 };
export const FILE = '/hello.txt';
export const CONTENT = 'hello across namespaces\n';
const PROBE = path.join(__dirname, 'probe.js');

/** Starts a real server inside the topology's server namespace, on the server's address, with FILE in its root. */
export async function startIn(t: Topology, kind: ServerKind, opts: ServerOptions = {}): Promise<RunningServer> {
  const server = await startServer(kind, { ...opts, netns: t.server.ns, bindAddress: t.server.address });
  fs.writeFileSync(path.join(server.root, FILE.slice(1)), CONTENT);
  fs.chownSync(path.join(server.root, FILE.slice(1)), server.owner.uid, server.owner.gid);
  return server;
}

export function connectOptions(server: RunningServer, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host: server.host, port: server.port, user: server.user, password: server.password, timeouts: TIMEOUTS, ...extra };
}

/** Runs the engine inside the client namespace and returns what it printed. */
export async function probe(t: Topology, input: ProbeInput): Promise<ProbeOutput> {
  const r = await runIn(t.client.ns, process.execPath, [PROBE, JSON.stringify(input)], { timeoutMs: 100_000 });
  if (r.code !== 0) throw new Error(`probe in ${t.client.ns} exited ${r.code ?? r.signal}: ${r.stderr.trim()}\n${r.stdout.slice(0, 2000)}`);
  // FTPWS_SCENARIO_LOG=<file>: keep every probe's output, e.g. to read the doctor's reports.
  if (process.env.FTPWS_SCENARIO_LOG) fs.appendFileSync(process.env.FTPWS_SCENARIO_LOG, `${r.stdout}\n`);
  try {
    return JSON.parse(r.stdout) as ProbeOutput;
  } catch {
    throw new Error(`probe printed no JSON: ${r.stdout.slice(0, 2000)}\n${r.stderr}`);
  }
}

export function run(out: ProbeOutput, label: string): ProbeRunResult {
  const r = out.runs.find((x) => x.label === label);
  assert.ok(r, `no probe run ${label}`);
  return r;
}

export function step(report: DoctorReport | undefined, id: DoctorStepId): DoctorStep {
  assert.ok(report, 'the probe ran no doctor');
  const s = report.steps.find((x) => x.id === id);
  assert.ok(s, `no doctor step ${id} in ${report.steps.map((x) => x.id).join(', ')}`);
  return s;
}

/** The run worked both times, and the second download went straight to the method the memory settled on. */
export function assertSettled(r: ProbeRunResult, method: string): void {
  assert.equal(r.ok, true, `${r.label}: ${JSON.stringify(r.error)}`);
  assert.deepEqual(r.contents, [CONTENT, CONTENT], r.label);
  assert.equal(r.working, method, `${r.label}: settled on ${r.working}`);
  assert.equal(r.dataCommands[1].length, 1, `${r.label}: second download used ${r.dataCommands[1].join(', ')}`);
  assert.match(r.dataCommands[1][0], new RegExp(`^${method.toUpperCase()}\\b`), r.label);
}

/** The steps before the listings all passed. */
export function assertConnected(report: DoctorReport | undefined): void {
  for (const id of ['resolve', 'connect', 'login', 'feat'] as const) assert.equal(step(report, id).status, 'ok', `${id}: ${step(report, id).verdict}`);
}

/** A compact view of a report for assertion messages. */
export function brief(report: DoctorReport | undefined): string {
  return report ? report.steps.map((s) => `${s.id}: ${s.status} - ${s.verdict}`).join('\n') + `\n=> ${JSON.stringify(report.recommendation)}` : '(no report)';
}
