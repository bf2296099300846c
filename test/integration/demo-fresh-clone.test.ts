/**
 * `npm run demo` on a fresh clone (issue 13). A fresh clone has no node_modules, and the demo
 * imports ftp-srv, so the entry point's bootstrap has to install the dependencies itself. This test
 * clones this repository's committed HEAD into a temp folder, runs `npm run demo` there (browser
 * mode), and waits for the demo FTP server to answer 220 on the port it printed and for code-server
 * to serve the workbench URL it printed. Then it kills the whole process group and removes the
 * clone. The clone's npm ci takes about a minute. code-server is linked from this checkout when it
 * is installed here (otherwise the demo installs it into the clone, about 90 s more).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');
// Under npm test's 5 minutes per file (--test-timeout), so the finally below always gets to kill the
// demo: a file killed by the runner would leave the demo's detached process group running.
const DEADLINE_MS = 240_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first line a server sends on a new connection. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(5000, () => socket.destroy(new Error(`no greeting on port ${port} within 5 s`)));
    let text = '';
    socket.on('data', (data) => {
      text += data.toString('latin1');
      if (text.includes('\n')) { socket.destroy(); resolve(text.split(/\r?\n/)[0]); }
    });
    socket.on('error', reject);
  });
}

function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

/** SIGTERM to the demo's process group (npm, the demo, code-server and its children), SIGKILL after 10 s. */
async function killGroup(pgid: number): Promise<void> {
  const signal = (s: NodeJS.Signals) => { try { process.kill(-pgid, s); } catch { /* already gone */ } };
  signal('SIGTERM');
  for (let i = 0; i < 40 && groupAlive(pgid); i++) await sleep(250);
  signal('SIGKILL');
  for (let i = 0; i < 40 && groupAlive(pgid); i++) await sleep(250);
}

test('npm run demo on a fresh clone installs the dependencies, then serves the demo site and the workbench', { timeout: DEADLINE_MS + 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-demo-clone-'));
  const clone = path.join(dir, 'repo');
  const linkedCodeServer = path.join(clone, '.test-tools', 'code-server');
  let child: ChildProcess | undefined;
  let output = '';
  let deadline: NodeJS.Timeout | undefined;
  try {
    execFileSync('git', ['clone', '--quiet', '--no-checkout', REPO, clone]);
    // Exactly this checkout's commit, even on a detached HEAD.
    execFileSync('git', ['-C', clone, 'fetch', '--quiet', REPO, 'HEAD']);
    execFileSync('git', ['-C', clone, 'checkout', '--quiet', '--detach', 'FETCH_HEAD']);
    assert.ok(!fs.existsSync(path.join(clone, 'node_modules')), 'a fresh clone has no node_modules');
    const codeServer = path.join(REPO, '.test-tools', 'code-server');
    if (fs.existsSync(path.join(codeServer, 'node_modules', '.bin', 'code-server'))) {
      fs.mkdirSync(path.dirname(linkedCodeServer));
      fs.symlinkSync(codeServer, linkedCodeServer);
    }

    // Its own process group, so every process it starts can be killed at the end.
    child = spawn('npm', ['run', 'demo'], { cwd: clone, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEMO_BROWSER: '1' } });
    const ftpLine = /Demo FTP server: ftp:\/\/127\.0\.0\.1:(\d+)\//;
    const urlLine = /Open VS Code in your browser:\s+(\S+)/;
    const outcome = await new Promise<string>((resolve) => {
      const read = (data: Buffer) => {
        output += data.toString();
        if (ftpLine.test(output) && urlLine.test(output)) resolve('printed');
      };
      child!.stdout!.on('data', read);
      child!.stderr!.on('data', read);
      child!.on('exit', (code, signal) => resolve(`exited (${signal ?? code})`));
      deadline = setTimeout(() => resolve(`was still running after ${DEADLINE_MS / 1000} s`), DEADLINE_MS);
    });
    const tail = () => output.slice(-4000);
    assert.equal(outcome, 'printed', `npm run demo ${outcome} without printing the demo server and the workbench URL:\n${tail()}`);
    assert.match(output, /Installing the dependencies \(no node_modules yet\): npm ci/, `the bootstrap did not say it installs:\n${tail()}`);

    const ftpPort = Number(ftpLine.exec(output)![1]);
    assert.match(await greeting(ftpPort), /^220[ -].*FTP Workspace demo server/);

    const url = urlLine.exec(output)![1];
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?workspace=%2F.*demo\.code-workspace$/);
    const page = await fetch(url);
    assert.equal(page.status, 200, `GET ${url}`);
    assert.match(await page.text(), /workbench/i, 'code-server serves the workbench page');
  } finally {
    clearTimeout(deadline);
    if (child?.pid) await killGroup(child.pid);
    // The demo removes its temp folder on SIGTERM; after a SIGKILL it could not.
    const work = /files in (\S+)\/site/.exec(output)?.[1];
    if (work?.includes('ftp-workspace-demo-')) fs.rmSync(work, { recursive: true, force: true });
    if (fs.lstatSync(linkedCodeServer, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(linkedCodeServer);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
