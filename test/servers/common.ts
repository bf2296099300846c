/** What every test server shares: types, ports, temp dirs, the certificate, start-up and stop. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export type ServerKind = 'vsftpd' | 'proftpd' | 'pureftpd' | 'pyftpdlib' | 'ftpsrv';

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
  /** Also allow anonymous login. */
  anonymous?: boolean;
}

export interface RunningServer {
  kind: ServerKind;
  host: string;
  port: number;
  implicitPort?: number;
  user: string;
  password: string;
  /** Absolute path on disk of what the user sees as "/". */
  root: string;
  tls: { explicit: boolean; implicit: boolean };
  certPem: string;
  certSha256: string;
  version: string;
  logFile?: string;
  stop(): Promise<void>;
}

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const PKGS = path.join(REPO, '.test-tools', 'pkgs');
/** uid/gid the servers write files as (nobody/nogroup), so the chrooted user can write its root. */
export const FILE_UID = 65534;
export const FILE_GID = 65534;

export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ftpws-${prefix}-`));
}

/** A fresh, writable root for the FTP user. */
export function makeRoot(prefix: string, uid = FILE_UID, gid = FILE_GID): string {
  const root = scratchDir(`${prefix}-root`);
  fs.chmodSync(root, 0o755);
  fs.chownSync(root, uid, gid);
  return root;
}

let cert: { dir: string; certFile: string; keyFile: string; pem: string; sha256: string; bundle: string } | undefined;

/** One self-signed certificate for all servers of a test process (CN=localhost, SAN 127.0.0.1). */
export function testCertificate() {
  if (cert) return cert;
  const dir = scratchDir('cert');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '3650',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  fs.chmodSync(keyFile, 0o600);
  const pem = fs.readFileSync(certFile, 'utf8');
  const bundle = path.join(dir, 'bundle.pem');
  fs.writeFileSync(bundle, pem + fs.readFileSync(keyFile, 'utf8'));
  cert = { dir, certFile, keyFile, pem, sha256: new crypto.X509Certificate(pem).fingerprint256, bundle };
  return cert;
}

/** A TCP port free right now on the address (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A range of `count` ports that are free now (best effort; each test server gets its own). */
export async function freeRange(count: number, host = '127.0.0.1'): Promise<[number, number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const lo = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let p = lo; p < lo + count && ok; p++) ok = await portFree(p, host);
    if (ok) return [lo, lo + count - 1];
  }
  throw new Error('no free port range');
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
}

/** Starts a foreground server in its own process group (so stop() kills its children too). */
export function spawnServer(command: string, args: string[], opts: { netns?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Spawned {
  const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env }, cwd: opts.cwd });
  let out = '';
  const keep = (b: Buffer) => { out = (out + b.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('error', (e) => keep(Buffer.from(String(e))));
  return { child, output: () => out };
}

/** Waits until something answers "220" on host:port (inside netns if given), or fails with the server's output. */
export async function waitForGreeting(host: string, port: number, spawned: Spawned, what: string, netns?: string, timeoutMs = 15000, tlsImplicit = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) {
      throw new Error(`${what} exited (${spawned.child.exitCode ?? spawned.child.signalCode}) before answering on ${host}:${port}:\n${spawned.output()}`);
    }
    try {
      last = netns ? probeInNetns(netns, host, port, tlsImplicit) : await probe(host, port, tlsImplicit);
      if (/^220/m.test(last)) return;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not greet on ${host}:${port} within ${timeoutMs} ms (last: ${last}):\n${spawned.output()}`);
}

function probe(host: string, port: number, tlsImplicit: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const s: net.Socket = tlsImplicit ? require('node:tls').connect({ host, port, rejectUnauthorized: false }) : net.connect({ host, port });
    let data = '';
    const t = setTimeout(() => { s.destroy(); resolve(data); }, 1000);
    s.on('data', (b) => {
      data += b.toString();
      if (/\r?\n/.test(data)) { clearTimeout(t); s.destroy(); resolve(data); }
    });
    s.on('error', (e) => { clearTimeout(t); reject(e); });
  });
}

function probeInNetns(netns: string, host: string, port: number, tlsImplicit: boolean): string {
  const script = `const s=require(${tlsImplicit ? "'tls').connect({host:'" + host + "',port:" + port + ",rejectUnauthorized:false})" : "'net').connect(" + port + ",'" + host + "')"};s.on('data',b=>{process.stdout.write(b);process.exit(0)});s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),1000)`;
  try {
    return execFileSync('ip', ['netns', 'exec', netns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 3000 });
  } catch {
    return '';
  }
}

/** Stops a spawned server: SIGTERM to its group, SIGKILL after a second. Never throws. */
export async function stopSpawned(spawned: Spawned | undefined): Promise<void> {
  const child = spawned?.child;
  const pid = child?.pid;
  if (!child || pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
  const timer = setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }, 1000);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  clearTimeout(timer);
}

export function removeDirs(...dirs: Array<string | undefined>): void {
  for (const d of dirs) if (d) fs.rmSync(d, { recursive: true, force: true });
}
