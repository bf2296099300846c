// Captures raw LIST -a and MLSD output from each real test server into
// test/fixtures/listings/captured/, for the listing parser tests. Run after `npm run compile-tests`,
// as root: node scripts/capture-listings.mjs
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ALL_SERVERS, startServer } = require('../out/test/servers/index.js');
const out = path.resolve('test/fixtures/listings/captured');
fs.mkdirSync(out, { recursive: true });

const recent = new Date(Date.now() - 3 * 24 * 3600 * 1000);
function populate(root) {
  const d = path.join(root, 'listing');
  fs.mkdirSync(path.join(d, 'subdir'), { recursive: true });
  fs.writeFileSync(path.join(d, 'regular.txt'), 'hello\n');
  fs.writeFileSync(path.join(d, 'my file.txt'), 'spaces\n');
  fs.writeFileSync(path.join(d, 'café-ü.txt'), 'utf8\n');
  fs.writeFileSync(path.join(d, '.htaccess'), 'Deny from all\n');
  fs.writeFileSync(path.join(d, 'empty.txt'), '');
  fs.writeFileSync(path.join(d, 'old.txt'), 'old\n');
  fs.writeFileSync(path.join(d, 'recent.txt'), 'recent\n');
  fs.symlinkSync('regular.txt', path.join(d, 'link-to-file'));
  fs.utimesSync(path.join(d, 'old.txt'), new Date('2019-03-04T05:06:00Z'), new Date('2019-03-04T05:06:00Z'));
  fs.utimesSync(path.join(d, 'recent.txt'), recent, recent);
  execFileSync('chown', ['-R', '--no-dereference', `${fs.statSync(root).uid}:${fs.statSync(root).gid}`, d]);
}

function curl(server, command) {
  const url = `ftp://${server.host}:${server.port}/listing/`;
  return execFileSync('curl', ['-s', '--user', `${server.user}:${server.password}`, '-X', command, url], { timeout: 20000 });
}

for (const kind of ALL_SERVERS) {
  const server = await startServer(kind);
  try {
    populate(server.root);
    fs.writeFileSync(path.join(out, `${kind}.list.txt`), curl(server, 'LIST -a'));
    try {
      const mlsd = curl(server, 'MLSD');
      if (mlsd.length) fs.writeFileSync(path.join(out, `${kind}.mlsd.txt`), mlsd);
    } catch { /* no MLSD on this server */ }
    console.log(`${kind} ${server.version}: captured`);
  } finally {
    await server.stop();
  }
}
