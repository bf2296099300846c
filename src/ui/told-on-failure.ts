/**
 * A command from the Explorer's context menu whose promise rejects shows the user nothing: VS Code
 * writes it to the extension host's log only (from the command palette it shows a modal naming the
 * command). These commands say what failed in an error notification, log it, and resolve.
 */
import * as vscode from 'vscode';
import { escapeMessage } from './escape';

export function toldOnFailure<A extends unknown[], R>(what: string, log: vscode.LogOutputChannel, run: (...args: A) => Promise<R>): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await run(...args);
    } catch (e) {
      if (e instanceof vscode.CancellationError) return undefined;
      const words = e instanceof Error ? e.message : String(e);
      log.error(`${what} failed: ${words}`);
      void vscode.window.showErrorMessage(escapeMessage(`${what} failed: ${words}`));
      return undefined;
    }
  };
}
