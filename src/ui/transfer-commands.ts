/**
 * FTP: Upload File or Folder... (from disk into an FTP folder) and FTP: Download... (to disk), from
 * the palette or the Explorer's context menu. Files are streamed; one notification shows the
 * progress of the whole batch, and Cancel aborts the file in flight (ABOR) and stops the rest.
 *
 * Local files are touched only where the user said so: local paths given as command arguments (a
 * link, a task, another extension) are confirmed in a modal that names them and the destination.
 * An upload never follows a local symbolic link (it is skipped and reported); a download writes
 * every listed name inside the chosen folder or refuses the whole download before writing anything.
 *
 * A file that exists at the destination is asked about with both sides' size and modified time
 * (Replace, Replace if Newer, Skip, and the same for all); the batch ends with a notification that
 * says what was moved and offers to show it (the local folder in the OS, the FTP folder in the
 * Explorer) or open it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FtpFileSystemProvider } from '../fs/provider';
import type { FileEntry } from '../ftp';
import { siteOf } from '../sites/config';
import { escapeMessage } from './escape';
import { PacedProgress } from './paced-progress';
import { UnsafeNameError, childPath, unsafeName } from './local-paths';
import { humanSize, localTime } from '../fs/entry-facts';
import { localCalls } from '../fs/local-files';
import { progressText } from './transfer-text';
import { pickDownloadSource } from './download-source';

const isFtp = (u?: vscode.Uri) => !!u && (u.scheme === 'ftp' || u.scheme === 'ftps');

/** What to do with a file that exists at the destination: asked, unless given. `newer`: replace it if the source is newer. */
export type ExistingPolicy = 'replace' | 'skip' | 'newer';

export interface BatchResult {
  files: number;
  bytes: number;
  /** Of `files`, those that took the place of a file there before (an answer of Replace). */
  replaced: number;
  skipped: number;
  /** How many files the batch was to move; undefined when it was cancelled before they were all found. */
  total?: number;
  /** Cancel was pressed: the file in flight was aborted (and left no partial file), the rest not started. */
  cancelled: boolean;
  /** Upload: local symbolic links that were not followed (neither they nor what they point to were sent). */
  links: string[];
}

/** How a transfer command was started. */
export interface TransferContext {
  /** The local paths come from our own code or a dialog the user just used: no confirmation. */
  confirmed?: boolean;
  log?: vscode.LogOutputChannel;
}

/** The modal that confirms local paths given as arguments; true when the user chose `action`. */
async function confirmLocal(action: 'Upload' | 'Download', message: string, paths: string[], existing?: ExistingPolicy): Promise<boolean> {
  const shown = paths.slice(0, 10).map((p) => `  ${p}`);
  if (paths.length > shown.length) shown.push(`  … and ${paths.length - shown.length} more`);
  const detail = [
    action === 'Upload' ? 'Local files to read and send:' : 'Local folder or file to write:', ...shown, '',
    'This was asked for by a command (a link, a task or another extension), not chosen in a file dialog.',
    ...(existing === 'replace' ? [action === 'Upload' ? 'Files that exist on the server will be replaced.' : 'Files that exist on this computer will be replaced.'] : []),
    ...(existing === 'newer' ? [action === 'Upload' ? 'Files that exist on the server will be replaced where the local file is newer.' : 'Files that exist on this computer will be replaced where the server\'s file is newer.'] : []),
  ].join('\n');
  const answer = await vscode.window.showWarningMessage(escapeMessage(message), { modal: true, detail: escapeMessage(detail) }, action);
  return answer === action;
}

interface Job {
  from: string; // local path (upload) or URI string (download)
  to: string;
  /** The file's name as the progress shows it (decoded: never `notes%20%5Bdraft%5D.txt`). */
  name: string;
  /** Its folder within what is transferred (`site/css`), as the progress shows it; none at the top. */
  folder?: string;
  size: number;
  /** A download's size as its listing shows it; undefined when the listing did not say. */
  listedSize?: number;
  /** The source's modified time (ms; 0: unknown). */
  mtime: number;
}

/** One side of an overwrite question. */
interface Side {
  size: number;
  /** ms; 0: the server did not say. */
  mtime: number;
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

/** `12.1 KB, 2026-11-30 14:02`, as the overwrite question shows a side. */
function sideText(s: Side, isNewer: boolean): string {
  return `${humanSize(s.size)}, ${s.mtime ? localTime(new Date(s.mtime)) : 'date unknown'}${isNewer ? ' (newer)' : ''}`;
}

/** Is `a` newer than `b`, to the second (servers give no more)? undefined when a date is unknown. */
function newer(a: Side, b: Side): boolean | undefined {
  if (!a.mtime || !b.mtime) return undefined;
  return Math.floor(a.mtime / 1000) > Math.floor(b.mtime / 1000);
}

const ANSWERS: Record<string, { policy: ExistingPolicy; all: boolean }> = {
  'Replace': { policy: 'replace', all: false },
  'Replace if Newer': { policy: 'newer', all: false },
  'Skip': { policy: 'skip', all: false },
  'Replace All': { policy: 'replace', all: true },
  'Replace All if Newer': { policy: 'newer', all: true },
  'Skip All': { policy: 'skip', all: true },
};

/**
 * A file exists at the destination: replace it or not, as the policy given (or an "All" answer)
 * says, else asked with both sides' size and date. `newer` replaces only a file the source is newer
 * than; when a date is unknown it can't tell, and keeps the destination.
 */
async function decideExisting(name: string, policy: { value?: ExistingPolicy }, direction: 'upload' | 'download', source: Side, destination: Side, batch: number): Promise<'replace' | 'skip' | undefined> {
  let chosen = policy.value;
  if (!chosen) {
    const server = direction === 'upload' ? destination : source;
    const local = direction === 'upload' ? source : destination;
    const serverNewer = newer(server, local) === true;
    const localNewer = newer(local, server) === true;
    const detail = `server: ${sideText(server, serverNewer)} · this computer: ${sideText(local, localNewer)}`;
    const buttons = batch > 1 ? ['Replace', 'Replace if Newer', 'Skip', 'Replace All', 'Replace All if Newer', 'Skip All'] : ['Replace', 'Replace if Newer', 'Skip'];
    const answer = await vscode.window.showWarningMessage(escapeMessage(`"${name}" exists already ${direction === 'upload' ? 'on the server' : 'on this computer'}.`), { modal: true, detail: escapeMessage(detail) }, ...buttons);
    const meant = answer ? ANSWERS[answer] : undefined;
    if (!meant) return undefined;
    if (meant.all) policy.value = meant.policy;
    chosen = meant.policy;
  }
  if (chosen === 'newer') return newer(source, destination) ? 'replace' : 'skip';
  return chosen;
}

/**
 * A folder (or a link to one) is where a file goes: never replaced by it (that would delete a tree),
 * so the only answers are Skip and Cancel; asked unless Skip is the policy.
 */
async function decideFolderInTheWay(name: string, policy: { value?: ExistingPolicy }, direction: 'upload' | 'download'): Promise<'skip' | undefined> {
  if (policy.value === 'skip') return 'skip';
  const answer = await vscode.window.showWarningMessage(escapeMessage(`"${name}" is a folder ${direction === 'upload' ? 'on the server' : 'on this computer'}, where this file would go.`),
    { modal: true, detail: `A file never replaces a folder. Skip this file, or cancel the ${direction}.` }, 'Skip');
  return answer === 'Skip' ? 'skip' : undefined;
}

/**
 * The provider's own stat, not `vscode.workspace.fs.stat`: that goes through the window and back
 * (in code-server, the browser), which a big batch keeps busy with its progress and change events:
 * a user's walk saw 200-450 ms a stat there, 5 files a second.
 */
async function remoteStat(provider: FtpFileSystemProvider, uri: vscode.Uri): Promise<vscode.FileStat | undefined> {
  try {
    return await provider.stat(uri);
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
    throw e;
  }
}

/**
 * The destination folders of a batch, each listed once before the first upload (what exists there,
 * with sizes and times): no stat per file. A folder that can't be listed is left out; its files are
 * stat'ed one by one as before.
 */
async function listedFolders(provider: FtpFileSystemProvider, jobs: Job[], signal: AbortSignal, say: (message: string) => void): Promise<Map<string, Map<string, FileEntry>>> {
  const folders = new Map<string, Map<string, FileEntry>>();
  // All at once: the site's connections share them out (a tree of 100 folders is not 100 round trips
  // in a row). Cancel stops those still waiting for a connection, and the one being listed.
  await Promise.all([...new Set(jobs.map((j) => vscode.Uri.joinPath(vscode.Uri.parse(j.to), '..').toString()))].map(async (dir) => {
    try {
      const uri = vscode.Uri.parse(dir);
      const entries = await provider.listEntries(uri, signal);
      say(`Looking at what is in ${uri.path} already`);
      folders.set(dir, new Map(entries.map((e) => [e.name, e])));
    } catch {
      // stat'ed per file instead (a cancelled batch stops right after)
    }
  }));
  return folders;
}

/**
 * The files of an upload known to have nothing at their place, so no look before each: in a folder
 * this upload made (MKD, where a look had found nothing) whose listing, read after all its folders
 * were made, holds nothing but folders this upload made there (a tree's subfolders are made before
 * its files go), each file whose name no other file of the batch has there and no such folder has
 * (in any case: a case-insensitive server takes README and readme for one). Anything else is looked
 * at, as before.
 */
function knownAbsent(jobs: Job[], made: Set<string>, listed: Map<string, Map<string, FileEntry>>): Set<string> {
  // Destinations counted in any case, folders too (Img/a.png and img/a.png are one file there).
  const names = new Map<string, number>();
  for (const j of jobs) names.set(j.to.toLowerCase(), (names.get(j.to.toLowerCase()) ?? 0) + 1);
  /** The names (in lower case) of a made folder's entries when all are folders this upload made; else undefined. */
  const onlyOurs = new Map<string, Set<string> | undefined>();
  const oursIn = (folder: string) => {
    if (onlyOurs.has(folder)) return onlyOurs.get(folder);
    const entries = made.has(folder) ? listed.get(folder) : undefined;
    const base = vscode.Uri.parse(folder);
    const ours = entries && [...entries.values()].every((e) => e.type === 'directory' && made.has(vscode.Uri.joinPath(base, e.name).toString()))
      ? new Set([...entries.keys()].map((n) => n.toLowerCase()))
      : undefined;
    onlyOurs.set(folder, ours);
    return ours;
  };
  return new Set(jobs.filter((j) => {
    const to = vscode.Uri.parse(j.to);
    const ours = oursIn(vscode.Uri.joinPath(to, '..').toString());
    return ours !== undefined && !ours.has(path.posix.basename(to.path).toLowerCase()) && names.get(j.to.toLowerCase()) === 1;
  }).map((j) => j.to));
}

/**
 * Makes a folder of an upload's tree (its parent is there); true when it was made now (it held
 * nothing then: see knownAbsent). One already there (a folder, or a link to one) is used as it is.
 */
async function makeFolder(provider: FtpFileSystemProvider, uri: vscode.Uri, signal: AbortSignal): Promise<boolean> {
  try {
    await provider.createDirectory(uri, signal);
    return true;
  } catch (e) {
    if (!(e instanceof vscode.FileSystemError && e.code === 'FileExists')) throw e;
    if ((await provider.stat(uri)).type & vscode.FileType.Directory) return false;
    throw vscode.FileSystemError.FileNotADirectory(uri); // a file where the folder goes: nothing is uploaded into it
  }
}

/**
 * What is at `to`: a file its folder's listing showed with a time to the second (MLSD) as listed, or
 * with any time once the answer is Replace All or Skip All (`timeMatters` false: no time is
 * compared then); anything else as a stat says, because a listing can leave out a file that is
 * there (hidden or dot files, another case on a case-insensitive server, a file made since), a
 * link's line is the link's own, and a LIST time is to the minute (or the day) in the server's
 * zone: "Replace if Newer" and the question's dates need the server's exact time.
 */
async function existingAt(provider: FtpFileSystemProvider, listed: Map<string, Map<string, FileEntry>>, to: vscode.Uri, timeMatters: boolean): Promise<(Side & { folder: boolean }) | undefined> {
  const e = listed.get(vscode.Uri.joinPath(to, '..').toString())?.get(path.posix.basename(to.path));
  if (e?.type === 'file' && (!timeMatters || (e.modifiedPrecision === 'second' && e.modified !== undefined))) return { size: e.size ?? 0, mtime: e.modified ?? 0, folder: false };
  const st = await remoteStat(provider, to);
  return st && { size: st.size, mtime: st.mtime, folder: (st.type & vscode.FileType.Directory) !== 0 };
}

const hasFileManager = () => vscode.env.uiKind === vscode.UIKind.Desktop && vscode.env.remoteName === undefined;
const REVEAL_IN_OS = process.platform === 'darwin' ? 'Reveal in Finder' : process.platform === 'win32' ? 'Reveal in File Explorer' : 'Open Containing Folder';

/** The folders a batch made (left in place when it is cancelled): how many, and the one's name when one. */
interface FoldersMade {
  count: number;
  one?: string;
}

/**
 * What a batch did, in words: `Uploaded 12 files (3.2 MB) to ftp://www/img, 2 skipped`; cancelled,
 * how many of how many: `Uploaded 198 of 800 files (…), then cancelled`, and the folders it made
 * and left. `name`: a download's source, named when nothing arrived.
 */
function summary(verb: 'Uploaded' | 'Downloaded', result: BatchResult, where: string, made: FoldersMade = { count: 0 }, name?: string): string {
  // A cancelled batch leaves the folders it had made (empty ones too): the user may want them gone.
  const there = verb === 'Uploaded' ? 'on the server' : 'on this computer';
  const left = made.count === 1 ? `the folder it had made${made.one ? `, ${made.one},` : ''} stays ${there}` : `the ${made.count} folders it had made stay ${there}`;
  if (result.cancelled && !result.files && !result.skipped) {
    // Nothing moved: said first and short, as a notification with no button shows one line (and a
    // download's destination may not exist at all).
    const what = verb === 'Uploaded' ? `Upload to ${where} cancelled` : `Download of ${name ?? where} cancelled`;
    if (made.count) return `${what} before any file ${verb === 'Uploaded' ? 'was sent' : 'arrived'}; ${left}${verb === 'Downloaded' ? ` (in ${where})` : ''}.`;
    return `${what}; nothing was ${verb === 'Uploaded' ? 'sent' : 'written to this computer'}.`;
  }
  const of = result.cancelled && result.total !== undefined && result.total > result.files ? result.total : undefined;
  const parts = [`${verb} ${result.files}${of !== undefined ? ` of ${of}` : ''} ${(of ?? result.files) === 1 ? 'file' : 'files'} (${humanSize(result.bytes)}) to ${where}`];
  if (result.replaced) parts.push(`replacing ${result.replaced === 1 ? (result.files === 1 ? 'the one' : '1') : result.replaced} that ${result.replaced === 1 ? 'was' : 'were'} there`);
  if (result.skipped) parts.push(`${result.skipped} skipped`);
  const n = result.links.length;
  if (n) {
    // An upload skips local symbolic links; a download skips links on the server and folders that may be links.
    parts.push(verb === 'Uploaded' ? `${n} symbolic ${n === 1 ? 'link' : 'links'} not followed` : `${n} ${n === 1 ? 'link' : 'links'} on the server not followed`);
  }
  return `${parts.join(', ')}${result.cancelled ? `, then cancelled${made.count ? ` (${left})` : ''}` : ''}.`;
}

/**
 * The notification a batch ends with; its actions run the command they name. Not awaited by the
 * transfer. A batch cancelled before any file arrived has nothing new to show: its actions would
 * open a file that is not there, or the one that was there before.
 */
function notifyDone(message: string, result: BatchResult, actions: Array<{ title: string; run: () => Thenable<unknown> }>): void {
  if (result.cancelled && !result.files) actions = [];
  void vscode.window.showInformationMessage(escapeMessage(message), ...actions.map((a) => a.title)).then((picked) => {
    const action = actions.find((a) => a.title === picked);
    // In a browser window there is no file manager to open (revealFileInOS does not exist there): say so.
    return action?.run().then(undefined, (e: unknown) =>
      vscode.window.showWarningMessage(escapeMessage(`${action.title} did not work in this window (${e instanceof Error ? e.message : String(e)}). ${message}`)));
  });
}

/** A batch's jobs, found by its preparation (folders walked, made, listed), and how many run at once. */
interface Prepared {
  jobs: Job[];
  workers: number;
}
type Prepare = (signal: AbortSignal, say: (message: string) => void) => Promise<Prepared>;
type Move = (job: Job, signal: AbortSignal, onProgress: (n: number) => void) => Promise<'done' | 'replaced' | 'skipped'>;

/**
 * Runs a batch under one cancellable notification, shown from the start: first `prepare` (walking
 * and listing folders, making them: on a slow link a big tree takes seconds, and Cancel works
 * there too), then the jobs, `workers` at a time (the pool hands each its own connection), in
 * the order given; returns what was moved. A failure stops the jobs not started yet and is thrown
 * once those in flight have ended. `titleNamesFile`: the title names the batch's one file already.
 */
async function runBatch(title: string, prepare: Prepare, move: Move, titleNamesFile = false): Promise<BatchResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: escapeMessage(title), cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const batch = prepareAndMove(controller, progress, prepare, move, titleNamesFile);
    token.onCancellationRequested(() => {
      controller.abort();
      showStopping(batch);
    });
    return batch;
  });
}

/** How long a cancelled batch may take to end before a notification says what it waits for. */
const STOPPING_SHOWN_MS = 500;

/**
 * VS Code closes the notification at the click on Cancel, but the transfers under way end only
 * when the server has confirmed their abort (ABOR), or once its answer is given up on: 3 s for a
 * download, the site's timeout for an upload (its temporary file is removed on that connection
 * next). A server that ignores ABOR (ftp-srv, at times) kept nothing on screen for those seconds.
 */
function showStopping(batch: Promise<unknown>): void {
  const over = batch.then(() => undefined, () => undefined); // ended, however
  // Short: VS Code shows a progress notification on one line, cut at about 50 characters (a name
  // or URL in it hid the words that matter); it comes just after the click, so it needs none.
  const timer = setTimeout(() => void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Cancelling: waiting for the server to confirm' }, () => over), STOPPING_SHOWN_MS);
  void over.then(() => clearTimeout(timer));
}

/** The batch itself, under runBatch's notification. */
async function prepareAndMove(controller: AbortController, progress: vscode.Progress<{ message?: string; increment?: number }>, prepare: Prepare, move: Move, titleNamesFile: boolean): Promise<BatchResult> {
  const result: BatchResult = { files: 0, bytes: 0, replaced: 0, skipped: 0, cancelled: false, links: [] };
  let prepared: Prepared;
  try {
    prepared = await prepare(controller.signal, (message) => progress.report({ message: escapeMessage(message) }));
  } catch (e) {
    const cancelled = controller.signal.aborted || e instanceof vscode.CancellationError;
    controller.abort(); // whatever the preparation still has under way stops too (it has the signal)
    if (!cancelled) throw e;
    result.cancelled = true; // nothing moved yet
    return result;
  }
  const { jobs, workers } = prepared;
  result.total = jobs.length;
  const total = jobs.reduce((n, j) => n + j.size, 0) || 1;
  // At most ten reports a second for the whole batch (a big file's chunks come by the thousand,
  // small files by the hundred a second).
  const paced = new PacedProgress((value) => progress.report(value));
  // The line names the latest file started: with several under way, the newest report may come
  // from an earlier one, and "97 of 200" then "96 of 200" reads as going backwards.
  let latest = 0;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && !failure && !controller.signal.aborted) {
      const i = next++;
      const job = jobs[i];
      let moved = 0;
      latest = Math.max(latest, i);
      // n is shown only for a lone file (then latest is i).
      const text = (n: number) => () => escapeMessage(progressText(jobs[latest], latest, jobs.length, n, titleNamesFile));
      paced.update(text(0));
      try {
        const outcome = await move(job, controller.signal, (n) => {
          paced.update(text(n), ((n - moved) / total) * 100);
          moved = n;
        });
        if (outcome === 'skipped') result.skipped++;
        else {
          if (outcome === 'replaced') result.replaced++;
          result.files++;
          result.bytes += job.size;
        }
      } catch (e) {
        // Cancel is the user's choice, not an error: report what was done.
        if (controller.signal.aborted || e instanceof vscode.CancellationError) result.cancelled = true;
        else failure ??= { error: e };
        controller.abort(); // the others stop too
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, worker));
  paced.flush();
  if (failure) throw failure.error;
  return result;
}

/** Throws when the batch was cancelled: its preparation stops between two requests. */
function stopIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new vscode.CancellationError();
}

/** How many transfers of a batch run at once: the site's connections (2 unless set). */
function parallelFor(uri: vscode.Uri): number {
  const n = siteOf(uri)?.site.maxConnections ?? 2;
  return Number.isInteger(n) && n > 0 ? Math.min(n, 16) : 2;
}

/**
 * How many files of a batch are on their way at once: for small files twice the connections. The
 * pool never opens more than the site's connections; the others wait there, so a connection starts
 * its next file while the last one is still being closed and renamed on this computer (+10-20 %
 * files/s for a folder of small files, measured on vsftpd).
 */
function workersFor(uri: vscode.Uri, jobs: Job[]): number {
  // Only for small files: a save from the editor waits behind the queued ones, which must be short.
  return jobs.every((j) => j.size <= SMALL_FILE) ? 2 * parallelFor(uri) : parallelFor(uri);
}
const SMALL_FILE = 1024 * 1024;
/** How many entries of a local folder an upload's walk looks at (lstat) together. */
const LOOK_AHEAD = 64;

/** Runs the tasks given under one key one after the other; tasks under other keys are not held. */
function oneAtATimePer(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const last = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>) => {
    const turn = (last.get(key) ?? Promise.resolve()).then(task, task);
    const settled = turn.catch(() => undefined);
    last.set(key, settled);
    void settled.then(() => last.get(key) === settled && last.delete(key));
    return turn;
  };
}

/** Runs questions one at a time, so parallel jobs never show two at once and "for all" answers apply to the rest. */
function oneAtATime(): <T>(ask: () => Promise<T>) => Promise<T> {
  const inTurn = oneAtATimePer();
  return (ask) => inTurn('', ask);
}

/** FTP: Upload File or Folder... (args for automation: target folder, local URIs, existing-file policy). */
export async function upload(provider: FtpFileSystemProvider, target?: vscode.Uri, sources?: vscode.Uri[], existing?: ExistingPolicy, how: TransferContext = {}): Promise<BatchResult | undefined> {
  const folder = await ftpFolderFor(target);
  if (!folder) {
    void vscode.window.showErrorMessage('Open an FTP folder first, or right-click a folder of one in the Explorer and pick "Upload to This FTP Folder...".');
    return undefined;
  }
  let confirmed = how.confirmed ?? false;
  if (!sources) {
    sources = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, openLabel: 'Upload', title: `Upload to ${folder.toString(true)}`, defaultUri: lastLocalFolder() });
    confirmed = true; // picked by the user just now
    if (sources?.length) remember(vscode.Uri.file(path.dirname(sources[0].fsPath)));
  }
  if (!sources?.length) return undefined;
  if (!confirmed && !(await confirmLocal('Upload', `Upload ${sources.length === 1 ? `"${path.basename(sources[0].fsPath)}"` : `${sources.length} local files or folders`} to ${folder.toString(true)}?`, sources.map((s) => s.fsPath), existing))) {
    return undefined;
  }

  const policy = { value: existing };
  const ask = oneAtATime();
  const jobs: Job[] = [];
  const links: string[] = [];
  let listed = new Map<string, Map<string, FileEntry>>();
  const made = new Set<string>();
  let absent = new Set<string>();
  // Files whose names differ only in case (README, readme) go one after the other: on a server that
  // takes them for one, the second one's look then finds the first, and its question is asked.
  const inTurn = oneAtATimePer();
  const result = await runBatch(`Uploading to ${folder.toString(true)}`, async (signal, say) => {
    // The local tree first, then its folders are made on the server (parents first), then the files
    // are queued. lstat, never stat: a symbolic link (to ~/.ssh, say) is not followed, and what it
    // points to is not sent.
    const folders: vscode.Uri[] = [];
    // The folder a progress line names with a file: within the FTP folder uploaded to.
    const top = `${folder.path.replace(/\/+$/, '')}/`;
    const walk = async (local: string, remote: vscode.Uri, st?: fs.Stats): Promise<void> => {
      stopIfCancelled(signal);
      st ??= await fs.promises.lstat(local);
      if (st.isSymbolicLink()) links.push(local);
      else if (st.isDirectory()) {
        folders.push(remote);
        // A folder's entries are looked at LOOK_AHEAD together (1,000 files here: 40-65 ms one
        // after the other, 8-33 together), then walked in name order.
        const names = (await fs.promises.readdir(local)).sort();
        for (let i = 0; i < names.length; i += LOOK_AHEAD) {
          const batch = names.slice(i, i + LOOK_AHEAD);
          const stats = await Promise.all(batch.map((name) => fs.promises.lstat(path.join(local, name))));
          for (let k = 0; k < batch.length; k++) await walk(path.join(local, batch[k]), vscode.Uri.joinPath(remote, batch[k]), stats[k]);
        }
      } else if (st.isFile()) {
        const within = remote.path.slice(top.length);
        jobs.push({ from: local, to: remote.toString(), name: path.basename(local), folder: within.slice(0, Math.max(0, within.lastIndexOf('/'))) || undefined, size: st.size, mtime: st.mtimeMs });
      }
    };
    say('Looking at the files to upload');
    for (const s of sources!) await walk(s.fsPath, vscode.Uri.joinPath(folder, path.basename(s.fsPath)));
    // A login is some eight round trips: the connections the files will use log in while the folders
    // are made and listed (FtpPool.warm).
    if (jobs.length > 1) void provider.warmConnections(folder, Math.min(jobs.length, workersFor(folder, jobs)));
    for (const remote of folders) {
      stopIfCancelled(signal);
      say(`Creating ${remote.path}`);
      // One already there (two sources landing in one folder, say) is never taken for made.
      if (await makeFolder(provider, remote, signal)) made.add(remote.toString());
      else made.delete(remote.toString());
    }
    for (const link of links) how.log?.warn(`Upload to ${folder.toString(true)}: ${link} is a symbolic link; not followed, not uploaded.`);
    listed = await listedFolders(provider, jobs, signal, say);
    absent = knownAbsent(jobs, made, listed);
    stopIfCancelled(signal);
    return { jobs, workers: workersFor(folder, jobs) };
  }, (job, signal, onProgress) => inTurn(job.to.toLowerCase(), async () => {
    const to = vscode.Uri.parse(job.to);
    const there = absent.has(job.to) ? undefined : await existingAt(provider, listed, to, policy.value !== 'replace' && policy.value !== 'skip');
    // Nothing there, a stat said just now: the upload need not ask again.
    const seen = there === undefined ? 'absent' : undefined;
    if (there?.folder) {
      if (!(await ask(() => decideFolderInTheWay(to.path, policy, 'upload')))) throw new vscode.CancellationError();
      return 'skipped';
    }
    if (there) {
      // Named by its path on the server: in a folder upload, style.css alone does not say which one.
      const choice = await ask(() => decideExisting(to.path, policy, 'upload', { size: job.size, mtime: job.mtime }, { size: there.size, mtime: there.mtime }, jobs.length));
      if (!choice) throw new vscode.CancellationError();
      if (choice === 'skip') return 'skipped';
    }
    await provider.uploadFile(to, job.from, { signal, onProgress }, seen);
    return there ? 'replaced' : 'done';
  }));
  result.links = links;
  // Shown in the Explorer when the FTP folder is part of the workspace; otherwise opened in a window of its own.
  const shown = sources.length === 1 ? vscode.Uri.joinPath(folder, path.basename(sources[0].fsPath)) : folder;
  const one = made.size === 1 ? vscode.Uri.parse([...made][0]).toString(true) : undefined;
  notifyDone(summary('Uploaded', result, folder.toString(true), { count: made.size, one }), result, vscode.workspace.getWorkspaceFolder(folder)
    ? [{ title: 'Reveal in Explorer', run: () => vscode.commands.executeCommand('revealInExplorer', shown) }]
    : [{ title: 'Open Folder', run: () => vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: true }) }]);
  if (links.length) {
    void vscode.window.showWarningMessage(escapeMessage(`Symbolic links are not uploaded (neither they nor what they point to): ${links.slice(0, 3).join(', ')}${links.length > 3 ? ` and ${links.length - 3} more (see FTP: Show Log)` : ''}.`));
  }
  return result;
}

/**
 * Where the next Upload or Download dialog opens: the local folder the last one in this window
 * used (as FileZilla's local pane stays where it was), else the home folder.
 */
let lastFolder: vscode.Uri | undefined;
const lastLocalFolder = (): vscode.Uri => lastFolder ?? vscode.Uri.file(os.homedir());
const remember = (folder: vscode.Uri): void => void (folder.scheme === 'file' && (lastFolder = folder));

/** Why a download can't write a listed name, as the user reads it. */
function refused(src: vscode.Uri, folder: vscode.Uri, e: UnsafeNameError): Error {
  return new Error(escapeMessage(`Download of ${src.toString(true)} refused; nothing was written. The server listed "${e.entry}" in ${folder.toString(true)}, and ${e.reason}.`));
}

/**
 * A folder of the download tree: created (true), or found as a real folder. A symbolic link (or a
 * file) where a folder goes is refused: writing through it would land outside the destination.
 */
async function localFolder(dir: string, root: string): Promise<boolean> {
  try {
    // Recursive (the root only): undefined when it was there already.
    return (await fs.promises.mkdir(dir, { recursive: dir === root })) !== undefined || dir !== root;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = await fs.promises.lstat(dir);
  if (!st.isDirectory()) {
    throw new Error(escapeMessage(`Download refused: ${dir} exists on this computer and is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; it is not written through.`));
  }
  return false;
}

/**
 * Whether the save dialog just answered asked before a file there is replaced: VS Code's own does
 * (browsers, remote windows, `files.simpleDialog.enable`), and so do the macOS and Windows ones. A
 * Linux desktop's may not (GTK's asks only when told to, and VS Code doesn't tell it:
 * microsoft/vscode#239448), so there the overwrite question is still ours to ask.
 */
function saveDialogAsks(): boolean {
  if (vscode.env.uiKind === vscode.UIKind.Web || vscode.env.remoteName !== undefined) return true;
  if (vscode.workspace.getConfiguration('files').get<boolean>('simpleDialog.enable') === true) return true;
  return process.platform === 'darwin' || process.platform === 'win32';
}

/** FTP: Download... (args for automation: the FTP file or folder, the local destination, existing-file policy). */
export async function download(provider: FtpFileSystemProvider, source?: vscode.Uri, destination?: vscode.Uri, existing?: ExistingPolicy, how: TransferContext = {}): Promise<BatchResult | undefined> {
  // Without an Explorer entry or a tab (the palette): picked on the site, the active FTP editor's file first.
  source ??= await pickDownloadSource();
  if (!source) return undefined;
  if (!isFtp(source)) {
    void vscode.window.showErrorMessage(escapeMessage(`FTP: Download... downloads from an FTP site; ${source.toString(true)} is not on one.`));
    return undefined;
  }
  const src = source;
  const name = path.posix.basename(src.path) || src.authority;
  const isDir = ((await vscode.workspace.fs.stat(src)).type & vscode.FileType.Directory) !== 0;
  // A file at the destination the user chose in a save dialog that asked whether to replace it: not asked again.
  let replaceAsked = false;
  if (!destination) {
    const start = lastLocalFolder();
    const defaultName = unsafeName(name) ? 'download' : name;
    destination = isDir
      ? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Download Here', title: `Download ${name} into...`, defaultUri: start }))?.[0]
      : await vscode.window.showSaveDialog({ title: `Download ${name}`, defaultUri: vscode.Uri.joinPath(start, defaultName), saveLabel: 'Download' });
    if (!destination) return undefined;
    remember(isDir ? destination : vscode.Uri.file(path.dirname(destination.fsPath)));
    if (isDir) destination = vscode.Uri.file(childPath(destination.fsPath, destination.fsPath, defaultName));
    else replaceAsked = saveDialogAsks();
  } else if (!how.confirmed && !(await confirmLocal('Download', `Download ${src.toString(true)} to ${destination.fsPath}?`, [destination.fsPath], existing))) {
    return undefined;
  }

  // The whole tree is listed and every local path checked before anything is written.
  const root = destination.fsPath;
  const before = await (await localCalls(path.dirname(root))).lstat(root);
  const policy = { value: existing };
  const ask = oneAtATime();
  const jobs: Job[] = [];
  const links: string[] = [];
  let foldersMade = 0;
  const result = await runBatch(`Downloading ${name}`, async (signal, say) => {
    const st = await vscode.workspace.fs.stat(src);
    stopIfCancelled(signal);
    if (!(st.type & vscode.FileType.Directory)) {
      jobs.push({ from: src.toString(), to: root, name: path.basename(root), size: st.size, mtime: st.mtime });
      return { jobs, workers: workersFor(src, jobs) };
    }
    // The site's connections log in while the tree is listed (which uses them too: FtpPool.warm).
    void provider.warmConnections(src, parallelFor(src));
    // The tree as the engine walks it for a delete, never through a link on the server (src/ftp/tree.ts),
    // its folders listed on the site's connections at once; sizes and times from its listings.
    const plan = await provider.downloadPlan(src, { signal, onFolder: (folder) => say(`Listing ${folder.path}`) });
    stopIfCancelled(signal);
    // A name from the server is data, never a path: each one is checked as it is joined (local-paths.ts).
    const base = src.path.replace(/\/+$/, '');
    const localOf = (u: vscode.Uri): string => {
      let local = root;
      for (const name of u.path.slice(base.length).split('/').filter(Boolean)) {
        try {
          local = childPath(root, local, name);
        } catch (e) {
          if (e instanceof UnsafeNameError) throw refused(src, vscode.Uri.joinPath(u, '..'), e);
          throw e;
        }
      }
      return local;
    };
    const dirs = plan.dirs.map(localOf);
    for (const f of plan.files) {
      const to = localOf(f.uri);
      jobs.push({ from: f.uri.toString(), to, name: path.basename(to), folder: path.relative(path.dirname(root), path.dirname(to)), size: f.size ?? 0, listedSize: f.size, mtime: f.mtime });
    }
    for (const s of plan.skipped) {
      links.push(s.uri.toString(true));
      how.log?.warn(`Download of ${src.toString(true)}: ${s.uri.toString(true)} is not downloaded: ${s.why}.`);
    }
    for (const dir of dirs) if (await localFolder(dir, root)) foldersMade++;
    return { jobs, workers: workersFor(src, jobs) };
  }, async (job, signal, onProgress) => {
    // On this thread where the disk is local: a thread-pool round trip costs more than the call (local-files.ts).
    const here = await (await localCalls(path.dirname(job.to))).lstat(job.to);
    if (here?.isDirectory()) {
      if (!(await ask(() => decideFolderInTheWay(job.to, policy, 'download')))) throw new vscode.CancellationError();
      return 'skipped';
    }
    if (here && !replaceAsked) {
      const choice = await ask(() => decideExisting(job.to, policy, 'download', { size: job.size, mtime: job.mtime }, { size: here.size, mtime: here.mtimeMs }, jobs.length));
      if (!choice) throw new vscode.CancellationError();
      if (choice === 'skip') return 'skipped';
    }
    await provider.downloadFile(vscode.Uri.parse(job.from), job.to, { signal, onProgress }, job.listedSize);
    return here ? 'replaced' : 'done';
  }, !isDir);
  result.links = links.sort();
  if (links.length) {
    void vscode.window.showWarningMessage(escapeMessage(`Not downloaded: links on the server, and folders that may be links (neither they nor what they point to): ${links.slice(0, 3).join(', ')}${links.length > 3 ? ` and ${links.length - 3} more (see FTP: Show Log)` : ''}.`));
  }
  const saved = destination;
  // A lone file is written under a temporary name, renamed only once whole: a cancel leaves nothing of it.
  const message = result.cancelled && !isDir
    ? `Download of ${name} cancelled; ${before ? `${saved.fsPath} is as it was` : `nothing was written to ${saved.fsPath}`}.`
    : summary('Downloaded', result, saved.fsPath, { count: foldersMade }, name);
  notifyDone(message, result, [
    // A browser or remote window has no file manager of this computer's to show it in (in a browser
    // revealFileInOS does not even exist): Open File / Open Folder only.
    ...(hasFileManager() ? [{ title: REVEAL_IN_OS, run: () => vscode.commands.executeCommand('revealFileInOS', saved) }] : []),
    isDir
      ? { title: 'Open Folder', run: () => vscode.commands.executeCommand('vscode.openFolder', saved, { forceNewWindow: true }) }
      : { title: 'Open File', run: () => vscode.commands.executeCommand('vscode.open', saved) },
  ]);
  return result;
}
