// Bundles the extension into dist/extension.js, run by dist/start.js (package.json main) with V8's
// code cache; `vscode` is provided by the host (imported once).
// What a window's start-up doesn't need goes to files of its own, required when first used (every
// byte of extension.js is read and pre-parsed at each start, about 0.07 ms per KB here): iconv-lite
// (480 KB) when a site first needs an encoding other than UTF-8; the import of other programs' site
// lists (its XML parser), the connection doctor, the search, Upload/Download and Change Permissions
// when their commands first run; the listing parsers when a connection first lists; the engine's
// connecting and transferring parts (src/fs/engine.ts) when a site first connects.
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
 * A module loaded with `await import(...)` (and only so) becomes a bundle of its own. What it
 * shares with extension.js is copied into it: it must keep no state the rest of the extension reads
 * (the doctor, the import and the search take what they need as arguments; an FtpError made by
 * one copy is known to the others by its mark: src/ftp/errors.ts).
 */
const APART = {
  'src/sites/import/command.ts': 'import.js',
  'src/ftp/doctor.ts': 'doctor.js',
  'src/search/searching.ts': 'search.js',
  'src/ui/transfer-commands.ts': 'transfers.js',
  'src/ui/permissions.ts': 'permissions.js',
  'src/ftp/listing/index.ts': 'listing.js',
  'src/fs/engine-parts.ts': 'engine.js',
};
/**
 * Bundles apart that are run with a code cache of their own, as extension.js is (src/boot/code-cache.ts
 * runBundleApart): the engine, which a window that connects runs at once, and which is big.
 */
const CACHED = new Set(['engine.js']);
const apart = {
  name: 'apart',
  setup(build) {
    build.onResolve({ filter: /^\./, namespace: 'file' }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const file = path.relative(ROOT, path.resolve(args.resolveDir, `${args.path}.ts`)).split(path.sep).join('/');
      if (!APART[file]) return undefined;
      return { path: `./${APART[file]}`, namespace: CACHED.has(APART[file]) ? 'apart-cached' : 'apart' };
    });
    // The runner is bundled into the importing file (its import resolves from the repository's root).
    build.onLoad({ filter: /.*/, namespace: 'apart-cached' }, (args) => ({
      contents: `module.exports = require("./src/boot/code-cache").runBundleApart(__dirname, ${JSON.stringify(args.path.slice(2))}, require);`,
      loader: 'js', resolveDir: ROOT,
    }));
    // A `require` of the file, not an `import()`: the extension host's loader is CommonJS (it gives
    // `vscode` to require calls), and esbuild would leave an import() of an external file as it is.
    build.onLoad({ filter: /.*/, namespace: 'apart' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    build.onResolve({ filter: /.*/, namespace: 'apart' }, (args) => ({ path: args.path, external: true }));
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

await esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: `${outdir}/extension.js`, plugins: [apart, iconvApart, vscodeOnce] });
// The main file the host requires: runs extension.js with V8's code cache (src/boot/code-cache.ts).
await esbuild.build({ ...common, entryPoints: ['src/boot/start.ts'], outfile: `${outdir}/start.js` });
for (const [entry, out] of Object.entries(APART)) {
  await esbuild.build({ ...common, entryPoints: [entry], outfile: `${outdir}/${out}`, plugins: [apart, iconvApart, vscodeOnce] });
}
await esbuild.build({ ...common, stdin: { contents: "module.exports = require('iconv-lite');", resolveDir: '.', loader: 'js' }, outfile: `${outdir}/iconv-lite.js` });
