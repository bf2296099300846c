/**
 * A folder read by its path: VS Code's FileService calls readFile beside its stat (the validation
 * runs in parallel), so opening a folder's URI reads the folder as a file. The provider answers
 * FileIsADirectory and logs no error (ftp-srv's "551 Cannot read a directory" was logged as one,
 * the others' 550 was told as FileNotFound), without reading the server's words. The real provider
 * with the `vscode` stub of test/bench, on the five servers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_SERVERS, ManagedServer, startServer } from '../servers';
import { BenchSite, openSite } from '../bench/site';

const code = (e: unknown) => (e as { code?: string }).code;

for (const kind of ALL_SERVERS) {
  describe(`a folder read by its path (${kind}, the real provider)`, () => {
    let server: ManagedServer;
    let site: BenchSite;
    before(async () => {
      server = await startServer(kind);
      const root = path.join(server.root, 'fr');
      fs.mkdirSync(path.join(root, 'dir'), { recursive: true });
      fs.writeFileSync(path.join(root, 'dir', 'inside.txt'), 'inside\n');
      fs.writeFileSync(path.join(root, 'file.txt'), 'file\n');
      for (const p of [root, path.join(root, 'dir'), path.join(root, 'dir', 'inside.txt'), path.join(root, 'file.txt')]) fs.chownSync(p, server.owner.uid, server.owner.gid);
      site = openSite({ host: server.host, port: server.port, user: server.user, password: server.password, transferMode: 'passive' });
    });
    after(async () => {
      await site?.close();
      await server?.stop();
    });

    test('never listed: FileIsADirectory (asked of the server after its refusal), and no error logged', async () => {
      await assert.rejects(site.provider.readFile(site.uri('/fr/dir')), (e) => code(e) === 'FileIsADirectory' || assert.fail(`${code(e)}: ${(e as Error).message}`));
      assert.deepEqual(site.warnings, []);
    });

    test('its folder listed: FileIsADirectory at once, nothing sent', async () => {
      await site.provider.readDirectory(site.uri('/fr'));
      const { trips } = await site.count(() => site.provider.readFile(site.uri('/fr/dir')).then(() => assert.fail('read a folder'), (e: unknown) => assert.equal(code(e), 'FileIsADirectory')));
      assert.deepEqual(trips.commands, []);
    });

    test('a file still reads, and a missing one is still FileNotFound; a missing probe path costs no stat', async () => {
      assert.equal(Buffer.from(await site.provider.readFile(site.uri('/fr/file.txt'))).toString(), 'file\n');
      await assert.rejects(site.provider.readFile(site.uri('/fr/nope.txt')), (e) => code(e) === 'FileNotFound' || assert.fail(`${code(e)}: ${(e as Error).message}`));
      const { trips } = await site.count(() => site.provider.readFile(site.uri('/fr/.vscode/settings.json')).then(() => assert.fail('read'), (e: unknown) => e));
      assert.deepEqual(trips.commands.filter((c) => /^\+?(SIZE|CWD|MDTM|MLST)\b/.test(c)), [], `no stat after the refusal: ${trips.commands.join(', ')}`);
      assert.deepEqual(site.warnings, []);
    });
  });
}
