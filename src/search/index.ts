/**
 * Searching FTP folders, which VS Code's own Quick Open and Find in Files can't do (their search
 * providers for other file systems are proposed API): FTP: Go to File..., FTP: Find in Files...,
 * FTP: Stop Find in Files, and the results documents. One call from extension.ts registers it all.
 */
import * as vscode from 'vscode';
import type { Connections } from '../fs/connections';
import type { FtpFileSystemProvider } from '../fs/provider';
import type { FindArgs } from './find-in-files';
import type { GoToFileArgs } from './go-to-file';
import { ResultsDocuments } from './results-document';
import type { Searching } from './searching';

export function registerSearch(provider: FtpFileSystemProvider, connections: Connections): vscode.Disposable[] {
  // The results documents' providers are registered at start (a results editor restored with the
  // window asks for its text); the search itself is loaded when a command first needs it.
  const documents = new ResultsDocuments();
  let searching: Searching | undefined;
  // The promise is kept, not its result: two commands run while it loads get the same search.
  let loading: Promise<Searching> | undefined;
  const started = () => (loading ??= import('./searching').then((m) => (searching = m.startSearching(connections, documents)), (e: unknown) => {
    loading = undefined; // tried again next time
    throw e;
  }));
  return [
    documents,
    { dispose: () => searching?.find.dispose() },
    // Our own writes, deletes and renames say the site changed: its listings are read again next time.
    provider.onDidChangeFile((events) => searching && new Set(events.map((e) => e.uri.authority)).forEach((site) => searching!.cache.dropSite(site))),
    vscode.commands.registerCommand('ftpWorkspace.goToFile', async (args?: GoToFileArgs | vscode.Uri) => (await started()).goToFile(toArgs(args))),
    vscode.commands.registerCommand('ftpWorkspace.findInFiles', async (args?: FindArgs | vscode.Uri) => (await started()).find.run(toArgs(args))),
    // The Explorer's entry on an FTP folder: the same command under a title that can't be confused with VS Code's Find in Folder.
    vscode.commands.registerCommand('ftpWorkspace.findInFolder', async (folder?: vscode.Uri) => (await started()).find.run(folder instanceof vscode.Uri ? { folder } : {})),
    // Nothing loaded: nothing is running.
    vscode.commands.registerCommand('ftpWorkspace.stopFindInFiles', () => searching?.find.stop()),
  ];
}

/** Arguments given by automation; from the Explorer's menu, the folder clicked. */
function toArgs<T extends { folder?: unknown }>(a: T | vscode.Uri | undefined): T {
  if (a instanceof vscode.Uri) return { folder: a } as T;
  return a && typeof a === 'object' && !Array.isArray(a) ? a : ({} as T);
}
