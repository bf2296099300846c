/**
 * What FTP: Download... downloads when no Explorer entry or editor tab was given (the palette, a
 * key binding): a file or folder the user picks on a site in VS Code's own file dialog, which
 * browses the site through the provider as it does any folder of another scheme. It opens at the
 * active FTP editor's file (Enter downloads it), else at the workspace's FTP folder or the only
 * site, else at the site or folder the user picks.
 */
import * as vscode from 'vscode';
import { allSites, siteRoot } from '../sites/config';
import { escapeIcons, escapeMessage } from './escape';

const isFtp = (u?: vscode.Uri) => !!u && (u.scheme === 'ftp' || u.scheme === 'ftps');

/** Where the dialog opens; undefined when there is nowhere (told) or the user dismissed the question. */
async function startingPlace(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (isFtp(active)) return active;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => isFtp(f.uri));
  const sites = allSites();
  // The workspace's FTP folders first, then each configured site not open as one at its root.
  const places = [
    ...folders.map((f) => ({ label: escapeIcons(f.name), description: f.uri.toString(true), uri: f.uri })),
    ...Object.keys(sites).sort().map((name) => ({ label: escapeIcons(name), description: escapeIcons(`${sites[name].user ? `${sites[name].user}@` : ''}${sites[name].host}`), uri: siteRoot(name) }))
      .filter((p) => !folders.some((f) => f.uri.toString() === p.uri.toString())),
  ];
  if (places.length <= 1) {
    if (!places.length) void vscode.window.showErrorMessage('No FTP site is configured yet: run FTP: Add Site... first.');
    return places[0]?.uri;
  }
  return (await vscode.window.showQuickPick(places, { placeHolder: 'Download from which FTP folder or site?' }))?.uri;
}

/** The FTP file or folder to download, picked in VS Code's file dialog; undefined when the user picked nothing. */
export async function pickDownloadSource(): Promise<vscode.Uri | undefined> {
  const start = await startingPlace();
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
