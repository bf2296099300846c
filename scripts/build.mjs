// Bundles the extension into dist/extension.js; `vscode` is provided by the host (imported once).
// iconv-lite (480 KB, 60 % of the bundle) goes to dist/iconv-lite.js, required only when a site
// first needs an encoding other than UTF-8: every window's start-up no longer reads it.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
// --outdir <dir>: somewhere else than dist/ (the bundle test builds into a temporary folder).
const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : 'dist';
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, logLevel: 'info' };

/** `require('iconv-lite')` in the extension becomes `require('./iconv-lite.js')`, next to it. */
const iconvApart = {
  name: 'iconv-apart',
  setup(build) {
    build.onResolve({ filter: /^iconv-lite$/ }, () => ({ path: './iconv-lite.js', external: true }));
  },
};

/**
 * Every `import * as vscode from 'vscode'` (27 files) became its own copy of the whole API object
 * (esbuild's __toESM: a getter per name, hundreds of names): 12 ms of each window's start-up. One
 * module re-exports the API once and the others import that.
 */
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js', resolveDir: '.' }));
  },
};

await esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: `${outdir}/extension.js`, plugins: [iconvApart, vscodeOnce] });
await esbuild.build({ ...common, stdin: { contents: "module.exports = require('iconv-lite');", resolveDir: '.', loader: 'js' }, outfile: `${outdir}/iconv-lite.js` });
