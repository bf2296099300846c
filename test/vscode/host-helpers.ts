/**
 * Helpers for tests that run inside the extension host (both suites): answering the extension's
 * questions, waiting for a condition, reading the workspace file. A question is answered by
 * swapping a window function for one call: the tests run in the extension's own host and share
 * its `vscode` API object, so the extension calls the swapped function.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';

type Asked = 'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage' | 'showInputBox' | 'setStatusBarMessage';

/** Replaces one window function while `body` runs; every call's arguments are recorded. */
export async function answering<T>(name: Asked, answer: (message: string, ...rest: unknown[]) => unknown, body: (calls: unknown[][]) => Promise<T>): Promise<{ result: T; calls: unknown[][] }> {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = window[name];
  const calls: unknown[][] = [];
  window[name] = (...args: unknown[]) => {
    calls.push(args);
    return Promise.resolve(answer(args[0] as string, ...args.slice(1)));
  };
  try {
    return { result: await body(calls), calls };
  } finally {
    window[name] = original;
  }
}

export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The sites as the workspace file on disk has them (what "written to the workspace configuration"
 * means). VS Code may be in the middle of rewriting the file: a half-written file reads as no sites,
 * so a waiting `until` looks again instead of failing.
 */
export function workspaceFileSites(): Record<string, Record<string, unknown>> {
  try {
    return JSON.parse(fs.readFileSync(process.env.FTPWS_TEST_WORKSPACE!, 'utf8')).settings?.['ftpWorkspace.sites'] ?? {};
  } catch (e) {
    if (e instanceof SyntaxError) return {};
    throw e;
  }
}
