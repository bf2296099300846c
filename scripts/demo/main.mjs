/**
 * The demo itself, imported by scripts/demo.mjs (`npm run demo`) once the dependencies are in:
 * builds the extension, starts a demo FTP server on 127.0.0.1 with sample files (passive and active
 * both work), and opens ftp://demo/ in VS Code: the desktop `code` when it is installed, otherwise
 * the browser VS Code (code-server) on a printed local URL. It imports ftp-srv, which is why it is
 * not the entry point.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ftpsrv from 'ftp-srv';
import bunyan from 'bunyan';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** `desktop`: open in the desktop `code`; otherwise in code-server, installed at `codeServer`. */
export async function runDemo({ desktop, codeServer }) {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });

  // The demo server: anonymous, writable, a copy of the sample site in a temp folder.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ftp-workspace-demo-'));
  const root = path.join(work, 'site');
  fs.cpSync(path.join(REPO, 'scripts', 'demo', 'site'), root, { recursive: true });
  const ftpPort = Number(process.env.DEMO_FTP_PORT ?? (await freePort()));
  const server = new ftpsrv.FtpSrv({
    url: `ftp://127.0.0.1:${ftpPort}`, pasv_url: '127.0.0.1', pasv_min: 30000 + (ftpPort % 1000) * 10, pasv_max: 30009 + (ftpPort % 1000) * 10,
    // Not ftp-srv's `anonymous` option: it adds "Features: a ." to the greeting the log shows first.
    // Any user and password log in here, anonymous too (331, then PASS).
    greeting: ['FTP Workspace demo server'], log: bunyan.createLogger({ name: 'demo', level: 'fatal' }),
  });
  server.on('login', (_data, resolve) => resolve({ root }));
  server.on('client-error', () => undefined);
  // ftp-srv leaves Nagle's algorithm on: each reply written while the one before is unacknowledged
  // waits about 40 ms (a 150 and its 226, every line of a STAT), for any client. The demo server is
  // ours to set up well; the tests run ftp-srv as it comes (test/integration/held-replies.test.ts).
  server.server.on('connection', (socket) => socket.setNoDelay(true));
  await server.listen();
  console.log(`Demo FTP server: ftp://127.0.0.1:${ftpPort}/ (anonymous, passive and active), files in ${root}`);

  const site = { demo: { host: '127.0.0.1', port: ftpPort, transferMode: 'auto' } };
  // A one-folder workspace names the folder "demo" (a bare ftp://demo/ folder would read "/").
  const workspaceFile = path.join(work, 'demo.code-workspace');
  fs.writeFileSync(workspaceFile, JSON.stringify({ folders: [{ uri: 'ftp://demo/', name: 'demo' }], settings: {} }, null, 2));
  const stop = async (code = 0) => {
    await server.close().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => stop());
  process.on('SIGTERM', () => stop());

  if (desktop) {
    // Desktop VS Code: a throwaway profile with the extension in development mode.
    const data = path.join(work, 'vscode-data');
    fs.mkdirSync(path.join(data, 'User'), { recursive: true });
    fs.writeFileSync(path.join(data, 'User', 'settings.json'), JSON.stringify({ 'ftpWorkspace.sites': site, 'files.autoSave': 'off' }, null, 2));
    spawn('code', ['--user-data-dir', data, `--extensionDevelopmentPath=${REPO}`, workspaceFile], { stdio: 'inherit' });
    console.log('Opened ftp://demo/ in VS Code. Press Ctrl+C here to stop the demo server.');
  } else {
    const home = path.join(work, 'home');
    const data = path.join(work, 'code-server-data');
    const extensions = path.join(work, 'extensions');
    // The extension as VS Code would install it: its manifest, bundle and media.
    const ext = path.join(extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
    fs.mkdirSync(ext, { recursive: true });
    for (const f of ['package.json', 'README.md', 'dist', 'media']) if (fs.existsSync(path.join(REPO, f))) fs.cpSync(path.join(REPO, f), path.join(ext, f), { recursive: true });
    fs.mkdirSync(path.join(data, 'User'), { recursive: true });
    // code-server offers to forward every port a process on this machine listens on (the demo's FTP
    // server, anything else running): a Ports badge and notices that have nothing to do with the demo.
    fs.writeFileSync(path.join(data, 'User', 'settings.json'), JSON.stringify({ 'ftpWorkspace.sites': site, 'files.autoSave': 'off', 'workbench.startupEditor': 'none', 'remote.autoForwardPorts': false }, null, 2));
    const port = Number(process.env.DEMO_PORT ?? (await freePort()));
    const cs = spawn(codeServer, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--ignore-last-opened', '--user-data-dir', data, '--extensions-dir', extensions], {
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), EXTENSIONS_GALLERY: '{}' },
      stdio: 'ignore',
    });
    process.on('exit', () => cs.kill());
    // The URL is printed once code-server serves it (about a second), never for a dead server.
    const url = `http://127.0.0.1:${port}/?workspace=${encodeURIComponent(workspaceFile)}`;
    let exited = null;
    cs.on('exit', (code, signal) => { exited = signal ?? code; });
    for (let ready = false; !ready;) {
      if (exited !== null) { console.error(`code-server (${codeServer}) exited (${exited}) before serving the workbench.`); await stop(1); }
      ready = await fetch(url).then((r) => r.ok, () => false);
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.log(`\nOpen VS Code in your browser:  ${url}\nPress Ctrl+C here to stop.`);
  }
}
