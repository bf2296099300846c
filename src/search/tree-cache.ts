/**
 * Recursive listings of searched folders, shared and kept for a short time: Go to File and Find
 * in Files read the same listing, a second Go to File within a minute is instant, and a listing in
 * progress is joined rather than started again. A listing is stopped when its last user lets go
 * (Escape, Cancel) before it is done, and is then not kept; so is one that failed. The provider's
 * change events drop a site's listings (`dropSite`). No `vscode` import: unit-tested on its own.
 */
import { WalkStats, WalkedFile, emptyStats } from './walk';

export type ListingState = 'listing' | 'done' | 'failed' | 'cancelled';

/** Runs the walk, filling in `stats` as it goes. */
export type Walker = (signal: AbortSignal, onFiles: (files: WalkedFile[]) => void, stats: WalkStats) => Promise<WalkStats>;

export class TreeListing {
  readonly files: WalkedFile[] = [];
  state: ListingState = 'listing';
  /** Filled in as the walk goes. */
  readonly stats: WalkStats = emptyStats();
  error?: unknown;
  readonly startedAt: number;
  finishedAt?: number;
  /** Settles (never rejects) when the walk ends, whatever the outcome. */
  readonly done: Promise<void>;
  private readonly listeners = new Set<(files: WalkedFile[]) => void>();
  private readonly controller = new AbortController();
  private users = 0;

  constructor(walk: Walker, private readonly clock: () => number, private readonly onEnd: (l: TreeListing) => void) {
    this.startedAt = clock();
    this.done = walk(this.controller.signal, (files) => {
      this.files.push(...files);
      for (const l of this.listeners) l(files);
    }, this.stats).then(
      () => {
        this.state = 'done';
      },
      (e) => {
        this.error = e;
        this.state = this.controller.signal.aborted ? 'cancelled' : 'failed';
      },
    ).finally(() => {
      this.finishedAt = this.clock();
      this.listeners.clear();
      this.onEnd(this);
    });
  }

  /** Still listing, and not being stopped: a new user may join it. */
  get joinable(): boolean {
    return this.state === 'listing' && !this.controller.signal.aborted;
  }

  /**
   * Follows the listing: `onFiles` gets each batch from now on (what arrived before is in `files`).
   * The returned function lets go; when the last user lets go of an unfinished listing, it stops.
   */
  use(onFiles?: (files: WalkedFile[]) => void): () => void {
    this.users++;
    if (onFiles && this.state === 'listing') this.listeners.add(onFiles);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (onFiles) this.listeners.delete(onFiles);
      if (--this.users === 0 && this.state === 'listing') this.controller.abort();
    };
  }
}

export class TreeCache {
  private readonly listings = new Map<string, { site: string; owner: object; listing: TreeListing }>();

  constructor(private readonly ttlMs = 60_000, private readonly now: () => number = Date.now) {}

  /**
   * The listing of `key` (a folder with its caps), kept or in progress; otherwise a new one. `owner`
   * is the site's connection pool: after Disconnect, Reconnect or changed settings the site has a
   * new one, and its folders are listed afresh.
   */
  get(site: string, key: string, owner: object, walk: Walker, fresh = false): TreeListing {
    const kept = this.listings.get(key);
    if (kept && kept.owner === owner && !fresh) {
      const { listing } = kept;
      const stale = listing.state === 'done' && this.now() - (listing.finishedAt ?? 0) > this.ttlMs;
      if (listing.joinable || (listing.state === 'done' && !stale)) return listing;
    }
    const listing = new TreeListing(walk, this.now, (l) => {
      // Only a complete listing is worth keeping.
      if (l.state !== 'done' && this.listings.get(key)?.listing === l) this.listings.delete(key);
    });
    this.listings.set(key, { site, owner, listing });
    return listing;
  }

  /** Whether `get` would return a complete listing at once. */
  fresh(key: string, owner: object): boolean {
    const kept = this.listings.get(key);
    return !!kept && kept.owner === owner && kept.listing.state === 'done' && this.now() - (kept.listing.finishedAt ?? 0) <= this.ttlMs;
  }

  /** Forgets every listing of a site (something on it changed); users of one in progress keep it. */
  dropSite(site: string): void {
    for (const [key, v] of this.listings) if (v.site === site) this.listings.delete(key);
  }

  clear(): void {
    this.listings.clear();
  }
}
