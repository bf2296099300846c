/** What the bench's parts share: how to reach a server, where the npm peers live. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SecureMode, TransferMode } from '../../src/ftp';

/** A server as a client sees it. */
export interface Conn {
  host: string;
  port: number;
  user: string;
  password: string;
  secure?: SecureMode;
  /** The test certificate as a file (curl, lftp, ftplib want a file). */
  caFile?: string;
  mode?: TransferMode;
}

/** Clock ticks per second of /proc's times (USER_HZ): 100 on Linux. */
export const TICKS_PER_SECOND = 100;

/** npm peers (basic-ftp): installed here, loaded by path (never into the worktree's node_modules). */
export const PEERS = process.env.FTPWS_BENCH_PEERS ?? '/work/main/.test-tools/bench-peers';

/** The repository (this file runs from out/test/bench/). */
export const REPO = path.resolve(__dirname, '..', '..', '..');

/** `root`/`rel` made (with its parents) and given to the server's user, so the server can write there. */
export function ownedDir(root: string, rel: string, owner: { uid: number; gid: number }): string {
  const dir = path.join(root, rel);
  fs.mkdirSync(dir, { recursive: true });
  fs.chownSync(dir, owner.uid, owner.gid);
  return dir;
}

/**
 * The many-files rows' folder: `count` files of `size` random bytes (`file-0000.dat`, ...), the same
 * in `local` (made here) and in `served`, a folder of the server's root made for its user.
 */
export function writeManyFiles(local: string, serverRoot: string, served: string, owner: { uid: number; gid: number }, count: number, size: number): void {
  fs.mkdirSync(local);
  const remote = ownedDir(serverRoot, served, owner);
  for (let i = 0; i < count; i++) {
    const data = crypto.randomBytes(size);
    const name = `file-${String(i).padStart(4, '0')}.dat`;
    fs.writeFileSync(path.join(local, name), data);
    fs.writeFileSync(path.join(remote, name), data);
  }
}
