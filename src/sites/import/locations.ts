/**
 * Where the site lists to import usually are: FileZilla's Site Manager file for this user, and the
 * SFTP extension's `.vscode/sftp.json` of each open folder. Pure: the caller passes the platform,
 * the environment and the folders, and checks which files exist.
 */
import * as path from 'node:path';

export interface Candidate {
  /** An absolute path of the extension host's file system. */
  file: string;
  /** What it is, for the pick. */
  label: string;
}

/**
 * FileZilla 3 keeps `sitemanager.xml` in `%APPDATA%\FileZilla` on Windows and in
 * `$XDG_CONFIG_HOME/filezilla` (`~/.config/filezilla`) elsewhere, macOS included; versions before
 * 3.x-ish used `~/.filezilla`, and some macOS builds `~/Library/Application Support/FileZilla`.
 */
export function fileZillaCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): Candidate[] {
  const label = "FileZilla's Site Manager";
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
    return [{ file: path.win32.join(appData, 'FileZilla', 'sitemanager.xml'), label }];
  }
  const config = env.XDG_CONFIG_HOME || path.posix.join(home, '.config');
  const files = [path.posix.join(config, 'filezilla', 'sitemanager.xml'), path.posix.join(home, '.filezilla', 'sitemanager.xml')];
  if (platform === 'darwin') files.push(path.posix.join(home, 'Library', 'Application Support', 'FileZilla', 'sitemanager.xml'));
  return [...new Set(files)].map((file) => ({ file, label }));
}

/** `.vscode/sftp.json` of each local folder (the SFTP extension's configuration). */
export function sftpJsonCandidates(folders: Array<{ name: string; fsPath: string }>): Candidate[] {
  return folders.map((f) => ({ file: path.join(f.fsPath, '.vscode', 'sftp.json'), label: `SFTP extension's configuration of ${f.name}` }));
}
