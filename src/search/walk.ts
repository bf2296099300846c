/**
 * A site's tree listed for searching: breadth first, so the files near the top arrive first; as
 * many folders at a time as the site's pool has connections; never through a link. A link is
 * known by the listing's type (`l` in LIST, `OS.unix=slink` in MLSD) and skipped, whatever it
 * points to; where a server still shows one as a folder, a folder whose listing repeats an
 * ancestor's, an MLSD `unique` fact seen twice, and the depth cap stop a loop. Caps: depth and
 * entries (both settings). A folder the server won't list is counted and passed over; a lost
 * connection or Cancel ends the walk. No `vscode` import: unit-tested with a fake lister.
 */
import * as crypto from 'node:crypto';
import { FileEntry, FtpError, isFtpError, joinPath } from '../ftp';

export interface WalkedFile {
  /** Server path. */
  path: string;
  /** Relative to the walk's root, `/`-separated, no leading slash. */
  rel: string;
  name: string;
  size?: number;
}

export interface WalkStats {
  /** Folders listed (the root too). */
  folders: number;
  files: number;
  /** Entries seen in all listings (files, folders, links). */
  entries: number;
  /** Links seen and not followed. */
  links: number;
  /** Folders below the depth cap, not listed. */
  tooDeep: number;
  /** Folders not entered because they looked like a loop (a link the listing showed as a folder). */
  loops: number;
  /** Folders the server would not list, with its words. */
  unlistable: Array<{ path: string; message: string }>;
  /** The entry cap was reached: the listing stopped there. */
  capped: boolean;
}

/** Lists one folder (a pool turn, so it may run beside others). */
export type Lister = (path: string, signal: AbortSignal) => Promise<FileEntry[]>;

export interface WalkOptions {
  /** Folders more than this many levels below the root are not listed. */
  maxDepth: number;
  /** The walk stops once the listings held this many entries; no more files than this are reported. */
  maxEntries: number;
  /** Folders listed at a time (the pool's connections). */
  concurrency: number;
  signal: AbortSignal;
  /** Called with each folder's files as it is listed. */
  onFiles(files: WalkedFile[]): void;
  /** Filled in as the walk goes (for progress), and resolved with. */
  stats?: WalkStats;
}

/** Failures of one folder that say nothing about the others: it is passed over. */
export function folderFailure(e: unknown): boolean {
  return isFtpError(e) && !e.fatal && ['notFound', 'permission', 'notADirectory', 'server', 'invalidInput', 'commandRejected', 'transient'].includes(e.kind);
}

function fingerprint(entries: FileEntry[]): string {
  const text = entries.map((e) => `${e.name}\u0000${e.type}\u0000${e.size ?? ''}\u0000${e.modified ?? ''}`).sort().join('\u0001');
  return crypto.createHash('sha1').update(text).digest('base64');
}

interface Pending {
  path: string;
  rel: string;
  depth: number;
  ancestors: string[];
}

export function emptyStats(): WalkStats {
  return { folders: 0, files: 0, entries: 0, links: 0, tooDeep: 0, loops: 0, unlistable: [], capped: false };
}

/** Walks the tree under `root` (a server path); resolves with what it saw, rejects on Cancel or a lost site. */
export function walkTree(root: string, list: Lister, opts: WalkOptions): Promise<WalkStats> {
  const stats = opts.stats ?? emptyStats();
  const queue: Pending[] = [{ path: root, rel: '', depth: 0, ancestors: [] }];
  const seenUnique = new Set<string>();
  let head = 0;
  let running = 0;
  let finished = false;
  const concurrency = Math.max(1, opts.concurrency);

  return new Promise<WalkStats>((resolve, reject) => {
    const fail = (e: unknown) => {
      if (finished) return;
      finished = true;
      reject(e);
    };
    const onAbort = () => fail(new FtpError('aborted', 'Cancelled.'));
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener('abort', onAbort, { once: true });

    const take = (dir: Pending, entries: FileEntry[]) => {
      if (finished || stats.capped) return;
      const print = fingerprint(entries);
      if (entries.length > 0 && dir.ancestors.includes(print)) {
        stats.loops++;
        return;
      }
      stats.folders++;
      const room = opts.maxEntries - stats.entries;
      if (entries.length > room) {
        entries = entries.slice(0, Math.max(0, room));
        stats.capped = true;
      }
      stats.entries += entries.length;
      const files: WalkedFile[] = [];
      const ancestors = [...dir.ancestors, print];
      for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const path = joinPath(dir.path, e.name);
        const rel = dir.rel ? `${dir.rel}/${e.name}` : e.name;
        if (e.type === 'symlink') stats.links++;
        else if (e.type === 'directory') {
          const unique = e.facts?.['unique'];
          if (unique !== undefined && seenUnique.has(unique)) stats.loops++;
          else if (dir.depth + 1 > opts.maxDepth) stats.tooDeep++;
          else {
            if (unique !== undefined) seenUnique.add(unique);
            if (!stats.capped) queue.push({ path, rel, depth: dir.depth + 1, ancestors });
          }
        } else files.push({ path, rel, name: e.name, size: e.size });
      }
      stats.files += files.length;
      if (files.length) opts.onFiles(files);
    };

    const pump = () => {
      if (finished) return;
      while (!stats.capped && running < concurrency && head < queue.length) {
        const dir = queue[head];
        queue[head++] = undefined as unknown as Pending; // let listed folders go
        running++;
        list(dir.path, opts.signal).then(
          (entries) => take(dir, entries),
          (e) => {
            if (folderFailure(e) && dir.path !== root) stats.unlistable.push({ path: dir.path, message: (e as Error).message });
            else fail(e);
          },
        ).catch(fail).finally(() => {
          running--;
          pump();
        });
      }
      if (running === 0 && (head >= queue.length || stats.capped) && !finished) {
        finished = true;
        opts.signal.removeEventListener('abort', onAbort);
        resolve(stats);
      }
    };
    pump();
  });
}
