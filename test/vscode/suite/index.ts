/**
 * The extension-host test suite's entry: @vscode/test-electron (desktop VS Code) and the code-server
 * launcher both load this module in the extension host and await run().
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // FTPWS_TEST_GREP narrows the run while developing (e.g. "saving|links"); CI runs everything.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec', grep: process.env.FTPWS_TEST_GREP || undefined });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  // mocha's count of tests that ran, in the plain closing form the CI reads.
  const stats = mocha.suite.total();
  console.log(`extension-host: ${stats - failures} passed, ${failures} failed`);
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
  if (stats === 0) throw new Error('no extension-host tests ran');
}
