/** What run.ts (root namespace) hands the suite (client namespace) in FTPWS_SCENARIO, as JSON. */
import type { Topology } from '../../../scenarios/netns';

export interface ScenarioServer {
  kind: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** What the FTP user sees as "/", on this machine's disk. */
  root: string;
  owner: { uid: number; gid: number };
}

export interface ScenarioEnv {
  /** Which run: 'direct' ((a)-(d)) or 'nat' ((e)). */
  run: string;
  /** Test files to run, in order, without `.test.js`. */
  files: string[];
  /** The harness's Topology without its methods (they don't survive JSON). */
  topology: Omit<Topology, 'firewall' | 'remove'>;
  servers: Record<string, ScenarioServer>;
  unroutable: string;
  natRange: [number, number];
  /** The suite writes its ScenarioResults here. */
  resultsFile: string;
  /** The suite makes this file as it starts: a run without it never reached the suite (run.ts tries once more). */
  startedFile: string;
  /** Screenshots go here (test-results/scenarios). */
  screenshotDir: string;
}

export interface ScenarioResults {
  passed: number;
  failed: number;
  failures: string[];
}

export function scenarioEnv(): ScenarioEnv {
  const raw = process.env.FTPWS_SCENARIO;
  if (!raw) throw new Error('FTPWS_SCENARIO is not set: run this suite through out/test/vscode/scenarios/run.js');
  return JSON.parse(raw) as ScenarioEnv;
}
