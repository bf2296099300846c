// npm run package: a production bundle, then a .vsix made by @vscode/vsce; prints both sizes.
// The bundle holds every runtime dependency (esbuild), so the .vsix ships no node_modules.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { name, version } = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const vsix = path.join(repo, `${name}-${version}.vsix`);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: repo, stdio: 'inherit' });

run(process.execPath, ['scripts/build.mjs', '--production']);
run(path.join(repo, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', vsix]);

const kb = (f) => (fs.statSync(f).size / 1024).toFixed(1);
const bundle = path.join(repo, 'dist', 'extension.js');
console.log(`bundle: dist/extension.js ${kb(bundle)} KB`);
console.log(`vsix:   ${path.relative(repo, vsix)} ${kb(vsix)} KB (target: under 1024 KB)`);
if (fs.statSync(vsix).size >= 1024 * 1024) {
  console.error('The .vsix is over 1 MB.');
  process.exit(1);
}
