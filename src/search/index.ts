/**
 * Searching FTP folders, which VS Code's own Quick Open and Find in Files can't do (their search
 * providers for other file systems are proposed API): FTP: Go to File..., FTP: Find in Files...,
 * FTP: Stop Find in Files, and the results documents. One call from extension.ts registers it all.
 */
import * as vscode from 'vscode';
import type { Connections } from '../fs/connections';
import type { FtpFileSystemProvider } from '../fs/provider';
import { FindArgs, FindInFiles } from './find-in-files';
import { GoToFileArgs, goToFile } from './go-to-file';
import { ResultsDocuments } from './results-document';
import { TreeCache } from './tree-cache';

/** How long a complete listing is reused. */
const LISTING_KEPT_MS = 60_000;

export function registerSearch(provider: FtpFileSystemProvider, connections: Connections): vscode.Disposable[] {
  const cache = new TreeCache(LISTING_KEPT_MS);
  const documents = new ResultsDocuments();
  const find = new FindInFiles(connections, cache, documents);
  return [
    documents,
    find,
    // Our own writes, deletes and renames say the site changed: its listings are read again next time.
    provider.onDidChangeFile((events) => new Set(events.map((e) => e.uri.authority)).forEach((site) => cache.dropSite(site))),
    vscode.commands.registerCommand('ftpWorkspace.goToFile', (args?: GoToFileArgs | vscode.Uri) => goToFile(connections, cache, toArgs(args))),
    vscode.commands.registerCommand('ftpWorkspace.findInFiles', (args?: FindArgs | vscode.Uri) => find.run(toArgs(args))),
    // The Explorer's entry on an FTP folder: the same command under a title that can't be confused with VS Code's Find in Folder.
    vscode.commands.registerCommand('ftpWorkspace.findInFolder', (folder?: vscode.Uri) => find.run(folder instanceof vscode.Uri ? { folder } : {})),
    vscode.commands.registerCommand('ftpWorkspace.stopFindInFiles', () => find.stop()),
  ];
}

/** Arguments given by automation; from the Explorer's menu, the folder clicked. */
function toArgs<T extends { folder?: unknown }>(a: T | vscode.Uri | undefined): T {
  if (a instanceof vscode.Uri) return { folder: a } as T;
  return a && typeof a === 'object' && !Array.isArray(a) ? a : ({} as T);
}
