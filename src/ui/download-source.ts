/**
 * What FTP: Download... downloads when no Explorer entry or editor tab was given (the palette, a
 * key binding): the active FTP editor's file, offered first in a list (Enter downloads it), or a
 * file or folder the user picks on a site in a list that walks its folders (site-picker.ts; VS
 * Code's file dialog reads paths as the machine's in a browser or remote window). The list opens at
 * that editor's folder, else at the workspace's FTP folder or the only site, else at the site or
 * folder the user picks.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { allSites, siteRoot } from '../sites/config';
import { escapeIcons } from './escape';
import { pickOnSite } from './site-picker';

const isFtp = (u?: vscode.Uri) => !!u && (u.scheme === 'ftp' || u.scheme === 'ftps');

/** Where the dialog opens; undefined when there is nowhere (told) or the user dismissed the question. */
async function startingPlace(): Promise<vscode.Uri | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => isFtp(f.uri));
  const sites = allSites();
  // The workspace's FTP folders first, then each configured site not open as one at its root.
  const places = [
    ...folders.map((f) => ({ label: escapeIcons(f.name), description: escapeIcons(f.uri.toString(true)), uri: f.uri })),
    ...Object.keys(sites).sort().map((name) => ({ label: escapeIcons(name), description: escapeIcons(`${sites[name].user ? `${sites[name].user}@` : ''}${sites[name].host}`), uri: siteRoot(name) }))
      .filter((p) => !folders.some((f) => f.uri.toString() === p.uri.toString())),
  ];
  if (places.length <= 1) {
    if (!places.length) void vscode.window.showErrorMessage('No FTP site is configured yet: run FTP: Add Site... first.');
    return places[0]?.uri;
  }
  return (await vscode.window.showQuickPick(places, { placeHolder: 'Download from which FTP folder or site?' }))?.uri;
}

/** The FTP file or folder to download: the active FTP editor's file from a list, or one picked on a site (site-picker.ts); undefined when the user picked nothing. */
export async function pickDownloadSource(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  let start: vscode.Uri | undefined;
  if (active && isFtp(active)) {
    const folder = vscode.Uri.joinPath(active, '..');
    const choice = await vscode.window.showQuickPick([
      { label: `$(file) ${escapeIcons(path.posix.basename(active.path))}`, description: 'the file in the editor', uri: active },
      { label: '$(folder-opened) Another file or folder...', description: escapeIcons(folder.toString(true)), uri: undefined },
    ], { title: 'FTP: Download', placeHolder: 'Download which file or folder?' });
    if (!choice) return undefined;
    if (choice.uri) return choice.uri;
    start = folder;
  } else start = await startingPlace();
  if (!start) return undefined;
  return pickOnSite(start, 'Download from FTP');
}
