/**
 * What an import reads out of another program's site list, before it becomes a site: one neutral
 * record per entry, whatever the file was. The parsers (filezilla.ts, sftp-json.ts) fill these in;
 * to-site.ts turns them into `SiteConfig`s and names; command.ts shows and writes them. No `vscode`
 * import, so unit tests read them directly.
 */
import type { SecureMode, TransferMode } from '../../ftp';

export type ImportFormat = 'FileZilla' | 'sftp.json';

export interface ImportedSite {
  format: ImportFormat;
  /** The folders above the entry, outermost first (FileZilla's Site Manager folders; sftp.json: the profile's base). */
  folders: string[];
  /** The entry's own name as the file has it (FileZilla's Name, sftp.json's name or profile). */
  name: string;
  /** The protocol in the other program's words, for the list ("FTP over TLS (explicit)", "SFTP"). */
  protocol: string;
  host?: string;
  port?: number;
  /** Undefined for anonymous login. */
  user?: string;
  secure?: SecureMode;
  transferMode?: TransferMode;
  remoteRoot?: string;
  encoding?: string;
  maxConnections?: number;
  /** The password the file holds in readable form; it goes to secret storage, never to settings. */
  password?: string;
  /** Why no password comes with a site that has a user (asked at first connect then). */
  passwordNote?: string;
  /** Settings of the other program that are not carried over, or carried over differently, in words. */
  notes: string[];
  /** Why the entry can't be imported at all (SFTP, no host, ...); undefined when it can. */
  skip?: string;
}

export interface ParsedFile {
  format: ImportFormat;
  sites: ImportedSite[];
  /** What in the file was left out that is not one entry (a folder too deep, too many entries). */
  problems: string[];
}

/** A file that can't be read as a site list at all: the message says why, in words for the user. */
export class ImportFileError extends Error {}

/** `Folder/Sub/Name`: how an entry is named to the user (the file's own names, unescaped). */
export function displayPath(site: Pick<ImportedSite, 'folders' | 'name'>): string {
  return [...site.folders, site.name].join('/');
}
