/**
 * Directory listings: one LIST answers readDirectory and the stat of every entry in it for a few
 * seconds (`get`); what a listing said about an entry's kind (link, folder, file), mode and link
 * target stays useful longer (`known`): a save keeps the mode and writes through a link, a delete
 * of a link deletes the link. Old listings are dropped, so the cache can't grow without bound.
 */
import type { FileEntry } from '../ftp';

const FRESH_MS = 5_000;
const KEEP_MS = 10 * 60_000;
const MAX_DIRS = 1_000;

export class ListingCache {
  private readonly dirs = new Map<string, { at: number; fresh: boolean; entries: Map<string, FileEntry> }>();

  set(key: string, entries: FileEntry[]): void {
    this.dirs.delete(key); // re-inserted last: the map's order is oldest first
    this.dirs.set(key, { at: Date.now(), fresh: true, entries: new Map(entries.map((e) => [e.name, e])) });
    this.trim();
  }

  /** The entries of a directory listed less than FRESH_MS ago, and not changed by us since. */
  get(key: string): Map<string, FileEntry> | undefined {
    const d = this.dirs.get(key);
    if (!d || !d.fresh || Date.now() - d.at > FRESH_MS) return undefined;
    return d.entries;
  }

  /** The entries of the last listing of a directory, however old (up to KEEP_MS). */
  known(key: string): Map<string, FileEntry> | undefined {
    const d = this.dirs.get(key);
    if (!d || Date.now() - d.at > KEEP_MS) return undefined;
    return d.entries;
  }

  /**
   * A write in this directory (a save, a new file): it is listed anew before a stat trusts it; what
   * was known of its other entries still holds.
   */
  touched(key: string): void {
    const d = this.dirs.get(key);
    if (d) d.fresh = false;
  }

  /** An entry deleted or renamed away by us, with everything listed below it. */
  forget(dirKey: string, name: string): void {
    this.touched(dirKey);
    this.dirs.get(dirKey)?.entries.delete(name);
    const below = `${dirKey.endsWith('/') ? dirKey : dirKey + '/'}${name}`;
    for (const k of [...this.dirs.keys()]) if (k === below || k.startsWith(below + '/')) this.dirs.delete(k);
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
