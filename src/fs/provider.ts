/**
 * The FileSystemProvider for `ftp://` and `ftps://`. Each call goes to the site's connection pool;
 * errors become vscode.FileSystemError with the server's words. Nothing is lost:
 * - a save is the engine's safe save (save.ts): temporary file, size check, mode kept, atomic
 *   replace or a backup, links written through; a failed save leaves the editor dirty;
 * - writes, renames and deletes of one path run one at a time (path-locks.ts);
 * - a delete of a link deletes the link, and a recursive delete never crosses one (tree.ts);
 * - a download is checked against the size the listing or stat said;
 * - temporary files an interrupted save could not delete are deleted by the pool on its next good connection;
 * - a change of permissions never changes or enters a link (SITE CHMOD would follow it).
 * FTP has no change notifications: `watch` polls what the user looks at while the site is in use
 * (watcher.ts), and every listing is compared with the one before it. A file the listing shows as
 * not writable is read-only in VS Code (entry-facts.ts).
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { FileEntry, FtpClient, TransferOptions } from '../ftp';
import { FtpError, isFtpError } from '../ftp/errors';
import { baseName, parentPath } from '../ftp/paths';
import type { SafeSaveOptions } from '../ftp/save';
import { ROOM_KEPT, SMALL_FILE, claimRoom, keepMode, localCalls, modeToKeep, readSmallFile, writeThroughTemp } from './local-files';
import type { Doubt } from '../ftp/tree';
import { loadEngine } from './engine';
import { Connections, SiteConnection } from './connections';
import { toFileSystemError } from './errors';
import { ListingCache } from './listing-cache';
import { ANNOUNCED_MS, RecentAnswers } from './recent-answers';
import { ToldTimes } from './stat-times';
import { PathLocks } from './path-locks';
import { LazyProgress } from './progress';
import { escapeMessage } from '../ui/escape';
import { SiteConfig, siteOf } from '../sites/config';
import { DEFAULT_POLL_SECONDS, ListingSource, RemoteWatcher } from './watcher';
import { SiteCondition } from './remote-changes';
import { humanSize, octal, readOnlyByListing } from './entry-facts';
import { VSCODE_PROBES } from './probe-log';

/** What the UI is told about a failed operation (to offer the other transfer mode, say). */
export interface OperationFailure {
  uri: vscode.Uri;
  site: SiteConnection;
  error: FtpError;
}

/** Asked when a server presents a certificate that is not trusted; true once it is trusted and the site reconnected. */
export type CertificateQuestion = (site: SiteConnection, error: FtpError) => Promise<boolean>;

/** What FTP: Change Permissions... asks for. */
/** What a download of a folder would move (provider.downloadPlan), as URIs of the site. */
export interface DownloadPlan {
  /** Real folders, parents before children, the chosen one first. */
  dirs: vscode.Uri[];
  /** size: as the listing shows it, undefined when it did not say. */
  files: Array<{ uri: vscode.Uri; size: number | undefined; mtime: number }>;
  /** Links, and folders the walk could not be sure of (a loop, too deep, too many entries), with why. */
  skipped: Array<{ uri: vscode.Uri; why: string }>;
}

export interface ChmodOptions {
  /** A folder's files and folders too (never through a link). */
  recursive?: boolean;
  /** With `recursive`: what gets the mode (FileZilla's "apply to all / files only / folders only"). */
  apply?: 'all' | 'files' | 'folders';
  signal?: AbortSignal;
  onStep?: (path: string, done: number, total: number) => void;
}

export interface ChmodResult {
  /** Entries whose mode was set. */
  changed: number;
  /** Links met inside the tree: left alone (SITE CHMOD would change what they point to). */
  links: string[];
  /** Folders the walk could not be sure of (loops, depth, size): left alone. */
  left: string[];
  /** The mode the folder's listing shows afterwards, when it shows one (servers may ignore bits). */
  listedMode?: number;
}

/** What `remember` needs of when a listing was asked for: our operations and changes before it. */
interface ListingStart {
  operations: number;
  generation: number;
  /** The listing cache's count of our changes (a listing on its way during one in its folder is not kept). */
  cacheChanges: number;
}

/** What VS Code is told an entry is (a link as the file it may lead to, and a link). */
function fileType(e: FileEntry): vscode.FileType {
  return e.type === 'directory' ? vscode.FileType.Directory : e.type === 'symlink' ? vscode.FileType.File | vscode.FileType.SymbolicLink : vscode.FileType.File;
}

/** The recent-answers key of a folder's listing that found changes (apart from what was said of its path). */
const announcedKey = (dirKey: string) => `listing ${dirKey}`;

export class FtpFileSystemProvider implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  /** Our own changes, announced together (announce). */
  private ownChanges: vscode.FileChangeEvent[] = [];
  private ownTimer?: NodeJS.Timeout;
  private ownToldAt = 0;
  private readonly cache = new ListingCache();
  private readonly locks = new PathLocks();
  /** Sizes VS Code was just told by stat, so the read that follows can check it got them all. */
  private readonly statSizes = new Map<string, { size: number; at: number }>();
  /** The modification times stat told VS Code, kept while a file is unchanged (stat-times.ts). */
  private readonly toldTimes = new ToldTimes();
  /** Paths the server said a moment ago are not there, or are folders (recent-answers.ts). */
  private readonly recent = new RecentAnswers();
  private readonly failureEmitter = new vscode.EventEmitter<OperationFailure>();
  /** An operation failed on a reachable site (the UI offers the other mode after a data-connection failure). */
  readonly onDidFail = this.failureEmitter.event;
  private readonly listedEmitter = new vscode.EventEmitter<string>();
  /** A folder's listing was kept (its folderKey): what it says of its entries may be news to whoever asked before. */
  readonly onDidList = this.listedEmitter.event;

  /** Remote changes: what the user looks at is listed again now and then (watcher.ts). */
  private readonly watcher: RemoteWatcher;

  constructor(
    private readonly connections: Connections,
    private readonly log: vscode.LogOutputChannel,
    private readonly askTrust: CertificateQuestion = async () => false,
  ) {
    this.watcher = new RemoteWatcher({
      condition: (uri) => this.siteCondition(uri),
      interval: (uri) => pollInterval(siteOf(uri)?.site),
      list: (dir) => this.pollList(dir),
    }, log, (events) => this.emitter.fire(events));
  }

  /**
   * FTP has no change notifications: watched files and folders are polled (watcher.ts), while the
   * site is in use. Our own writes are announced through onDidChangeFile as they happen.
   */
  watch(uri: vscode.Uri, options: { readonly recursive: boolean; readonly excludes: readonly string[] }): vscode.Disposable {
    return this.watcher.watch(uri, options);
  }

  /**
   * The site as a poll sees it: its pool open and not failed, or closed by a settings change while
   * it worked (a poll opens it again, without asking anything), or closed (Disconnect, never opened).
   */
  private siteCondition(uri: vscode.Uri): SiteCondition {
    if (!this.connections.peek(uri)) return this.connections.isResumable(uri) ? 'resumable' : 'closed';
    return this.connections.stateOf(siteOf(uri)?.name ?? decodeURIComponent(uri.authority)).state === 'failed' ? 'failed' : 'open';
  }

  /**
   * A poll's listing: through the site's open pool, or one a settings change closed opened again
   * with the new settings (never asking for a password, never showing a failure: one that means the
   * site can't be reached or logged in to only marks it failed), remembered like any listing so it
   * also answers stats.
   */
  private async pollList(dir: vscode.Uri): Promise<'listed' | 'gone' | 'refused' | 'closed'> {
    const site = await this.connections.openForPoll(dir);
    if (!site) return 'closed';
    try {
      const since = this.listingStarts();
      // Its commands and replies at debug: a poll every few seconds would bury what the user did.
      const { entries } = await site.pool.run((c) => this.connections.routinely(site.name, c, () => c.list(this.serverPath(site, dir))), { idempotent: true });
      this.remember(dir, entries, 'poll', since);
      return 'listed';
    } catch (e) {
      if (isFtpError(e, 'notFound') || isFtpError(e, 'notADirectory')) return 'gone';
      if (isFtpError(e, 'permission')) return 'refused';
      // Its pool was closed under it (Disconnect, a settings change): no news about the server; the
      // site's condition says whether polling goes on.
      if (site.pool.isClosed) return 'closed';
      // Unreachable or refused: the site counts as failed, so no later poll (a tick, coming back to
      // the window) sends the same password again; the user's next operation tells it.
      this.connections.reportPollFailure(dir, e);
      throw e;
    }
  }

  /** Taken right before a listing is asked for, and given to `remember` with it. */
  private listingStarts(): ListingStart {
    return { operations: this.watcher.listingStarts(), generation: this.recent.generation, cacheChanges: this.cache.changeCount };
  }

  /**
   * A listing of `dir`: kept (it answers stats), and compared with the one before it (remote
   * changes). One that found names come or go answers the read of the folder VS Code makes on
   * hearing of it (recent-answers.ts, 'announced'); a poll's, also the reads of the folders its
   * tick listed a moment before (the expanded ones below it, which VS Code reads again too). A
   * Refresh's answers only its own folder: the folders it reads next must be listed anew.
   */
  private remember(dir: vscode.Uri, entries: FileEntry[], source: ListingSource, since: ListingStart): void {
    const key = this.dirKey(dir);
    const previous = this.cache.known(key);
    this.cache.set(key, entries, since.generation, source === 'poll', since.cacheChanges);
    if (this.watcher.observe(dir, previous, entries, source, since.operations)) {
      const others = source === 'poll' ? this.cache.polledWithin(`${dir.scheme}://${dir.authority}`, ANNOUNCED_MS, since.generation) : [];
      for (const k of new Set([key, ...others])) this.recent.note(announcedKey(k), 'announced', since.generation);
    }
    this.listedEmitter.fire(key);
  }

  /**
   * A folder's entries as the server lists them now, remembered as readDirectory's are: for a
   * command that needs many entries' sizes and times at once (an upload asks about files that
   * exist), one LIST instead of a stat per file.
   */
  async listEntries(uri: vscode.Uri, signal?: AbortSignal): Promise<FileEntry[]> {
    return this.run(uri, (c, _site, path) => this.listFolder(c, uri, path, signal), true, signal);
  }

  /**
   * Has the site open up to `count` connections now, for a batch about to use them (FtpPool.warm);
   * nothing waits for them, and nothing fails here: the batch's own operations meet any failure.
   */
  async warmConnections(uri: vscode.Uri, count: number): Promise<void> {
    try {
      (await this.connections.get(uri)).pool.warm(count);
    } catch {
      // the batch's operations connect, and report, as always
    }
  }

  /** Lists a folder for our own use (not shown to VS Code) and keeps the listing like any other. */
  private async listFolder(c: FtpClient, dir: vscode.Uri, path: string, signal?: AbortSignal): Promise<FileEntry[]> {
    const since = this.listingStarts();
    const { entries } = await c.list(path, { signal });
    this.remember(dir, entries, 'internal', since);
    return entries;
  }

  /** What the last listing of its folder said of an entry (up to 10 minutes old), without a round trip. */
  entryOf(uri: vscode.Uri): FileEntry | undefined {
    return this.cache.known(this.folderKey(uri))?.get(baseName(uri.path));
  }

  /** The key of the folder an entry is listed in, as onDidList names it. */
  folderKey(uri: vscode.Uri): string {
    return this.dirKey(vscode.Uri.joinPath(uri, '..'));
  }

  dispose(): void {
    clearTimeout(this.ownTimer);
    this.ownTimer = undefined;
    this.ownChanges = [];
    this.watcher.dispose();
    this.listedEmitter.dispose();
  }

  private serverPath(site: SiteConnection, uri: vscode.Uri): string {
    const p = uri.path.replace(/\/+$/, '') || '/';
    if (site.root === '/') return p;
    return p === '/' ? site.root : site.root + p;
  }

  /** serverPath's inverse: the URI (of `uri`'s site) of a path on the server inside the site's root. */
  private siteUri(site: SiteConnection, uri: vscode.Uri, path: string): vscode.Uri {
    return uri.with({ path: site.root === '/' ? path : path === site.root ? '/' : path.slice(site.root.length) });
  }

  /** Listings are cached by the directory's URI. */
  private dirKey(dir: vscode.Uri): string {
    return `${dir.scheme}://${dir.authority}${dir.path.replace(/\/+$/, '') || '/'}`;
  }

  private async run<T>(uri: vscode.Uri, fn: (c: FtpClient, site: SiteConnection, path: string) => Promise<T>, idempotent = true, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let site: SiteConnection | undefined;
      try {
        site = await this.connections.get(uri);
        const path = this.serverPath(site, uri);
        const result = await site.pool.run((c) => fn(c, site!, path), { idempotent, signal });
        this.connections.reportResult(uri);
        this.watcher.acted(uri);
        return result;
      } catch (e) {
        // An untrusted certificate: show it; once trusted (and the site reconnected with it pinned), again.
        if (site && attempt === 0 && isFtpError(e, 'tls') && e.certificate && (await this.askTrust(site, e))) continue;
        this.connections.reportResult(uri, e);
        if (site && isFtpError(e)) this.failureEmitter.fire({ uri, site, error: e });
        const err = toFileSystemError(e, uri, site && { mode: site.mode, working: site.pool.modeMemory.working });
        // Our own checks' answers (a folder that exists, a file not there) are outcomes, not failures:
        // info, named. A server's "not found" is its reply in the log already (debug: see below).
        // A folder's path read as a file: VS Code does that beside its stat (readFile), nothing to tell.
        if (e instanceof vscode.FileSystemError && e.code === 'FileIsADirectory') this.log.debug(`FileIsADirectory: ${err.message}`);
        else if (e instanceof vscode.FileSystemError || isFtpError(e, 'aborted')) this.log.info(`${e instanceof vscode.FileSystemError ? e.code : 'Cancelled'}: ${err.message}`);
        else if (isFtpError(e, 'notFound')) {
          // Debug: the server's own reply is in the log just above, and VS Code stats every new file's path.
          if (!VSCODE_PROBES.test(uri.path)) this.log.debug(`FileNotFound: ${err.message}`);
        } else this.log.error(err.message);
        throw err;
      }
    }
  }

  /**
   * `listed`: the folder's listing of the same entry, for what a stat answer (SIZE and MDTM) doesn't
   * say: its permissions. A file the listing shows as not writable is read-only (entry-facts.ts).
   */
  private toStat(e: FileEntry, listed?: FileEntry): vscode.FileStat {
    const type = fileType(e);
    const mtime = e.modified ?? 0;
    const says = e.facts?.['perm'] !== undefined || e.mode !== undefined ? e : listed?.type === e.type ? listed : e;
    return { type, ctime: mtime, mtime, size: e.size ?? 0, ...(readOnlyByListing(says) ? { permissions: vscode.FilePermission.Readonly } : {}) };
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    // An entry of a directory listed moments ago (or a file we just saved) costs no round trip. Its
    // time may be to the minute (LIST) where MDTM says the second: `steady` keeps the time told
    // before while the file is the same, so VS Code never takes one for a change of the other.
    const listed = this.listed(uri);
    // A link's own line (size and time of the link, not of its file) answers only where it is to the second (MLSD), as before.
    if (listed && (listed.type === 'directory' || (listed.type === 'file' && listed.modified !== undefined) || listed.modifiedPrecision === 'second')) {
      return this.steady(uri, this.toStat(listed), listed.modifiedPrecision);
    }
    // The server said a moment ago it is not there (VS Code stats a new file's path several times).
    const key = uri.toString();
    if (this.recent.is(key, 'missing')) throw vscode.FileSystemError.FileNotFound(uri);
    const generation = this.recent.generation;
    let precision: FileEntry['modifiedPrecision'];
    const stat = await this.run(uri, async (c, site, path) => {
      if (path === site.root) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
      const entry = await c.stat(path);
      precision = entry.modifiedPrecision;
      return this.toStat(entry, this.entryOf(uri));
    }).catch((e: unknown) => {
      if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') this.recent.note(key, 'missing', generation);
      throw e;
    });
    if (stat.type & vscode.FileType.Directory) this.recent.note(key, 'folder', generation);
    const steady = this.steady(uri, stat, precision);
    if (steady.type & vscode.FileType.File) {
      this.statSizes.set(uri.toString(), { size: steady.size, at: Date.now() });
      if (this.statSizes.size > 200) this.statSizes.delete(this.statSizes.keys().next().value!);
    }
    return steady;
  }

  /**
   * A file's stat with the time told before when the file is the same (stat-times.ts); what is
   * told goes to the watcher too, with the precision of the answer its time came from.
   */
  private steady(uri: vscode.Uri, stat: vscode.FileStat, precision: FileEntry['modifiedPrecision']): vscode.FileStat {
    if (!(stat.type & vscode.FileType.File)) return stat;
    if (!stat.mtime) {
      this.watcher.toldStat(uri, stat);
      return stat;
    }
    const told = this.toldTimes.tell(uri.toString(), { size: stat.size, mtime: stat.mtime, precision: precision ?? 'second' });
    const steady = told.mtime === stat.mtime ? stat : { ...stat, mtime: told.mtime, ctime: told.mtime };
    this.watcher.toldStat(uri, steady, told.precision);
    return steady;
  }

  /** The size a read of this file should return, when a listing or stat said it moments ago. */
  private expectedSize(uri: vscode.Uri): number | undefined {
    const listed = this.listed(uri);
    // An approximate size (VMS blocks, `ls -h` 33.5k) is no size to check a download against.
    if (listed?.type === 'file' && listed.size !== undefined && !listed.sizeApproximate) return listed.size;
    const s = this.statSizes.get(uri.toString());
    return s && Date.now() - s.at < 5_000 ? s.size : undefined;
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const toEntries = (entries: Iterable<FileEntry>) => Array.from(entries, (e) => [e.name, fileType(e)] as [string, vscode.FileType]);
    // VS Code reading again a folder whose listing just told it of changes: that listing, once.
    const key = this.dirKey(uri);
    const announced = this.recent.take(announcedKey(key), 'announced') ? this.cache.get(key) : undefined;
    if (announced) {
      this.watcher.listedByVsCode(uri);
      return toEntries(announced.values());
    }
    return this.run(uri, async (c, _site, path) => {
      const since = this.listingStarts();
      const { entries, unparsed } = await c.list(path);
      for (const u of unparsed) this.log.warn(`Could not read a listing line of ${uri.toString(true)}: ${JSON.stringify(u.line)} (${u.reason})`);
      this.remember(uri, entries, 'vscode', since);
      this.watcher.listedByVsCode(uri);
      return toEntries(entries);
    });
  }

  /**
   * VS Code's FileService reads a path while it stats it (its validation runs beside the read), so
   * a folder opened by its URI is read as a file too: that is FileIsADirectory, not a failure.
   */
  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const listed = this.listed(uri);
    if (listed?.type === 'directory') throw vscode.FileSystemError.FileIsADirectory(uri);
    const progress = new LazyProgress(escapeMessage(`Downloading ${baseName(uri.path)}`), listed?.size);
    try {
      const expectedSize = this.expectedSize(uri);
      return await this.run(uri, async (c, _site, path) => {
        try {
          return await c.download(path, { signal: progress.signal, onProgress: (n) => progress.bytes(n), expectedSize });
        } catch (e) {
          if (REFUSED_READ.some((kind) => isFtpError(e, kind)) && (await this.isFolder(c, uri, path, e as FtpError))) throw vscode.FileSystemError.FileIsADirectory(uri);
          throw e;
        }
      }, true, progress.signal);
    } finally {
      progress.dispose();
    }
  }

  /**
   * After the server refused to send `path`: is it a folder? Servers say so in their own words
   * (vsftpd "550 Failed to open file.", ftp-srv "551 Cannot read a directory"), which are not read
   * here: the folder's kept listing says, else a stat asks the server (a round trip only after a
   * refusal). Not for a missing VS Code probe path (`.vscode/settings.json`): those are many, and
   * their absence is normal.
   */
  private async isFolder(c: FtpClient, uri: vscode.Uri, path: string, refusal: FtpError): Promise<boolean> {
    const dir = this.dirKey(vscode.Uri.joinPath(uri, '..'));
    const name = baseName(uri.path);
    const kept = this.cache.known(dir)?.get(name);
    if (kept && kept.type !== 'symlink') return kept.type === 'directory';
    // Listed moments ago without it, or a probe path the server says is not there.
    if (!kept && (this.cache.get(dir) || (refusal.kind === 'notFound' && VSCODE_PROBES.test(uri.path)))) return false;
    try {
      return (await c.stat(path)).type === 'directory';
    } catch {
      return false;
    }
  }

  /** The entry of a listing we still hold for this URI (fresh, or what a save of it just said), if any. */
  private listed(uri: vscode.Uri): FileEntry | undefined {
    return this.cache.entry(this.dirKey(vscode.Uri.joinPath(uri, '..')), baseName(uri.path));
  }

  /**
   * What the folder's listing says of an entry (lstat: a link is a link): kept from the last listing
   * for a save (mode, link target), listed afresh when `fresh` (a delete) or when never listed.
   */
  private async lstat(c: FtpClient, uri: vscode.Uri, path: string, fresh = false): Promise<FileEntry | undefined> {
    const dir = this.dirKey(vscode.Uri.joinPath(uri, '..'));
    const name = baseName(uri.path);
    const known = fresh ? this.cache.get(dir) : this.cache.known(dir);
    if (known) return known.get(name);
    return (await this.listFolder(c, vscode.Uri.joinPath(uri, '..'), parentPath(path))).find((e) => e.name === name);
  }

  /**
   * A write, rename, delete, mkdir or chmod, one at a time per path. Whether it worked or not (a
   * failed upload may have left a file, a failed rename a backup), what the server said of paths a
   * moment ago is forgotten when it ends.
   */
  private async withLocks<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    try {
      return await this.locks.with(keys, fn);
    } finally {
      this.recent.clear();
    }
  }

  private lockKey(uri: vscode.Uri): string {
    return `${decodeURIComponent(uri.authority)}\u0000${uri.path.replace(/\/+$/, '') || '/'}`;
  }

  /** Save options common to writeFile and uploadFile. (Temporary files an interrupted save leaves are the pool's to delete.) */
  private saveOptions(site: SiteConnection, current: FileEntry | undefined, transfer: TransferOptions): SafeSaveOptions {
    return { ...transfer, current, log: (text) => this.log.warn(`[${site.name}] ${text}`) };
  }

  /** A recursive delete found something it can't be sure of: ask before deleting anything. */
  private async confirmDoubts(uri: vscode.Uri, doubts: Doubt[]): Promise<boolean> {
    const detail = doubts.slice(0, 10).map((d) => `${d.path}: ${d.reason}`).join('\n') + (doubts.length > 10 ? `\n… and ${doubts.length - 10} more` : '');
    const keep = 'Delete the Rest, Keep These';
    const answer = await vscode.window.showWarningMessage(
      `Deleting ${baseName(uri.path)}: ${doubts.length} folder(s) inside it may be links or loops on the server. Deleting through them could delete files outside this folder.`,
      { modal: true, detail }, keep);
    return answer === keep;
  }


  private async exists(c: FtpClient, path: string): Promise<FileEntry | undefined> {
    try {
      return await c.stat(path);
    } catch (e) {
      if (isFtpError(e, 'notFound')) return undefined;
      throw e;
    }
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    const progress = new LazyProgress(escapeMessage(`Uploading ${baseName(uri.path)}`), content.byteLength);
    try {
      await this.write(uri, content, options, progress);
    } finally {
      progress.dispose();
    }
  }

  private async write(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }, progress: LazyProgress): Promise<void> {
    const transfer = { signal: progress.signal, onProgress: (n: number) => progress.bytes(n) };
    // A whole safe save may run again after a dropped connection: it starts from a new temporary file.
    const done = await this.withLocks([this.lockKey(uri)], () => this.run(uri, this.partWay([uri], async (c, site, path) => {
      // A save (create and overwrite, as VS Code saves) of a file its folder's listing shows (kept
      // up to 10 minutes, or listed now): no stat first. The listing gives the mode and whether it
      // is a link; the rename over it is one atomic step whatever is there now, and a folder put
      // there since is never moved aside (save.ts). Anything else is asked of the server first.
      const planned = options.create && options.overwrite && site.safeSave ? await this.lstat(c, uri, path) : undefined;
      // The server said a moment ago it is not there (VS Code's stats of a new file), unless a
      // listing kept since shows it.
      const saidMissing = this.recent.is(uri.toString(), 'missing') && !this.cache.known(this.dirKey(vscode.Uri.joinPath(uri, '..')))?.has(baseName(uri.path));
      const current = planned && planned.type !== 'directory' ? planned : saidMissing ? undefined : await this.exists(c, path);
      if (current?.type === 'directory') throw vscode.FileSystemError.FileIsADirectory(uri);
      if (current && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
      if (!current && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
      if (!current && !this.recent.is(vscode.Uri.joinPath(uri, '..').toString(), 'folder') && !(await this.exists(c, parentPath(path)))) throw vscode.FileSystemError.FileNotFound(vscode.Uri.joinPath(uri, '..'));
      const data = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
      if (!site.safeSave) {
        await c.upload(path, data, transfer);
        return { existed: !!current };
      }
      const entry = !current || current === planned || planned ? current : (await this.lstat(c, uri, path)) ?? current;
      const saved = await (await loadEngine()).safeSave(c, path, data, this.saveOptions(site, entry, transfer));
      // What the server said of the new file answers the stat VS Code makes next (not for a link: the link stays).
      return { existed: !!current, entry: saved.writtenTo === path ? saved.entry : undefined };
    }), true, progress.signal));
    this.changed(uri, done.existed ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created);
    if (done.entry) this.cache.written(this.dirKey(vscode.Uri.joinPath(uri, '..')), done.entry);
  }

  /**
   * Uploads a local file (streamed, so its size doesn't matter) the way a save does. `seen`
   * 'absent': the caller asked the server a moment ago and nothing was there.
   */
  async uploadFile(uri: vscode.Uri, localPath: string, transfer: TransferOptions = {}, seen?: 'absent'): Promise<number> {
    const sent = await this.withLocks([this.lockKey(uri)], () => this.run(uri, this.partWay([uri], async (c, site, path) => {
      // A file its folder's kept listing shows is taken as listed (a link as a link, its mode), as a
      // save of a listed file is: the rename over it is one atomic step whatever is there now (a
      // folder put there since is never replaced: save.ts). One the listing doesn't show may still be
      // there (hidden, another case): asked, unless the caller just did.
      const listed = this.cache.known(this.dirKey(vscode.Uri.joinPath(uri, '..')))?.get(baseName(uri.path));
      const found = listed ?? (seen === 'absent' ? undefined : await this.exists(c, path));
      if (found?.type === 'directory') throw vscode.FileSystemError.FileIsADirectory(uri);
      const entry = found && found !== listed ? (await this.lstat(c, uri, path)) ?? found : found;
      // A small file is read whole (local-files.ts); the new file's entry is not kept here (the
      // file is marked changed; a stat asks the server).
      const calls = await localCalls(nodePath.dirname(localPath));
      const small = await readSmallFile(calls, localPath);
      const options = { ...this.saveOptions(site, entry, transfer), sizeCheckOnly: true, throughLinks: false, absent: found === undefined };
      const { safeSave } = await loadEngine();
      if (small) return site.safeSave ? (await safeSave(c, path, small, options)).bytes : await c.upload(path, small, transfer);
      // O_NOFOLLOW: a symbolic link put there after the caller looked is not followed. The engine
      // reads the open file into a few reused buffers (send-file.ts), on this thread where the disk
      // is local.
      const localFileAtOnce = calls.localDisk;
      const file = await fs.promises.open(localPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        return site.safeSave ? (await safeSave(c, path, file, { ...options, localFileAtOnce })).bytes : await c.upload(path, file, { ...transfer, localFileAtOnce });
      } finally {
        await file.close();
      }
    }), false, transfer.signal));
    this.changed(uri, vscode.FileChangeType.Changed);
    return sent;
  }

  /**
   * Downloads into a local file through a temporary name, so a cancelled download leaves nothing
   * behind; a file it replaces keeps its permission bits. `listedSize`: the size a listing the
   * caller made shows (a folder download's walk).
   */
  async downloadFile(uri: vscode.Uri, localPath: string, transfer: TransferOptions = {}, listedSize?: number): Promise<number> {
    const temp = `${localPath}.ftpws-${Date.now().toString(36)}.part`;
    try {
      const calls = await localCalls(nodePath.dirname(localPath));
      const mode = await modeToKeep(calls, localPath); // a file this replaces keeps its permission bits
      const expectedSize = listedSize ?? this.expectedSize(uri);
      if (expectedSize !== undefined && expectedSize <= SMALL_FILE) {
        // Listed as small: into memory, then one write (local-files.ts). A file that grew well past
        // its listed size since (a log being written) comes back undefined: fetched again, streamed.
        const data = await this.run(uri, (c, _site, path) => c.downloadSmall(path, { ...transfer, expectedSize }), false, transfer.signal);
        if (data) {
          await writeThroughTemp(calls, temp, localPath, data, mode);
          return data.length;
        }
      }
      // The engine writes into the open file through a few reused buffers (receive-file.ts), on
      // this thread where the disk is local.
      const localFileAtOnce = calls.localDisk; // temp is in localPath's folder
      const claim = await claimRoom(nodePath.dirname(localPath));
      let bytes: number;
      try {
        // A file bigger than the disk can take (keeping some free) is not begun.
        if (claim && expectedSize !== undefined && expectedSize > claim.left()) {
          throw new Error(`${baseName(uri.path)} is ${humanSize(expectedSize)}; the disk holding ${nodePath.dirname(localPath)} has room for ${humanSize(Math.max(0, claim.left()))} more (${humanSize(ROOM_KEPT)} or half of its free space is always kept free).`);
        }
        const file = await fs.promises.open(temp, 'wx', mode ?? 0o666);
        try {
          await keepMode(calls, file.fd, mode);
          bytes = await this.run(uri, (c, _site, path) => c.downloadTo(path, file, { ...transfer, expectedSize, localFileAtOnce, room: claim?.room }), false, transfer.signal);
        } finally {
          await file.close();
        }
      } finally {
        claim?.release();
      }
      await fs.promises.rename(temp, localPath);
      return bytes;
    } catch (e) {
      // A temporary name that was there already is not ours to delete.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') await fs.promises.rm(temp, { force: true });
      throw e;
    }
  }

  async delete(uri: vscode.Uri, options: { recursive: boolean }): Promise<void> {
    const listed = this.listed(uri);
    // A recursive delete of a folder can take long: it shows progress with Cancel from the start.
    const progress = new LazyProgress(escapeMessage(`Deleting ${baseName(uri.path)}`), undefined, options.recursive && listed?.type === 'directory');
    let deleted = false;
    try {
      await this.withLocks([this.lockKey(uri)], () => this.run(uri, async (c, site, path) => {
        if (path === site.root) throw vscode.FileSystemError.NoPermissions(`${uri.toString(true)} is the site's root folder; delete its contents instead.`);
        // The kind comes from the folder's listing, never from following the path: a link is deleted as a link.
        const entry = (await this.lstat(c, uri, path, true)) ?? (await this.exists(c, path));
        if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
        if (entry.type !== 'directory') await c.delete(path);
        else if (!options.recursive) await c.rmdir(path);
        else {
          const result = await (await loadEngine()).removeTree(c, path, {
            signal: progress.signal,
            confirm: (doubts) => this.confirmDoubts(uri, doubts),
            onDeleted: (p, done) => progress.step(`${done}: ${baseName(p)}`),
          });
          if (result.links.length) this.log.info(`[${site.name}] deleted ${result.links.length} link(s) in ${path} as links (what they point to is untouched): ${result.links.join(', ')}`);
          if (result.left.length) this.log.warn(`[${site.name}] left in place, as asked: ${result.left.join(', ')}`);
        }
      }, false, progress.signal));
      deleted = true;
    } finally {
      progress.dispose();
      // A cancelled recursive delete removed part of the tree: the listings must be read again, and
      // whether the name is still there is not known.
      this.changed(uri, deleted ? vscode.FileChangeType.Deleted : vscode.FileChangeType.Changed, true, !deleted);
    }
  }

  async rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    if (oldUri.authority !== newUri.authority || oldUri.scheme !== newUri.scheme) throw vscode.FileSystemError.Unavailable('Renaming across FTP sites is not possible.');
    // Checked and done as one step: no other write of ours to either path runs in between.
    await this.withLocks([this.lockKey(oldUri), this.lockKey(newUri)], () => this.run(oldUri, this.partWay([oldUri, newUri], async (c, site, from) => {
      const to = this.serverPath(site, newUri);
      const { tempName, removeTree } = await loadEngine();
      if (!site.caseSensitive && from !== to && from.toLowerCase() === to.toLowerCase()) {
        // On a server that ignores case the "existing target" is the source itself: never delete it.
        // Some (IIS) also refuse a case-only rename, so it goes through a temporary name.
        const temp = tempName(from);
        await c.rename(from, temp);
        await c.rename(temp, to);
        return;
      }
      if (!(await this.exists(c, from))) throw vscode.FileSystemError.FileNotFound(oldUri);
      const target = await this.exists(c, to);
      if (target && !options.overwrite) throw vscode.FileSystemError.FileExists(newUri);
      if (!target) return c.rename(from, to);
      if (target.type !== 'directory') {
        // Servers replace a file on RNTO: one atomic step. Those that refuse go through a backup.
        try {
          return await c.rename(from, to);
        } catch (e) {
          if (!isFtpError(e) || e.code === undefined) throw e;
        }
      }
      // Move the target aside, put the source in its place, then delete the old one; undone on failure.
      const backup = tempName(to, 'bak');
      await c.rename(to, backup);
      try {
        await c.rename(from, to);
      } catch (e) {
        try {
          await c.rename(backup, to);
        } catch {
          throw new FtpError('server', `Renaming failed half-way: ${to} was moved to ${backup} and could not be put back (${(e as Error).message}).`, { cause: e });
        }
        throw e;
      }
      if (target.type === 'directory') await removeTree(c, backup, { confirm: (doubts) => this.confirmDoubts(newUri, doubts) });
      else await c.delete(backup);
    }), false));
    this.changed(oldUri, vscode.FileChangeType.Deleted, true);
    this.changed(newUri, vscode.FileChangeType.Created, true);
  }

  /**
   * `signal` (an upload's Cancel): checked before MKD, and while waiting for a connection, so a
   * Cancel waits for one round trip at most and makes no folder after it.
   */
  async createDirectory(uri: vscode.Uri, signal?: AbortSignal): Promise<void> {
    const stop = () => {
      if (signal?.aborted) throw new FtpError('aborted', 'Cancelled.');
    };
    await this.withLocks([this.lockKey(uri)], () => this.run(uri, async (c, _site, path) => {
      if (await this.exists(c, path)) throw vscode.FileSystemError.FileExists(uri);
      stop();
      try {
        await c.mkdir(path);
      } catch (e) {
        // The parent is looked at only when MKD is refused (a round trip less for each folder an
        // upload makes; VS Code makes parents first anyway). ftp-srv makes missing parents itself.
        if (isFtpError(e) && (e.code ?? 0) >= 500 && !(await this.exists(c, parentPath(path)))) throw vscode.FileSystemError.FileNotFound(vscode.Uri.joinPath(uri, '..'));
        throw e;
      }
    }, false, signal));
    this.changed(uri, vscode.FileChangeType.Created);
  }

  /**
   * A folder's tree for FTP: Download...: the engine's planTree (folders listed on up to the site's
   * connections at once), so never through
   * a link (a link's line in a listing, and where a server shows links as folders, PWD after CWD, a
   * listing that repeats an ancestor's, MLSD's unique facts and a depth limit: src/ftp/tree.ts).
   * Links, and folders the walk could not be sure of, come back apart: not downloaded.
   */
  async downloadPlan(uri: vscode.Uri, opts: { signal?: AbortSignal; onFolder?: (folder: vscode.Uri) => void } = {}): Promise<DownloadPlan> {
    return this.run(uri, async (c, site, path) => {
      const toUri = (p: string) => this.siteUri(site, uri, p);
      // The folders are listed on as many of the site's connections as it allows (the download then uses them).
      const plan = await (await loadEngine()).planTree(c, path, {
        signal: opts.signal, onFolder: (p) => opts.onFolder?.(toUri(p)),
        width: site.pool.stats.cap, lend: (work) => site.pool.run(work, { idempotent: false, signal: opts.signal }), linksByList: true,
      });
      if (plan.rootIsLink) throw vscode.FileSystemError.NoPermissions(escapeMessage(`${uri.toString(true)} leads elsewhere on the server (a link): it is not downloaded. Download the folder it points to instead.`));
      // A walk stopped by its size has folders it never listed: a download of the rest would look complete.
      const tooBig = plan.doubts.find((d) => d.kind === 'size');
      if (tooBig) throw vscode.FileSystemError.NoPermissions(escapeMessage(`${uri.toString(true)} is too big to download at once (${tooBig.reason}); nothing was downloaded. Download its folders one at a time.`));
      return {
        dirs: plan.dirs.map(toUri),
        files: plan.files.map((p) => {
          const e = plan.entries.get(p);
          return { uri: toUri(p), size: e?.sizeApproximate ? undefined : e?.size, mtime: e?.modified ?? 0 };
        }),
        skipped: [...plan.links.map((p) => ({ uri: toUri(p), why: 'a link on the server' })), ...plan.doubts.map((d) => ({ uri: toUri(d.path), why: d.reason }))],
      };
    }, true, opts.signal);
  }

  /**
   * FTP: Change Permissions...: SITE CHMOD on an entry, or on a folder and everything in it. A link
   * is never changed or entered: SITE CHMOD follows a link, so it would change what the link points
   * to, which may lie anywhere on the server. What is a link comes from `ls -l` listings (LIST),
   * which show links as links even on servers whose MLSD shows them as what they point to; the walk
   * is the engine's planTree, which never crosses one either. In a recursive change the deepest
   * entries come first and each folder after its contents, so a folder that loses its x bit is
   * changed last. Afterwards the listings we keep of the changed folders are read again, so a save
   * keeps the new mode and the Explorer's hover and read-only state show it.
   */
  async chmod(uri: vscode.Uri, mode: number, opts: ChmodOptions = {}): Promise<ChmodResult> {
    const result: ChmodResult = { changed: 0, links: [], left: [] };
    const relist: string[] = [];
    const check = () => {
      if (opts.signal?.aborted) throw new vscode.CancellationError();
    };
    await this.withLocks([this.lockKey(uri)], () => this.run(uri, async (c, site, path) => {
      const name = baseName(uri.path);
      const parent = parentPath(path);
      // The kind as `ls -l` shows it (a link is a link there); the site's root is a folder.
      const entry = path === site.root ? ({ name, type: 'directory' } as FileEntry) : (await c.list(parent, { unixStyle: true, signal: opts.signal })).entries.find((e) => e.name === name);
      if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
      if (entry.type === 'symlink') {
        throw vscode.FileSystemError.NoPermissions(escapeMessage(`${uri.toString(true)} is a link${entry.linkTarget ? ` to ${entry.linkTarget}` : ''}: SITE CHMOD would change what it points to, not the link. Change the permissions of that file or folder instead.`));
      }
      if (!opts.recursive || entry.type !== 'directory') {
        await c.chmod(path, mode);
        result.changed = 1;
        opts.onStep?.(path, 1, 1);
        if (path !== site.root) relist.push(parent);
        return;
      }
      // Links as `ls -l` shows them too (linksByList), in every folder of the walk: not entered, not changed.
      const plan = await (await loadEngine()).planTree(c, path, { signal: opts.signal, linksByList: true });
      if (plan.rootIsLink) throw vscode.FileSystemError.NoPermissions(escapeMessage(`${uri.toString(true)} leads elsewhere on the server (a link): its permissions were not changed.`));
      const links = new Set(plan.links);
      const left = plan.doubts.map((d) => d.path);
      const skipped = [...left, ...links];
      const inside = (p: string) => skipped.some((x) => p === x || p.startsWith(x.endsWith('/') ? x : x + '/'));
      const apply = opts.apply ?? 'all';
      const files = apply === 'folders' ? [] : plan.files.filter((f) => !inside(f));
      const dirs = plan.dirs.filter((d) => !inside(d));
      const targets = [...files, ...(apply === 'files' ? [] : [...dirs].reverse())];
      for (const p of targets) {
        check();
        await c.chmod(p, mode);
        opts.onStep?.(p, ++result.changed, targets.length);
      }
      result.links = [...links].filter((l) => !left.some((x) => l.startsWith(x + '/')));
      result.left = left;
      relist.push(...(path === site.root ? [] : [parent]), ...dirs);
      if (links.size) this.log.info(`[${site.name}] chmod ${octal(mode)} of ${path}: ${links.size} link(s) left alone (SITE CHMOD would change what they point to): ${[...links].join(', ')}`);
      if (left.length) this.log.warn(`[${site.name}] chmod ${octal(mode)} of ${path}: not changed, as the walk could not be sure of them: ${plan.doubts.map((d) => `${d.path} (${d.reason})`).join('; ')}`);
    }, true, opts.signal)); // setting a mode twice does no harm: run again after a drop

    // The listings we keep of the changed folders are read again (a save keeps a file's mode from
    // them): the parent always, the folders inside only when a listing of them is kept.
    const changedUris: vscode.Uri[] = [uri];
    await this.run(uri, async (c, site) => {
      const target = this.serverPath(site, uri);
      // A listing on its way from before the change (a poll's) is not kept over these.
      for (const dirPath of relist) this.cache.touched(this.dirKey(this.siteUri(site, uri, dirPath)));
      for (const dirPath of relist) {
        const dir = this.siteUri(site, uri, dirPath);
        const isParent = dirPath === parentPath(target);
        if (!isParent && !this.cache.known(this.dirKey(dir))) continue;
        const entries = await this.listFolder(c, dir, dirPath);
        if (isParent) result.listedMode = entries.find((e) => e.name === baseName(uri.path))?.mode;
        else for (const e of entries) if (changedUris.length < 5000) changedUris.push(vscode.Uri.joinPath(dir, e.name));
      }
    }).catch((e: unknown) => this.log.warn(`After changing permissions of ${uri.toString(true)}: could not list again: ${(e as Error).message}`));
    this.statSizes.delete(uri.toString());
    // VS Code stats them again: an open editor's read-only state follows the new mode.
    this.emitter.fire(changedUris.map((u) => ({ type: vscode.FileChangeType.Changed, uri: u })));
    return result;
  }

  /**
   * An operation (run's fn) that may fail after it began changing `uris` (a STOR cut off has truncated
   * the file on a site without safe save; a rename may have gone through before its reply was
   * lost): on the engine's failure the kept listing of their folder is marked, so the next stat
   * asks the server, and VS Code is told they may have changed. Not for our own refusals before
   * sending anything (a FileSystemError: FileExists, FileNotFound, FileIsADirectory) nor a local
   * file's errors (an upload's source missing).
   */
  private partWay<T>(uris: vscode.Uri[], fn: (c: FtpClient, site: SiteConnection, path: string) => Promise<T>): (c: FtpClient, site: SiteConnection, path: string) => Promise<T> {
    return async (c, site, path) => {
      try {
        return await fn(c, site, path);
      } catch (e) {
        // Marked, not forgotten: the kept entry still tells the next save that a name is a link, and
        // its mode (forgetting it made a save after a failed one replace the link by a file).
        if (isFtpError(e)) for (const uri of uris) this.changed(uri, vscode.FileChangeType.Changed, false, true);
        throw e;
      }
    };
  }

  /**
   * Our own operation on `uri`, done: VS Code is told, kept listings are read anew, and the poll's
   * memory of the folder takes it as ours (not a remote change). `replaced`: what was listed under
   * that name, and below it, is no more (deleted, renamed away, or overwritten by a rename). Our
   * operation left the name there unless `type` is Deleted; `unsure`: we can't tell (a delete that
   * failed part-way).
   */
  private changed(uri: vscode.Uri, type: vscode.FileChangeType, replaced = false, unsure = false): void {
    const parent = vscode.Uri.joinPath(uri, '..');
    const key = this.dirKey(parent);
    const name = baseName(uri.path);
    const exists = unsure ? undefined : type !== vscode.FileChangeType.Deleted;
    this.watcher.own(parent, name, replaced, exists, this.cache.known(key)); // before the cache forgets it
    // The folder's time moves with what is in it: its line in its own folder's listing is ours too.
    if (parent.path !== '/') {
      const grandparent = vscode.Uri.joinPath(parent, '..');
      this.watcher.own(grandparent, baseName(parent.path), false, true, this.cache.known(this.dirKey(grandparent)));
    }
    if (replaced) this.cache.forget(key, name);
    else this.cache.touched(key, name);
    this.statSizes.delete(uri.toString());
    this.announce([{ type, uri }, { type: vscode.FileChangeType.Changed, uri: parent }]);
  }

  /**
   * Tells VS Code of our own changes a moment later (50 ms; 250 ms while they keep coming), with
   * the others made meanwhile: each event is a message to VS Code's window, whose Explorer then
   * looks at the folder again, and a folder upload makes hundreds a second (300 small files took
   * 2.9-3.3 s in code-server with an event pair each, 1.3-1.6 s with none, 1.6-1.8 s so). An event
   * repeated in the batch is told once, at its last place, so the order of what remains (created,
   * then deleted) is still the order it happened in.
   */
  private announce(events: vscode.FileChangeEvent[]): void {
    this.ownChanges.push(...events);
    // A lone change (a save) is told soon; while they keep coming (a folder upload), in bigger batches.
    const busy = Date.now() - this.ownToldAt < 1000;
    this.ownTimer ??= setTimeout(() => {
      const batch = this.ownChanges;
      this.ownChanges = [];
      this.ownTimer = undefined;
      this.ownToldAt = Date.now();
      this.emitter.fire(lastOfEach(batch));
    }, busy ? OWN_CHANGES_BUSY_MS : OWN_CHANGES_MS);
  }
}

/** Each change once, at its last place in the batch (so what remains keeps the order it happened in). */
export function lastOfEach(batch: readonly vscode.FileChangeEvent[]): vscode.FileChangeEvent[] {
  const seen = new Set<string>();
  const kept: vscode.FileChangeEvent[] = [];
  for (let i = batch.length - 1; i >= 0; i--) {
    const key = `${batch[i].type} ${batch[i].uri.toString()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(batch[i]);
  }
  return kept.reverse();
}

/** How long our own changes wait to be told to VS Code together (see announce): alone, and while they keep coming. */
const OWN_CHANGES_MS = 50;
const OWN_CHANGES_BUSY_MS = 250;

/** The engine's errors for a RETR the server refused by a reply: perhaps because the path is a folder. */
const REFUSED_READ = ['notFound', 'permission', 'server', 'transient', 'commandRejected'] as const;

/** A site's poll interval in ms (`pollSeconds`, default 10; 0: off). */
function pollInterval(site: SiteConfig | undefined): number {
  const seconds = (site as { pollSeconds?: unknown } | undefined)?.pollSeconds;
  const s = typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : DEFAULT_POLL_SECONDS;
  return s > 0 ? Math.max(1, s) * 1000 : 0;
}
