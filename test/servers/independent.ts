/** lftp as an independent client: what a file or a listing looks like to someone else's FTP code. */
import { execFile } from 'node:child_process';
import { RunningServer } from './common';

function quote(p: string): string {
  return `"${p.replace(/(["\\])/g, '\\$1')}"`;
}

function lftp(server: RunningServer, command: string): Promise<Buffer> {
  const script = [
    'set ftp:ssl-allow no', 'set ftp:passive-mode on', 'set net:max-retries 1', 'set net:timeout 10', 'set cmd:fail-exit yes',
    `open -u ${server.user},${server.password} -p ${server.port} ${server.host}`, command,
  ].join('; ');
  return new Promise((resolve, reject) => {
    execFile('lftp', ['-c', script], { encoding: 'buffer', timeout: 30000, maxBuffer: 200 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`lftp failed (${command}): ${stderr.toString()} ${err.message}`));
      else resolve(stdout);
    });
  });
}

export function independentFetch(server: RunningServer, remotePath: string): Promise<Buffer> {
  return lftp(server, `cat ${quote(remotePath)}`);
}

export async function independentList(server: RunningServer, remotePath: string): Promise<string> {
  return (await lftp(server, `cls -1a ${quote(remotePath)}`)).toString('utf8');
}
