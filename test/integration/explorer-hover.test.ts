/**
 * The Explorer's hover (src/ui/decorations.ts) for a file VS Code asked about before its folder was
 * listed (opened by its path, a tab restored at start-up): VS Code asks a decoration provider once,
 * so the hover stayed empty until the file changed. Now the provider's listing event tells it again.
 * The real provider and decorations on vsftpd, with the `vscode` stub of test/bench.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagedServer, startServer } from '../servers';
import { RT_CONTENT, RT_DIR, RT_FILE, makeFixture } from '../bench/round-trips';
import { openSite } from '../bench/site';
import { FtpDecorations } from '../../src/ui/decorations';

describe('the Explorer hover of a file asked about before its folder was listed (vsftpd)', () => {
  let server: ManagedServer;
  before(async () => {
    server = await startServer('vsftpd');
    makeFixture(server.root, server.owner);
  });
  after(async () => server?.stop());

  test('empty at first, told again when the folder is listed, then the size, time and mode', async () => {
    const site = openSite({ host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'passive' });
    const decorations = new FtpDecorations(site.provider);
    const told: string[][] = [];
    decorations.onDidChangeFileDecorations((uris) => told.push((Array.isArray(uris) ? uris : [uris]).map(String)));
    try {
      const file = site.uri(RT_FILE);
      await site.provider.stat(file); // opened by its path: no listing of its folder
      assert.equal(decorations.provideFileDecoration(file), undefined);
      await site.provider.readDirectory(site.uri(RT_DIR));
      assert.deepEqual(told, [[file.toString()]]);
      const tooltip = decorations.provideFileDecoration(file)?.tooltip ?? '';
      assert.match(tooltip, new RegExp(`^${RT_CONTENT.length} B$`, 'm'), tooltip); // under 1 KB: the bytes alone
      assert.match(tooltip, /rw-r--r--/, tooltip);
      // Told once: another listing of the folder tells nothing more.
      await site.provider.readDirectory(site.uri(RT_DIR));
      assert.equal(told.length, 1);
    } finally {
      decorations.dispose();
      await site.close();
    }
  });
});
