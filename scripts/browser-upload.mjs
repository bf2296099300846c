/**
 * The browser VS Code while a big folder uploads, measured as a user meets it (docs/benchmarks.md,
 * twenty-fourth session): `node scripts/browser-upload.mjs [files] [cancelAt]`.
 *
 * Starts the demo (`npm run demo`: code-server and the demo FTP server), opens it in headless
 * Chromium, makes a local folder of `files` small files (default 2000) in five folders, and uploads it
 * with the Upload command through the file dialog, as a user would. Every second it prints the files
 * on the server, the notification's text, how long the page takes to answer, and the CPU of the
 * browser's renderer and of the extension host; at the end a CPU profile of the page (self time by
 * function). With `cancelAt`, Cancel is clicked once that many files are on the server, and the time
 * until the notification says so is printed. Figures, not a test. Needs what the demo needs, and
 * /usr/bin/chromium.
 */
import { spawn, execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(path.join(REPO, 'package.json'))('playwright-core');
const [FILES = '2000', CANCEL_AT] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The local folder: FILES files of 100-1,500 bytes, a fifth in each of big/a..d and big itself.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-browser-upload-'));
const source = path.join(work, 'big');
const dirs = ['', 'a', 'b', 'c', 'd'];
for (const d of dirs) fs.mkdirSync(path.join(source, d), { recursive: true });
for (let i = 0; i < Number(FILES); i++) fs.writeFileSync(path.join(source, dirs[i % 5], `file${String(i).padStart(4, '0')}.txt`), `${i} `.repeat(50 + (i % 500)));

const demo = spawn('node', [path.join(REPO, 'scripts', 'demo.mjs')], { cwd: REPO, detached: true });
let said = '';
demo.stdout.on('data', (d) => (said += d));
demo.stderr.on('data', (d) => (said += d));
let url;
let root;
for (let i = 0; i < 900 && !url; i++) {
  await sleep(200);
  url = said.match(/(http:\/\/127\.0\.0\.1:\d+\/\?\S*)/)?.[1];
  root = said.match(/files in (\S+)/)?.[1];
}
if (!url) throw new Error(`the demo did not start:\n${said}`);

const pids = (pattern) => execSync(`pgrep -f -- '${pattern}' || true`).toString().trim().split('\n').filter(Boolean);
const ticks = (pid) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
};
const cpu = (list) => list.reduce((sum, pid) => sum + ticks(pid), 0);
const HZ = Number(execSync('getconf CLK_TCK').toString().trim());
const percent = (t) => Math.round((t * 100) / HZ);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.setDefaultTimeout(60_000);
try {
  await page.goto(url);
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor();
  await sleep(4000); // the window settles
  const renderer = pids('type=renderer');
  const extensionHost = pids('type=extensionHost');
  await page.keyboard.press('F1');
  await page.keyboard.type('Upload File or Folder');
  await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Upload File or Folder' }).first().click();
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor();
  await sleep(1000);
  await box.fill(`${source}/`);
  await sleep(1500);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  const t0 = Date.now();
  const first = { r: cpu(renderer), e: cpu(extensionHost) };
  let last = { ...first };
  await page.locator('.quick-input-widget').getByRole('button', { name: 'Upload' }).click();
  const onServer = () => Number(execSync(`find '${root}/big' -type f 2>/dev/null | wc -l`).toString().trim());
  let cancelledAt;
  for (;;) {
    await sleep(1000);
    const asked = Date.now();
    await page.evaluate(() => 1);
    const answered = Date.now() - asked;
    const toasts = (await page.locator('.notifications-toasts .notification-toast').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')).join(' || ');
    const now = { r: cpu(renderer), e: cpu(extensionHost) };
    const files = onServer();
    console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${files} files on the server; the page answers in ${answered} ms; renderer ${percent(now.r - last.r)}%, extension host ${percent(now.e - last.e)}%; ${toasts.slice(0, 160)}`);
    last = now;
    if (CANCEL_AT && !cancelledAt && files >= Number(CANCEL_AT)) {
      cancelledAt = Date.now();
      await page.locator('.notifications-toasts .notification-toast').getByRole('button', { name: 'Cancel' }).first().click();
    }
    if (/Uploaded|failed|cancelled/i.test(toasts) && !/Uploading|Cancelling/.test(toasts)) {
      if (cancelledAt) console.log(`the end notification within ${Date.now() - cancelledAt} ms of Cancel (sampled once a second)`);
      break;
    }
    if (Date.now() - t0 > 600_000) throw new Error('not done in 10 minutes');
  }
  const seconds = (Date.now() - t0) / 1000;
  console.log(`${seconds.toFixed(1)} s in all; on average renderer ${Math.round(percent(last.r - first.r) / seconds)}%, extension host ${Math.round(percent(last.e - first.e) / seconds)}%`);
  const { profile } = await cdp.send('Profiler.stop');
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const { functionName, url: file, lineNumber } = nodes.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${file.split('/').pop()}:${lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log('the page\'s CPU profile, self time:');
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${String(Math.round(us / 1000)).padStart(7)} ms  ${key}`);
} finally {
  await browser.close();
  try {
    process.kill(-demo.pid, 'SIGINT');
  } catch {
    // gone already
  }
  await sleep(2000);
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(0);
