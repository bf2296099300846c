/**
 * Simulated networks for scenario tests: network namespaces joined by veth pairs, with addresses,
 * routes and nftables rulesets. Every namespace is this test's own, has no default route (no
 * packet can leave the machine, whatever address is used) and is removed at the end, also on
 * failure; namespaces that killed runs left behind are removed on the next run.
 *
 * Topologies (addresses are the same in every run: namespaces keep them apart):
 *   direct:  client 198.51.100.2 ---------------------------------- server 198.51.100.10
 *   nat:     client 192.168.50.2 --- 192.168.50.1 router 203.0.113.1 --- server 203.0.113.10
 * Behind NAT the router masquerades the client (the server sees 203.0.113.1) and can forward a
 * port range of its outer address to the client (DNAT), as a home router does for active FTP.
 *
 * Other suites (the extension host, code-server + Chromium) run inside the client namespace with
 * netnsCommand()/runIn() and reach the server at topology.server.address.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { pidAlive } from '../servers/common';

export const NS_PREFIX = 'ftpws-';
/** Our namespaces: ftpws-<pid>-<n>-<c|s|r>; the pid tells a live run's from a stale one. */
const OWN_NAME = /^ftpws-(\d+)-(\d+)-[csr]$/;

export interface Host {
  ns: string;
  address: string;
}

export interface Topology {
  kind: 'direct' | 'nat';
  /** ftpws-<pid>-<n>; the namespaces are <name>-c, -s and (nat) -r. */
  name: string;
  client: Host;
  server: Host;
  /** Behind NAT: the router, its address towards the client and its outer (public) address. */
  router?: { ns: string; innerAddress: string; outerAddress: string; innerInterface: string; outerInterface: string };
  /** The address the server sees the client's connections come from. */
  clientSeenByServer: string;
  namespaces: string[];
  /** Loads an nftables ruleset into a namespace (replacing what the harness loaded there before). */
  firewall(ns: string, ruleset: string): Promise<void>;
  /** Removes every namespace of this topology; never throws; safe to call twice. */
  remove(): Promise<void>;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const PREREQUISITE_HINT = 'Scenario tests need root, iproute2 (ip netns) and nftables (nft): run `sudo bash scripts/install-test-servers.sh` (apt packages iproute2 nftables) and run the tests as root.';

/** Throws, naming what to install, when this machine can't build the topologies. */
export function checkPrerequisites(): void {
  if (process.getuid?.() !== 0) throw new Error(`Not root (uid ${process.getuid?.()}). ${PREREQUISITE_HINT}`);
  for (const [tool, args] of [['ip', ['-V']], ['nft', ['--version']]] as const) {
    try {
      execFileSync(tool, [...args], { stdio: 'ignore', timeout: 5000 });
    } catch (e) {
      throw new Error(`${tool} is missing or fails (${(e as Error).message}). ${PREREQUISITE_HINT}`);
    }
  }
}

/** The argv that runs a command inside a namespace, for callers that spawn it themselves (long-running processes). */
export function netnsCommand(ns: string, command: string, args: readonly string[] = []): [string, string[]] {
  return ['ip', ['netns', 'exec', ns, command, ...args]];
}

/** Runs a command inside a namespace and collects its output; killed after timeoutMs (default 60 s). */
export function runIn(ns: string, command: string, args: readonly string[] = [], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const [cmd, argv] = netnsCommand(ns, command, args);
  return run(cmd, argv, opts);
}

function run(cmd: string, argv: string[], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => (stderr += `\n${e.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // a command that exits without reading its input
      child.stdin.end(opts.input);
    }
  });
}

/** Runs `ip ...` (or another admin command) and throws with its stderr on failure. */
async function must(cmd: string, argv: string[], input?: string): Promise<void> {
  const r = await run(cmd, argv, { timeoutMs: 15_000, input });
  if (r.code !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
}

export function listNamespaces(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 });
  // Lines look like "name (id: 3)" or "name".
  return out.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
}

/** Deletes namespaces of our naming whose test process is gone; returns their names. Live runs' namespaces are left alone. */
export function removeStaleNamespaces(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const m = OWN_NAME.exec(ns);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5000 });
      removed.push(ns);
    } catch {
      /* another run removed it meanwhile */
    }
  }
  return removed;
}

const live = new Set<string>();
process.once('exit', () => {
  // Last resort when a test forgot remove() or threw past it: exit handlers may only run sync code.
  for (const ns of live) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5000 });
    } catch {
      /* gone */
    }
  }
});

let counter = 0;

async function addNamespace(ns: string): Promise<void> {
  await must('ip', ['netns', 'add', ns]);
  live.add(ns);
  await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
}

/** A veth pair between two namespaces, created in place (its names never exist in the host's namespace). */
async function link(a: string, aIf: string, aAddr: string, b: string, bIf: string, bAddr: string): Promise<void> {
  await must('ip', ['-n', a, 'link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf, 'netns', b]);
  await must('ip', ['-n', a, 'addr', 'add', aAddr, 'dev', aIf]);
  await must('ip', ['-n', b, 'addr', 'add', bAddr, 'dev', bIf]);
  await must('ip', ['-n', a, 'link', 'set', aIf, 'up']);
  await must('ip', ['-n', b, 'link', 'set', bIf, 'up']);
}

export interface TopologyOptions {
  /** Put the client behind a masquerading router. */
  nat?: boolean;
  /** Behind NAT: forward these ports of the router's outer address to the client (active mode's range). */
  forwardPorts?: [number, number];
}

/** Builds a topology. On any failure what was built is removed before the error is thrown. */
export async function createTopology(opts: TopologyOptions = {}): Promise<Topology> {
  checkPrerequisites();
  removeStaleNamespaces();
  const name = `${NS_PREFIX}${process.pid}-${++counter}`;
  const namespaces: string[] = [];
  let removed: Promise<void> | undefined;
  const remove = () => {
    removed ??= (async () => {
      for (const ns of namespaces) {
        await run('ip', ['netns', 'del', ns], { timeoutMs: 10_000 });
        live.delete(ns);
      }
    })();
    return removed;
  };
  const firewall = async (ns: string, ruleset: string) => {
    if (!namespaces.includes(ns)) throw new Error(`${ns} is not a namespace of topology ${name}`);
    // "flush ruleset" first: loading replaces, never stacks on, an earlier ruleset.
    await must('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], `flush ruleset\n${ruleset}\n`);
  };
  try {
    const c = `${name}-c`;
    const s = `${name}-s`;
    for (const ns of [c, s]) {
      await addNamespace(ns);
      namespaces.push(ns);
    }
    if (!opts.nat) {
      await link(c, 'eth0', '198.51.100.2/24', s, 'eth0', '198.51.100.10/24');
      return {
        kind: 'direct', name, namespaces, firewall, remove,
        client: { ns: c, address: '198.51.100.2' }, server: { ns: s, address: '198.51.100.10' }, clientSeenByServer: '198.51.100.2',
      };
    }
    const r = `${name}-r`;
    await addNamespace(r);
    namespaces.push(r);
    await link(c, 'eth0', '192.168.50.2/24', r, 'inner', '192.168.50.1/24');
    await link(r, 'outer', '203.0.113.1/24', s, 'eth0', '203.0.113.10/24');
    // The client reaches the server's network through the router; still no default route anywhere.
    await must('ip', ['-n', c, 'route', 'add', '203.0.113.0/24', 'via', '192.168.50.1']);
    await must('ip', ['netns', 'exec', r, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
    const topology: Topology = {
      kind: 'nat', name, namespaces, firewall, remove,
      client: { ns: c, address: '192.168.50.2' }, server: { ns: s, address: '203.0.113.10' },
      router: { ns: r, innerAddress: '192.168.50.1', outerAddress: '203.0.113.1', innerInterface: 'inner', outerInterface: 'outer' },
      clientSeenByServer: '203.0.113.1',
    };
    await firewall(r, rules.masquerade({ outerInterface: 'outer', client: '192.168.50.2', forwardPorts: opts.forwardPorts }));
    return topology;
  } catch (e) {
    await remove();
    throw e;
  }
}

/** Builds a topology, runs fn, and removes the topology whatever happens. */
export async function withTopology<T>(opts: TopologyOptions, fn: (t: Topology) => Promise<T>): Promise<T> {
  const t = await createTopology(opts);
  try {
    return await fn(t);
  } finally {
    await t.remove();
  }
}

/** nftables rulesets for the scenarios. */
export const rules = {
  /** A host firewall that drops every inbound connection; replies to its own connections and loopback pass. */
  dropInbound(): string {
    return rules.admitOnly([]);
  },
  /** Like dropInbound, but new connections to these TCP ports are admitted (a server's control port). */
  admitOnly(tcpPorts: number[]): string {
    return [
      'table inet ftpws_filter {',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    ct state established,related accept',
      '    iif "lo" accept',
      ...(tcpPorts.length ? [`    tcp dport { ${tcpPorts.join(', ')} } accept`] : []),
      '  }',
      '}',
    ].join('\n');
  },
  /** A home router: the client's connections leave with the outer address; optionally a port range forwarded to the client. */
  masquerade(o: { outerInterface: string; client: string; forwardPorts?: [number, number] }): string {
    return [
      'table ip ftpws_nat {',
      '  chain postrouting {',
      '    type nat hook postrouting priority 100; policy accept;',
      `    oifname "${o.outerInterface}" masquerade`,
      '  }',
      '  chain prerouting {',
      '    type nat hook prerouting priority -100; policy accept;',
      ...(o.forwardPorts ? [`    iifname "${o.outerInterface}" tcp dport ${o.forwardPorts[0]}-${o.forwardPorts[1]} dnat to ${o.client}`] : []),
      '  }',
      '}',
    ].join('\n');
  },
};

/** True when this namespace exists (for the harness's own tests). */
export function namespaceExists(ns: string): boolean {
  return fs.existsSync(`/var/run/netns/${ns}`) || listNamespaces().includes(ns);
}
