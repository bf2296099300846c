/**
 * Walking and deleting a remote tree without ever crossing a link. A link is never a way in: its
 * type comes from the parent listing (`l`, `OS.unix=slink`); where a server shows links as
 * directories, PWD after CWD (servers that resolve links say where one leads), RMD's "Not a
 * directory" (servers that follow links in listings still refuse to rmdir one), a visited set of
 * MLSD `unique` facts, a folder whose listing repeats an ancestor's, and a depth limit catch it.
 * What can't be settled is returned as a doubt; removeTree asks before it deletes anything.
 */
import type { FtpClient } from './client';
import { joinPath } from './paths';
import { FtpError, isFtpError } from './errors';
import type { FileEntry } from './listing/entry';

export type DoubtKind = 'loop' | 'depth' | 'size' | 'link';

export interface Doubt {
  path: string;
  kind: DoubtKind;
  /** In plain words, for the question the user is asked. */
  reason: string;
}

export interface TreePlan {
  root: string;
  /** Real directories, parents before children (root first). */
  dirs: string[];
  /** Files (and entries of unknown type): deleted with DELE. */
  files: string[];
  /** What the listings said of each of `files` (size, time): a download needs no stat per file. */
  entries: Map<string, FileEntry>;
  /** Links: deleted themselves, never followed. */
  links: string[];
  /** What the walk could not settle: removeTree asks before deleting. */
  doubts: Doubt[];
  /** The root itself turned out to be a link (the server resolves it elsewhere). */
  rootIsLink: boolean;
}

export interface WalkOptions {
  signal?: AbortSignal;
  /** Deeper folders are a doubt (a loop through a link the server hides). Default 32. */
  maxDepth?: number;
  /** More entries in the whole tree are a doubt. Default 200,000. */
  maxEntries?: number;
  /** Called after each folder is listed. */
  onFolder?: (path: string, entries: number) => void;
  /**
   * More connections to list folders on at the same time (planTree only): called once for each of
   * up to `width - 1` helpers, when there are folders waiting; it runs `work` on a connection of its
   * own and resolves when `work` does. A helper that can't get a connection is done without. At
   * 50 ms a round trip a folder costs three (CWD with PWD, EPSV, LIST) or two (LIST sent with its
   * EPSV): one connection lists six to ten a second.
   */
  lend?: (work: (client: FtpClient) => Promise<void>) => Promise<void>;
  /** How many connections may list at once, the walk's own included (with `lend`). Default 1. */
  width?: number;
  /**
   * Where a folder was listed with MLSD, list it with LIST too and take its links from there: some
   * servers (pyftpdlib) show a link in MLSD as what it points to, but in LIST as a link. Costs a
   * listing per folder; for walks that must not enter links where nothing else would tell (a
   * download, a chmod), not for a delete, whose RMD probe tells.
   */
  linksByList?: boolean;
}

const normalize = (p: string) => p.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');

function checkCancel(signal?: AbortSignal): void {
  if (signal?.aborted) throw new FtpError('aborted', 'Cancelled.');
}

/** A folder's listing as a string that repeats when a link leads back to an ancestor. */
function fingerprint(entries: FileEntry[]): string {
  return entries.map((e) => `${e.name}\u0000${e.type}\u0000${e.size ?? ''}\u0000${e.modified ?? ''}`).sort().join('\u0001');
}

/**
 * Which of a folder's MLSD names LIST shows as links. A LIST line `a -> b -> c` can be the link
 * `a -> b` to `c` or the link `a` to `b -> c`: a link line is matched with every MLSD name it may
 * start with; a line that two names fit makes both unsure (neither entered nor taken as a file).
 */
export function linksInList(listed: FileEntry[], mlsd: FileEntry[]): { links: Set<string>; unsure: Set<string> } {
  const links = new Set<string>();
  const unsure = new Set<string>();
  const names = mlsd.map((e) => e.name);
  for (const l of listed) {
    if (l.type !== 'symlink') continue;
    const line = l.linkTarget === undefined ? l.name : `${l.name} -> ${l.linkTarget}`;
    const fits = names.filter((n) => line === n || line.startsWith(`${n} -> `));
    if (fits.length === 1) links.add(fits[0]);
    else for (const n of fits) unsure.add(n);
  }
  for (const n of unsure) links.delete(n);
  return { links, unsure };
}

/**
 * Lists everything under `root` (a directory), never going through a link. With `lend`, folders are
 * listed on several connections at once; every check is the same, and a folder is still listed
 * only after its parent (`dirs` keeps parents before children). One failed listing fails the walk:
 * a plan with a folder missing would look complete.
 */
export async function planTree(client: FtpClient, root: string, opts: WalkOptions = {}): Promise<TreePlan> {
  const maxDepth = opts.maxDepth ?? 32;
  const maxEntries = opts.maxEntries ?? 200_000;
  const plan: TreePlan = { root, dirs: [], files: [], entries: new Map(), links: [], doubts: [], rootIsLink: false };

  // Is PWD a path we can compare with ours? Tried on the root's parent, which is no link of the tree;
  // the login folder's was said at login (a folder of the site's root: a round trip less).
  const parent = root.replace(/\/[^/]+\/?$/, '') || '/';
  const parentPwd = parent === client.home && client.homeSaid ? parent : await client.resolveDir(parent).catch(() => undefined);
  const pwdComparable = parentPwd !== undefined && normalize(parentPwd) === normalize(parent);

  const seenUnique = new Set<string>();
  let total = 0;
  const stack: Array<{ path: string; depth: number; ancestors: string[] }> = [{ path: root, depth: 0, ancestors: [] }];

  /** One folder: settled on `c`; its subfolders go on the stack. Runs to its end between two awaits of the others. */
  const visit = async (c: FtpClient, { path, depth, ancestors }: (typeof stack)[number]): Promise<void> => {
    if (pwdComparable) {
      const pwd = await c.resolveDir(path);
      if (stopped) return;
      if (pwd !== undefined && normalize(pwd) !== normalize(path)) {
        // The server resolved it to another place: a link shown as a folder.
        if (path === root) plan.rootIsLink = true;
        else plan.links.push(path);
        return;
      }
    }
    let { entries } = await c.list(path, { signal: opts.signal });
    let unsure = new Set<string>();
    if (opts.linksByList && entries.some((e) => e.facts !== undefined)) {
      const byList = linksInList((await c.list(path, { unixStyle: true, signal: opts.signal })).entries, entries);
      unsure = byList.unsure;
      if (byList.links.size) entries = entries.map((e) => (byList.links.has(e.name) && e.type !== 'symlink' ? { ...e, type: 'symlink' } : e));
    }
    if (stopped) return;
    opts.onFolder?.(path, entries.length);
    const print = fingerprint(entries);
    if (entries.length > 0 && ancestors.includes(print)) {
      plan.doubts.push({ path, kind: 'loop', reason: 'it shows the same entries as a folder above it: probably a link back up the tree' });
      return;
    }
    plan.dirs.push(path);
    total += entries.length;
    if (total > maxEntries) {
      plan.doubts.push({ path, kind: 'size', reason: `the tree has more than ${maxEntries} entries` });
      stopped = true;
      return;
    }
    for (const e of entries) {
      const child = joinPath(path, e.name);
      if (unsure.has(e.name)) plan.doubts.push({ path: child, kind: 'link', reason: 'its name and a link\'s in the LIST listing can\'t be told apart (a name with " -> " in it): it may be a link' });
      else if (e.type === 'symlink') plan.links.push(child);
      else if (e.type !== 'directory') {
        plan.files.push(child);
        plan.entries.set(child, e);
      } else {
        const unique = e.facts?.['unique'];
        if (unique !== undefined && seenUnique.has(unique)) {
          plan.doubts.push({ path: child, kind: 'loop', reason: 'the server says it is the same folder as one already seen: a link' });
        } else if (depth + 1 > maxDepth) {
          plan.doubts.push({ path: child, kind: 'depth', reason: `it lies more than ${maxDepth} folders deep: perhaps a loop through a link` });
        } else {
          if (unique !== undefined) seenUnique.add(unique);
          stack.push({ path: child, depth: depth + 1, ancestors: [...ancestors, print] });
        }
      }
    }
  };

  // The walk's own connection takes folders off the stack until it is empty and no folder is being
  // listed (which could add more). Each folder waiting beyond the first may go to another connection,
  // one folder per loan: between two folders the pool serves whatever else waits for the site (an
  // editor's save), and a folder stays on the stack until a connection is there to list it.
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let listing = 0;
  let sleepers: Array<() => void> = [];
  const wakeAll = () => {
    const s = sleepers;
    sleepers = [];
    for (const wake of s) wake();
  };
  const fail = (e: unknown) => {
    failure ??= { error: e };
    stopped = true;
  };
  const settle = async (c: FtpClient, item: (typeof stack)[number], lent: boolean): Promise<void> => {
    listing++;
    try {
      await visit(c, item);
    } catch (e) {
      // A lent connection that dropped or went silent costs the walk that connection, not the walk:
      // the folder goes back on the stack, and no more folders are lent.
      if (lent && !opts.signal?.aborted && isFtpError(e) && (e.kind === 'connectionLost' || (e.kind === 'timeout' && e.code === undefined))) {
        stack.push(item);
        lending = false;
      } else fail(e);
    } finally {
      listing--;
      lend();
      wakeAll();
    }
  };
  let lending = !!opts.lend;
  let loans = 0;
  const lend = () => {
    while (lending && !stopped && loans < (opts.width ?? 1) - 1 && stack.length > 1 + loans) {
      loans++;
      opts.lend!(async (c) => {
        const item = stopped ? undefined : stack.pop();
        if (item) await settle(c, item, true);
      }).catch(() => {
        // No connection for it (the server's limit, say): the walk goes on without more loans.
        lending = false;
      }).finally(() => {
        loans--;
        wakeAll();
      });
    }
  };
  if (opts.signal) opts.signal.addEventListener('abort', wakeAll, { once: true });
  try {
    while (!stopped) {
      if (opts.signal?.aborted) {
        fail(new FtpError('aborted', 'Cancelled.'));
        break;
      }
      const item = stack.pop();
      if (!item) {
        if (listing === 0) break;
        await new Promise<void>((r) => sleepers.push(r));
        continue;
      }
      await settle(client, item, false);
    }
  } finally {
    opts.signal?.removeEventListener('abort', wakeAll);
  }
  // The plan is whole (or the walk failed): a loan that gets its connection later finds nothing to do.
  stopped = true;
  wakeAll();
  if (failure) throw failure.error;
  return plan;
}

export interface RemoveOptions extends WalkOptions {
  /**
   * Asked when the walk found something it could not settle (a loop, a depth or size limit). Return
   * true to delete everything else and leave those in place; false (the default) deletes nothing.
   */
  confirm?: (doubts: Doubt[]) => Promise<boolean>;
  /** Called after each deletion. */
  onDeleted?: (path: string, done: number, total: number) => void;
}

/** What removeTree did. */
export interface RemoveResult {
  deleted: number;
  /** Links deleted themselves (what they point to is untouched). */
  links: string[];
  /** Left in place after the user agreed (doubts). */
  left: string[];
}

/**
 * Deletes a directory and everything in it, links as links. Order: the whole tree is listed first;
 * doubts are asked about before anything is deleted; then each folder, parents first, is probed
 * with RMD (gone if empty; "Not a directory" means a link the server showed as a folder: it and its
 * listed contents are left alone and the link alone is deleted); then files and links; then the
 * folders, deepest first.
 */
export async function removeTree(client: FtpClient, root: string, opts: RemoveOptions = {}): Promise<RemoveResult> {
  const plan = await planTree(client, root, opts);
  const result: RemoveResult = { deleted: 0, links: [], left: [] };
  if (plan.rootIsLink) {
    await deleteLink(client, root);
    return { deleted: 1, links: [root], left: [] };
  }
  if (plan.doubts.length) {
    const go = opts.confirm ? await opts.confirm(plan.doubts) : false;
    if (!go) {
      throw new FtpError('aborted', `Nothing was deleted: ${plan.doubts.map((d) => `${d.path} (${d.reason})`).join('; ')}.`);
    }
    result.left.push(...plan.doubts.map((d) => d.path));
  }
  const pruned: string[] = [...result.left];
  const under = (p: string) => pruned.some((x) => p === x || p.startsWith(x.endsWith('/') ? x : x + '/'));
  const total = plan.dirs.length + plan.files.length + plan.links.length;
  const done = (path: string) => {
    result.deleted++;
    opts.onDeleted?.(path, result.deleted, total);
  };

  // Folders, parents first: an RMD that succeeds found it empty; one that says "not a directory" found a link.
  for (const dir of plan.dirs) {
    checkCancel(opts.signal);
    if (under(dir)) continue;
    try {
      await client.rmdir(dir);
      pruned.push(dir);
      done(dir);
    } catch (e) {
      if (isFtpError(e, 'notADirectory')) {
        pruned.push(dir);
        if (dir === root) {
          await deleteLink(client, root);
          return { deleted: 1, links: [root], left: [] };
        }
        await deleteLink(client, dir);
        result.links.push(dir);
        done(dir);
      } else if (!isFtpError(e) || e.fatal || e.kind === 'aborted') throw e;
      // Not empty, or a refusal whose words say nothing: a real folder, emptied below.
    }
  }
  for (const path of [...plan.files, ...plan.links]) {
    checkCancel(opts.signal);
    if (under(path)) continue;
    await client.delete(path);
    if (plan.links.includes(path)) result.links.push(path);
    done(path);
  }
  for (const dir of [...plan.dirs].reverse()) {
    checkCancel(opts.signal);
    if (under(dir)) continue; // already gone, a link, or left in place
    if (result.left.some((l) => l.startsWith(dir + '/'))) continue; // still holds what the user chose to leave
    await client.rmdir(dir);
    done(dir);
  }
  return result;
}

/** Deletes a link itself. A server that follows links for DELE too (it rmdirs the target) can't delete it. */
async function deleteLink(client: FtpClient, path: string): Promise<void> {
  try {
    await client.delete(path);
  } catch (e) {
    if (!isFtpError(e) || e.fatal) throw e;
    throw new FtpError(e.kind === 'notADirectory' || e.kind === 'notFound' ? 'server' : e.kind,
      `${path} is a link to a folder, and the server would not delete the link itself (${e.code ?? ''} ${e.replyText ?? e.message}). Nothing it points to was touched.`,
      { code: e.code, replyText: e.replyText, command: e.command });
  }
}
