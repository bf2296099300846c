/**
 * What an import did, as plain text for a read-only document: every site imported (and what of it
 * was not carried over), every entry skipped and why. The file's text is shown with its invisible
 * characters made visible. No `vscode` import.
 */
import { ImportFormat } from './records';
import { showInvisible } from '../../ui/escape';

export interface ImportedEntry {
  /** The entry as the file names it: `Folder/Sub/Name`. */
  from: string;
  /** The site name it is kept under. */
  name: string;
  /** An existing site of that name was replaced. */
  replaced: boolean;
  /** saved: its password is in secret storage; asked: FTP Workspace asks at first connect; none: anonymous. */
  password: 'saved' | 'asked' | 'none';
  /** Why the password is asked, and what was not carried over. */
  notes: string[];
}

export interface SkippedEntry {
  from: string;
  reason: string;
}

export interface ImportSitesResult {
  file: string;
  format: ImportFormat;
  scope: 'user' | 'workspace';
  imported: ImportedEntry[];
  skipped: SkippedEntry[];
  /** What was left out of the file that is not one entry (too deep, too many). */
  problems: string[];
}

export function reportText(r: ImportSitesResult): string {
  const lines = [
    `FTP Workspace: sites imported from ${showInvisible(r.file)} (${r.format})`,
    `Kept in: ${r.scope === 'user' ? 'user settings' : 'workspace settings'} (ftpWorkspace.sites); passwords in VS Code's secret storage`,
    '',
    `Imported: ${r.imported.length}`,
  ];
  for (const e of r.imported) {
    const password = e.password === 'saved' ? 'password saved' : e.password === 'asked' ? 'password asked at first connect' : 'anonymous';
    lines.push(`  ${showInvisible(e.from)}  ->  ftp://${e.name}/  (${password}${e.replaced ? ', replaced the site of that name' : ''})`);
    for (const n of e.notes) lines.push(`      - ${showInvisible(n)}`);
  }
  lines.push('', `Not imported: ${r.skipped.length}`);
  for (const s of r.skipped) lines.push(`  ${showInvisible(s.from)}: ${showInvisible(s.reason)}`);
  if (r.problems.length) {
    lines.push('', 'Left out of the file:');
    for (const p of r.problems) lines.push(`  ${showInvisible(p)}`);
  }
  return `${lines.join('\n')}\n`;
}
