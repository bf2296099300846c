/**
 * `npm run demo`, the entry point: a bootstrap that imports only Node's built-ins, because on a fresh
 * clone nothing else is there yet. It first checks what it can't install itself (code-server's apt
 * packages need root and apt-get) and, when that is missing, says exactly what to run and stops
 * before anything slow; then it installs what is missing, saying so: the dependencies (npm ci) and,
 * when no desktop VS Code is found, code-server. Only then does it import the demo itself
 * (scripts/demo/main.mjs, which imports ftp-srv) and run it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fail = (message) => { console.error(`npm run demo: ${message}`); process.exit(1); };
const run = (command, args) => {
  const { status, error } = spawnSync(command, args, { cwd: REPO, stdio: 'inherit' });
  if (status !== 0) fail(`\`${command} ${args.join(' ')}\` failed (${error?.message ?? `exit ${status}`}); see above.`);
};

if (Number(process.versions.node.split('.')[0]) < 20) fail(`needs Node.js 20 or later; this is ${process.version}.`);

// Where the demo opens: the desktop `code` when it runs, otherwise code-server (the browser VS Code).
const desktop = !process.env.DEMO_BROWSER && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
const codeServer = path.join(REPO, '.test-tools', 'code-server', 'node_modules', '.bin', 'code-server');
const installer = path.join(REPO, 'scripts', 'install-code-server.sh');
const needCodeServer = !desktop && !fs.existsSync(codeServer);
// --check prints what to run first (e.g. `sudo bash scripts/install-code-server.sh`) when it can't install.
if (needCodeServer && spawnSync('bash', [installer, '--check'], { cwd: REPO, stdio: 'inherit' }).status !== 0) process.exit(1);

// What the demo imports (ftp-srv, bunyan) and builds with (esbuild).
const nodeModules = path.join(REPO, 'node_modules');
const missing = ['ftp-srv', 'bunyan', 'esbuild'].filter((p) => !fs.existsSync(path.join(nodeModules, p, 'package.json')));
if (missing.length > 0) {
  // npm ci replaces node_modules: never a linked one that other checkouts share.
  if (fs.lstatSync(nodeModules, { throwIfNoEntry: false })?.isSymbolicLink()) fail(`node_modules is a link and lacks ${missing.join(', ')}: run npm ci where it points.`);
  console.log(`Installing the dependencies (${fs.existsSync(nodeModules) ? `node_modules lacks ${missing.join(', ')}` : 'no node_modules yet'}): npm ci --no-audit --no-fund, about a minute...`);
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
if (needCodeServer) {
  console.log('No desktop VS Code (`code`) found: installing code-server, the browser VS Code (scripts/install-code-server.sh)...');
  run('bash', [installer]);
}

const { runDemo } = await import('./demo/main.mjs');
await runDemo({ desktop, codeServer });
