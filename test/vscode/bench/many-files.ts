/**
 * The many-files rows measured in the real VS Code: the extension-host entry of `npm run bench:host`
 * (test/vscode/run.ts with `bench`: code-server 4.100.3, as the extension-host tests run). The main
 * bench (test/bench/run.ts) runs the provider and the commands under a stub of `vscode`; here the
 * FTP: Upload and FTP: Download commands run in a real extension host, with what it adds: the Output
 * channel's log of every command at info, its replacement of `net.connect`, the progress
 * notification, the file change events sent to the window.
 *
 * vsftpd on 127.0.0.1, a folder of 1,000 files of 4 KB (local copy on /dev/shm), the site with 4
 * connections; RUNS times: the Upload command into a new folder, lftp's `mirror -R --parallel=4`
 * into another, then the Download command into a new local folder and lftp's `mirror --parallel=4`.
 * Each engine line gives the wall time and the extension host's CPU time (all its threads). Run 1
 * is a window's first folder transfer (the engine's code not compiled yet); the later runs, one
 * after another in the same host, are a host that has moved files before. Figures, not assertions.
 * `FTPWS_HOST_PROFILE=<dir>`: a CPU profile of each engine run is written there.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import { ManagedServer, startServer } from '../../servers';
import { ownedDir, writeManyFiles } from '../../bench/common';
import { lftpTimed, lq } from '../../bench/peers';
import { until } from '../host-helpers';

const ID = 'ftp-workspace.ftp-workspace';
const SITE = 'bench-many';
const FILES = 1000;
const SIZE = 4096;
const CONNECTIONS = 4;
const RUNS = Number(process.env.FTPWS_HOST_RUNS ?? 3);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`FTPWS_HOST_RUNS must be a whole number of runs, at least 1, not ${process.env.FTPWS_HOST_RUNS}`);
const PROFILE_DIR = process.env.FTPWS_HOST_PROFILE;

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');

function post<T>(session: inspector.Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as T))));
}

/** Runs `step`, printing its wall and CPU time (and profiling it when asked). */
async function timed(label: string, session: inspector.Session | undefined, step: () => Thenable<unknown>): Promise<void> {
  if (session) {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
    await post(session, 'Profiler.start');
  }
  const start = performance.now();
  const cpu = process.cpuUsage();
  await step();
  const used = process.cpuUsage(cpu);
  console.log(`${label}: ${(performance.now() - start).toFixed(0)} ms, extension host CPU ${((used.user + used.system) / 1000).toFixed(0)} ms`);
  if (session) {
    const { profile } = await post<{ profile: unknown }>(session, 'Profiler.stop');
    fs.writeFileSync(path.join(PROFILE_DIR!, `${label.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
  }
}

/** The folder's files of SIZE bytes (a temporary file left behind, or one cut short, is not counted). */
function wholeFiles(dir: string): number {
  return fs.readdirSync(dir).filter((n) => !n.startsWith('.') && fs.statSync(path.join(dir, n)).size === SIZE).length;
}

export async function run(): Promise<void> {
  const server: ManagedServer = await startServer('vsftpd');
  const local = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : '/tmp', 'ftpws-host-bench-'));
  const window = vscode.window as unknown as Record<string, unknown>;
  const ask = window.showWarningMessage;
  if (PROFILE_DIR) fs.mkdirSync(PROFILE_DIR, { recursive: true });
  const session = PROFILE_DIR ? new inspector.Session() : undefined;
  try {
    await vscode.extensions.getExtension(ID)!.activate();
    const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}) };
    sites[SITE] = { host: server.host, port: server.port, user: server.user, pollSeconds: 0, maxConnections: CONNECTIONS };
    await config().update('sites', sites, vscode.ConfigurationTarget.Global);
    await until('the site in the settings', () => !!config().get<Record<string, unknown>>('sites')?.[SITE]);
    await vscode.commands.executeCommand('ftpWorkspace.setPassword', SITE, server.password);

    const src = path.join(local, 'many');
    writeManyFiles(src, server.root, 'many', server.owner, FILES, SIZE);
    const owned = (rel: string) => ownedDir(server.root, rel, server.owner);
    const check = (who: string, dir: string) => {
      const n = wholeFiles(dir);
      if (n !== FILES) throw new Error(`${who} moved ${n} whole files, not ${FILES}`);
    };
    const lftp = spawnSync('lftp', ['--version']).status === 0;
    const conn = { host: server.host, port: server.port, user: server.user, password: server.password };
    console.log(`extension-host bench: ${FILES} files of 4 KB, ${CONNECTIONS} connections, vsftpd, ${RUNS} runs${lftp ? ', lftp beside' : ', lftp NOT FOUND (npm run bench installs it)'}`);

    // The questions a folder transfer asks (a big batch, files there already) answered with their first button.
    window.showWarningMessage = async (_message: string, ...rest: unknown[]) => (typeof rest[0] === 'object' ? rest[1] : undefined);
    session?.connect();
    const uri = (p: string) => vscode.Uri.parse(`ftp://${SITE}${p}`);
    await vscode.workspace.fs.readDirectory(uri('/')); // logged in, as after opening the folder
    for (let i = 1; i <= RUNS; i++) {
      owned(`up-${i}`);
      await timed(`engine: Upload command, run ${i}`, session, () => vscode.commands.executeCommand('ftpWorkspace.upload', uri(`/up-${i}`), [vscode.Uri.file(src)], 'replace'));
      check('the Upload command', path.join(server.root, `up-${i}`, 'many'));
      if (lftp) {
        owned(`lftp-up-${i}`);
        const ms = await lftpTimed(conn, [`mirror -R --parallel=${CONNECTIONS} ${lq(src)} ${lq(`/lftp-up-${i}/many`)}`]);
        check('lftp', path.join(server.root, `lftp-up-${i}`, 'many'));
        console.log(`lftp mirror -R --parallel=${CONNECTIONS}, run ${i}: ${ms.toFixed(0)} ms`);
      }
    }
    for (let i = 1; i <= RUNS; i++) {
      const dest = path.join(local, `down-${i}`);
      await timed(`engine: Download command, run ${i}`, session, () => vscode.commands.executeCommand('ftpWorkspace.download', uri('/many'), vscode.Uri.file(dest), 'replace'));
      check('the Download command', dest);
      if (lftp) {
        const to = path.join(local, `lftp-down-${i}`);
        const ms = await lftpTimed(conn, [`mirror --parallel=${CONNECTIONS} ${lq('/many')} ${lq(to)}`]);
        check('lftp', to);
        console.log(`lftp mirror --parallel=${CONNECTIONS}, run ${i}: ${ms.toFixed(0)} ms`);
      }
    }
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', SITE);
  } finally {
    session?.disconnect();
    window.showWarningMessage = ask;
    fs.rmSync(local, { recursive: true, force: true });
    await server.stop();
  }
  // The launcher's sign that the entry ran to its end (code-server-launcher.mjs).
  console.log('extension-host bench: done');
}
