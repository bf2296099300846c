/**
 * The browser end-to-end run: the packaged .vsix installed into a fresh code-server, driven in
 * headless Chromium only through the UI, as a user would: FTP: Add Site... from the palette, open
 * the site's folder, expand a directory, open a file, type, Ctrl+S, check the bytes on the server
 * with an independent client, FTP: Set Transfer Mode... -> Active, see the status bar follow, save
 * again (now over an active data connection) and check again.
 *
 *   npm run package && npm run compile-tests && node out/test/e2e/run.js [--vsix path]
 *
 * Every step saves a screenshot to test-results/e2e/NN-step.png. It prints "e2e: N steps passed"
 * only at the true end; any failure (or the overall timeout, FTPWS_E2E_TIMEOUT_MS, default 4 min)
 * prints the failed step and the tails of code-server's logs, cleans everything up and exits 1.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, Locator, Page, chromium } from 'playwright-core';
import { RunningServer, independentFetch, independentList } from '../servers';
import { startE2eServer } from './ftp-server';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CODE_SERVER = path.join(REPO, '.test-tools', 'code-server', 'node_modules', '.bin', 'code-server');
const SHOTS = path.join(REPO, 'test-results', 'e2e');
const TIMEOUT_MS = Number(process.env.FTPWS_E2E_TIMEOUT_MS ?? 240_000);
/** The longest any single UI state may take to appear. */
const UI_MS = 30_000;

const SITE = 'e2e';
const USER = 'e2euser';
// Random per run, so finding it anywhere can only mean it was written there.
const PASSWORD = `pw-${crypto.randomBytes(9).toString('base64url')}`;
const DIR = 'www';
const FILE = 'readme.txt';
const ORIGINAL = 'Hello from the FTP server.\nSecond line.\n';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string; publisher: string; version: string };
const vsixArg = process.argv.indexOf('--vsix');
const VSIX = path.resolve(vsixArg > 0 ? process.argv[vsixArg + 1] : path.join(REPO, `${pkg.name}-${pkg.version}.vsix`));

// ---- Everything the run owns, released by cleanup() -------------------------------------------
let server: RunningServer | undefined;
let codeServer: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let scratch: string | undefined;
let serverLog = '';
const consoleErrors: string[] = [];
const bugs: string[] = [];
let stepNo = 0;
let current = '(setup)';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tail = (text: string, lines = 60) => text.split('\n').slice(-lines).join('\n');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function dirs() {
  const root = scratch!;
  return { home: path.join(root, 'home'), data: path.join(root, 'data'), extensions: path.join(root, 'extensions') };
}

function codeServerEnv(): NodeJS.ProcessEnv {
  const { home } = dirs();
  return { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), EXTENSIONS_GALLERY: '{}' };
}

/** Kills code-server's whole process group; waits (bounded) until it is gone. */
async function stopCodeServer(): Promise<void> {
  const cs = codeServer;
  codeServer = undefined;
  if (!cs?.pid || cs.exitCode !== null || cs.signalCode !== null) return;
  const gone = new Promise<void>((r) => cs.once('exit', () => r()));
  try { process.kill(-cs.pid, 'SIGTERM'); } catch { return; }
  if (await Promise.race([gone.then(() => true), sleep(3000).then(() => false)])) return;
  try { process.kill(-cs.pid, 'SIGKILL'); } catch { /* gone */ }
  await Promise.race([gone, sleep(2000)]);
}

async function cleanup(): Promise<void> {
  await browser?.close().catch(() => undefined);
  browser = undefined;
  await stopCodeServer();
  await server?.stop();
  server = undefined;
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** Logs of code-server's own VS Code (the extension host's, the extension's output channel). */
function findLogs(name: RegExp): string[] {
  if (!scratch) return [];
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (name.test(e.name)) found.push(p);
    }
  };
  try { walk(path.join(dirs().data, 'logs')); } catch { /* no logs yet */ }
  return found;
}

function readLogs(name: RegExp): string {
  return findLogs(name).map((f) => { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } }).join('\n');
}

let failing = false;
async function fail(e: unknown): Promise<never> {
  // A second failure (the run's own promise rejecting once the browser is closed under it, or the
  // timeout firing during cleanup) waits for the first one to finish cleaning up and exit.
  if (failing) return new Promise<never>(() => undefined);
  failing = true;
  console.error(`\ne2e: FAILED at step ${current}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  if (page) {
    await page.screenshot({ path: path.join(SHOTS, `${current}-FAILED.png`), timeout: 5000 })
      .then(() => console.error(`e2e: screenshot of the failure: ${path.relative(REPO, path.join(SHOTS, `${current}-FAILED.png`))}`), () => undefined);
  }
  console.error(`\n--- code-server output (tail) ---\n${tail(serverLog)}`);
  const exthost = readLogs(/^(remoteexthost|exthost)\.log$/);
  if (exthost) console.error(`\n--- extension host log (tail) ---\n${tail(exthost, 40)}`);
  const ours = readLogs(/FTP Workspace\.log$/);
  if (ours) console.error(`\n--- FTP Workspace output channel (tail) ---\n${tail(ours, 40)}`);
  if (consoleErrors.length) console.error(`\n--- browser console errors (tail) ---\n${consoleErrors.slice(-15).join('\n')}`);
  if (server) console.error(`\n--- FTP server ---\n${server.kind} on ${server.host}:${server.port}, files in ${server.root}`);
  await cleanup().catch(() => undefined);
  console.error('e2e: FAILED');
  process.exit(1);
}

/** A numbered step: runs, then saves test-results/e2e/NN-name.png. */
async function step(name: string, fn: () => Promise<void>): Promise<void> {
  stepNo++;
  current = `${String(stepNo).padStart(2, '0')}-${name}`;
  const started = Date.now();
  await fn();
  await page!.screenshot({ path: path.join(SHOTS, `${current}.png`) });
  console.log(`e2e: ${current} ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Polls a condition (UI state that has no single selector) until it holds. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = UI_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

function eq(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// ---- The workbench, as a user sees it ------------------------------------------------------------
const quickInput = () => page!.locator('.quick-input-widget');
const quickInputBox = () => page!.locator('.quick-input-widget .quick-input-box input');
const quickRows = () => page!.locator('.quick-input-widget .quick-input-list .monaco-list-row');
const statusItem = () => page!.locator('.statusbar-item[id$="ftpWorkspace.site"]');
const explorerItem = (name: string) => page!.locator('.explorer-folders-view').getByRole('treeitem', { name, exact: true });
const activeTab = () => page!.locator('.editor-group-container.active .tabs-container .tab.active');
const notification = (text: string) => page!.locator('.notifications-toasts .notification-toast').filter({ hasText: text });

async function visible(l: Locator): Promise<Locator> {
  await l.waitFor({ state: 'visible', timeout: UI_MS });
  return l;
}

/**
 * F1, type the command's name, pick it (by its own row, not whatever is first). The palette lists
 * an installed extension's commands only once the workbench has scanned the remote extensions, and
 * an open palette does not refresh: if the command is not there, close it and open it again.
 */
async function runCommand(label: string): Promise<void> {
  const deadline = Date.now() + UI_MS;
  for (;;) {
    await page!.keyboard.press('F1');
    await visible(quickInputBox());
    await until('the command palette (">")', async () => (await quickInputBox().inputValue()) === '>');
    await page!.keyboard.type(label);
    const row = quickRows().filter({ hasText: label }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: Math.min(3000, Math.max(deadline - Date.now(), 1)) });
      await row.click();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`the command palette never listed "${label}": ${e instanceof Error ? e.message : e}`);
      await page!.keyboard.press('Escape');
      await quickInput().waitFor({ state: 'hidden' });
    }
  }
}

/** Answers an input box of the Add Site flow, recognised by its title. */
async function answerInput(title: string, value: string): Promise<void> {
  await visible(quickInput().locator('.quick-input-title').filter({ hasText: title }));
  const box = quickInputBox();
  await until(`the input "${title}" to be empty and focused`, async () => (await box.inputValue()) === '' && (await page!.locator('.quick-input-widget .quick-input-box input:focus').count()) === 1);
  await page!.keyboard.type(value);
  eq(await box.inputValue(), value, `what the input "${title}" holds`);
}

/** A quick pick row by its exact label. */
function quickRow(label: string): Locator {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return quickRows().filter({ has: page!.locator('.label-name', { hasText: exact }) });
}

/** Picks a quick pick item by its exact label. */
async function pickItem(label: string): Promise<void> {
  await visible(quickRow(label));
  await quickRow(label).click();
}

async function editorText(): Promise<string> {
  // The rendered lines of the active editor (no hidden text: the file is short).
  // Monaco renders spaces as no-break spaces.
  return (await page!.locator('.editor-group-container.active .monaco-editor .view-lines').innerText()).replace(/\u00a0/g, ' ');
}

async function typeAtStart(text: string): Promise<void> {
  await page!.locator('.editor-group-container.active .monaco-editor .view-lines').click();
  await page!.keyboard.press('Control+Home');
  await page!.keyboard.type(text);
  await page!.keyboard.press('Escape'); // a word suggestion, if one opened
  await visible(page!.locator('.editor-group-container.active .tabs-container .tab.active.dirty'));
}

async function saveAndWait(): Promise<void> {
  await page!.keyboard.press('Control+s');
  await until('the editor to be saved (tab no longer dirty)', async () => {
    const cls = await activeTab().getAttribute('class');
    return cls !== null && !/\bdirty\b/.test(cls);
  });
}

async function checkServerBytes(expected: string, mode: 'passive' | 'active'): Promise<void> {
  const remote = `/${DIR}/${FILE}`;
  const viaLftp = (await independentFetch(server!, remote, { mode })).toString('utf8');
  eq(viaLftp, expected, `${remote} as lftp (${mode}) downloads it`);
  const onDisk = fs.readFileSync(path.join(server!.root, DIR, FILE), 'utf8');
  eq(onDisk, expected, `${remote} on the server's disk`);
  // Safe save uploads to a temporary name and renames it: nothing may be left over.
  eq((await independentList(server!, `/${DIR}`)).sort().join(','), FILE, `the names in /${DIR}`);
}

/** Files under dir whose bytes contain text. */
function filesHolding(dir: string, text: string): string[] {
  const found: string[] = [];
  const needle = Buffer.from(text);
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.readFileSync(p).includes(needle)) found.push(p);
    }
  };
  walk(dir);
  return found;
}

/** The extension's output channel (a LogOutputChannel, written under the user-data dir's logs). */
function outputChannel(): string {
  return readLogs(/FTP Workspace\.log$/);
}

// ---- The run ------------------------------------------------------------------------------------
async function run(): Promise<void> {
  const t0 = Date.now();
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: run npm run package first`);
  if (!fs.existsSync(CODE_SERVER)) throw new Error(`${CODE_SERVER} is missing: run bash scripts/install-code-server.sh`);
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });

  // The FTP server, with a directory holding a file.
  server = await startE2eServer(USER, PASSWORD);
  fs.mkdirSync(path.join(server.root, DIR));
  fs.writeFileSync(path.join(server.root, DIR, FILE), ORIGINAL);
  fs.writeFileSync(path.join(server.root, 'index.html'), '<h1>e2e</h1>\n');
  console.log(`e2e: FTP server ${server.kind} on ${server.host}:${server.port} (user ${USER}, passive and active)`);

  // A fresh code-server: its own HOME, user-data and extensions dirs; the .vsix installed as a user would.
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-e2e-'));
  Object.values(dirs()).forEach((d) => fs.mkdirSync(d, { recursive: true }));
  const settingsFile = path.join(dirs().data, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  // VS Code for the web saves after a delay by default: a save test must see Ctrl+S alone.
  fs.writeFileSync(settingsFile, JSON.stringify({
    'files.autoSave': 'off', 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false,
    // The FTP server's passive ports would otherwise raise "port forwarded" toasts over the UI.
    'remote.autoForwardPorts': false,
  }, null, 2));
  const installOut = await new Promise<string>((resolve, reject) => {
    execFile(CODE_SERVER, ['--install-extension', VSIX, '--extensions-dir', dirs().extensions, '--user-data-dir', dirs().data], { env: codeServerEnv(), timeout: 120_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`code-server --install-extension failed: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout + stderr)));
  });
  const installed = fs.readdirSync(dirs().extensions).filter((d) => d.startsWith(`${pkg.publisher}.${pkg.name}-`));
  if (installed.length !== 1) throw new Error(`the .vsix did not land in the extensions dir:\n${installOut}`);
  console.log(`e2e: installed ${path.basename(VSIX)} -> ${installed[0]}`);

  const port = await freePort();
  codeServer = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--ignore-last-opened', '--user-data-dir', dirs().data, '--extensions-dir', dirs().extensions],
  { env: codeServerEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  codeServer.stdout!.on('data', (b: Buffer) => (serverLog = (serverLog + b.toString()).slice(-64_000)));
  codeServer.stderr!.on('data', (b: Buffer) => (serverLog = (serverLog + b.toString()).slice(-64_000)));
  const cs = codeServer;
  await until('code-server to answer /healthz', async () => {
    if (cs.exitCode !== null) throw new Error(`code-server exited (${cs.exitCode}):\n${serverLog}`);
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
  });
  console.log(`e2e: code-server on http://127.0.0.1:${port}/ (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(UI_MS);
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text().slice(0, 400)); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message.slice(0, 400)}`));

  await step('workbench', async () => {
    await page!.goto(`http://127.0.0.1:${port}/`);
    await visible(page!.locator('.monaco-workbench .part.statusbar'));
    await visible(page!.locator('.monaco-workbench .part.activitybar'));
    await until('code-server to launch the extension host', async () => /Launched Extension Host Process/.test(serverLog));
  });

  await step('palette-add-site', async () => {
    await runCommand('FTP: Add Site...');
    await visible(quickInput().locator('.quick-input-title').filter({ hasText: 'Add FTP Site (1/5)' }));
  });
  await step('site-name', async () => {
    await answerInput('Add FTP Site (1/5)', SITE);
    await page!.keyboard.press('Enter');
  });
  await step('site-host', async () => {
    await answerInput('Add FTP Site (2/5)', `${server!.host}:${server!.port}`);
    await page!.keyboard.press('Enter');
  });
  await step('site-user', async () => {
    await answerInput('Add FTP Site (3/5)', USER);
    await page!.keyboard.press('Enter');
  });
  await step('site-password', async () => {
    await answerInput('Add FTP Site (4/5)', PASSWORD);
    eq(await quickInputBox().getAttribute('type'), 'password', 'the password input\'s type');
    await page!.keyboard.press('Enter');
  });
  await step('site-security', async () => {
    await visible(quickInput().locator('.quick-input-title').filter({ hasText: 'Add FTP Site (5/5)' }));
    await pickItem('FTP');
  });

  await step('site-added', async () => {
    const toast = await visible(notification(`FTP site "${SITE}" added.`));
    await visible(page!.locator('.notifications-toasts .notification-toast.notification-fade-in-done').filter({ hasText: `FTP site "${SITE}" added.` }));
    await visible(toast.getByRole('button', { name: 'Open in This Window' }));
    // The site is in the user settings (no folder is open), the password is not.
    const settings = await until('the site in the user settings.json', async () => {
      const text = fs.readFileSync(settingsFile, 'utf8');
      return text.includes(`"${SITE}"`) && text;
    });
    const site = (JSON.parse(settings) as Record<string, Record<string, Record<string, unknown>>>)['ftpWorkspace.sites']?.[SITE];
    eq(JSON.stringify(site), JSON.stringify({ host: server!.host, port: server!.port, user: USER, transferMode: 'auto' }), 'the site in settings.json');
    if (settings.includes(PASSWORD)) throw new Error(`the password is in ${settingsFile}`);
  });

  await step('folder-opened', async () => {
    await notification(`FTP site "${SITE}" added.`).getByRole('button', { name: 'Open in This Window' }).click();
    // Open Site opens a one-folder workspace named after the site (so the Explorer reads "e2e", not "/").
    await page!.waitForURL((u) => u.searchParams.get('workspace')?.endsWith(`/${SITE}.code-workspace`) ?? false, { timeout: UI_MS });
    // The folder's listing is the first FTP transfer. A password prompt here means the secret was lost.
    const dir = explorerItem(DIR);
    const prompt = quickInput().filter({ hasText: 'Password for' });
    const first = await until('the Explorer to list the site (or a password prompt)', async () =>
      (await dir.isVisible()) ? 'listed' : (await prompt.isVisible()) ? 'prompt' : undefined);
    if (first === 'prompt') {
      bugs.push(`After "Open in This Window" the workbench asked for the password of "${SITE}" again, although Add Site had just stored it in secret storage.`);
      console.log(`e2e: BUG: ${bugs[bugs.length - 1]}`);
      await page!.screenshot({ path: path.join(SHOTS, `${String(stepNo).padStart(2, '0')}-password-asked-again.png`) });
      await page!.keyboard.type(PASSWORD);
      await page!.keyboard.press('Enter');
      const remember = notification('Remember the password');
      await remember.getByRole('button', { name: 'Remember' }).click();
      await visible(dir);
    }
    await visible(explorerItem('index.html'));
  });

  await step('directory-expanded', async () => {
    await explorerItem(DIR).click();
    await visible(explorerItem(FILE));
    eq(await explorerItem(DIR).getAttribute('aria-expanded'), 'true', `the Explorer's ${DIR} row expanded`);
  });

  await step('file-opened', async () => {
    await explorerItem(FILE).click();
    await until(`the editor to show ${FILE}`, async () => (await activeTab().innerText()).includes(FILE) && (await editorText()).includes('Hello from the FTP server.'));
    await visible(statusItem());
  });

  const passiveEdit = 'Saved in the browser, passive mode.\n';
  let expected = passiveEdit + ORIGINAL;
  await step('typed-passive', async () => {
    await typeAtStart(passiveEdit);
    const text = await editorText();
    if (!text.startsWith(passiveEdit)) throw new Error(`the editor shows ${JSON.stringify(text.slice(0, 120))}`);
  });

  await step('saved-passive', async () => {
    await saveAndWait();
    await checkServerBytes(expected, 'passive');
    // Auto mode tried passive first, and the status bar says what it learnt.
    await until('the status bar item to read "e2e · auto: passive"', async () => (await statusItem().innerText()).includes(`${SITE} · auto: passive`));
    const line = await until('the output channel to log a passive data connection', async () => /^.*data connection to .*\((EPSV|PASV)\).*$/m.exec(outputChannel())?.[0], 10_000);
    console.log(`e2e:   the extension's log: ${line.trim()}`);
  });

  let logBeforeActive = '';
  await step('palette-set-transfer-mode', async () => {
    await runCommand('FTP: Set Transfer Mode...');
    await visible(quickRow('Active'));
    await until(`the picker's placeholder "Transfer mode for ${SITE}"`, async () => (await quickInputBox().getAttribute('placeholder')) === `Transfer mode for ${SITE}`);
  });
  await step('status-bar-active', async () => {
    logBeforeActive = outputChannel();
    await pickItem('Active');
    await until(`the status bar item to read "${SITE} · active"`, async () => (await statusItem().innerText()).trim().endsWith(`${SITE} · active`));
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
    eq(settings['ftpWorkspace.sites']?.[SITE]?.transferMode, 'active', 'the site\'s transferMode in settings.json');
  });

  const activeEdit = 'Saved again, active mode.\n';
  await step('typed-active', async () => {
    await typeAtStart(activeEdit);
  });
  await step('saved-active', async () => {
    expected = activeEdit + expected;
    await saveAndWait();
    await checkServerBytes(expected, 'active');
    await until(`the status bar item to still read "${SITE} · active"`, async () => (await statusItem().innerText()).trim().endsWith(`${SITE} · active`));
    // The save went over an active data connection (the server connected back), nothing passive.
    const since = await until('the output channel to log an active data connection', async () => {
      const before = new Set(logBeforeActive.split('\n'));
      const added = outputChannel().split('\n').filter((l) => !before.has(l)).join('\n');
      return /listening on .*\((EPRT|PORT)/.test(added) && added;
    }, 10_000);
    if (/data connection to .*\((EPSV|PASV)\)/.test(since)) throw new Error(`a passive data connection after the switch to active:\n${since}`);
    console.log(`e2e:   the extension's log: ${/^.*listening on .*\((EPRT|PORT).*$/m.exec(since)![0].trim()}`);
  });

  // The password: in secret storage, nowhere in the settings (nor in any other file of code-server's dirs).
  const settingsText = fs.readFileSync(settingsFile, 'utf8');
  if (settingsText.includes(PASSWORD)) throw new Error(`the password is in ${settingsFile}`);
  const holding = filesHolding(scratch!, PASSWORD);
  if (holding.length) throw new Error(`the password is in plain text in ${holding.join(', ')}`);
  const died = [...serverLog.matchAll(/Extension Host Process exited with code: (\w+), signal: (\w+)/g)].find((m) => m[1] !== '0' || m[2] !== 'null');
  if (died) throw new Error(`the extension host died (code ${died[1]}, signal ${died[2]})`);

  current = '(cleanup)';
  await cleanup();
  if (bugs.length) console.log(`e2e: bugs seen (the run went on):\n${bugs.map((b) => `  - ${b}`).join('\n')}`);
  console.log(`e2e: ${stepNo} steps passed in ${((Date.now() - t0) / 1000).toFixed(1)} s (screenshots in ${path.relative(REPO, SHOTS)})`);
}

const timer = setTimeout(() => void fail(new Error(`the whole run took over ${TIMEOUT_MS / 1000} s (FTPWS_E2E_TIMEOUT_MS)`)), TIMEOUT_MS);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void fail(new Error(`interrupted (${sig})`)));
run().then(() => {
  clearTimeout(timer);
  process.exit(0);
}, (e: unknown) => fail(e));
