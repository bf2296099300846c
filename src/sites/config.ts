/** Sites as configured in `ftpWorkspace.sites` (keyed by name), with their defaults. */
import * as vscode from 'vscode';
import type { DataMethod, SecureMode, TransferMode } from '../ftp';

export interface SiteConfig {
  host: string;
  port?: number;
  user?: string;
  secure?: SecureMode;
  transferMode?: TransferMode;
  /** Directory on the server that `ftp://<site>/` shows. */
  remoteRoot?: string;
  encoding?: string;
  maxConnections?: number;
  /** Upload to a temporary name and rename it over the target (default true). */
  safeSave?: boolean;
  passive?: { epsvFirst?: boolean; trustPasvAddress?: boolean };
  active?: { bindAddress?: string; portRange?: [number, number]; externalAddress?: string; eprtFirst?: boolean };
  serverTimeZoneOffsetMinutes?: number;
}

export function readSites(): Record<string, SiteConfig> {
  return vscode.workspace.getConfiguration('ftpWorkspace').get<Record<string, SiteConfig>>('sites') ?? {};
}

export function defaultTransferMode(): TransferMode {
  return vscode.workspace.getConfiguration('ftpWorkspace').get<TransferMode>('defaultTransferMode') ?? 'auto';
}

/** The data method order the site's passive/active options ask for. */
export function methodOrder(site: SiteConfig): DataMethod[] {
  const passive: DataMethod[] = site.passive?.epsvFirst === false ? ['pasv', 'epsv'] : ['epsv', 'pasv'];
  const active: DataMethod[] = site.active?.eprtFirst === false ? ['port', 'eprt'] : ['eprt', 'port'];
  return [...passive, ...active];
}
