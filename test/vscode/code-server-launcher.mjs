// (Playwright gives Chromium a fresh temporary profile of its own.)
// Stands in for the desktop VS Code executable that @vscode/test-electron's runTests() spawns, on
// machines where desktop VS Code can't be downloaded: it reads the same --extensionDevelopmentPath
// and --extensionTestsPath flags, starts code-server (the same workbench, 1.100.3), opens it in
// headless Chromium with those paths, relays the test output, and exits with the suite's result.
//
// False-pass guards: if the extension host dies mid-run the workbench still reports 0. So the run
// fails unless the suite printed its own closing line ("extension-host: N passed, M failed",
// which run() prints only after mocha finished; the bench's entry prints "extension-host bench:
// done") and code-server's log shows no extension host exit with a non-zero code or a signal.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CODE_SERVER = path.join(REPO, '.test-tools', 'code-server', 'node_modules', '.bin', 'code-server');
// The whole suite takes 7-9 minutes on a quiet 2-core machine: room for a loaded one, still a cap on a hang.
const TIMEOUT_MS = Number(process.env.FTPWS_VSCODE_TIMEOUT_MS ?? 15 * 60_000);

// The entry's closing line: the suite's, or the bench's (run.ts bench sets FTPWS_HOST_ENTRY), never either.
const CLOSING = process.env.FTPWS_HOST_ENTRY === 'bench' ? /^extension-host bench: done$/ : /^extension-host: \d+ passed, \d+ failed$/;
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const extensionDevelopmentPath = arg('extensionDevelopmentPath');
const extensionTestsPath = arg('extensionTestsPath');
const folderUri = arg('folder-uri');
// A positional *.code-workspace argument opens that (multi-root) workspace, as desktop VS Code does.
const workspaceFile = process.argv.slice(2).find((a) => !a.startsWith('--') && a.endsWith('.code-workspace'));
if (!extensionDevelopmentPath || !extensionTestsPath) {
  console.error('code-server-launcher: --extensionDevelopmentPath and --extensionTestsPath are required');
  process.exit(2);
}
if (!fs.existsSync(CODE_SERVER)) {
  console.error(`code-server-launcher: ${CODE_SERVER} is missing: run bash scripts/install-code-server.sh`);
  process.exit(2);
}

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-vscode-'));
const dirs = Object.fromEntries(['home', 'data', 'extensions'].map((d) => [d, path.join(scratch, d)]));
Object.values(dirs).forEach((d) => fs.mkdirSync(d, { recursive: true }));
// VS Code for the web defaults to auto save after a delay; a save test must see Ctrl+S alone.
fs.mkdirSync(path.join(dirs.data, 'User'), { recursive: true });
fs.writeFileSync(path.join(dirs.data, 'User', 'settings.json'), JSON.stringify({ 'files.autoSave': 'off', 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false }));

const port = await freePort();
let serverLog = '';
const server = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
  '--disable-workspace-trust', '--ignore-last-opened', '--user-data-dir', dirs.data, '--extensions-dir', dirs.extensions], {
  env: { ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: path.join(dirs.home, '.config'), XDG_DATA_HOME: path.join(dirs.home, '.local/share'), EXTENSIONS_GALLERY: '{}' },
  stdio: ['ignore', 'pipe', 'pipe'], detached: true,
});
server.stdout.on('data', (b) => (serverLog += b));
server.stderr.on('data', (b) => (serverLog += b));

let browser;
let exitCode = 1;
const cleanup = async () => {
  await browser?.close().catch(() => undefined);
  try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
  // FTPWS_KEEP_SCRATCH=1 keeps the user data (logs: data/logs/*/exthost1/ftp-workspace.ftp-workspace/) to read after a run.
  if (process.env.FTPWS_KEEP_SCRATCH) console.error(`code-server-launcher: kept ${scratch}`);
  else fs.rmSync(scratch, { recursive: true, force: true });
};
const timer = setTimeout(async () => {
  console.error(`code-server-launcher: no result within ${TIMEOUT_MS / 1000} s`);
  await cleanup();
  process.exit(1);
}, TIMEOUT_MS);

try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break; } catch { /* not yet */ }
    if (i > 300) throw new Error(`code-server did not start:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // FTPWS_VSCODE_VIEWPORT=1600x1000: a larger window (screenshots of wide views such as the doctor's report).
  const viewport = /^(\d+)x(\d+)$/.exec(process.env.FTPWS_VSCODE_VIEWPORT ?? '');
  const page = await browser.newPage(viewport ? { viewport: { width: Number(viewport[1]), height: Number(viewport[2]) } } : {});
  const result = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
  // Console arguments arrive as ('INFO', '  ✔ %s (%dms)', 'name', 54): fill each format string from the values after it.
  const format = (values) => {
    const out = [];
    for (let i = 0; i < values.length; i++) {
      let v = values[i];
      if (typeof v === 'string') v = v.replace(/%[sdioOjc]/g, (m) => (m === '%c' ? (i++, '') : String(values[++i])));
      out.push(typeof v === 'string' ? v : JSON.stringify(v));
    }
    return out.join(' ');
  };
  let closing;
  page.on('console', async (msg) => {
    const values = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => '?')));
    const text = format(values).replace(/^\s*INFO\s?/, '');
    if (/^\s*(TRACE|DEBUG)\b/.test(text) || /^%c|Download the React DevTools/.test(text)) return;
    const line = text.replace(/^\[Extension Host\] /, '');
    closing = CLOSING.test(line.trim()) ? line.trim() : closing;
    console.log(line);
    // A suite asks for a screenshot of the workbench by printing "ftpws-screenshot: /abs/path.png"; the file
    // appears (renamed into place whole) once taken, so the suite can wait for it.
    const shot = /^ftpws-screenshot: (\/\S+\.png)$/.exec(line.trim());
    if (shot) {
      const partial = `${shot[1]}.partial.png`;
      await page.screenshot({ path: partial, timeout: 10_000 }).then(() => fs.renameSync(partial, shot[1]), (e) => console.error(`code-server-launcher: screenshot failed: ${e.message}`));
    }
  });
  const remote = (p) => `vscode-remote://remote${path.resolve(p)}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', remote(extensionDevelopmentPath)], ['extensionTestsPath', remote(extensionTestsPath)]]);
  const where = workspaceFile ? `workspace=${encodeURIComponent(path.resolve(workspaceFile))}` : folderUri ? `folder=${encodeURIComponent(folderUri)}` : 'ew=true';
  // The workbench's first load takes a few seconds, minutes on a loaded machine (two runs side by
  // side in the scenario layer): wait for the load, not a default 30 s.
  await page.goto(`http://127.0.0.1:${port}/?${where}&payload=${encodeURIComponent(payload)}`, { timeout: 180_000 });
  exitCode = Number(await result);
  // The guards: a dead extension host is a failure whatever the page said.
  await new Promise((r) => setTimeout(r, 500));
  if (!closing) {
    console.error('code-server-launcher: the suite never printed its closing line (the extension host ended before the tests finished): failing the run');
    exitCode = 1;
  }
  const died = [...serverLog.matchAll(/Extension Host Process exited with code: (\w+), signal: (\w+)/g)].find((m) => m[1] !== '0' || m[2] !== 'null');
  if (died) {
    console.error(`code-server-launcher: the extension host died (code ${died[1]}, signal ${died[2]}): failing the run`);
    exitCode = 1;
  }
} catch (e) {
  console.error(`code-server-launcher: ${e.stack ?? e}`);
  exitCode = 1;
} finally {
  clearTimeout(timer);
  await cleanup();
}
process.exit(exitCode);
