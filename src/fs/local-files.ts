/**
 * The local side of Upload and Download for small files: whole files read and written in a few
 * system calls. Each asynchronous fs call is a round trip through libuv's thread pool, and on
 * these machines handing work to another thread costs about 0.1 ms of the main thread's time (a
 * wake-up of a sleeping thread): opening, reading, closing and renaming a 4 KB file took longer
 * than its transfer, most of a folder upload's and download's CPU time per file
 * (docs/benchmarks.md). So on a local disk the calls are made on this thread (AT_ONCE), microseconds
 * each for a file this small. Not on a network or FUSE file system (NFS, SMB, sshfs), where each
 * call waits on another machine and would hold the whole extension host that long: there they go
 * through the pool (POOLED). Not timed, as the engine's calls made at once are (data/at-once.ts):
 * a pause of this thread (a garbage collection, another process on the core) made one look slow,
 * and a minute of files through the pool followed (a download's five calls: 0.16-0.22 ms a file,
 * against 0.03 at once). Bigger files keep their streams (their time is in the bytes, and a
 * stream never holds them all).
 */
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import type { DiskRoom } from '../ftp/data/receive-file';

/** The system calls the small-file side makes, on this thread or through the thread pool (localCalls). */
export interface LocalCalls {
  readonly atOnce: boolean;
  /**
   * The folder's statfs type says a local disk (Linux): a big file's streamed reads and writes may
   * be made on this thread too (the engine's `localFileAtOnce`). False where it can't be told.
   */
  readonly localDisk: boolean;
  open(path: string, flags: number | string, mode?: number): Promise<number>;
  fstat(fd: number): Promise<fs.Stats>;
  read(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  write(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  fchmod(fd: number, mode: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Without following a link; undefined when nothing is there. */
  lstat(path: string): Promise<fs.Stats | undefined>;
}

export const AT_ONCE: LocalCalls = {
  atOnce: true,
  localDisk: true,
  open: async (path, flags, mode) => fs.openSync(path, flags, mode),
  fstat: async (fd) => fs.fstatSync(fd),
  read: async (fd, buf, offset, length, position) => fs.readSync(fd, buf, offset, length, position),
  write: async (fd, buf, offset, length, position) => fs.writeSync(fd, buf, offset, length, position),
  fchmod: async (fd, mode) => fs.fchmodSync(fd, mode),
  close: async (fd) => fs.closeSync(fd),
  rename: async (from, to) => fs.renameSync(from, to),
  lstat: async (path) => fs.lstatSync(path, { throwIfNoEntry: false }),
};

const pooledRead = promisify(fs.read);
const pooledWrite = promisify(fs.write);
const pooledLstat = promisify(fs.lstat);

export const POOLED: LocalCalls = {
  atOnce: false,
  localDisk: false,
  open: promisify(fs.open) as LocalCalls['open'],
  fstat: promisify(fs.fstat) as LocalCalls['fstat'],
  read: (fd, buf, offset, length, position) => pooledRead(fd, buf, offset, length, position).then((r) => r.bytesRead),
  write: (fd, buf, offset, length, position) => pooledWrite(fd, buf, offset, length, position).then((r) => r.bytesWritten),
  fchmod: promisify(fs.fchmod),
  close: promisify(fs.close),
  rename: promisify(fs.rename),
  lstat: (path) => pooledLstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }),
};

/**
 * What onLocalDisk says of a folder, and since when (performance.now: a clock set back does not keep
 * an answer longer): asked again after a minute (a file system mounted there since). The question
 * is kept while it is asked, so the transfers of one folder ask it once.
 */
const diskOf = new Map<string, { local: Promise<boolean>; at: number }>();
const DISK_REMEMBERED_MS = 60_000;

/**
 * The calls for files in `dir`: on Linux at once where its statfs type says a local disk, through
 * the pool on any other file system and where statfs fails; on other systems, where the type can't
 * be told, at once.
 */
export async function localCalls(dir: string): Promise<LocalCalls> {
  if (process.platform !== 'linux') return UNTOLD;
  let known = diskOf.get(dir);
  if (!known || performance.now() - known.at > DISK_REMEMBERED_MS) {
    if (diskOf.size >= 256) diskOf.clear();
    known = { local: onLocalDisk(dir), at: performance.now() };
    diskOf.set(dir, known);
  }
  return (await known.local) ? AT_ONCE : POOLED;
}

/** Where the type can't be told (not Linux): small files' calls at once, big files through the pool. */
const UNTOLD: LocalCalls = { ...AT_ONCE, localDisk: false };

/** Files up to this size go through memory: one read, or one write. */
export const SMALL_FILE = 64 * 1024;

/**
 * The whole content of a regular local file of at most SMALL_FILE bytes, read without following a
 * symbolic link (O_NOFOLLOW: one put there after the caller looked is refused); undefined when it
 * is bigger, or grew past that while read: the caller streams it.
 */
export async function readSmallFile(calls: LocalCalls, localPath: string): Promise<Buffer | undefined> {
  // O_NONBLOCK: a FIFO put there since the caller looked would block open() for good.
  const fd = await calls.open(localPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const st = await calls.fstat(fd);
    if (!st.isFile()) throw Object.assign(new Error(`${localPath} is not a regular file (any more); it is not uploaded.`), { code: 'ENOTFILE' });
    const size = st.size;
    if (size > SMALL_FILE) return undefined;
    // One byte more than the size: a read that fills it says the file grew meanwhile.
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = await calls.read(fd, buf, got, buf.length - got, got);
    return got > size ? undefined : buf.subarray(0, got);
  } finally {
    await calls.close(fd);
  }
}

/**
 * The permission bits a download that replaces `localPath` gives the new file: the replaced file's
 * (a 0755 script stays runnable, a 0444 file read-only), not the default a new file gets. Only a
 * regular file's, looked at without following a link (a link there is replaced by the download,
 * and what it points to says nothing about it); setuid, setgid and sticky are dropped, as a write
 * to the file would drop them. undefined: nothing to keep.
 */
export async function modeToKeep(calls: LocalCalls, localPath: string): Promise<number | undefined> {
  const st = await calls.lstat(localPath);
  return st?.isFile() ? st.mode & 0o777 : undefined;
}

/**
 * Gives a temporary file just created the mode of the file it will replace, before any byte is in
 * it (a 0600 key file's download never sits readable by others while it arrives). Best effort: a
 * disk that can't (FAT, some network mounts) leaves the mode it was created with (no wider than
 * the kept one: see the open calls) rather than failing a download.
 */
export async function keepMode(calls: LocalCalls, fd: number, mode: number | undefined): Promise<void> {
  if (mode === undefined) return;
  try {
    await calls.fchmod(fd, mode);
  } catch {
    // as created
  }
}

/**
 * Writes `data` to `temp` (created here: it must not exist, with `mode` when one is given: on the
 * open file, never through a path), and renames it to `localPath`.
 */
export async function writeThroughTemp(calls: LocalCalls, temp: string, localPath: string, data: Buffer, mode?: number): Promise<void> {
  const fd = await calls.open(temp, 'wx', mode ?? 0o666);
  try {
    await keepMode(calls, fd, mode);
    for (let at = 0; at < data.length;) at += await calls.write(fd, data, at, data.length - at, at);
  } finally {
    await calls.close(fd);
  }
  await calls.rename(temp, localPath);
}

/**
 * Linux file systems on the machine's own storage (statfs f_type), whose writes land in the page
 * cache at once: ext2/3/4, XFS, Btrfs, tmpfs, F2FS, ZFS, overlayfs (containers). Network and FUSE
 * file systems (NFS, SMB, sshfs), whose write can wait on a server, are not among them.
 */
const LOCAL_FILE_SYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e, 0x01021994, 0xf2f52010, 0x2fc12fc1, 0x794c7630]);

/** Room downloads leave free on a disk: this much, or half of what is free when that is less. */
export const ROOM_KEPT = 256 * 1024 * 1024;

/** The room of each disk (by device) downloads are writing to now, shared by them. */
const rooms = new Map<number, { left: number; users: number }>();

/**
 * What downloads into `dir` may write (a server that sends without end, or far more than it said,
 * must not fill the disk the editor and the system need): the disk's free space for this user, less
 * ROOM_KEPT, read when the first of the downloads under way into that disk began, and shared by
 * them all (a folder download writes several files at once), each chunk counted as it comes.
 * `release` when the download is done. undefined where the disk's room can't be told (statfs fails,
 * or a file system that reports no blocks).
 */
export async function claimRoom(dir: string): Promise<{ room: DiskRoom; left(): number; release(): void } | undefined> {
  let device: number;
  let free: number;
  try {
    device = (await fs.promises.stat(dir)).dev;
    const st = await fs.promises.statfs(dir);
    if (st.blocks === 0) return undefined;
    free = st.bavail * st.bsize;
  } catch {
    return undefined;
  }
  let shared = rooms.get(device);
  if (!shared) rooms.set(device, (shared = { left: Math.floor(free - Math.min(ROOM_KEPT, free / 2)), users: 0 }));
  const disk = shared;
  disk.users++;
  let released = false;
  return {
    room: {
      take: (bytes) => {
        if (bytes > disk.left) return false;
        disk.left -= bytes;
        return true;
      },
    },
    left: () => disk.left,
    release: () => {
      if (released) return;
      released = true;
      // The last one out: the next download reads the disk's free space afresh.
      if (--disk.users === 0 && rooms.get(device) === disk) rooms.delete(device);
    },
  };
}

/**
 * Whether a file in `dir` is on a local Linux file system (its statfs type), so a streamed upload
 * or download may read or write it on the extension host's thread (the engine's
 * `localFileAtOnce`: faster than the thread pool; a call that turns out slow sends the rest back to
 * the pool). Elsewhere, or when it can't be told, the thread pool reads and writes.
 */
export async function onLocalDisk(dir: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    return LOCAL_FILE_SYSTEMS.has((await fs.promises.statfs(dir)).type);
  } catch {
    return false;
  }
}
