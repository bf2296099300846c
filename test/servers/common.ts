/** What every test server shares: types, ports, temp dirs, the certificate, start-up and stop. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';

export type ServerKind = 'vsftpd' | 'proftpd' | 'pureftpd' | 'pyftpdlib' | 'ftpsrv';
/** The old-style servers (inetd, PAM, `/bin/ls`, no MLSD): in the interop matrix and their own tests, not in ALL_SERVERS' loops. */
export type OldServerKind = 'inetutils' | 'bsdftpd';
export type AnyServerKind = ServerKind | OldServerKind;

export interface ServerOptions {
  /** Address to listen on; default 127.0.0.1. */
  bindAddress?: string;
  /** Run the server inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** false disables PASV/EPSV where the server can. */
  passive?: boolean;
  /** false disables PORT/EPRT where the server can. */
  active?: boolean;
  /** Address the server advertises in 227 replies (emulates a NAT'd server). */
  passiveAddress?: string;
  passivePorts?: [number, number];
  /** Also allow anonymous login (read-only where the server can). */
  anonymous?: boolean;
  /**
   * Refuse more than this many simultaneous sessions from one client address (a positive integer).
   * What each server answers to the session over the limit, and when: README.md. ftp-srv can't.
   */
  maxPerIp?: number;
}

export interface RunningServer {
  kind: AnyServerKind;
  host: string;
  port: number;
  /** Implicit FTPS port, when this server offers it (a second instance). */
  implicitPort?: number;
  user: string;
  password: string;
  /** Absolute path on disk of what the user sees as "/". */
  root: string;
  /**
   * Who the server writes files as. Something a test creates under root as root (a directory)
   * must be chowned to this before the server can write into it.
   */
  owner: { uid: number; gid: number };
  tls: { explicit: boolean; implicit: boolean };
  certPem: string;
  /** Uppercase colon hex, like X509Certificate.fingerprint256. */
  certSha256: string;
  version: string;
  logFile?: string;
  /** The namespace the server runs in, if any (the independent client can join it). */
  netns?: string;
  /** Kills the process (and its children), removes temp dirs; never throws. */
  stop(): Promise<void>;
}

/** What tests do to a server's processes besides stopping it: outages, freezes, session counts. */
export interface ServerControl {
  stop(): Promise<void>;
  /**
   * Kills the server's whole process tree with SIGKILL (every session dies: clients see their
   * connections closed or reset), waits downMs, starts it again on the same ports with the same
   * root and config, and resolves once it answers 220 again (on every port it offers).
   */
  restart(downMs?: number): Promise<void>;
  /** SIGSTOPs every process of the server (master and sessions), waits ms, SIGCONTs them all; resolves after SIGCONT. */
  freeze(ms: number): Promise<void>;
  /**
   * Connections to the control port that are ESTABLISHED now, on the server's side (from
   * /proc/<server pid>/net/tcp and tcp6, so in its namespace): sessions, and connections the kernel
   * accepted that the server hasn't taken up yet (while frozen) or is refusing (over maxPerIp).
   * 0 while the server is down.
   */
  sessions(): number;
}

/** A server started by startServer(): a RunningServer that also offers restart(), freeze() and sessions(). */
export interface ManagedServer extends RunningServer, ServerControl {}

/** The repository root (this file runs from out/test/servers/). */
export const REPO = path.resolve(__dirname, '..', '..', '..');
/** Where scripts/install-test-servers.sh unpacks proftpd and pure-ftpd. */
export const PKGS = path.join(REPO, '.test-tools', 'pkgs');
export const INSTALL_HINT = 'run `sudo bash scripts/install-test-servers.sh`';
/** uid/gid the unpacked servers write files as (nobody/nogroup), so the chrooted user can write its root. */
export const FILE_UID = 65534;
export const FILE_GID = 65534;

const tempDirs = new Set<string>();
process.once('exit', () => {
  // Last resort for dirs a crashed test never stopped (the cert dir always ends here).
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh private dir under os.tmpdir(), removed by removeDirs() or at process exit. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ftpws-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

/** A fresh root for the FTP user, owned by the uid the server writes as. */
export function makeRoot(prefix: string, uid = FILE_UID, gid = FILE_GID): string {
  const root = scratchDir(`${prefix}-root`);
  fs.chmodSync(root, 0o755); // mkdtemp gives 0700; the servers drop privileges before reading it
  fs.chownSync(root, uid, gid);
  return root;
}

export function removeDirs(...dirs: Array<string | undefined>): void {
  for (const d of dirs) {
    if (!d) continue;
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* stop() never throws */
    }
    tempDirs.delete(d);
  }
}

export interface TestCert {
  dir: string;
  certFile: string;
  keyFile: string;
  pem: string;
  sha256: string;
}
let cert: TestCert | undefined;

/** One self-signed certificate per test process (CN=localhost, SAN IP:127.0.0.1, DNS:localhost, and IP:::1 for IPv6 tests). */
export function testCertificate(): TestCert {
  if (cert) return cert;
  const dir = scratchDir('cert');
  fs.chmodSync(dir, 0o755); // proftpd and vsftpd read it as root, but pure-ftpd's helpers may not
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '3650',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:::1'], { stdio: 'ignore' });
  fs.chmodSync(keyFile, 0o600);
  const pem = fs.readFileSync(certFile, 'utf8');
  cert = { dir, certFile, keyFile, pem, sha256: new crypto.X509Certificate(pem).fingerprint256 };
  return cert;
}

// ---- Ports -----------------------------------------------------------------------------------
// Several test files run at once (separate processes), each with several servers. Every server
// claims a whole block of ports through a lock file shared by all processes on the machine, so
// two servers never get the same control port or overlapping passive ranges. Blocks sit below
// the kernel's ephemeral range (32768+), so outgoing connections never take them either.

export const BLOCK_SIZE = 50;
const BLOCK_BASE = 10000;
const BLOCK_COUNT = 440; // 10000..31999
const LOCK_DIR = path.join(os.tmpdir(), 'ftpws-port-locks');

export interface PortBlock {
  first: number;
  last: number;
  release(): void;
}

/** Whether a process exists (EPERM: it does, but isn't ours to signal). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(file: string): boolean {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    // Taken: steal it only if its owner is dead (a test process that was killed).
    const owner = Number(fs.readFileSync(file, 'utf8') || '0');
    if (owner && pidAlive(owner)) return false;
    fs.rmSync(file, { force: true });
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

const heldBlocks = new Set<string>();
process.once('exit', () => {
  for (const f of heldBlocks) fs.rmSync(f, { force: true });
});

/** Claims a block of BLOCK_SIZE consecutive ports that are free on `host` now. */
export async function claimPortBlock(host = '127.0.0.1'): Promise<PortBlock> {
  fs.mkdirSync(LOCK_DIR, { recursive: true, mode: 0o777 });
  const start = Math.floor(Math.random() * BLOCK_COUNT);
  for (let i = 0; i < BLOCK_COUNT; i++) {
    const first = BLOCK_BASE + ((start + i) % BLOCK_COUNT) * BLOCK_SIZE;
    const file = path.join(LOCK_DIR, String(first));
    if (!tryLock(file)) continue;
    let free = true;
    for (let p = first; p < first + BLOCK_SIZE && free; p++) free = await portFree(p, host);
    if (!free) {
      fs.rmSync(file, { force: true }); // something outside our scheme uses it; leave it alone
      continue;
    }
    heldBlocks.add(file);
    return {
      first,
      last: first + BLOCK_SIZE - 1,
      release: () => {
        heldBlocks.delete(file);
        fs.rmSync(file, { force: true });
      },
    };
  }
  throw new Error(`no free block of ${BLOCK_SIZE} ports between ${BLOCK_BASE} and ${BLOCK_BASE + BLOCK_COUNT * BLOCK_SIZE}`);
}

/** The ports one server uses, carved out of its block. */
export interface ServerPorts {
  control: number;
  implicit: number;
  /** Passive range for the plain/explicit instance. */
  passive: [number, number];
  /** Passive range for the implicit-FTPS instance (servers that run a second one). */
  passiveImplicit: [number, number];
  release(): void;
}

export async function serverPorts(opts: ServerOptions): Promise<ServerPorts> {
  // Inside a namespace nothing else listens; on the host, probe the address the server will bind.
  const block = await claimPortBlock(opts.netns ? '127.0.0.1' : (opts.bindAddress ?? '127.0.0.1'));
  const half = block.first + 2 + Math.floor((BLOCK_SIZE - 2) / 2);
  let passive: [number, number] = [block.first + 2, half - 1];
  let passiveImplicit: [number, number] = [half, block.last];
  if (opts.passivePorts) {
    // A caller's range (a firewall rule opens exactly it): both instances share it; each server
    // retries another port of the range when one is taken.
    passive = opts.passivePorts;
    passiveImplicit = opts.passivePorts;
  }
  return { control: block.first, implicit: block.first + 1, passive, passiveImplicit, release: block.release };
}

// ---- Processes ---------------------------------------------------------------------------------

export interface Spawned {
  child: ChildProcess;
  /** The last 8 kB of its stdout and stderr. */
  output(): string;
}

/** Servers not stopped yet: their trees are killed when the test process exits, so none outlives it. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGroups) {
    try {
      signalAll(serverTree(pid), 'SIGKILL');
    } catch {
      /* best effort */
    }
  }
});

/** Starts a foreground server in its own process group (so stop() kills its children too). */
export function spawnServer(command: string, args: string[], opts: { netns?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Spawned {
  const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env }, cwd: opts.cwd });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('error', (e) => keep(Buffer.from(`${e}\n`)));
  if (child.pid) liveGroups.add(child.pid);
  // A detached child must not keep the test process alive once the test is done with it.
  child.unref();
  (child.stdout as unknown as { unref?(): void }).unref?.();
  (child.stderr as unknown as { unref?(): void }).unref?.();
  return { child, output: () => out };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function tail(file: string | undefined, bytes = 3000): string {
  if (!file) return '';
  try {
    const text = fs.readFileSync(file, 'utf8');
    return `\n--- ${file} (tail) ---\n${text.slice(-bytes)}`;
  } catch {
    return '';
  }
}

/**
 * Waits until the server answers "220" on host:port (from inside netns if given; over TLS for an
 * implicit-FTPS port). Fails after timeoutMs with the server's output and log tail.
 */
export async function waitForGreeting(
  host: string, port: number, spawned: Spawned, what: string,
  o: { netns?: string; timeoutMs?: number; tls?: boolean; logFile?: string } = {},
): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 15000;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (exited(spawned.child)) {
      throw new Error(`${what} exited (${spawned.child.exitCode ?? spawned.child.signalCode}) before answering on ${host}:${port}:\n${spawned.output()}${tail(o.logFile)}`);
    }
    try {
      last = o.netns ? await probeInNetns(o.netns, host, port, !!o.tls) : await probe(host, port, !!o.tls);
      if (/^220[ -]/m.test(last)) return;
    } catch (e) {
      last = String(e);
    }
    // Every 20 ms: after restart() the first 220 seen here ends the down time tests see.
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} did not answer 220 on ${host}:${port} within ${timeoutMs} ms (last: ${JSON.stringify(last.slice(0, 300))}):\n${spawned.output()}${tail(o.logFile)}`);
}

/**
 * The address probes connect from: on IPv4 loopback another 127/8 address than the tests' clients
 * use, so a probe's session, which the server may count for a moment after it ends, never takes a
 * place of maxPerIp from 127.0.0.1. Elsewhere the default.
 */
function probeSource(host: string): string | undefined {
  if (!/^127\./.test(host)) return undefined;
  return host === '127.0.0.2' ? '127.0.0.3' : '127.0.0.2';
}

/** Connects, reads the first reply line, disconnects. */
function probe(host: string, port: number, useTls: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const localAddress = probeSource(host);
    // tls.connect passes localAddress on to the socket's connect(); its typings omit it.
    const s: net.Socket = useTls ? tls.connect({ host, port, localAddress, rejectUnauthorized: false } as tls.ConnectionOptions) : net.connect({ host, port, localAddress });
    let data = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve(data);
    }, 2000);
    s.on('data', (b: Buffer) => {
      data += b.toString();
      if (/\r?\n/.test(data)) {
        clearTimeout(t);
        s.destroy();
        resolve(data);
      }
    });
    s.on('error', (e) => {
      clearTimeout(t);
      s.destroy();
      reject(e);
    });
  });
}

/** The same probe, run by a node child inside the namespace (this process can't enter it). */
function probeInNetns(netns: string, host: string, port: number, useTls: boolean): Promise<string> {
  const script = `const [h,p,t,l]=process.argv.slice(1);const o={host:h,port:+p,localAddress:l||undefined,rejectUnauthorized:false};` +
    `const s=t==='1'?require('tls').connect(o):require('net').connect(o);` +
    `let d='';s.on('data',b=>{d+=b;if(/\\n/.test(d)){process.stdout.write(d);process.exit(0)}});s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),2000)`;
  return new Promise((resolve) => {
    const c = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script, host, String(port), useTls ? '1' : '0', probeSource(host) ?? ''],
      { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const t = setTimeout(() => c.kill('SIGKILL'), 4000);
    c.on('close', () => {
      clearTimeout(t);
      resolve(out);
    });
    c.on('error', () => resolve(''));
  });
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks: tells a pid apart from a later process that reuses the number. */
  start: string;
  zombie: boolean;
}

function processTable(): ProcInfo[] {
  const table: ProcInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid pgrp ... starttime(22nd)"; comm may hold spaces and parens.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.push({ pid: Number(name), ppid: Number(f[1]), pgid: Number(f[2]), start: f[19], zombie: f[0] === 'Z' || f[0] === 'X' });
    } catch {
      /* gone meanwhile */
    }
  }
  return table;
}

/**
 * The server's process tree: its process group plus every descendant. Both are needed: vsftpd's
 * session processes call setsid() (own group), and a group can outlive its leader.
 */
function serverTree(root: number, table = processTable()): ProcInfo[] {
  const found = new Map<number, ProcInfo>();
  for (const p of table) if (p.pgid === root || p.pid === root) found.set(p.pid, p);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...found.values()].filter((p) => !p.zombie);
}

function stillRunning(p: ProcInfo): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[19] === p.start && f[0] !== 'Z' && f[0] !== 'X';
  } catch {
    return false;
  }
}

function signalAll(procs: ProcInfo[], sig: NodeJS.Signals): void {
  for (const p of procs) {
    try {
      if (stillRunning(p)) process.kill(p.pid, sig);
    } catch {
      /* gone */
    }
  }
}

/**
 * Stops a spawned server: SIGTERM to its whole process tree (taken before anything dies, since
 * orphans move to init), SIGKILL to whatever is left after 1.5 s; returns when all are gone (at
 * most ~5 s). `kill`: SIGKILL at once (a crash, as restart() wants). Never throws.
 */
export async function stopSpawned(spawned: Spawned | undefined, o: { kill?: boolean } = {}): Promise<void> {
  const pid = spawned?.child.pid;
  if (!spawned || !pid) return;
  try {
    let procs = serverTree(pid);
    signalAll(procs, o.kill ? 'SIGKILL' : 'SIGTERM');
    signalAll(procs, 'SIGCONT'); // a frozen process acts on SIGTERM only once continued
    const started = Date.now();
    let killed = !!o.kill;
    while (Date.now() - started < 5000) {
      // Children forked while we were stopping belong to the tree too.
      const added = serverTree(pid).filter((p) => !procs.some((q) => q.pid === p.pid));
      if (killed) signalAll(added, 'SIGKILL');
      procs = [...procs, ...added].filter(stillRunning);
      if (procs.length === 0) break;
      if (!killed && Date.now() - started > 1500) {
        signalAll(procs, 'SIGKILL');
        killed = true;
      }
      await new Promise((r) => setTimeout(r, killed ? 5 : 30));
    }
  } catch {
    /* never throws */
  }
  liveGroups.delete(pid);
}

/** Removes the server's dirs and its port block, after its processes are gone. */
export function cleanup(spawned: Spawned[], ports: ServerPorts | undefined, ...dirs: Array<string | undefined>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= (async () => {
      await Promise.all(spawned.map((s) => stopSpawned(s).catch(() => undefined)));
      removeDirs(...dirs);
      ports?.release();
    })();
    return done;
  };
}

/** True when a failed start looks like a port race (worth one more try on other ports). */
/** A port on 127.0.0.1 that nothing listens on (just freed): a data port that refuses connections. */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function portClash(e: unknown): boolean {
  return /in use|EADDRINUSE|Address already|unable to bind|bind\(\) failed|could not bind/i.test(String(e));
}

/** opts.maxPerIp, checked: undefined or a positive integer. */
export function maxPerIp(opts: ServerOptions): number | undefined {
  const n = opts.maxPerIp;
  if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new Error(`maxPerIp must be a positive integer, not ${n}`);
  return n;
}

// ---- Outages: restart, freeze, session count ---------------------------------------------------

/** One process of a server: how to start it (same ports, root and config every time) and when it is up. */
export interface Instance {
  launch(): Spawned;
  /** Resolves once the process answers 220 (waitForGreeting on its port); rejects if it doesn't. */
  ready(s: Spawned): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The processes of one server (one instance, or two with implicit FTPS) and everything tests do to
 * them. Each module start()s its instances with its own launch closure; control() gives the
 * methods a ManagedServer carries. stop() kills whatever runs at the time, a relaunch included.
 */
export class ServerProcesses {
  private readonly running: Array<{ instance: Instance; spawned: Spawned }> = [];
  private stopped?: Promise<void>;

  /** `port`: the control port sessions() counts; `dirs`: removed by stop(), with the port block. */
  constructor(private readonly port: number, private readonly ports: ServerPorts, private readonly dirs: string[]) {}

  /** Launches an instance and waits for its 220. */
  async start(instance: Instance): Promise<void> {
    const entry = { instance, spawned: instance.launch() };
    this.running.push(entry);
    await instance.ready(entry.spawned);
  }

  control(): ServerControl {
    return { stop: () => this.stop(), restart: (d) => this.restart(d), freeze: (ms) => this.freeze(ms), sessions: () => this.sessions() };
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await Promise.all(this.running.map((e) => stopSpawned(e.spawned)));
      removeDirs(...this.dirs);
      this.ports.release();
    })();
    return this.stopped;
  }

  async restart(downMs = 0): Promise<void> {
    if (this.stopped) throw new Error('restart() after stop()');
    await Promise.all(this.running.map((e) => stopSpawned(e.spawned, { kill: true })));
    await sleep(downMs);
    if (this.stopped) throw new Error('stop() during restart()');
    for (const e of this.running) e.spawned = e.instance.launch();
    await Promise.all(this.running.map((e) => e.instance.ready(e.spawned)));
  }

  async freeze(ms: number): Promise<void> {
    // Stop the masters first, then take the tree again and again until it holds no process that
    // runs: a process stopped can't fork, so none is missed.
    const frozen = new Map<number, ProcInfo>();
    for (let more = true; more;) {
      more = false;
      const table = processTable();
      for (const e of this.running) {
        for (const p of e.spawned.child.pid ? serverTree(e.spawned.child.pid, table) : []) {
          if (frozen.has(p.pid)) continue;
          signalAll([p], 'SIGSTOP');
          frozen.set(p.pid, p);
          more = true;
        }
      }
    }
    try {
      await sleep(ms);
    } finally {
      signalAll([...frozen.values()], 'SIGCONT');
    }
  }

  sessions(): number {
    // /proc/<pid>/net shows the network namespace of that process: the server's, even in a netns.
    const pid = this.running[0]?.spawned.child.pid;
    if (!pid) return 0;
    // A 4-tuple once: /proc/net/tcp is read in chunks, and when the table changes between two of them
    // (connections opening and closing, hundreds in TIME_WAIT after a busy suite) the kernel can list
    // a socket twice (a peak of 5 at a cap of 4 was seen so, once in CI).
    const seen = new Set<string>();
    for (const file of ['tcp', 'tcp6']) {
      let text: string;
      try {
        text = fs.readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
      } catch {
        return 0; // no server process: no sessions
      }
      // "  sl  local_address rem_address   st ...": addresses are HEXIP:HEXPORT; st 01 = ESTABLISHED.
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length > 3 && f[3] === '01' && parseInt(f[1].slice(f[1].lastIndexOf(':') + 1), 16) === this.port) seen.add(`${f[1]} ${f[2]}`);
      }
    }
    return seen.size;
  }
}

/**
 * Samples server.sessions() every everyMs (on this process's event loop: a test that blocks it
 * samples less) until stop(), which returns the largest count seen, a last sample included.
 * stop() may be called again (it samples once more).
 */
export function sampleSessions(server: Pick<ServerControl, 'sessions'>, everyMs = 10): { stop(): number } {
  let max = server.sessions();
  const timer = setInterval(() => (max = Math.max(max, server.sessions())), everyMs);
  timer.unref(); // a sampler never stopped must not keep the test process alive
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(max, server.sessions());
    },
  };
}
