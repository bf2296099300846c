/**
 * The extension's main file (package.json "main": dist/start.js): runs dist/extension.js with V8's
 * code cache (code-cache.ts). Imports nothing but Node's built-ins and that file, so it stays a few
 * KB that the host compiles in no time.
 */
import * as path from 'node:path';
import { runWithCodeCache } from './code-cache';

runWithCodeCache({
  file: path.join(__dirname, 'extension.js'),
  cacheFile: path.join(__dirname, 'extension.js.cache'),
  module,
  require,
  writeAfterMs: 3000,
});
