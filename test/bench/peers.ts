/**
 * The peers the engine is measured against, found or installed, and how each is timed so that
 * only the measured step counts (never the login), as /work/shared/notes/benchmarking.md says:
 * - curl: a first operation on the connection (a small file, or the listing), then `--next` and
 *   the measured one on the same connection; its `time_total`. `-P -` for active (curl 7.88 can't
 *   do active FTPS).
 * - lftp: one session logged in first (`quote NOOP`, or the listing), markers
 *   `!echo T=$(date +%s%N) >&2` around the step; a marker's own cost (the smallest of three
 *   gaps between markers in a row: under load one fork can take tens of ms) is subtracted. Plain FTP with `ftp:ssl-allow no` (lftp would otherwise start TLS on its own).
 * - Python ftplib: ftplib_peer.py (256 KiB blocks, data TLS resuming the control session).
 * - basic-ftp (npm, passive only): in worker.ts, timed like the engine.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Conn, PEERS, REPO, TICKS_PER_SECOND } from './common';

export interface PeerInfo {
  name: 'curl' | 'lftp' | 'ftplib' | 'basic-ftp';
  version?: string;
  /** How it was found, or why it is missing. */
  how: string;
  available: boolean;
}

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function aptInstall(pkg: string): string | undefined {
  if (process.getuid?.() !== 0 || !which('apt-get')) return `not installed, and this is not root with apt-get: install ${pkg}`;
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], { stdio: 'ignore', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return undefined;
  } catch {
    try {
      execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], { stdio: 'ignore', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      return undefined;
    } catch (e) {
      return `apt-get install ${pkg} failed: ${(e as Error).message.split('\n')[0]}`;
    }
  }
}

/** Finds every peer, installing what is missing where it can; says what it used. */
export function findPeers(): PeerInfo[] {
  const peers: PeerInfo[] = [];
  for (const [name, pkg] of [['curl', 'curl'], ['lftp', 'lftp']] as const) {
    let how = which(name) ? `found at ${which(name)}` : '';
    if (!how) {
      const failed = aptInstall(pkg);
      how = failed ?? `installed now with apt-get (${which(name)})`;
    }
    const bin = which(name);
    let version: string | undefined;
    if (bin) {
      try {
        const out = execFileSync(bin, ['--version'], { encoding: 'utf8' });
        version = name === 'curl' ? /^curl (\S+)/.exec(out)?.[1] : /Version (\S+)/.exec(out)?.[1];
      } catch {
        /* no version */
      }
    }
    peers.push({ name, version, how, available: !!bin });
  }
  try {
    const v = execFileSync('python3', ['-c', 'import ftplib, ssl, sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim();
    peers.push({ name: 'ftplib', version: `Python ${v}`, how: `python3 (${which('python3')}), ftplib from its standard library`, available: true });
  } catch (e) {
    peers.push({ name: 'ftplib', how: `python3 with ftplib is missing (${(e as Error).message.split('\n')[0]})`, available: false });
  }
  const pkgJson = path.join(PEERS, 'node_modules', 'basic-ftp', 'package.json');
  let how = `found in ${PEERS}`;
  if (!fs.existsSync(pkgJson)) {
    try {
      fs.mkdirSync(PEERS, { recursive: true });
      execFileSync('npm', ['install', '--prefix', PEERS, '--no-audit', '--no-fund', 'basic-ftp'], { stdio: 'ignore', timeout: 300_000 });
      how = `installed now: npm install --prefix ${PEERS} basic-ftp`;
    } catch (e) {
      how = `not in ${PEERS} and npm install failed: ${(e as Error).message.split('\n')[0]}`;
    }
  }
  const version = fs.existsSync(pkgJson) ? (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version : undefined;
  peers.push({ name: 'basic-ftp', version, how, available: !!version });
  return peers;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${err.message.split('\n')[0]} ${stderr.slice(-600)}`));
      else resolve({ stdout, stderr });
    });
  });
}

const url = (conn: Conn, p: string) => `ftp://${conn.host}:${conn.port}${p.startsWith('/') ? p : `/${p}`}`;

function curlBase(conn: Conn): string[] {
  const a = ['-sS', '--user', `${conn.user}:${conn.password}`, '--max-time', '900'];
  if (conn.secure === 'explicit') a.push('--ssl-reqd', '--cacert', conn.caFile!);
  if (conn.mode === 'active') a.push('-P', '-');
  else a.push('--ftp-pasv');
  return a;
}

/**
 * curl: `first` (a URL path whose download warms the connection: a small file, or a folder's
 * listing with a trailing /) then the measured step on the same connection; returns its time_total.
 */
export async function curlTimed(conn: Conn, first: string, step: string[], timeoutMs = 900_000): Promise<number> {
  const base = curlBase(conn);
  const args = [...base, url(conn, first), '-o', '/dev/null', '--next', ...base, ...step, '-w', '\nT=%{time_total}\n'];
  const { stdout } = await run('curl', args, timeoutMs);
  const m = /T=([\d.]+)\s*$/.exec(stdout);
  if (!m) throw new Error(`curl printed no time: ${stdout.slice(-200)}`);
  return Number(m[1]) * 1000;
}

export const curlSteps = {
  download: (conn: Conn, remote: string, local: string) => [url(conn, remote), '-o', local],
  upload: (conn: Conn, local: string, remote: string) => ['-T', local, url(conn, remote)],
  /** Upload to a temporary name in the same folder, then rename it over the target (RNFR/RNTO after the transfer). */
  safeUpload: (conn: Conn, local: string, remote: string) => {
    const temp = path.posix.join(path.posix.dirname(remote), `.${path.posix.basename(remote)}.curl.tmp`);
    return ['-T', local, url(conn, temp), '-Q', `-RNFR ${temp}`, '-Q', `-RNTO ${remote}`];
  },
};

export interface LftpOpts {
  /** Connect data to the control connection's address even after PASV (the relay). */
  ignorePasvAddress?: boolean;
  /**
   * Told lftp's own CPU time (user + system, ms) over the steps: read from /proc/<lftp>/stat by the
   * markers' shells (their parent is lftp), so no other process's time is counted.
   */
  onCpuMs?: (ms: number) => void;
}

/**
 * lftp: logs in (`warm`, default `quote NOOP`), then times `steps` between two markers, minus
 * the cost of a marker. Returns ms.
 */
export async function lftpTimed(conn: Conn, steps: string[], warm = ['quote NOOP'], o: LftpOpts = {}, timeoutMs = 900_000): Promise<number> {
  const settings = [
    'set cmd:fail-exit yes', 'set cmd:interactive no', 'set net:max-retries 1', 'set net:reconnect-interval-base 1', 'set net:timeout 60', 'set xfer:clobber on',
    `set ftp:passive-mode ${conn.mode === 'active' ? 'off' : 'on'}`,
  ];
  if (o.ignorePasvAddress) settings.push('set ftp:ignore-pasv-address true');
  if (conn.secure === 'explicit') {
    settings.push('set ftp:ssl-allow yes', 'set ftp:ssl-force true', 'set ftp:ssl-protect-data true', 'set ftp:ssl-protect-list true',
      `set ssl:ca-file "${conn.caFile}"`, 'set ssl:verify-certificate yes');
  } else {
    settings.push('set ftp:ssl-allow no');
  }
  // Each marker also prints lftp's utime and stime (fields 14 and 15 of its /proc stat, in ticks).
  const marker = (n: number) => `!echo T${n}=$(date +%s%N) C${n}=$(cut -d' ' -f14,15 /proc/$PPID/stat | tr ' ' +) >&2`;
  // T0 and T1 around the steps; T1..T4: three empty gaps, the smallest is a marker's own cost.
  const script = [...settings, `open -u "${conn.user}","${conn.password}" ftp://${conn.host}:${conn.port}`, ...warm, marker(9), marker(0), ...steps, marker(1), marker(2), marker(3), marker(4), 'quit'].join('\n');
  const file = path.join(os.tmpdir(), `ftpws-bench-lftp-${process.pid}-${Math.random().toString(36).slice(2)}.lftp`);
  fs.writeFileSync(file, script, { mode: 0o600 });
  try {
    const { stderr } = await run('lftp', ['-f', file], timeoutMs);
    const t = [0, 1, 2, 3, 4].map((n) => Number(new RegExp(`T${n}=(\\d+)`).exec(stderr)?.[1] ?? NaN));
    if (t.some(Number.isNaN)) throw new Error(`lftp printed no markers: ${stderr.slice(-300)}`);
    const markerCost = Math.min(t[2] - t[1], t[3] - t[2], t[4] - t[3]);
    const ms = (t[1] - t[0] - markerCost) / 1e6;
    const ticks = [0, 1].map((n) => new RegExp(`C${n}=(\\d+)\\+(\\d+)`).exec(stderr)).map((m) => (m ? Number(m[1]) + Number(m[2]) : NaN));
    if (o.onCpuMs && !ticks.some(Number.isNaN)) o.onCpuMs((ticks[1] - ticks[0]) * 1000 / TICKS_PER_SECOND);
    if (ms <= 0) throw new Error(`lftp's step took less than a marker (${((t[1] - t[0]) / 1e6).toFixed(1)} ms, a marker ${(markerCost / 1e6).toFixed(1)} ms): no figure`);
    return ms;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** An lftp argument in double quotes. */
export const lq = (p: string) => `"${p.replace(/(["\\])/g, '\\$1')}"`;

export interface FtplibResult {
  ms: number;
  rssBase: number;
  rssPeak: number;
}

/** Python ftplib (ftplib_peer.py) doing one job. */
export async function ftplibTimed(conn: Conn, job: { op: string; remote: string; local: string; dir?: string }, timeoutMs = 900_000): Promise<FtplibResult> {
  const script = path.join(REPO, 'test', 'bench', 'ftplib_peer.py');
  const { stdout } = await run('python3', [script, JSON.stringify({ ...conn, ...job })], timeoutMs);
  return JSON.parse(stdout.trim().split('\n').pop()!) as FtplibResult;
}
