/**
 * Runs the extension-host suite in a real VS Code through @vscode/test-electron's runTests(). Where
 * desktop VS Code can be downloaded (FTPWS_VSCODE=desktop) it runs there; on machines that can't
 * reach Microsoft's update service, the same call drives code-server through a launcher script.
 * The window opens a multi-root workspace (a local folder in a .code-workspace file), so settings
 * written to the workspace land in that file and FTP folders can be added beside the local one.
 * With the argument `bench` it runs the extension-host bench instead (bench/many-files.ts, `npm run bench:host`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const desktop = process.env.FTPWS_VSCODE === 'desktop';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpws-workspace-'));
  const local = path.join(scratch, 'local');
  fs.mkdirSync(local);
  fs.writeFileSync(path.join(local, 'readme.txt'), 'A local folder beside the FTP folders of the test workspace.\n');
  const workspace = path.join(scratch, 'test.code-workspace');
  fs.writeFileSync(workspace, JSON.stringify({ folders: [{ path: local }], settings: {} }, null, 2));
  // The launcher's sign that the entry ran to its end: the suite's closing line, or the bench's.
  if (process.argv[2] === 'bench') process.env.FTPWS_HOST_ENTRY = 'bench';
  const code = await runTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: path.join(repo, 'out', 'test', 'vscode', ...(process.argv[2] === 'bench' ? ['bench', 'many-files.js'] : ['suite', 'index.js'])),
    vscodeExecutablePath: desktop ? undefined : path.join(repo, 'test', 'vscode', 'code-server-launcher.sh'),
    extensionTestsEnv: { ...process.env, FTPWS_TEST_WORKSPACE: workspace } as Record<string, string>,
    launchArgs: [...(desktop ? ['--disable-extensions'] : []), workspace],
  }).catch((e: unknown) => {
    console.error(e);
    return 1;
  });
  fs.rmSync(scratch, { recursive: true, force: true });
  process.exit(code);
}

void main();
