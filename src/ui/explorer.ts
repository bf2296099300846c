/**
 * What FileZilla users expect in the Explorer, registered in one call from extension.ts: the hover
 * with size, modified time and permissions (decorations.ts), FTP: Change Permissions...
 * (permissions.ts), and the provider's remote-change polling stopped with the extension.
 * `ftpWorkspace.entryDetails` (not in the palette) returns what the hover shows of an FTP URI, for
 * tests and automation.
 */
import * as vscode from 'vscode';
import type { FtpFileSystemProvider } from '../fs/provider';
import { FtpDecorations } from './decorations';

export function registerExplorer(provider: FtpFileSystemProvider): vscode.Disposable[] {
  const decorations = new FtpDecorations(provider);
  return [
    decorations,
    vscode.window.registerFileDecorationProvider(decorations),
    // Loaded when first used (dist/permissions.js: scripts/build.mjs).
    vscode.commands.registerCommand('ftpWorkspace.changePermissions', async (target?: unknown, selection?: unknown, args?: unknown) => (await import('./permissions')).changePermissions(provider, target, selection, args)),
    vscode.commands.registerCommand('ftpWorkspace.entryDetails', (uri?: unknown) => (uri instanceof vscode.Uri ? decorations.details(uri) : undefined)),
    provider,
  ];
}
