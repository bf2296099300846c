/**
 * How a polled listing becomes change events, and what a poll looks at; no `vscode` import, so it
 * is unit-tested on its own (the watcher in watcher.ts does the timing and asks VS Code what is
 * open).
 *
 * A change is a difference between two listings of a folder, compared as the server gave them:
 * kind, size, modified time (to the second for MLSD, to the minute for `ls -l`: two saves of the
 * same size within one minute look alike there), and a link's target. A name we wrote, renamed or
 * deleted ourselves is not compared with the listing before our operation (we announced that change
 * already) until a listing that started after our operation ended: one already under way may show
 * the folder from before it, so the name stays ours until then. That listing is the first to show
 * the name after us, so it is checked against what we left: a name we left there that is missing,
 * or whose file differs from what stat told VS Code after our write, was changed by someone else
 * since; a name we removed that is there again was put back.
 */
import type { FileEntry } from '../ftp';

/** A name our own operation number `ours` wrote, renamed or deleted: not compared until a listing that started after it. */
export interface Ours {
  ours: number;
  /**
   * Whether our operation left the name there (a save, an upload, a new file or folder, a rename's
   * target) or not (a delete, a rename's source); undefined when we can't know (a delete that failed
   * or was cancelled part-way): then whatever is listed is taken as it is.
   */
  exists?: boolean;
}

/** What a listing said of one name (compared as a whole), or ours. */
export type Signature = string | Ours;

const isOurs = (s: Signature | undefined): s is Ours => typeof s === 'object';

export function signature(e: FileEntry): string {
  return `${e.type}\u0000${e.size ?? ''}\u0000${e.modified ?? ''}\u0000${e.modifiedPrecision ?? ''}\u0000${e.linkTarget ?? ''}`;
}

export function signatures(entries: Iterable<FileEntry>): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of entries) m.set(e.name, signature(e));
  return m;
}

export interface ListingDiff {
  created: string[];
  deleted: string[];
  changed: string[];
}

/** Our mark is settled by this listing: it started after our operation (`since`: the last operation it could see). */
const settled = (s: Ours, since: number) => s.ours <= since && s.exists !== undefined;

/**
 * The names that appeared, went, or changed (a file that became a folder is deleted and created).
 * Ours are no change in a listing that may predate our operation. In the first listing after it,
 * a name we left there is deleted if missing and changed if `differsFromOurs` says its entry is not
 * what stat told VS Code after our write; a name we removed is created if listed.
 */
export function diffListing(before: ReadonlyMap<string, Signature>, after: ReadonlyMap<string, string>, since: number, differsFromOurs: (name: string) => boolean = () => false): ListingDiff {
  const diff: ListingDiff = { created: [], deleted: [], changed: [] };
  for (const [name, sig] of after) {
    if (!before.has(name)) diff.created.push(name);
    else {
      const old = before.get(name)!;
      if (isOurs(old)) {
        if (!settled(old, since)) continue;
        if (!old.exists) diff.created.push(name);
        else if (differsFromOurs(name)) diff.changed.push(name);
        continue;
      }
      if (old === sig) continue;
      if (old.split('\u0000')[0] !== sig.split('\u0000')[0]) {
        diff.deleted.push(name);
        diff.created.push(name);
      } else diff.changed.push(name);
    }
  }
  for (const [name, old] of before) {
    if (after.has(name)) continue;
    if (!isOurs(old) || (settled(old, since) && old.exists)) diff.deleted.push(name);
  }
  return diff;
}

/**
 * What the next listing is compared with: this one, but for our names whose operation ended after
 * the listing started (`since`: the last operation number it could see), which stay ours.
 */
export function nextSnapshot(before: ReadonlyMap<string, Signature> | undefined, after: ReadonlyMap<string, string>, since: number): Map<string, Signature> {
  const next = new Map<string, Signature>(after);
  if (before) for (const [name, old] of before) if (isOurs(old) && old.ours > since) next.set(name, old);
  return next;
}

/** What VS Code was told of a file by stat. */
export interface Told {
  size: number;
  mtime: number;
  /** 'second': from MLST, MDTM or MLSD (UTC); coarser: from an `ls -l` line (the server's clock, maybe not UTC). */
  precision?: 'second' | 'minute' | 'day';
}

const UNIT = { second: 1000, minute: 60_000, day: 86_400_000 } as const;

/**
 * A listed file against what stat told VS Code, when no earlier listing of its folder is known or
 * when the file was last written by us: another size, or another time at the listing's precision
 * (a `12:01` listing matches any stat time within that minute). Times are compared only when both
 * come from the same kind of answer: an `ls -l` time is in the server's zone unless a time zone is
 * set, MDTM's is UTC, so our own save would look changed by the zone's hours.
 */
export function differsFromTold(e: FileEntry, told: Told): boolean {
  if (e.type !== 'file') return false;
  if (e.size !== undefined && e.size !== told.size) return true;
  if (e.modified === undefined || !told.mtime) return false;
  if (told.precision && (told.precision === 'second') !== ((e.modifiedPrecision ?? 'second') === 'second')) return false;
  const unit = UNIT[e.modifiedPrecision ?? 'second'];
  return Math.floor(e.modified / unit) !== Math.floor(told.mtime / unit);
}

/** A watch as VS Code asked for it, by path within one site. */
export interface Scope {
  path: string;
  recursive: boolean;
  /** Globs relative to `path` (files.watcherExclude) that a recursive watch leaves out. */
  excludes: RegExp[];
}

const parentOf = (p: string) => p.replace(/\/[^/]*\/?$/, '') || '/';
const under = (p: string, root: string) => p === root || p.startsWith(root === '/' ? '/' : root + '/');
const relative = (p: string, root: string) => (root === '/' ? p.slice(1) : p.slice(root.length + 1));

/** Is this folder's listing what a watch asks for (a recursive watch below it, or a watch of it or of one of its files)? */
export function folderWatched(dir: string, scopes: Iterable<Scope>): boolean {
  for (const s of scopes) {
    if (s.recursive) {
      if (under(dir, s.path) && !(dir !== s.path && s.excludes.some((x) => x.test(relative(dir, s.path))))) return true;
    } else if (s.path === dir) return true;
  }
  return false;
}

/** Does a watch care about this folder's listing (the folder itself, or a file in it)? */
export function listingWatched(dir: string, scopes: Iterable<Scope>): boolean {
  for (const s of scopes) if (!s.recursive && parentOf(s.path) === dir && s.path !== dir) return true;
  return folderWatched(dir, scopes);
}

/** Is this file's change something a watch asks for? */
export function fileWatched(file: string, scopes: Iterable<Scope>): boolean {
  for (const s of scopes) {
    if (s.recursive ? under(file, s.path) && !s.excludes.some((x) => x.test(relative(file, s.path))) : s.path === file || s.path === parentOf(file)) return true;
  }
  return false;
}

export interface PollTargets {
  /** Open, unedited files of the site (their folders are listed), the active one first. */
  openFiles: string[];
  /** Folders VS Code listed (the Explorer expands a folder by listing it), path -> when, latest last. */
  listedFolders: ReadonlyMap<string, number>;
  scopes: Iterable<Scope>;
  /** Folders of open files at most, then listed folders at most. */
  maxFileFolders: number;
  maxListedFolders: number;
}

/** The folders one poll lists: those of open files first, then the folders listed most recently. */
export function pollFolders(t: PollTargets): string[] {
  const scopes = [...t.scopes];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of t.openFiles) {
    if (out.length >= t.maxFileFolders) break;
    const dir = parentOf(f);
    if (seen.has(dir) || !fileWatched(f, scopes)) continue;
    seen.add(dir);
    out.push(dir);
  }
  let listed = 0;
  for (const dir of [...t.listedFolders.keys()].reverse()) {
    if (listed >= t.maxListedFolders) break;
    if (seen.has(dir) || !folderWatched(dir, scopes)) continue;
    seen.add(dir);
    out.push(dir);
    listed++;
  }
  return out;
}

/**
 * The site as the watcher sees it: no pool (never opened, or Disconnect), failed, open, or
 * 'resumable': its open pool was closed by a settings change, and a poll may open it again with
 * the new settings (only without asking for anything), as if it had stayed open.
 */
export type SiteCondition = 'closed' | 'failed' | 'open' | 'resumable';

/** vscode.WindowState's part the watcher reads (`active` missing: an older VS Code). */
export interface WindowPresence {
  readonly focused: boolean;
  readonly active?: boolean;
}

/**
 * Whether a window state change is the user coming back: the window focused and active now, and
 * not both before. VS Code marks a focused window inactive after about a minute without input (the
 * user leaving, not coming back), and active again on the next input (coming back to a window that
 * stayed focused). Without `active`, focus alone tells.
 */
export function cameBack(before: WindowPresence, now: WindowPresence): boolean {
  const present = (w: WindowPresence) => w.focused && w.active !== false;
  return present(now) && !present(before);
}

/**
 * The folders a tick lists after the user came back to the window (`since`): VS Code's Explorer
 * reads its expanded folders again then by itself, and what it read since needs no second listing.
 */
export function notListedSince(folders: readonly string[], listedByVsCode: ReadonlyMap<string, number>, since: number): string[] {
  return folders.filter((p) => (listedByVsCode.get(p) ?? -Infinity) < since);
}

/** Open, or as good as open: a poll may list through it. */
export function polledWhen(condition: SiteCondition): boolean {
  return condition === 'open' || condition === 'resumable';
}

/**
 * A site is polled only while it is open (or resumable), not failed, and the user did something
 * with it within `activeMs` (the pool's idle time): polls never keep a site connected on their
 * own, and never open a connection to a site nobody is using.
 */
export function pollable(condition: SiteCondition, lastUserAction: number, now: number, activeMs: number): boolean {
  return polledWhen(condition) && now - lastUserAction < activeMs;
}
