/** Short-lived directory listings: one LIST answers readDirectory and the stat of every entry in it. */
import type { FileEntry } from '../ftp';

const TTL_MS = 5_000;

export class ListingCache {
  private readonly dirs = new Map<string, { at: number; entries: Map<string, FileEntry> }>();

  set(key: string, entries: FileEntry[]): void {
    this.dirs.set(key, { at: Date.now(), entries: new Map(entries.map((e) => [e.name, e])) });
  }

  /** The entries of a directory listed less than TTL_MS ago. */
  get(key: string): Map<string, FileEntry> | undefined {
    const d = this.dirs.get(key);
    if (!d || Date.now() - d.at > TTL_MS) return undefined;
    return d.entries;
  }

  /** After our own writes: the directory and everything below it are listed anew. */
  invalidate(key: string): void {
    for (const k of this.dirs.keys()) if (k === key || k.startsWith(key.endsWith('/') ? key : key + '/')) this.dirs.delete(k);
  }
}
