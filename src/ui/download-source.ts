/**
 * What FTP: Download... downloads when no Explorer entry or editor tab was given (the palette, a
 * key binding): the active FTP editor's file, offered first in a list (Enter downloads it), or a
 * file or folder the user picks on a site in VS Code's own file dialog, which browses the site
 * through the provider as it does any folder of another scheme. The dialog opens at that editor's
 * folder, else at the workspace's FTP folder or the only site, else at the site or folder the user
 * picks. Not at the file itself: the dialog fills its path in, and in a browser window Enter on a
 * typed path went to the machine's disk, not the site's.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { allSites, siteRoot } from '../sites/config';
import { escapeIcons, escapeMessage } from './escape';

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

/** The FTP file or folder to download: the active FTP editor's file from a list, or one picked in VS Code's file dialog; undefined when the user picked nothing. */
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
  const picked = (await vscode.window.showOpenDialog({
    defaultUri: start, canSelectFiles: true, canSelectFolders: true, canSelectMany: false,
    openLabel: 'Download', title: 'Download a file or folder from FTP',
  }))?.[0];
  if (!picked || isFtp(picked)) return picked;
  // A path typed into the dialog can lead off the site (a browser window reads it as the machine's).
  void vscode.window.showErrorMessage(escapeMessage(`${picked.toString(true)} is not on an FTP site: pick a file or folder of the site in the dialog.`));
  return undefined;
}
