/**
 * The local side of Upload and Download for small files: whole files read and written with
 * synchronous calls. Each asynchronous fs call is a round trip through libuv's thread pool, and on
 * these machines handing work to another thread costs about 0.1 ms of the main thread's time (a
 * wake-up of a sleeping thread): opening, reading, closing and renaming a 4 KB file took longer
 * than its transfer, most of a folder upload's and download's CPU time per file
 * (docs/benchmarks.md). The same calls made directly take microseconds each for a file this small;
 * bigger files keep their streams (their time is in the bytes, and a stream never holds them all).
 */
import * as fs from 'node:fs';

/** Files up to this size go through memory: one read, or one write. */
export const SMALL_FILE = 64 * 1024;

/**
 * The whole content of a regular local file of at most SMALL_FILE bytes, read without following a
 * symbolic link (O_NOFOLLOW: one put there after the caller looked is refused); undefined when it
 * is bigger, or grew past that while read: the caller streams it.
 */
export function readSmallFile(localPath: string): Buffer | undefined {
  // O_NONBLOCK: a FIFO put there since the caller looked would block this thread in open() for good.
  const fd = fs.openSync(localPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error(`${localPath} is not a regular file (any more); it is not uploaded.`), { code: 'ENOTFILE' });
    const size = st.size;
    if (size > SMALL_FILE) return undefined;
    // One byte more than the size: a read that fills it says the file grew meanwhile.
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = fs.readSync(fd, buf, got, buf.length - got, got);
    return got > size ? undefined : buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The permission bits a download that replaces `localPath` gives the new file: the replaced file's
 * (a 0755 script stays runnable, a 0444 file read-only), not the default a new file gets. Only a
 * regular file's, looked at without following a link (a link there is replaced by the download,
 * and what it points to says nothing about it); setuid, setgid and sticky are dropped, as a write
 * to the file would drop them. undefined: nothing to keep.
 */
export function modeToKeep(localPath: string): number | undefined {
  const st = fs.lstatSync(localPath, { throwIfNoEntry: false });
  return st?.isFile() ? st.mode & 0o777 : undefined;
}

/**
 * Gives a temporary file just created the mode of the file it will replace, before any byte is in
 * it (a 0600 key file's download never sits readable by others while it arrives). Best effort: a
 * disk that can't (FAT, some network mounts) leaves the mode it was created with (no wider than
 * the kept one: see the open calls) rather than failing a download.
 */
export function keepMode(fd: number, mode: number | undefined): void {
  if (mode === undefined) return;
  try {
    fs.fchmodSync(fd, mode);
  } catch {
    // as created
  }
}

/**
 * Writes `data` to `temp` (created here: it must not exist, with `mode` when one is given: on the
 * open file, never through a path), and renames it to `localPath`.
 */
export function writeThroughTemp(temp: string, localPath: string, data: Buffer, mode?: number): void {
  const fd = fs.openSync(temp, 'wx', mode ?? 0o666);
  try {
    keepMode(fd, mode);
    for (let at = 0; at < data.length;) at += fs.writeSync(fd, data, at, data.length - at, at);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, localPath);
}

/**
 * Linux file systems on the machine's own storage (statfs f_type), whose writes land in the page
 * cache at once: ext2/3/4, XFS, Btrfs, tmpfs, F2FS, ZFS, overlayfs (containers). Network and FUSE
 * file systems (NFS, SMB, sshfs), whose write can wait on a server, are not among them.
 */
const LOCAL_FILE_SYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e, 0x01021994, 0xf2f52010, 0x2fc12fc1, 0x794c7630]);

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
