/** What the bench's parts share: how to reach a server, where the npm peers live. */
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
