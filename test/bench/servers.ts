/**
 * The bench's servers: test/servers' vsftpd and proftpd, with their roots on tmpfs (/dev/shm), so
 * what is measured is the clients and the servers, not the disk, and with a known passive port
 * range (a block claimed here and given as `passivePorts`), which the latency relay forwards.
 *
 * test/servers makes each root under os.tmpdir() (a disk here). Right after the start, while no
 * session has looked at it yet, the empty root is replaced by a symbolic link to a directory on
 * /dev/shm with the same owner and mode: the servers chroot into it through the link (the kernel
 * resolves it). stop() removes the link (rmSync doesn't follow it), then the tmpfs directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManagedServer, ServerKind, startServer } from '../servers';
import { claimPortBlock } from '../servers/common';

export const SHM = process.env.FTPWS_BENCH_SHM ?? '/dev/shm';

export interface BenchServer extends ManagedServer {
  /** The passive port range, for the relay. */
  passivePorts: [number, number];
  /** The root's real directory, on tmpfs. */
  realRoot: string;
  /** The test certificate as a file, for curl, lftp and ftplib. */
  caFile: string;
}

/** A fresh directory on tmpfs for the bench's local files; removed by the returned function. */
export function shmDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(SHM, `ftpws-bench-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function startBenchServer(kind: ServerKind, scratch: string): Promise<BenchServer> {
  const block = await claimPortBlock('127.0.0.1');
  let server: ManagedServer;
  try {
    server = await startServer(kind, { passivePorts: [block.first, block.last] });
  } catch (e) {
    block.release();
    throw e;
  }
  const real = fs.mkdtempSync(path.join(SHM, `ftpws-bench-${kind}-root-`));
  const st = fs.statSync(server.root);
  fs.chmodSync(real, st.mode & 0o7777);
  fs.chownSync(real, st.uid, st.gid);
  fs.rmdirSync(server.root);
  fs.symlinkSync(real, server.root);
  const caFile = path.join(scratch, `${kind}-ca.pem`);
  fs.writeFileSync(caFile, server.certPem);
  const stop = server.stop;
  return Object.assign(server, {
    passivePorts: [block.first, block.last] as [number, number], realRoot: real, caFile,
    stop: async () => {
      await stop();
      fs.rmSync(real, { recursive: true, force: true });
      block.release();
    },
  });
}
