/**
 * Runs the extension-host suite in a real VS Code through @vscode/test-electron's runTests(). Where
 * desktop VS Code can be downloaded (FTPWS_VSCODE=desktop) it runs there; on machines that can't
 * reach Microsoft's update service, the same call drives code-server through a launcher script.
 */
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const desktop = process.env.FTPWS_VSCODE === 'desktop';
  const code = await runTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: path.join(repo, 'out', 'test', 'vscode', 'suite', 'index.js'),
    vscodeExecutablePath: desktop ? undefined : path.join(repo, 'test', 'vscode', 'code-server-launcher.sh'),
    extensionTestsEnv: { ...process.env } as Record<string, string>,
    launchArgs: desktop ? ['--disable-extensions'] : [],
  }).catch((e: unknown) => {
    console.error(e);
    return 1;
  });
  process.exit(code);
}

void main();
