/**
 * Benchmark, not a test: prints upload/download throughput per server, security and transfer mode,
 * and the memory a streamed download costs. Run: npm run bench  (figures go to docs/benchmarks.md).
 * Sizes: FTPWS_BENCH_MB (default 100).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FtpClient } from '../../src/ftp/client';
import { SecureMode } from '../../src/ftp/options';
import { ALL_SERVERS, serverMissing, startServer } from '../servers';

const MB = 1024 * 1024;
const size = Number(process.env.FTPWS_BENCH_MB ?? 100) * MB;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

async function main(): Promise<void> {
  const payload = crypto.randomBytes(size);
  const rows: string[] = ['| server | security | mode | upload MB/s | download MB/s |', '| --- | --- | --- | --- | --- |'];
  for (const kind of ALL_SERVERS) {
    const missing = serverMissing(kind);
    if (missing) { rows.push(`| ${kind} | - | - | missing | missing |`); continue; }
    const server = await startServer(kind);
    try {
      const securities: SecureMode[] = ['off', ...(server.tls.explicit ? ['explicit' as const] : [])];
      for (const secure of securities) {
        for (const mode of ['passive', 'active'] as const) {
          const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password, secure, tls: { ca: server.certPem }, transferMode: mode });
          try {
            const [, up] = await timed(() => c.upload('/bench.bin', payload));
            const [back, down] = await timed(() => c.download('/bench.bin'));
            if (back.length !== size) throw new Error('short download');
            rows.push(`| ${kind} | ${secure === 'off' ? 'plain' : secure} | ${mode} | ${(size / MB / up).toFixed(0)} | ${(size / MB / down).toFixed(0)} |`);
            await c.delete('/bench.bin');
          } finally {
            await c.close();
          }
        }
      }
    } finally {
      await server.stop();
    }
  }

  // Memory: a streamed download to disk should not hold the file in memory.
  const server = await startServer('vsftpd');
  const file = path.join(server.root, 'big.bin');
  fs.writeFileSync(file, payload);
  const target = path.join(os.tmpdir(), `ftpws-bench-${process.pid}.bin`);
  try {
    const c = await FtpClient.connect({ host: server.host, port: server.port, user: server.user, password: server.password });
    const peakGrowth = async (fn: () => Promise<unknown>): Promise<[number, number]> => {
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const [, secs] = await timed(fn);
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return [Math.max(0, peak - before) / MB, secs];
    };
    const [streamed, streamedSecs] = await peakGrowth(() => c.downloadTo('/big.bin', fs.createWriteStream(target)));
    const [buffered, bufferedSecs] = await peakGrowth(() => c.download('/big.bin'));
    await c.close();
    rows.push('', '| download of the same file (vsftpd, passive) | MB/s | peak RSS growth |', '| --- | --- | --- |',
      `| streamed to disk (downloadTo) | ${(size / MB / streamedSecs).toFixed(0)} | ${streamed.toFixed(1)} MB |`,
      `| into memory (download) | ${(size / MB / bufferedSecs).toFixed(0)} | ${buffered.toFixed(1)} MB |`);
  } finally {
    fs.rmSync(target, { force: true });
    await server.stop();
  }
  console.log(`Throughput on 127.0.0.1, ${size / MB} MB payload, node ${process.version}, ${os.cpus().length} cores:\n`);
  console.log(rows.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
