/**
 * lftp as an independent client: what a file or a listing looks like to someone else's FTP code,
 * for byte-for-byte checks of what our engine wrote or read.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INSTALL_HINT, RunningServer, claimPortBlock, removeDirs, scratchDir } from './common';

export interface LftpOptions {
  /** Data connection direction; default passive. */
  mode?: 'passive' | 'active';
  /** default 'off' (plain FTP). */
  security?: 'off' | 'explicit' | 'implicit';
  /** Run lftp inside this namespace (the client side of a simulated network). Default: none. */
  netns?: string;
  /** Local port range for active mode; default a claimed block of free ports. */
  activePorts?: [number, number];
  /** IPv4 address lftp puts in PORT (ftp:port-ipv4); default: the control connection's own. */
  activeAddress?: string;
  timeoutMs?: number;
}

export interface LftpResult {
  stdout: Buffer;
  /** lftp's debug trace: every command sent ("---> PASV") and reply received ("<--- 227 ..."). */
  trace: string;
  /** Files the commands wrote into `dir`. */
  dir: string;
}

/** An lftp argument in double quotes (lftp's own quoting). */
export function lftpQuote(p: string): string {
  return `"${p.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * Runs lftp commands against the server. `commands` may use `$DIR` for a scratch dir the result's
 * `dir` points to (removed by the caller through `cleanup`). Rejects with lftp's trace on failure.
 */
export async function lftp(server: RunningServer, commands: string[], o: LftpOptions = {}): Promise<LftpResult & { cleanup(): void }> {
  if (o.mode === 'active' && (server.host.includes(':') || o.activeAddress?.includes(':'))) {
    // lftp 4.9.2 always sends "EPRT |2|::|port|" over IPv6, which every server rejects.
    throw new Error('lftp 4.9.2 cannot do active mode over IPv6 (it sends EPRT |2|::|port|); use passive mode');
  }
  if (o.security === 'implicit' && !server.implicitPort) throw new Error(`${server.kind} offers no implicit FTPS`);
  const dir = scratchDir('lftp');
  const block = o.mode === 'active' && !o.activePorts ? await claimPortBlock() : undefined;
  const security = o.security ?? 'off';
  const timeoutMs = o.timeoutMs ?? 30000;
  const settings = [
    'set cmd:fail-exit yes', 'set net:max-retries 1', 'set net:reconnect-interval-base 1', `set net:timeout ${Math.ceil(timeoutMs / 3000)}`,
    'set ftp:use-feat yes', 'set xfer:clobber on', 'set cmd:interactive no',
  ];
  if (o.mode === 'active') {
    const range = o.activePorts ?? [block!.first, block!.last];
    settings.push('set ftp:passive-mode off', `set ftp:port-range ${range[0]}-${range[1]}`);
    if (o.activeAddress) settings.push(`set ftp:port-ipv4 ${o.activeAddress}`);
  } else {
    settings.push('set ftp:passive-mode on');
  }
  const host = server.host.includes(':') ? `[${server.host}]` : server.host; // IPv6 literal in a URL
  let url = `ftp://${host}:${server.port}`;
  if (security === 'off') {
    settings.push('set ftp:ssl-allow no');
  } else {
    const ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, server.certPem);
    // Verify against the test certificate: a harness that skipped verification could hide a bad cert.
    settings.push('set ftp:ssl-allow yes', 'set ftp:ssl-force yes', 'set ftp:ssl-protect-data yes', 'set ftp:ssl-protect-list yes',
      `set ssl:ca-file ${lftpQuote(ca)}`, 'set ssl:verify-certificate yes', 'set ssl:check-hostname yes');
    if (security === 'implicit') {
      url = `ftps://${host}:${server.implicitPort}`;
    }
  }
  const script = [...settings, 'debug -t 9', `open -u ${lftpQuote(server.user)},${lftpQuote(server.password)} ${url}`,
    ...commands.map((c) => c.split('$DIR').join(dir))].join('; ');
  const [cmd, args] = o.netns ? ['ip', ['netns', 'exec', o.netns, 'lftp', '-c', script]] : ['lftp', ['-c', script]];
  try {
    const { stdout, trace } = await new Promise<{ stdout: Buffer; trace: string }>((resolve, reject) => {
      execFile(cmd, args, { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C.UTF-8', HOME: dir } },
        (err, out, errOut) => {
          const trace = errOut.toString('utf8');
          if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
            reject(new Error(`lftp is missing (the independent FTP client): ${INSTALL_HINT} (apt package lftp).`));
          } else if (err) {
            // err.message repeats the whole command and stderr; say how it ended, then the trace once.
            const how = err.killed ? `killed after ${timeoutMs} ms` : `exit ${err.code ?? err.signal}`;
            // The trace's last lines say why (a reply, a refused connection): first, where a summary that keeps
            // a failure's first lines shows them; then the trace's end.
            const last = trace.trimEnd().split('\n').slice(-3).map((l) => l.trim()).join(' | ');
            reject(new Error(`lftp failed (${commands.join('; ')}) on ${server.kind} ${url}: ${how}; its trace ends: ${last}\n${trace.slice(-4000)}`));
          } else resolve({ stdout: out, trace });
        });
    });
    return { stdout, trace, dir, cleanup: () => removeDirs(dir) };
  } catch (e) {
    removeDirs(dir);
    throw e;
  } finally {
    block?.release();
  }
}

/** Downloads a file with lftp (binary, passive plain FTP unless told otherwise). */
export async function independentFetch(server: RunningServer, remotePath: string, o: LftpOptions = {}): Promise<Buffer> {
  const r = await lftp(server, [`get ${lftpQuote(remotePath)} -o ${lftpQuote('$DIR/download')}`], o);
  try {
    return fs.readFileSync(path.join(r.dir, 'download'));
  } finally {
    r.cleanup();
  }
}

/** Names in a remote directory as lftp sees them (dotfiles included, no "." or ".."). */
export async function independentList(server: RunningServer, remotePath: string, o: LftpOptions = {}): Promise<string[]> {
  // cd first: `cls -1a /dir` would print every name prefixed with "/dir/".
  const r = await lftp(server, [`cd ${lftpQuote(remotePath)}`, 'cls -1a'], o);
  r.cleanup();
  return r.stdout.toString('utf8').split('\n').map((l) => l.replace(/\r$/, '').replace(/\/$/, '')).filter((l) => l !== '' && l !== '.' && l !== '..');
}

/** The raw LIST text the server sent for a directory, as lftp's `ls` prints it. */
export async function independentRawList(server: RunningServer, remotePath: string, o: LftpOptions = {}): Promise<string> {
  const r = await lftp(server, [`ls ${lftpQuote(remotePath)}`], o);
  r.cleanup();
  return r.stdout.toString('utf8');
}
