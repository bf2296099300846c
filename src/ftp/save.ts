/**
 * Saving a file so that the server always holds one complete version: under the real name, or
 * under a named backup that the error names. Never none, never a mix, and the only complete copy is
 * never deleted.
 *
 * 1. Upload to a temporary name unique to this process and attempt, in the same folder.
 * 2. Ask the server what it holds under that name, in one command (MLST, or STAT with the path:
 *    size and mode; SIZE where neither answers), and check the size against what was sent. Keep the
 *    target's permissions: SITE CHMOD, unless that answer shows the server gave the new file the
 *    target's mode already.
 * 3. Rename it over the target: one atomic step on servers that replace on RNTO.
 *    A new small file (nothing at its name when the caller looked) sends the check of step 2 with
 *    the rename, in one write, and removes the file from the name again if the size was wrong.
 *    A server that refuses to rename over a file (IIS, "file in use"): rename the target to a
 *    backup, the temporary file to the target, delete the backup; undo on failure.
 *    A reply that never came (timeout, dropped connection): look at the server's real state
 *    before doing anything else.
 * A target that is a link is saved at the file it points to (the link stays a link); when that
 * file can't be reached, it is written through the link after its content was copied to a backup.
 */
import { randomBytes } from 'node:crypto';
import type { FtpClient, TransferOptions, UploadSource } from './client';
import { baseName, joinPath, parentPath } from './paths';
import { FtpError, isFtpError } from './errors';
import type { FileEntry } from './listing/entry';

export interface SafeSaveOptions extends TransferOptions {
  /**
   * The target as its folder's listing shows it (lstat: a link is a 'symlink' with its target),
   * or undefined when it does not exist yet.
   */
  current?: FileEntry;
  /** Keep the target's permission bits (default true). */
  keepMode?: boolean;
  /**
   * The caller has no use for the new file's entry (`SafeSaveResult.entry`): when there is no mode
   * to keep either, the upload is checked with SIZE (one stat on the server) instead of MLST or
   * STAT. vsftpd answers STAT with a path by reading the whole folder: an upload of 1,000 new files
   * into one folder read it 1,000 times.
   */
  sizeCheckOnly?: boolean;
  /**
   * The caller saw nothing at `path` a moment ago (a folder upload's listing). With sizeCheckOnly,
   * and where commands sent together work, the check and the rename go in one write (one round trip
   * a file less); when the size is then wrong, the incomplete file is removed from `path` again.
   */
  absent?: boolean;
  /**
   * Whether a link whose target can't be reached by path may be written through, after its content
   * was copied to a backup (default true: an editor's save, whose content is in memory anyway). An
   * upload of a local file passes false: it is refused, whatever its size.
   */
  throughLinks?: boolean;
  /** Notes for the log: a mode that could not be kept, a backup left behind. */
  log?: (text: string) => void;
  /**
   * Told of a temporary file that could not be deleted because the connection was gone (it is also
   * put in `client.leftovers`, which a pool deletes on its next good connection). It is never the
   * only copy of anything.
   */
  onLeftover?: (path: string) => void;
}

export interface SafeSaveResult {
  bytes: number;
  /** The file that now holds the data (the link's target when `path` is a link). */
  writtenTo: string;
  /** Whether the target's mode was kept: undefined when there was none to keep. */
  modeKept?: boolean;
  /**
   * What the server said of the new file just before it took the target's name (MLST or STAT:
   * size, time, mode), named like the target; undefined when it said only a size (SIZE).
   */
  entry?: FileEntry;
}

/** Files written by a save in progress: `.<name>.ftpws-<process><random>.tmp` (or `.bak`). */
export const TEMP_PATTERN = /^\..*\.ftpws-[0-9a-z]+\.(tmp|bak)$/s;

/**
 * This process's mark in its temporary names: its pid and random bytes drawn once (another machine's
 * process may have the same pid). A counter makes each name of the process new; drawing random
 * bytes for every name cost more than the rest of a small file's name and check.
 */
const PROCESS_MARK = `${process.pid.toString(36)}${randomBytes(5).toString('hex')}`;
let namesMade = 0;

/** A name next to `path` that no other writer, in this process or another, will pick. */
export function tempName(path: string, kind: 'tmp' | 'bak' = 'tmp'): string {
  const base = Array.from(baseName(path)).slice(0, 80).join(''); // whole characters: never half an emoji
  return joinPath(parentPath(path), `.${base}.ftpws-${PROCESS_MARK}${(namesMade++).toString(36)}.${kind}`);
}

/**
 * No usable answer: the reply never came, or the server closed the connection (a 421 too). We
 * don't know whether it did what was asked, so its state is looked at before anything else.
 */
function unclear(e: unknown): boolean {
  return isFtpError(e) && (e.kind === 'connectionLost' || (e.code === undefined && (e.kind === 'timeout' || e.kind === 'interrupted')));
}

/** SIZE, or undefined when the file is not there (or SIZE is not offered). Unclear answers throw. */
async function sizeOf(client: FtpClient, path: string): Promise<number | undefined> {
  try {
    return await client.size(path);
  } catch (e) {
    if (isFtpError(e) && e.code !== undefined) return undefined;
    throw e;
  }
}

function leftover(client: FtpClient, path: string, opts: SafeSaveOptions): void {
  client.leftovers.add(path);
  opts.onLeftover?.(path);
}

async function deleteQuietly(client: FtpClient, path: string, opts: SafeSaveOptions): Promise<void> {
  try {
    await client.delete(path);
  } catch (e) {
    // Only the server's own refusal (a 5xx to DELE: gone already, or not allowed) settles it. Anything
    // else (the connection lost, the server down while reconnecting, a 4xx) leaves the file to the
    // pool, which deletes it once the site answers again.
    if (isFtpError(e) && e.code !== undefined && e.code >= 500) opts.log?.(`Could not delete the temporary file ${path}: ${e.message}`);
    else leftover(client, path, opts);
  }
}

/**
 * Renames and, when the reply never came, finds out from the server whether it happened:
 * true when `to` now holds `size` bytes and `from` is gone; false when `from` is still there.
 */
async function renameChecked(client: FtpClient, from: string, to: string, size: number): Promise<boolean> {
  try {
    await client.rename(from, to);
    return true;
  } catch (e) {
    // A reply that killed the connection (not FTP, too long) is no answer either: RNTO goes in the
    // same write as RNFR (client.ts rename), so the server may have renamed whatever RNFR's reply was.
    if (!unclear(e) && !isFtpError(e, 'protocol')) throw e;
    const left = await sizeOf(client, from);
    if (left !== undefined) return false;
    if ((await sizeOf(client, to)) === size) return true;
    throw new FtpError('server', `The server stopped answering while renaming ${from} to ${to}, and neither file is as expected now; nothing more was done.`, { cause: e });
  }
}

/** Saves `source` to `path` (see the file comment). The editor keeps its content when this throws. */
export async function safeSave(client: FtpClient, path: string, source: UploadSource, opts: SafeSaveOptions = {}): Promise<SafeSaveResult> {
  const current = opts.current;
  if (current?.type === 'directory') throw new FtpError('exists', `${path} is a folder.`);
  if (current?.type === 'symlink') return saveThroughLink(client, path, source, current, opts);
  return replaceFile(client, path, source, opts);
}

async function replaceFile(client: FtpClient, path: string, source: UploadSource, opts: SafeSaveOptions): Promise<SafeSaveResult> {
  const abandoned: string[] = [];
  try {
    return await replaceThroughTemp(client, path, source, opts, abandoned);
  } finally {
    // Temporary names an upload sent again on a new connection left (client.ts
    // UploadOptions.freshName), deleted last: the old session may still be writing our bytes
    // there (a small upload's, sent before the 150). Only ours; one never made is no news (no log).
    for (const name of abandoned) await deleteQuietly(client, name, { ...opts, log: undefined });
  }
}

async function replaceThroughTemp(client: FtpClient, path: string, source: UploadSource, opts: SafeSaveOptions, abandoned: string[]): Promise<SafeSaveResult> {
  const current = opts.current;
  let temp = tempName(path);
  const freshName = () => {
    abandoned.push(temp);
    return (temp = tempName(path));
  };
  let sent: number;
  let modeKept: boolean | undefined;
  let entry: FileEntry | undefined;
  let together = false;
  try {
    sent = await client.upload(temp, source, { ...opts, freshName });
    const modeToKeep = opts.keepMode !== false ? current?.mode : undefined;
    // A new small file's check goes in one write with its rename (checkAndRename) where that works:
    // there the round trip is much of the file's time; a big one's short upload is looked for first.
    together = !!opts.absent && !current && !!opts.sizeCheckOnly && modeToKeep === undefined && Buffer.isBuffer(source) && client.habits.pipelining === true;
    if (!together) ({ modeKept, entry } = await checkUpload(client, temp, path, sent, modeToKeep, opts));
  } catch (e) {
    await deleteQuietly(client, temp, opts);
    throw e;
  }
  if (together) return checkAndRename(client, temp, path, sent, opts);

  let replaced: boolean;
  try {
    replaced = await renameChecked(client, temp, path, sent);
  } catch (e) {
    if (!current || unclear(e) || !isFtpError(e)) {
      if (!unclear(e)) await deleteQuietly(client, temp, opts);
      else leftover(client, temp, opts);
      throw e;
    }
    // The server refuses to rename over an existing file: go through a backup of the target.
    await replaceThroughBackup(client, temp, path, sent, opts, e);
    return { bytes: sent, writtenTo: path, modeKept, entry };
  }
  if (!replaced) {
    await deleteQuietly(client, temp, opts);
    throw new FtpError('connectionLost', `The server stopped answering before ${path} was replaced; the file on the server is as it was.`);
  }
  return { bytes: sent, writtenTo: path, modeKept, entry };
}

/**
 * The check that the whole upload arrived, before anything replaces the target: SIZE when that is
 * all the caller needs (and answered), else what the server says of the file. Then the target's
 * mode, kept on the temporary file.
 */
async function checkUpload(client: FtpClient, temp: string, path: string, sent: number, modeToKeep: number | undefined, opts: SafeSaveOptions): Promise<{ modeKept?: boolean; entry?: FileEntry }> {
  let modeKept: boolean | undefined;
  let entry: FileEntry | undefined;
  let size = opts.sizeCheckOnly && modeToKeep === undefined ? await sizeOf(client, temp) : undefined;
  const seen = size !== undefined ? undefined : await client.inspect(temp).catch((e: unknown) => {
    if (unclear(e)) throw e;
    return undefined;
  });
  if (size === undefined) size = seen ? seen.size : await sizeOf(client, temp);
  if (size !== undefined && size !== sent) {
    throw new FtpError('interrupted', `The upload arrived incomplete (${size} of ${sent} bytes); the file on the server was left as it was.`);
  }
  if (seen) entry = { ...seen, name: baseName(path) };
  if (modeToKeep !== undefined) {
    if (seen?.mode !== undefined && (seen.mode & 0o7777) === (modeToKeep & 0o7777)) {
      modeKept = true; // the server gave the new file this mode already
    } else {
      try {
        await client.chmod(temp, modeToKeep);
        modeKept = true;
        if (entry) entry = { ...entry, mode: modeToKeep & 0o7777 };
      } catch (e) {
        if (unclear(e)) throw e;
        modeKept = false;
        opts.log?.(`Could not keep the permissions ${(modeToKeep & 0o7777).toString(8)} of ${path} (${(e as Error).message}); the saved file has the server's default.`);
      }
    }
  }
  return { modeKept, entry };
}

/**
 * A new file's check and rename sent together (client.sizeAndRename): nothing was at `path` when
 * the caller looked, so the rename replaces nothing the user had. A wrong size found after it is
 * that upload arriving incomplete: the file is removed from `path` again, if SIZE still shows it.
 * A temporary file the server still holds is deleted (or left to the pool).
 */
async function checkAndRename(client: FtpClient, temp: string, path: string, sent: number, opts: SafeSaveOptions): Promise<SafeSaveResult> {
  const done = { bytes: sent, writtenTo: path };
  let size: number | undefined;
  try {
    size = await client.sizeAndRename(temp, path);
  } catch (e) {
    if (!unclear(e) && !isFtpError(e, 'protocol')) {
      await deleteQuietly(client, temp, opts); // refused (RNFR or RNTO): the temporary file is still there
      throw e;
    }
    return (await renamedAfterAll(client, temp, path, sent, opts, e)) ? done : Promise.reject(e);
  }
  // SIZE gave no number (refused, busy, not a number): what the server says of the file now.
  if (size === undefined) size = await sizeNow(client, path, false);
  if (size === undefined || size === sent) return done;
  throw await removeIncomplete(client, path, size, sent);
}

/**
 * The size of `path` by SIZE (unless `askSize` is false: it was just refused), else by what the
 * server says of the file (MLST or STAT); undefined when neither tells. Unclear answers throw.
 */
async function sizeNow(client: FtpClient, path: string, askSize = true): Promise<number | undefined> {
  const size = askSize ? await sizeOf(client, path) : undefined;
  if (size !== undefined) return size;
  const seen = await client.inspect(path).catch((e: unknown) => (unclear(e) ? Promise.reject(e) : undefined));
  return seen?.size;
}

/**
 * No usable answer to SIZE, RNFR and RNTO: what the server holds decides. The temporary file still
 * there whole is renamed now (one command at a time after a reply out of step); true when `path`
 * holds the upload. Throws when it does not, saying why.
 */
async function renamedAfterAll(client: FtpClient, temp: string, path: string, sent: number, opts: SafeSaveOptions, cause: unknown): Promise<boolean> {
  let left: number | undefined;
  try {
    left = await sizeOf(client, temp);
  } catch (e) {
    leftover(client, temp, opts); // the pool deletes it once the site answers (never the only copy)
    throw e;
  }
  if (left === sent) {
    let replaced: boolean;
    try {
      replaced = await renameChecked(client, temp, path, sent);
    } catch (e) {
      if (unclear(e)) leftover(client, temp, opts);
      else await deleteQuietly(client, temp, opts);
      throw e;
    }
    if (replaced) return true;
  } else if (left === undefined && (await sizeOf(client, path)) === sent) {
    return true;
  }
  // Not renamed, incomplete, or neither file as expected (SIZE refused after reconnecting): the
  // temporary file, if still there, goes.
  await deleteQuietly(client, temp, opts);
  if (left !== undefined && left !== sent) throw new FtpError('interrupted', `The upload arrived incomplete (${left} of ${sent} bytes); nothing was renamed to ${path}.`, { cause });
  if (left !== undefined) throw new FtpError('connectionLost', `The server stopped answering before the upload took the name ${path}; it was not renamed.`, { cause });
  throw new FtpError('server', `The server stopped answering while renaming ${temp} to ${path}, and neither file is as expected now; nothing more was done.`, { cause });
}

/** The error for an upload found incomplete under `path` after its rename, once the file is removed (if still the one renamed). */
async function removeIncomplete(client: FtpClient, path: string, size: number, sent: number): Promise<FtpError> {
  const message = `The upload arrived incomplete (${size} of ${sent} bytes)`;
  const noAnswer = `the server stopped answering: ${path} on the server may be incomplete.`;
  let now: number | undefined;
  try {
    now = await sizeNow(client, path);
  } catch (e) {
    return new FtpError('interrupted', `${message}, and ${noAnswer}`, { cause: e });
  }
  // Another size there now is someone else's file since: never removed.
  if (now === undefined) return new FtpError('interrupted', `${message}; what is at ${path} now could not be told, so it was left as it is.`);
  if (now !== size) return new FtpError('interrupted', `${message}; ${path} on the server has changed since and was left as it is.`);
  try {
    await client.delete(path);
    return new FtpError('interrupted', `${message}; it was removed from the server again.`);
  } catch (e) {
    if (!isFtpError(e) || unclear(e)) return new FtpError('interrupted', `${message}, and while it was being removed ${noAnswer}`, { cause: e });
    return new FtpError('interrupted', `${message}, and could not be removed (${e.message}): ${path} on the server is incomplete.`, { cause: e });
  }
}

/** target -> backup, temp -> target, delete backup; every failure undone or named. */
async function replaceThroughBackup(client: FtpClient, temp: string, path: string, size: number, opts: SafeSaveOptions, refusal: FtpError): Promise<void> {
  opts.log?.(`The server would not rename over ${path} (${refusal.message}); moving it to a backup first.`);
  const backup = tempName(path, 'bak');
  // The save may have been planned from a listing: a folder put there since is never moved aside.
  let now: FileEntry | undefined;
  try {
    now = await client.stat(path);
  } catch (e) {
    if (unclear(e)) {
      leftover(client, temp, opts);
      throw e;
    }
  }
  // Only a file or a link is moved aside: a folder, or whatever a failed stat could not tell, stays.
  if (now?.type !== 'file' && now?.type !== 'symlink') {
    await deleteQuietly(client, temp, opts);
    if (now?.type === 'directory') throw new FtpError('exists', `${path} is a folder on the server now; nothing was changed.`);
    throw new FtpError(refusal.kind, `The server refused to replace ${path} (${refusal.message}), and what is there now could not be told; it is unchanged.`, { code: refusal.code, replyText: refusal.replyText, command: refusal.command });
  }
  try {
    await client.rename(path, backup);
  } catch (e) {
    // Only the server's refusal in words (RNFR or RNTO answered 4xx or 5xx) says nothing moved. After
    // no answer, or one out of step, it may have moved: what it holds now decides.
    const refused = isFtpError(e) && e.kind !== 'protocol' && e.code !== undefined && e.code >= 400;
    if (refused || !(await movedAside(client, path, backup, temp, opts, e))) {
      if (unclear(e)) leftover(client, temp, opts);
      else await deleteQuietly(client, temp, opts);
      throw new FtpError(refusal.kind, `The server refused to replace ${path} (${refusal.message}); it is unchanged.`, { code: refusal.code, replyText: refusal.replyText, command: refusal.command, cause: e });
    }
    opts.log?.(`Moving ${path} aside to ${backup} got no usable answer, but the server moved it; the save goes on.`);
  }
  let moved = false;
  let failure: unknown;
  try {
    moved = await renameChecked(client, temp, path, size);
  } catch (e) {
    failure = e;
  }
  if (!moved) {
    // Put the old version back under its name.
    try {
      await client.rename(backup, path);
    } catch {
      throw new FtpError('server', `Saving ${path} failed half-way: the previous version is in ${backup} and the new content in ${temp}. Rename one of them to ${baseName(path)} on the server.`, { cause: failure });
    }
    await deleteQuietly(client, temp, opts);
    throw isFtpError(failure) ? failure : new FtpError('server', `The server did not replace ${path}; it is unchanged.`, { cause: failure });
  }
  try {
    await client.delete(backup);
  } catch (e) {
    opts.log?.(`Saved ${path}, but the backup ${backup} of the previous version could not be deleted: ${(e as Error).message}`);
  }
}

/**
 * After a move of `path` to `backup` without a usable answer: true when the server moved it, false
 * when `path` is still there and `backup` is not. Anything else (both names, neither, or no answer
 * now) throws, naming where the versions may be; `temp`, the new content, is kept then (it may be
 * the only copy the server has).
 */
async function movedAside(client: FtpClient, path: string, backup: string, temp: string, opts: SafeSaveOptions, cause: unknown): Promise<boolean> {
  let there: boolean;
  let aside: boolean;
  try {
    there = (await sizeNow(client, path)) !== undefined;
    aside = (await sizeNow(client, backup)) !== undefined;
  } catch (e) {
    leftover(client, temp, opts); // path is there unless it moved to backup, which nothing deletes
    throw new FtpError('connectionLost', `Saving ${path} stopped while the previous version was being moved aside to ${backup}, and the server did not answer after: if ${baseName(path)} is missing on the server, its previous version is ${baseName(backup)}.`, { cause: e });
  }
  if (there !== aside) return aside;
  // Neither: gone from both, or a server that can't say a size (no SIZE, MLST or STAT answer): unknown.
  const now = there ? 'shows both names' : 'shows neither name (or can\'t say)';
  throw new FtpError('server', `Saving ${path} stopped while the previous version was being moved aside to ${backup}, and the server now ${now}; nothing more was done. If ${baseName(path)} is missing, its previous version is ${baseName(backup)}; the new content is in ${temp}.`, { cause });
}

/** Where a link at `path` with target `target` leads, as a server path; undefined when unknown. */
export function linkDestination(path: string, target: string | undefined): string | undefined {
  if (!target) return undefined;
  const start: string[] = [];
  for (const part of [...(target.startsWith('/') ? [] : parentPath(path).split('/')), ...target.split('/')]) {
    if (part === '' || part === '.') continue;
    if (part === '..') start.pop();
    else start.push(part);
  }
  return '/' + start.join('/');
}

/** The listing entry of one path (lstat), or undefined when its folder doesn't list it. */
async function entryOf(client: FtpClient, path: string): Promise<FileEntry | undefined> {
  const { entries } = await client.list(parentPath(path));
  return entries.find((e) => e.name === baseName(path));
}

async function saveThroughLink(client: FtpClient, path: string, source: UploadSource, link: FileEntry, opts: SafeSaveOptions): Promise<SafeSaveResult> {
  // MLSD often says "a link" without saying to what; an `ls -l` line says it.
  let target = link.linkTarget;
  if (target === undefined) {
    const { entries } = await client.list(parentPath(path), { unixStyle: true });
    target = entries.find((e) => e.name === baseName(path))?.linkTarget;
  }
  // Save at the file the link leads to: the link stays, and the replacement is as atomic as any.
  let destination = linkDestination(path, target);
  for (let hops = 0; destination && hops < 8; hops++) {
    const entry = await entryOf(client, destination).catch((e) => {
      if (unclear(e)) throw e;
      return undefined;
    });
    if (entry?.type === 'file') return replaceFile(client, destination, source, { ...opts, current: entry });
    destination = entry?.type === 'symlink' ? linkDestination(destination, entry.linkTarget) : undefined;
  }
  opts.log?.(`${path} is a link whose target can't be reached by path; writing through the link after copying its content to a backup.`);
  return writeThroughLink(client, path, source, opts);
}

/** The link's target file is out of reach: copy it to a backup, write through the link, check, drop the backup. */
async function writeThroughLink(client: FtpClient, path: string, source: UploadSource, opts: SafeSaveOptions): Promise<SafeSaveResult> {
  if (!Buffer.isBuffer(source) || opts.throughLinks === false) {
    throw new FtpError('server', `${path} is a link to a file outside what this site can reach; only an editor's save can be written through it.`);
  }
  const previous = await client.download(path);
  const backup = tempName(path, 'bak');
  await client.upload(backup, previous);
  if ((await sizeOf(client, backup)) !== previous.length) {
    await deleteQuietly(client, backup, opts);
    throw new FtpError('interrupted', `Could not back up ${path} before writing through its link; nothing was changed.`);
  }
  let sent: number;
  try {
    sent = await client.upload(path, source, opts);
  } catch (e) {
    // Refused before any byte was written (servers that never open a link for writing): nothing changed.
    if (isFtpError(e) && e.code !== undefined && e.kind !== 'interrupted') {
      await deleteQuietly(client, backup, opts);
      throw new FtpError(e.kind, `The server would not write through the link ${path} (${e.message}); nothing was changed.`, { code: e.code, replyText: e.replyText, cause: e });
    }
    throw new FtpError(isFtpError(e) ? e.kind : 'server', `Writing through the link ${path} failed (${(e as Error).message}); its previous content is kept in ${backup}.`, { cause: e });
  }
  const size = await sizeOf(client, path).catch(() => undefined);
  if (size !== undefined && size !== sent) {
    throw new FtpError('interrupted', `The upload through the link ${path} arrived incomplete (${size} of ${sent} bytes); its previous content is kept in ${backup}.`);
  }
  await deleteQuietly(client, backup, opts);
  return { bytes: sent, writtenTo: path };
}
