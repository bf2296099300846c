/**
 * Directory listings: one LIST answers readDirectory and the stat of every entry in it for a few
 * seconds (`get`); what a listing said about an entry's kind (link, folder, file), mode and link
 * target stays useful longer (`known`): a save keeps the mode and writes through a link, a delete
 * of a link deletes the link. Old listings are dropped, so the cache can't grow without bound.
 */
import type { FileEntry } from '../ftp';

/** A listing's entries by name, without a [name, entry] pair made for each (a big folder has 20,000). */
export function entriesByName(entries: Iterable<FileEntry>): Map<string, FileEntry> {
  const byName = new Map<string, FileEntry>();
  for (const e of entries) byName.set(e.name, e);
  return byName;
}

const FRESH_MS = 5_000;
const KEEP_MS = 10 * 60_000;
const MAX_DIRS = 1_000;

export class ListingCache {
  private readonly dirs = new Map<string, { at: number; fresh: boolean; entries: Map<string, FileEntry>; written?: Map<string, number>; generation?: number; byPoll?: boolean; askedAt?: number }>();
  /** Our changes so far (`touched`, `forget`), numbered: a listing asked for before one of them may not show it. */
  private changes = 0;
  /** A folder's key -> the number of our last change in it. */
  private readonly changedIn = new Map<string, number>();
  /** A path we deleted or renamed away (with all below it) -> the number of that change. */
  private readonly gone = new Map<string, number>();

  /** Taken right before a listing is asked for, and given to `set` with it. */
  get changeCount(): number {
    return this.changes;
  }

  /**
   * `generation`: the count of our own changes when the listing was asked for (recent-answers.ts);
   * `byPoll`: a poll's listing. `askedAt`: `changeCount` when it was asked for. Not kept: a listing
   * that was on its way while we changed something in its folder (it may lack the file we had just
   * written, or show one we deleted; what we know since is newer), one of a folder we deleted or
   * renamed away meanwhile, one asked for before the listing kept now.
   */
  set(key: string, entries: FileEntry[], generation?: number, byPoll = false, askedAt?: number): void {
    if (askedAt !== undefined) {
      const kept = this.dirs.get(key)?.askedAt;
      if ((this.changedIn.get(key) ?? 0) > askedAt || this.goneSince(key, askedAt) || (kept !== undefined && kept > askedAt)) return;
    }
    this.dirs.delete(key); // re-inserted last: the map's order is oldest first
    this.dirs.set(key, { at: Date.now(), fresh: true, entries: entriesByName(entries), generation, byPoll, askedAt });
    this.trim();
  }

  /** The entries of a directory listed less than FRESH_MS ago, and not changed by us since. */
  get(key: string): Map<string, FileEntry> | undefined {
    const d = this.dirs.get(key);
    if (!d || !d.fresh || Date.now() - d.at > FRESH_MS) return undefined;
    return d.entries;
  }

  /**
   * An entry's state as of FRESH_MS ago at most: from a fresh listing, or what the server said of a
   * file we just wrote (`written`) although the rest of its folder must be listed again.
   */
  entry(key: string, name: string): FileEntry | undefined {
    const fresh = this.get(key);
    if (fresh) return fresh.get(name);
    const d = this.dirs.get(key);
    const at = d?.written?.get(name);
    return at !== undefined && Date.now() - at <= FRESH_MS ? d!.entries.get(name) : undefined;
  }

  /**
   * A file we just wrote, as the server described it right before it took its name (a save's
   * MLST or STAT): it answers stats of that file for FRESH_MS, and is what the listing knows of it
   * until the folder is listed again. Call after `touched`.
   */
  written(key: string, entry: FileEntry): void {
    const d = this.dirs.get(key);
    if (!d) return;
    d.entries.set(entry.name, entry);
    (d.written ??= new Map()).set(entry.name, Date.now());
  }

  /** The entries of the last listing of a directory, however old (up to KEEP_MS). */
  known(key: string): Map<string, FileEntry> | undefined {
    const d = this.dirs.get(key);
    if (!d || Date.now() - d.at > KEEP_MS) return undefined;
    return d.entries;
  }

  /**
   * A write in this directory (a save, a new file; `name`: of that entry): it is listed anew before
   * a stat trusts it; what was known of its other entries still holds.
   */
  touched(key: string, name?: string): void {
    remember(this.changedIn, key, ++this.changes);
    const d = this.dirs.get(key);
    if (!d) return;
    d.fresh = false;
    if (name !== undefined) d.written?.delete(name);
  }

  /** An entry deleted or renamed away by us, with everything listed below it. */
  forget(dirKey: string, name: string): void {
    this.touched(dirKey);
    this.dirs.get(dirKey)?.entries.delete(name);
    this.dirs.get(dirKey)?.written?.delete(name);
    const below = `${dirKey.endsWith('/') ? dirKey : dirKey + '/'}${name}`;
    remember(this.gone, below, this.changes);
    for (const k of [...this.dirs.keys()]) if (k === below || k.startsWith(below + '/')) this.dirs.delete(k);
  }

  private goneSince(key: string, askedAt: number): boolean {
    for (const [path, change] of this.gone) if (change > askedAt && (key === path || key.startsWith(path + '/'))) return true;
    return false;
  }

  /**
   * The folders under `prefix` (a site's `scheme://authority`) a poll listed less than `ms` ago,
   * asked for when our changes numbered `generation` (none of ours since it started, on any site).
   */
  polledWithin(prefix: string, ms: number, generation: number): string[] {
    const now = Date.now();
    const out: string[] = [];
    for (const [k, d] of this.dirs) if (d.byPoll && d.fresh && d.generation === generation && now - d.at <= ms && k.startsWith(prefix + '/')) out.push(k);
    return out;
  }

  get size(): number {
    return this.dirs.size;
  }

  private trim(): void {
    const now = Date.now();
    for (const [k, d] of this.dirs) {
      if (this.dirs.size <= MAX_DIRS && now - d.at <= KEEP_MS) break;
      this.dirs.delete(k);
    }
  }
}

/**
 * Notes a change's number, the newest last; the oldest are let go past MAX_DIRS (they matter only
 * while a listing asked for before them is on its way).
 */
function remember(changes: Map<string, number>, key: string, change: number): void {
  changes.delete(key);
  changes.set(key, change);
  if (changes.size > MAX_DIRS) changes.delete(changes.keys().next().value!);
}
