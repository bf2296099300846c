/**
 * The decision behind repairing a site's window that opened with no folders (open-site.ts), without
 * `vscode`, so unit tests can check it.
 *
 * code-server (4.x) sometimes opens a workspace file with none of its folders: at start-up the browser
 * workbench reads the file from a configuration cache kept on the server (empty on a file's first
 * open) and reads the real file in the background; when the real file arrives before the workspace
 * object is set, its folders are dropped (code-server #3061 fixed only the "initialized" flag of that
 * race). The window is titled "<site> (Workspace)", shows NO FOLDER OPENED, and nothing in it asks
 * for ftp://, so only onStartupFinished activates the extension there. A reload fixes it, because
 * the failed start filled the cache.
 */

export interface FolderToRestore {
  uri: string;
  name?: string;
}

/**
 * The folders to put back: those the workspace file lists with an ftp/ftps URI, when the window's
 * workspace file is one Open Site wrote (it lies in `storageFolder`; paths compared, since the
 * remote extension host sees the file under another scheme than the workbench) and the window shows
 * no folder. Otherwise none.
 */
export function foldersToRestore(workspaceFilePath: string | undefined, storageFolder: string | undefined, openFolders: number, content: unknown): FolderToRestore[] {
  if (!workspaceFilePath || !storageFolder || openFolders > 0) return [];
  const dir = workspaceFilePath.slice(0, workspaceFilePath.lastIndexOf('/'));
  if (dir !== storageFolder.replace(/\/+$/, '') || !workspaceFilePath.endsWith('.code-workspace')) return [];
  if (typeof content !== 'object' || content === null || !Array.isArray((content as { folders?: unknown }).folders)) return [];
  const out: FolderToRestore[] = [];
  for (const f of (content as { folders: unknown[] }).folders) {
    if (typeof f !== 'object' || f === null) continue;
    const { uri, name } = f as { uri?: unknown; name?: unknown };
    if (typeof uri !== 'string' || !/^ftps?:\/\/[^/]/i.test(uri)) continue;
    out.push(typeof name === 'string' ? { uri, name } : { uri });
  }
  return out;
}
