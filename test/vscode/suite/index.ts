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
  let runner!: Mocha.Runner;
  await new Promise<void>((resolve) => (runner = mocha.run(() => resolve())));
  // The tests that ran and passed, in the plain closing form the CI reads: not those a grep left
  // out, nor a skipped one (mocha's suite total counted both as passed).
  const { passes, failures, pending } = runner.stats!;
  console.log(`extension-host: ${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
  if (pending > 0) throw new Error(`${pending} extension-host test(s) skipped: a skipped test proves nothing`);
  if (passes === 0) throw new Error('no extension-host tests ran');
}
