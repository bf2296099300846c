/**
 * FTP: Upload File or Folder... (from disk into an FTP folder) and FTP: Download... (to disk), from
 * the palette or the Explorer's context menu. Files are streamed; one notification shows the
 * progress of the whole batch, and Cancel aborts the file in flight (ABOR) and stops the rest.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FtpFileSystemProvider } from '../fs/provider';

const isFtp = (u?: vscode.Uri) => !!u && (u.scheme === 'ftp' || u.scheme === 'ftps');

/** What to do with a file that exists at the destination: asked once, unless given. */
export type ExistingPolicy = 'replace' | 'skip';

export interface BatchResult {
  files: number;
  bytes: number;
  skipped: number;
  /** Cancel was pressed: the file in flight was aborted (and left no partial file), the rest not started. */
  cancelled: boolean;
}

interface Job {
  from: string; // local path (upload) or URI string (download)
  to: string;
  size: number;
}

/** The FTP folder a command acts on: the clicked one, the active editor's folder, or the workspace's FTP folder. */
async function ftpFolderFor(clicked?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (isFtp(clicked)) {
    const stat = await vscode.workspace.fs.stat(clicked!);
    return stat.type & vscode.FileType.Directory ? clicked : vscode.Uri.joinPath(clicked!, '..');
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (isFtp(active)) return vscode.Uri.joinPath(active!, '..');
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => isFtp(f.uri));
  if (folders.length === 1) return folders[0].uri;
  if (folders.length > 1) return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Upload into which FTP folder?' }))?.uri;
  return undefined;
}

async function askExisting(name: string, policy: { value?: ExistingPolicy }): Promise<ExistingPolicy | undefined> {
  if (policy.value) return policy.value;
  const answer = await vscode.window.showWarningMessage(`"${name}" exists already.`, { modal: true }, 'Replace', 'Replace All', 'Skip', 'Skip All');
  if (!answer) return undefined;
  if (answer.endsWith('All')) policy.value = answer.startsWith('Replace') ? 'replace' : 'skip';
  return answer.startsWith('Replace') ? 'replace' : 'skip';
}

async function remoteExists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return false;
    throw e;
  }
}

/** Runs the jobs under one cancellable notification; returns what was moved. */
async function runBatch(title: string, jobs: Job[], move: (job: Job, signal: AbortSignal, onProgress: (n: number) => void) => Promise<'done' | 'skipped'>): Promise<BatchResult> {
  const total = jobs.reduce((n, j) => n + j.size, 0) || 1;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    const result: BatchResult = { files: 0, bytes: 0, skipped: 0, cancelled: false };
    for (const [i, job] of jobs.entries()) {
      let moved = 0;
      progress.report({ message: `${i + 1} of ${jobs.length}: ${path.basename(job.to)}` });
      let outcome: 'done' | 'skipped';
      try {
        outcome = await move(job, controller.signal, (n) => {
          progress.report({ increment: ((n - moved) / total) * 100 });
          moved = n;
        });
      } catch (e) {
        // Cancel is the user's choice, not an error: report what was done.
        if (controller.signal.aborted || e instanceof vscode.CancellationError) return { ...result, cancelled: true };
        throw e;
      }
      if (outcome === 'skipped') result.skipped++;
      else {
        result.files++;
        result.bytes += job.size;
      }
    }
    return result;
  });
}

/** FTP: Upload File or Folder... (args for automation: target folder, local URIs, existing-file policy). */
export async function upload(provider: FtpFileSystemProvider, target?: vscode.Uri, sources?: vscode.Uri[], existing?: ExistingPolicy): Promise<BatchResult | undefined> {
  const folder = await ftpFolderFor(target);
  if (!folder) {
    void vscode.window.showErrorMessage('Open an FTP folder first, or run Upload from a folder in the Explorer.');
    return undefined;
  }
  sources ??= await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, openLabel: 'Upload', title: `Upload to ${folder.toString(true)}`, defaultUri: vscode.Uri.file(os.homedir()) });
  if (!sources?.length) return undefined;

  // Folders are created first (mkdir -p is cheap), then the files are queued.
  const jobs: Job[] = [];
  const walk = async (local: string, remote: vscode.Uri): Promise<void> => {
    const st = await fs.promises.stat(local);
    if (st.isDirectory()) {
      await vscode.workspace.fs.createDirectory(remote);
      for (const name of (await fs.promises.readdir(local)).sort()) await walk(path.join(local, name), vscode.Uri.joinPath(remote, name));
    } else if (st.isFile()) jobs.push({ from: local, to: remote.toString(), size: st.size });
  };
  for (const s of sources) await walk(s.fsPath, vscode.Uri.joinPath(folder, path.basename(s.fsPath)));

  const policy = { value: existing };
  const result = await runBatch(`Uploading to ${folder.toString(true)}`, jobs, async (job, signal, onProgress) => {
    const to = vscode.Uri.parse(job.to);
    if (await remoteExists(to)) {
      const choice = await askExisting(path.basename(job.from), policy);
      if (!choice) throw new vscode.CancellationError();
      if (choice === 'skip') return 'skipped';
    }
    await provider.uploadFile(to, job.from, { signal, onProgress });
    return 'done';
  });
  void vscode.window.setStatusBarMessage(`FTP: uploaded ${result.files} file(s)${result.skipped ? `, skipped ${result.skipped}` : ''}${result.cancelled ? ', then cancelled' : ''}`, 5000);
  return result;
}

/** FTP: Download... (args for automation: the FTP file or folder, the local destination, existing-file policy). */
export async function download(provider: FtpFileSystemProvider, source?: vscode.Uri, destination?: vscode.Uri, existing?: ExistingPolicy): Promise<BatchResult | undefined> {
  source ??= isFtp(vscode.window.activeTextEditor?.document.uri) ? vscode.window.activeTextEditor!.document.uri : undefined;
  if (!isFtp(source)) {
    void vscode.window.showErrorMessage('Choose a file or folder of an FTP folder: right-click it in the Explorer and pick Download..., or open it in an editor.');
    return undefined;
  }
  const src = source!;
  const name = path.posix.basename(src.path) || src.authority;
  const isDir = ((await vscode.workspace.fs.stat(src)).type & vscode.FileType.Directory) !== 0;
  if (!destination) {
    const home = vscode.Uri.file(os.homedir());
    destination = isDir
      ? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Download Here', title: `Download ${name} into...`, defaultUri: home }))?.[0]
      : await vscode.window.showSaveDialog({ title: `Download ${name}`, defaultUri: vscode.Uri.joinPath(home, name), saveLabel: 'Download' });
    if (!destination) return undefined;
    if (isDir) destination = vscode.Uri.joinPath(destination, name);
  }

  const jobs: Job[] = [];
  const walk = async (remote: vscode.Uri, local: string): Promise<void> => {
    const st = await vscode.workspace.fs.stat(remote);
    if (st.type & vscode.FileType.Directory) {
      await fs.promises.mkdir(local, { recursive: true });
      for (const [child] of await vscode.workspace.fs.readDirectory(remote)) await walk(vscode.Uri.joinPath(remote, child), path.join(local, child));
    } else jobs.push({ from: remote.toString(), to: local, size: st.size });
  };
  await walk(src, destination.fsPath);

  const policy = { value: existing };
  const result = await runBatch(`Downloading ${name}`, jobs, async (job, signal, onProgress) => {
    if (fs.existsSync(job.to)) {
      const choice = await askExisting(job.to, policy);
      if (!choice) throw new vscode.CancellationError();
      if (choice === 'skip') return 'skipped';
    }
    await provider.downloadFile(vscode.Uri.parse(job.from), job.to, { signal, onProgress });
    return 'done';
  });
  void vscode.window.setStatusBarMessage(`FTP: downloaded ${result.files} file(s) to ${destination.fsPath}${result.cancelled ? ', then cancelled' : ''}`, 5000);
  return result;
}
