/**
 * The extension-host scenario suite's entry (loaded by the code-server launcher inside the client
 * namespace). Runs the test files run.ts names, in order; prints the launcher's closing line and
 * writes the counts for run.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { ScenarioResults, scenarioEnv } from './env';

export async function run(): Promise<void> {
  const env = scenarioEnv();
  fs.writeFileSync(env.startedFile, '');
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const f of env.files) mocha.addFile(path.join(__dirname, `${f}.test.js`));
  const failures: string[] = [];
  const stats = await new Promise<{ passes: number; failures: number }>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats ?? { passes: 0, failures: failures.length }));
    runner.on('fail', (test, err: Error) => failures.push(`${test.fullTitle()}: ${err.message.split('\n')[0]}`));
  });
  const total = mocha.suite.total();
  // Tests that never ran because a hook failed count as failed too.
  const failed = Math.max(stats.failures, total - stats.passes);
  const results: ScenarioResults = { passed: stats.passes, failed, failures };
  fs.writeFileSync(env.resultsFile, JSON.stringify(results));
  console.log(`extension-host: ${stats.passes} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} extension-host scenario test(s) failed`);
  if (total === 0) throw new Error('no extension-host scenario tests ran');
}
