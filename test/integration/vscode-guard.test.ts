/**
 * The extension-host runner must never pass a run that did not pass: a suite whose extension host
 * dies (even with exit code 0) and a failing suite both fail. Uses code-server (scripts/install-code-server.sh).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const repo = path.resolve(__dirname, '..', '..', '..');
const launcher = path.join(repo, 'test', 'vscode', 'code-server-launcher.sh');
const codeServer = path.join(repo, '.test-tools', 'code-server', 'node_modules', '.bin', 'code-server');

async function runSuite(file: string): Promise<number> {
  return runTests({ vscodeExecutablePath: launcher, extensionDevelopmentPath: repo, extensionTestsPath: path.join(repo, 'test', 'vscode', 'guard', file) })
    .catch((e: { code?: number }) => e.code ?? 1);
}

describe('extension-host runner guards (code-server)', () => {
  test('code-server is installed', () => {
    assert.ok(fs.existsSync(codeServer), `${codeServer} is missing: run bash scripts/install-code-server.sh`);
  });
  test('an extension host that dies mid-run fails the run, even with exit code 0', async () => {
    assert.notEqual(await runSuite('dies.js'), 0);
  });
  test('a failing suite fails the run', async () => {
    assert.notEqual(await runSuite('fails.js'), 0);
  });
});
