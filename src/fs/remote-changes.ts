/**
 * How a polled listing becomes change events, and what a poll looks at; no `vscode` import, so it
 * is unit-tested on its own (the watcher in watcher.ts does the timing and asks VS Code what is
 * open).
 *
 * A change is a difference between two listings of a folder, compared as the server gave them:
 * kind, size, modified time (to the second for MLSD, to the minute for `ls -l`: two saves of the
 * same size within one minute look alike there), and a link's target. A name we wrote ourselves
 * is taken as it is listed next, without an event: we announced it already.
 */
import type { FileEntry } from '../ftp';

/** What a listing said of one name: compared as a whole. `null`: ours, take the next listing's word. */
export type Signature = string | null;

export function signature(e: FileEntry): string {
  return `${e.type}\u0000${e.size ?? ''}\u0000${e.modified ?? ''}\u0000${e.modifiedPrecision ?? ''}\u0000${e.linkTarget ?? ''}`;
}

export function signatures(entries: Iterable<FileEntry>): Map<string, Signature> {
  const m = new Map<string, Signature>();
  for (const e of entries) m.set(e.name, signature(e));
  return m;
}

export interface ListingDiff {
  created: string[];
  deleted: string[];
  changed: string[];
}

/** The names that appeared, went, or changed (a file that became a folder is deleted and created). */
export function diffListing(before: ReadonlyMap<string, Signature>, after: ReadonlyMap<string, Signature>): ListingDiff {
  const diff: ListingDiff = { created: [], deleted: [], changed: [] };
  for (const [name, sig] of after) {
    if (!before.has(name)) diff.created.push(name);
    else {
      const old = before.get(name)!;
      if (old === null || old === sig) continue;
      if (old.split('\u0000')[0] !== sig!.split('\u0000')[0]) {
        diff.deleted.push(name);
        diff.created.push(name);
      } else diff.changed.push(name);
    }
  }
  for (const name of before.keys()) if (!after.has(name)) diff.deleted.push(name);
  return diff;
}

/** What VS Code was told of a file by stat (MLST or MDTM: to the second). */
export interface Told {
  size: number;
  mtime: number;
}

const UNIT = { second: 1000, minute: 60_000, day: 86_400_000 } as const;

/**
 * A listed file against what stat told VS Code, when no earlier listing of its folder is known:
 * another size, or another time at the listing's precision (a `12:01` listing matches any stat time
 * within that minute).
 */
export function differsFromTold(e: FileEntry, told: Told): boolean {
  if (e.type !== 'file') return false;
  if (e.size !== undefined && e.size !== told.size) return true;
  if (e.modified === undefined || !told.mtime) return false;
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

/** The site as the watcher sees it: no pool (never opened, or Disconnect), failed, or open. */
export type SiteCondition = 'closed' | 'failed' | 'open';

/**
 * A site is polled only while it is open, not failed, and the user did something with it within
 * `activeMs` (the pool's idle time): polls never keep a site connected on their own, and never
 * open a connection to a site nobody is using.
 */
export function pollable(condition: SiteCondition, lastUserAction: number, now: number, activeMs: number): boolean {
  return condition === 'open' && now - lastUserAction < activeMs;
}
