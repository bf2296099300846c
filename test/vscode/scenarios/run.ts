/**
 * Issue 4's network scenarios through the extension's own commands: the real extension in the
 * browser VS Code (code-server + headless Chromium, through @vscode/test-electron's runTests and the
 * code-server launcher) running INSIDE the client namespace of a scenario topology
 * (test/scenarios/netns.ts), against real FTP servers in the server namespace.
 *
 * Two runs, one VS Code each:
 *   direct topology: (a) client firewall, (b) server firewall, (c) unroutable PASV address,
 *                    (d) passive disabled / active disabled; the suites change nft rulesets as they go;
 *   nat topology:    (e) the client behind a masquerading router with a forwarded port range.
 * This process (root namespace) builds each topology, starts the servers, and hands both to the
 * suite as JSON (FTPWS_SCENARIO); the suite writes its counts to a file. It prints
 * "extension-host scenarios: N passed, M failed" and exits non-zero on any failure. Namespaces
 * and servers are removed at the end, also on failure or timeout.
 *
 * The two runs go side by side, each in a child process of this command (its lines prefixed
 * "[direct]" / "[nat]").
 *
 * Run as root: node out/test/vscode/scenarios/run.js   (FTPWS_SCENARIO_RUNS=direct|nat narrows it)
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { runTests } from '@vscode/test-electron';
import { RunningServer, ServerKind, ServerOptions } from '../../servers';
import { Topology, TopologyOptions, checkPrerequisites, createTopology, removeStaleNamespaces } from '../../scenarios/netns';
import { startIn } from '../../scenarios/kit';
import type { ScenarioEnv, ScenarioResults } from './suite/env';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const RESULTS_DIR = path.join(REPO, 'test-results', 'scenarios');
/** The whole command gives up after this (each VS Code run has its own, shorter limit). */
const TOTAL_TIMEOUT_MS = 8 * 60_000;
const RUN_TIMEOUT_MS = 4 * 60_000;

/** Nothing in any namespace has this address, and no namespace has a route to it (as in test/scenarios). */
export const UNROUTABLE = '192.168.77.10';
export const NAT_RANGE: [number, number] = [50000, 50019];

interface Plan {
  name: string;
  topology: TopologyOptions;
  servers: Record<string, { kind: ServerKind; opts?: ServerOptions }>;
  /** Test files of the suite (without .test.js), run in this order. */
  files: string[];
}

const PLANS: Plan[] = [
  {
    name: 'direct',
    topology: {},
    servers: {
      firewalled: { kind: 'vsftpd' },
      masquerading: { kind: 'pyftpdlib', opts: { passiveAddress: UNROUTABLE } },
      noPassive: { kind: 'proftpd', opts: { passive: false } },
      noActive: { kind: 'vsftpd', opts: { active: false } },
    },
    files: ['firewalls', 'addresses', 'disabled-modes'],
  },
  {
    name: 'nat',
    topology: { nat: true, forwardPorts: NAT_RANGE },
    servers: { behindNat: { kind: 'vsftpd' } },
    files: ['nat'],
  },
];

/** Kills whatever still runs inside our own namespaces (a launcher, code-server, Chromium, a server). */
function killInside(t: Topology): void {
  for (const ns of t.namespaces) {
    let pids: string[] = [];
    try {
      pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 }).split('\n').filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

const topologies = new Set<Topology>();
const totals = { passed: 0, failed: 0 };

async function runPlan(plan: Plan, scratch: string): Promise<{ results: ScenarioResults; code: number; ms: number }> {
  const started = Date.now();
  const t = await createTopology(plan.topology);
  topologies.add(t);
  const servers: RunningServer[] = [];
  try {
    const entries = await Promise.all(Object.entries(plan.servers).map(async ([key, s]) => {
      const server = await startIn(t, s.kind, s.opts);
      servers.push(server);
      return [key, server] as const;
    }));
    const dir = fs.mkdtempSync(path.join(scratch, `${plan.name}-`));
    const local = path.join(dir, 'local');
    fs.mkdirSync(local);
    fs.writeFileSync(path.join(local, 'readme.txt'), 'A local folder beside the FTP sites of the scenario workspace.\n');
    const workspace = path.join(dir, 'scenarios.code-workspace');
    fs.writeFileSync(workspace, JSON.stringify({ folders: [{ path: local }], settings: {} }, null, 2));
    const resultsFile = path.join(dir, 'results.json');
    const startedFile = path.join(dir, 'started');
    // The launcher, wrapped so that it (and code-server, the extension host and Chromium with it) runs in the client namespace.
    const launcher = path.join(dir, 'launcher-in-netns.sh');
    fs.writeFileSync(launcher, `#!/bin/sh\nexec ip netns exec ${t.client.ns} /bin/sh ${JSON.stringify(path.join(REPO, 'test', 'vscode', 'code-server-launcher.sh'))} "$@"\n`, { mode: 0o755 });
    const env: ScenarioEnv = {
      run: plan.name,
      files: plan.files,
      topology: { kind: t.kind, name: t.name, client: t.client, server: t.server, router: t.router, clientSeenByServer: t.clientSeenByServer, namespaces: t.namespaces },
      servers: Object.fromEntries(entries.map(([key, s]) => [key, { kind: s.kind, host: s.host, port: s.port, user: s.user, password: s.password, root: s.root, owner: s.owner }])),
      unroutable: UNROUTABLE,
      natRange: NAT_RANGE,
      resultsFile,
      startedFile,
      screenshotDir: RESULTS_DIR,
    };
    console.log(`== extension-host scenarios, ${plan.name} topology (${t.namespaces.join(', ')}): ${entries.map(([k, s]) => `${k}=${s.kind}@${s.host}:${s.port}`).join(', ')}`);
    const attempt = () => runTests({
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(REPO, 'out', 'test', 'vscode', 'scenarios', 'suite', 'index.js'),
      vscodeExecutablePath: launcher,
      extensionTestsEnv: {
        FTPWS_TEST_WORKSPACE: workspace,
        FTPWS_SCENARIO: JSON.stringify(env),
        FTPWS_VSCODE_TIMEOUT_MS: String(RUN_TIMEOUT_MS),
        FTPWS_VSCODE_VIEWPORT: '1600x1000',
      },
      launchArgs: [workspace],
    }).catch((e: unknown) => {
      console.error(e);
      return 1;
    });
    let code = await attempt();
    // Once in CI, the browser's connection to code-server's extension host hung in the client
    // namespace: no test of the suite ran, and nothing came in 240 s. Nothing of ours had run, so
    // that is tried once more, and said. A suite that started and then failed or hung is not.
    if (!fs.existsSync(startedFile)) {
      console.log(`${plan.name}: the extension host never started the suite (VS Code exited ${code}); running it once more`);
      code = await attempt();
    }
    let results: ScenarioResults = { passed: 0, failed: 0, failures: [] };
    try {
      results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as ScenarioResults;
    } catch {
      results.failures.push(`${plan.name}: the suite wrote no results (the extension host or VS Code ended early)`);
    }
    if (code !== 0 && results.failed === 0) {
      // The launcher's guards (extension host died, no closing line) or a crash: never a pass.
      results.failed = 1;
      results.failures.push(`${plan.name}: VS Code exited ${code}`);
    }
    return { results, code, ms: Date.now() - started };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    killInside(t);
    await t.remove();
    topologies.delete(t);
  }
}

interface Outcome {
  results: ScenarioResults;
  code: number;
  ms: number;
}

/** One plan, in this process (a child of the command, see below): its summary goes to FTPWS_SCENARIO_SUMMARY. */
async function child(planName: string): Promise<number> {
  const plan = PLANS.find((p) => p.name === planName);
  if (!plan) throw new Error(`no plan ${planName}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `ftpws-ext-scenarios-${plan.name}-`));
  try {
    const r: Outcome = await runPlan(plan, scratch).catch((e: unknown) => ({
      results: { passed: 0, failed: 1, failures: [`${plan.name}: ${(e as Error).stack ?? e}`] }, code: 1, ms: 0,
    }));
    totals.passed = r.results.passed;
    totals.failed = r.results.failed;
    fs.writeFileSync(process.env.FTPWS_SCENARIO_SUMMARY!, JSON.stringify(r));
    console.log(`extension-host scenarios (${plan.name}): ${r.results.passed} passed, ${r.results.failed} failed, ${(r.ms / 1000).toFixed(1)} s`);
    return r.results.failed === 0 && r.results.passed > 0 ? 0 : 1;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

const children = new Set<ChildProcess>();

/** Runs one plan in a child process (its own topology, VS Code and servers); its lines are printed as they come, prefixed. */
function runChild(plan: Plan, scratch: string): Promise<Outcome> {
  const summary = path.join(scratch, `${plan.name}.json`);
  const started = Date.now();
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [__filename], {
      env: { ...process.env, FTPWS_SCENARIO_CHILD: plan.name, FTPWS_SCENARIO_SUMMARY: summary }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(c);
    for (const stream of [c.stdout, c.stderr]) readline.createInterface({ input: stream }).on('line', (l) => console.log(`[${plan.name}] ${l}`));
    c.on('close', (code, signal) => {
      children.delete(c);
      try {
        resolve(JSON.parse(fs.readFileSync(summary, 'utf8')) as Outcome);
      } catch {
        resolve({ results: { passed: 0, failed: 1, failures: [`${plan.name}: the run ended without a summary (exit ${code ?? signal})`] }, code: code ?? 1, ms: Date.now() - started });
      }
    });
  });
}

async function main(): Promise<number> {
  checkPrerequisites();
  removeStaleNamespaces();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const only = process.env.FTPWS_SCENARIO_RUNS?.split(',');
  const plans = PLANS.filter((p) => !only || only.includes(p.name));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-ext-scenarios-'));
  const t0 = Date.now();
  const failures: string[] = [];
  try {
    // The topologies are separate namespaces, so the plans run side by side.
    const outcomes = await Promise.all(plans.map((plan) => runChild(plan, scratch)));
    plans.forEach((plan, i) => {
      const r = outcomes[i];
      console.log(`-- ${plan.name}: ${r.results.passed} passed, ${r.results.failed} failed, VS Code exit ${r.code}, ${(r.ms / 1000).toFixed(1)} s`);
      totals.passed += r.results.passed;
      totals.failed += r.results.failed;
      failures.push(...r.results.failures);
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const f of failures) console.log(`FAILED: ${f}`);
  console.log(`extension-host scenarios took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`extension-host scenarios: ${totals.passed} passed, ${totals.failed} failed`);
  return totals.failed === 0 && totals.passed > 0 ? 0 : 1;
}

const CHILD = process.env.FTPWS_SCENARIO_CHILD;

// Bounded in time; a signal or the time limit still removes the namespaces (netns.ts and the
// servers' exit handlers run on process.exit) after killing what runs inside them. The command
// passes a signal on to its children, which clean up after themselves.
const bail = async (why: string, code: number) => {
  console.error(`extension-host scenarios: ${why}`);
  for (const t of topologies) killInside(t);
  for (const c of children) c.kill('SIGTERM');
  const end = Date.now() + 10_000;
  while (children.size && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  console.log(`extension-host scenarios${CHILD ? ` (${CHILD})` : ''}: ${totals.passed} passed, ${totals.failed + 1} failed`);
  process.exit(code);
};
const limit = setTimeout(() => void bail(`gave up after ${TOTAL_TIMEOUT_MS / 1000} s`, 1), CHILD ? TOTAL_TIMEOUT_MS : TOTAL_TIMEOUT_MS + 30_000);
process.once('SIGINT', () => void bail('interrupted', 130));
process.once('SIGTERM', () => void bail('terminated', 143));

(CHILD ? child(CHILD) : main()).then((code) => {
  clearTimeout(limit);
  process.exit(code);
}, (e: unknown) => {
  clearTimeout(limit);
  console.error(e);
  console.log(`extension-host scenarios${CHILD ? ` (${CHILD})` : ''}: ${totals.passed} passed, ${totals.failed + 1} failed`);
  process.exit(1);
});
