/**
 * Remote changes for FileSystemProvider.watch: FTP can't tell us when a file changes, so what the
 * user is looking at is listed again now and then, and the differences become change events (an
 * unedited editor then reloads, the Explorer shows a new file without Refresh).
 *
 * What is polled: of the URIs VS Code watches (a workspace folder recursively, an editor outside the
 * workspace alone), the folders of open, unedited files (the active one first) and the folders VS
 * Code listed (the Explorer lists a folder when it is expanded), most recently listed first; one
 * listing per folder per tick, at most 10 + 8 folders, one folder at a time so the user's own
 * operations keep a connection. A file's change is seen in its folder's listing (kind, size, time as
 * the server gives it; remote-changes.ts).
 *
 * When: every `pollSeconds` of the site (default 10, 0 = never), the next tick counted from the end
 * of the last, so ticks never overlap; only while the site's pool is open and not failed and the
 * user did something with it in the last minute (the pool's idle time): a poll never opens a
 * connection to a site nobody uses, and never keeps one open by itself. The one pool a poll opens
 * is one a settings change closed while it worked ('resumable'), and only without a question
 * (connections.ts openForPoll): a changed transfer mode does not stop polling. The user's next operation
 * (or coming back to the window while the site is still open) resumes it. A failing poll pauses the
 * site until then; it is logged, never shown. VS Code's own reads that follow our events (an editor
 * reloading, the Explorer listing again) are not the user acting.
 *
 * Every listing, whoever asked for it (a poll, the Explorer's Refresh, a save), is compared with the
 * one before it, so a Refresh also reloads an unedited editor whose file changed. Our own writes,
 * renames and deletes mark their names in that memory (`own`): announced already, they are not
 * compared again until a listing that started after them (remote-changes.ts).
 */
import * as vscode from 'vscode';
import type { FileEntry } from '../ftp';
import { globToRegExp } from '../search/glob';
import { entriesByName } from './listing-cache';
import { Scope, Signature, SiteCondition, Told, WindowPresence, cameBack, diffListing, notListedSince, differsFromTold, fileWatched, folderWatched, listingWatched, nextSnapshot, pollFolders, pollable, polledWhen, signatures } from './remote-changes';

/** The pool's idle time: a site the user left alone this long is not polled. */
export const ACTIVE_MS = 60_000;
/** VS Code's reads within this long after our events answer them; they are not the user acting. */
const ECHO_MS = 5_000;
/** After the user comes back to the window, the first tick waits this long (VS Code's own reads first). */
const REFOCUS_DELAY_MS = 1_000;
export const DEFAULT_POLL_SECONDS = 10;
const MAX_FILE_FOLDERS = 10;
const MAX_LISTED_FOLDERS = 8;
const MAX_SNAPSHOTS = 128;
const MAX_LISTED = 64;
const MAX_TOLD = 500;

/** What the watcher needs of the provider. */
export interface PollSource {
  /** The site's state, without opening anything. */
  condition(uri: vscode.Uri): SiteCondition;
  /** Milliseconds between ticks for this site; 0: not polled. */
  interval(uri: vscode.Uri): number;
  /**
   * Lists a folder through the site's open pool (never opening a site, but for one a settings
   * change closed: 'resumable') and remembers the listing, which comes back to `observe`. 'gone'
   * when the folder is no more; 'closed' when there is no pool to list with now, or it closed while
   * listing (the site's condition then says whether polling goes on).
   */
  list(dir: vscode.Uri): Promise<'listed' | 'gone' | 'refused' | 'closed'>;
}

export type ListingSource = 'poll' | 'vscode' | 'internal';

interface SiteWatch {
  base: vscode.Uri;
  scopes: Set<Scope>;
  /** Folders VS Code listed: path -> when (latest last). */
  listed: Map<string, number>;
  /** The last listing of each polled or watched folder, as signatures, with our own names marked. */
  snapshots: Map<string, Map<string, Signature>>;
  lastAction: number;
  lastEvents: number;
  /** When the user came back to the window, until the tick that follows. */
  refocusedAt?: number;
  timer?: NodeJS.Timeout;
  running: boolean;
}

const normalize = (p: string) => p.replace(/\/+$/, '') || '/';
const parentOf = (p: string) => p.replace(/\/[^/]*\/?$/, '') || '/';
const isFtp = (u: vscode.Uri) => u.scheme === 'ftp' || u.scheme === 'ftps';

function excludes(globs: readonly string[]): RegExp[] {
  const out: RegExp[] = [];
  for (const g of globs) {
    try {
      out.push(globToRegExp(g));
    } catch {
      // A pattern we can't read excludes nothing.
    }
  }
  return out;
}

export class RemoteWatcher implements vscode.Disposable {
  private readonly sites = new Map<string, SiteWatch>();
  /** What stat told VS Code of files (size, time), for a folder listed the first time. */
  private readonly told = new Map<string, Told>();
  private readonly subscriptions: vscode.Disposable[];
  private disposed = false;
  /** Numbers our own operations, so a listing knows which of them it may not have seen. */
  private operations = 0;
  private windowState: WindowPresence = { focused: vscode.window.state.focused, active: vscode.window.state.active };

  constructor(
    private readonly source: PollSource,
    private readonly log: vscode.LogOutputChannel,
    private readonly fire: (events: vscode.FileChangeEvent[]) => void,
  ) {
    this.subscriptions = [
      // Coming back to the window is acting: sites still open are checked (cameBack: focused and
      // active again; a focused window turning inactive is the user leaving).
      vscode.window.onDidChangeWindowState((s) => {
        const back = cameBack(this.windowState, s);
        this.windowState = { focused: s.focused, active: s.active };
        if (back) this.refocused();
      }),
    ];
  }

  private key(uri: vscode.Uri): string {
    return `${uri.scheme}://${uri.authority}`;
  }

  private site(uri: vscode.Uri): SiteWatch {
    const key = this.key(uri);
    let s = this.sites.get(key);
    if (!s) {
      s = { base: uri.with({ path: '/', query: '', fragment: '' }), scopes: new Set(), listed: new Map(), snapshots: new Map(), lastAction: 0, lastEvents: 0, running: false };
      this.sites.set(key, s);
    }
    return s;
  }

  /** FileSystemProvider.watch: polled while it lasts. */
  watch(uri: vscode.Uri, options: { readonly recursive: boolean; readonly excludes: readonly string[] }): vscode.Disposable {
    const site = this.site(uri);
    const scope: Scope = { path: normalize(uri.path), recursive: options.recursive, excludes: options.recursive ? excludes(options.excludes) : [] };
    site.scopes.add(scope);
    this.wake(site);
    return new vscode.Disposable(() => {
      site.scopes.delete(scope);
      if (site.scopes.size) return;
      clearTimeout(site.timer);
      site.timer = undefined;
      site.snapshots.clear();
    });
  }

  /** A user operation on the site succeeded: it is in use, so it is polled (again). */
  acted(uri: vscode.Uri): void {
    const site = this.site(uri);
    const now = Date.now();
    if (now - site.lastEvents < ECHO_MS) return; // VS Code answering our events
    site.lastAction = now;
    this.wake(site);
  }

  /** VS Code listed a folder (the Explorer expanded or refreshed it). */
  listedByVsCode(dir: vscode.Uri): void {
    const site = this.site(dir);
    const path = normalize(dir.path);
    site.listed.delete(path);
    site.listed.set(path, Date.now());
    if (site.listed.size > MAX_LISTED) site.listed.delete(site.listed.keys().next().value!);
    this.wake(site);
  }

  /** What stat told VS Code of a file (`precision`: of the answer its time came from). */
  toldStat(uri: vscode.Uri, stat: vscode.FileStat, precision?: Told['precision']): void {
    const key = uri.toString();
    this.told.delete(key);
    this.told.set(key, { size: stat.size, mtime: stat.mtime, precision });
    if (this.told.size > MAX_TOLD) this.told.delete(this.told.keys().next().value!);
  }

  /** Taken right before a listing is asked for: it may not show our operations after this one. */
  listingStarts(): number {
    return this.operations;
  }

  /**
   * A listing of `dir` arrived (`previous`: the one the cache held before it; `since`: what
   * `listingStarts` said before it was asked for). Differences from the last one seen are
   * announced, for what VS Code watches; true when names came or went (VS Code's Explorer then
   * reads the folder, and those expanded below it, again; a changed file alone it doesn't).
   */
  observe(dir: vscode.Uri, previous: ReadonlyMap<string, FileEntry> | undefined, entries: FileEntry[], source: ListingSource, since: number): boolean {
    const site = this.sites.get(this.key(dir));
    if (!site?.scopes.size) return false;
    const path = normalize(dir.path);
    if (!listingWatched(path, site.scopes)) return false;
    const after = signatures(entries);
    const before = site.snapshots.get(path) ?? (previous ? signatures(previous.values()) : undefined);
    this.keep(site, path, nextSnapshot(before, after, since));

    const child = (name: string) => vscode.Uri.joinPath(dir, name);
    const events: vscode.FileChangeEvent[] = [];
    const add = (type: vscode.FileChangeType, name: string) => {
      if (fileWatched(path === '/' ? `/${name}` : `${path}/${name}`, site.scopes)) events.push({ type, uri: child(name) });
    };
    if (before) {
      // A file we wrote, listed for the first time since: changed by someone else if it is not what stat told VS Code after our write.
      const byName = entriesByName(entries);
      const differsFromOurs = (name: string) => {
        const told = this.told.get(child(name).toString());
        return !!told && differsFromTold(byName.get(name)!, told);
      };
      const diff = diffListing(before, after, since, differsFromOurs);
      diff.deleted.forEach((n) => add(vscode.FileChangeType.Deleted, n));
      diff.created.forEach((n) => add(vscode.FileChangeType.Created, n));
      diff.changed.forEach((n) => add(vscode.FileChangeType.Changed, n));
      if ((diff.created.length || diff.deleted.length) && folderWatched(path, site.scopes)) events.push({ type: vscode.FileChangeType.Changed, uri: dir });
    } else {
      // Listed for the first time: an open file changed since stat told VS Code about it (stat told our own writes).
      for (const e of entries) {
        const told = this.told.get(child(e.name).toString());
        if (told && differsFromTold(e, told)) add(vscode.FileChangeType.Changed, e.name);
      }
    }
    if (!events.length) return false;
    const namesMoved = events.some((e) => e.type !== vscode.FileChangeType.Changed || e.uri.toString() === dir.toString());
    site.lastEvents = Date.now();
    this.log.info(`[${dir.authority}] changed on the server (${source === 'poll' ? 'poll' : 'listing'} of ${path}): ${events.map((e) => `${['', 'changed', 'created', 'deleted'][e.type]} ${e.uri.path}`).join(', ')}`);
    // VS Code asked for this listing itself: it gets the events once it has the answer.
    if (source === 'poll') this.fire(events);
    else setTimeout(() => !this.disposed && this.fire(events), 0);
    return namesMoved;
  }

  /**
   * Our own write, delete or rename of `name` in `dir`, just done and announced: not a remote
   * change, whatever the listings around it show. `replaced`: what was listed under that name is no
   * more (deleted, renamed away, or a rename's target). `exists`: whether our operation left the
   * name there (undefined: not known), so the first listing after it can tell someone else's change
   * from ours. `known`: the folder's last listing as the cache holds it, for a folder watched but
   * not yet seen here.
   */
  own(dir: vscode.Uri, name: string, replaced: boolean, exists: boolean | undefined, known: ReadonlyMap<string, FileEntry> | undefined): void {
    const ours = ++this.operations;
    // What stat told before our write describes the file we replaced: only a stat after it is compared.
    this.told.delete(vscode.Uri.joinPath(dir, name).toString());
    const site = this.sites.get(this.key(dir));
    if (!site) return;
    const path = normalize(dir.path);
    if (replaced) this.forgetBelow(site, path === '/' ? `/${name}` : `${path}/${name}`);
    if (!site.scopes.size || !listingWatched(path, site.scopes)) return;
    // No listing of the folder at all: its first one is compared with nothing.
    const snap = site.snapshots.get(path) ?? (known ? signatures(known.values()) : undefined);
    if (!snap) return;
    snap.set(name, { ours, exists });
    this.keep(site, path, snap);
  }

  /** The folder's snapshot, most recent last (the oldest go). */
  private keep(site: SiteWatch, path: string, snap: Map<string, Signature>): void {
    site.snapshots.delete(path);
    site.snapshots.set(path, snap);
    if (site.snapshots.size > MAX_SNAPSHOTS) site.snapshots.delete(site.snapshots.keys().next().value!);
  }

  private forgetBelow(site: SiteWatch, path: string): void {
    const below = (p: string) => p === path || p.startsWith(path + '/');
    for (const p of [...site.snapshots.keys()]) if (below(p)) site.snapshots.delete(p);
    for (const p of [...site.listed.keys()]) if (below(p)) site.listed.delete(p);
  }

  /** A polled folder is no more: VS Code is told, and it is not polled again. */
  private folderGone(site: SiteWatch, path: string): void {
    const known = site.snapshots.has(path) || site.listed.has(path);
    this.forgetBelow(site, path);
    if (path === '/') return;
    const parentSnap = site.snapshots.get(parentOf(path));
    parentSnap?.delete(path.slice(path.lastIndexOf('/') + 1));
    if (known) {
      site.lastEvents = Date.now();
      this.fire([{ type: vscode.FileChangeType.Deleted, uri: site.base.with({ path }) }]);
    }
  }

  /** Starts the site's ticks if it has something to poll and none is due. */
  private wake(site: SiteWatch): void {
    if (this.disposed || site.timer || site.running || !site.scopes.size) return;
    const interval = this.source.interval(site.base);
    if (interval > 0) site.timer = setTimeout(() => void this.tick(site), interval);
  }

  private refocused(): void {
    for (const site of this.sites.values()) {
      if (!site.scopes.size || site.running || !polledWhen(this.source.condition(site.base)) || !this.source.interval(site.base)) continue;
      site.lastAction = Date.now();
      site.refocusedAt = site.lastAction;
      clearTimeout(site.timer);
      // A moment later: VS Code's Explorer reads its expanded folders again by itself on focus,
      // and those need no listing of ours (notListedSince).
      site.timer = setTimeout(() => void this.tick(site), REFOCUS_DELAY_MS);
    }
  }

  /** Files open in editors, unedited, of this site: the active one first. */
  private openFiles(site: SiteWatch): string[] {
    const key = this.key(site.base);
    const dirty = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
    const out: string[] = [];
    const seen = new Set<string>();
    const push = (u: vscode.Uri | undefined, tabDirty = false) => {
      if (!u || !isFtp(u) || this.key(u) !== key || tabDirty || dirty.has(u.toString()) || seen.has(u.path)) return;
      seen.add(u.path);
      out.push(u.path);
    };
    push(vscode.window.activeTextEditor?.document.uri);
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputNotebook) push(input.uri, tab.isDirty);
        else if (input instanceof vscode.TabInputTextDiff) {
          push(input.modified, tab.isDirty);
          push(input.original);
        }
      }
    }
    return out;
  }

  private pollable(site: SiteWatch): boolean {
    return !this.disposed && site.scopes.size > 0 && pollable(this.source.condition(site.base), site.lastAction, Date.now(), ACTIVE_MS);
  }

  private async tick(site: SiteWatch): Promise<void> {
    site.timer = undefined;
    // Only the tick right after coming back leaves out what VS Code read since, whether it runs or not.
    const refocusedAt = site.refocusedAt;
    site.refocusedAt = undefined;
    if (site.running) return;
    const interval = this.source.interval(site.base);
    // Not polled now: the user's next operation on the site resumes it.
    if (!interval || !this.pollable(site)) return;
    const all = pollFolders({ openFiles: this.openFiles(site), listedFolders: site.listed, scopes: site.scopes, maxFileFolders: MAX_FILE_FOLDERS, maxListedFolders: MAX_LISTED_FOLDERS });
    if (!all.length) return;
    const folders = refocusedAt !== undefined ? notListedSince(all, site.listed, refocusedAt) : all;
    if (!folders.length) {
      // VS Code read them all since the user came back: the next tick as usual.
      site.timer = setTimeout(() => void this.tick(site), interval);
      return;
    }
    site.running = true;
    try {
      for (const path of folders) {
        if (!this.pollable(site)) return;
        const result = await this.source.list(site.base.with({ path }));
        // Said at info the first time (the poll's own commands and replies are at debug,
        // connections.ts routinely); an open file's folder is asked again on later ticks.
        const first = site.snapshots.has(path) || site.listed.has(path);
        if (result === 'gone') {
          this.log[first ? 'info' : 'debug'](`[${site.base.authority}] ${path} is gone from the server (poll)`);
          this.folderGone(site, path);
        } else if (result === 'refused') {
          this.log[site.listed.has(path) ? 'info' : 'debug'](`[${site.base.authority}] the server refused to list ${path} (poll)`);
          site.listed.delete(path);
        }
      }
    } catch (e) {
      // Paused until the user acts again: a poll never fails loudly or retries by itself.
      this.log.warn(`[${site.base.authority}] polling for remote changes paused until the site is used again: ${(e as Error).message}`);
      return;
    } finally {
      site.running = false;
    }
    if (this.pollable(site) && !site.timer) site.timer = setTimeout(() => void this.tick(site), interval);
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.sites.values()) clearTimeout(s.timer);
    this.subscriptions.forEach((d) => d.dispose());
  }
}
