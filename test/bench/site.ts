/**
 * One FTP site as the extension runs it, outside VS Code: the real FtpFileSystemProvider on an
 * FtpPool built from the options a configured site gives (src/fs/connections.ts connectOptions:
 * maxConnections 2 unless set, safeSave on), with the `vscode` stub (vscode-stub.ts). The engine's
 * log (every command, every data connection) is kept, so an operation's round trips can be counted.
 *
 * VS Code operations, as VS Code's FileService calls the provider (vs/platform/files/common/fileService.ts):
 * - open a file: stat (readFile's validation), then readFile;
 * - save: stat (validateWriteFile: dirty-write check), writeFile, stat (resolve after the write);
 * - the Explorer expanding a folder: readDirectory;
 * - workspace.fs.createDirectory: stat upwards until a folder exists, then createDirectory.
 */
import './vscode-stub';
import * as vscode from 'vscode';
import { FtpFileSystemProvider } from '../../src/fs/provider';
import type { Connections, SiteConnection } from '../../src/fs/connections';
import { FtpPool, LogEvent, SecureMode, TransferMode } from '../../src/ftp';
import { routeWorkspaceFs, setStubSetting } from './vscode-stub';

export interface SiteSpec {
  host: string;
  port: number;
  user: string;
  password: string;
  secure?: SecureMode;
  /** PEM of the server's certificate (the test certificate). */
  ca?: string;
  transferMode?: TransferMode;
  maxConnections?: number;
  safeSave?: boolean;
}

/**
 * What one operation sent: its commands (in order, PASS masked; "+" before one sent in the same
 * write as the one before it, without waiting for its reply), the round trips they cost (commands
 * without a "+"), and its data connections.
 */
export interface RoundTrips {
  commands: string[];
  roundTrips: number;
  data: number;
}

export interface BenchSite {
  provider: FtpFileSystemProvider;
  pool: FtpPool;
  /** ftp://bench/<path> */
  uri(path: string): vscode.Uri;
  log: LogEvent[];
  /** Runs fn and returns what it sent (commands and data connections), with its result. */
  count<T>(fn: () => Promise<T>): Promise<{ result: T; trips: RoundTrips }>;
  warnings: string[];
  close(): Promise<void>;
}

export const SITE = 'bench';

/** Builds the site; nothing connects until the first operation. */
export function openSite(spec: SiteSpec): BenchSite {
  const log: LogEvent[] = [];
  const warnings: string[] = [];
  const pool = new FtpPool({
    host: spec.host, port: spec.port, user: spec.user, password: spec.password, secure: spec.secure ?? 'off',
    tls: spec.ca ? { ca: spec.ca } : {}, transferMode: spec.transferMode ?? 'passive', maxConnections: spec.maxConnections ?? 2,
    log: (e) => log.push(e),
  });
  const site: SiteConnection = {
    name: SITE, server: `${spec.host}:${spec.port}`, pool, mode: spec.transferMode ?? 'passive', root: '/', safeSave: spec.safeSave ?? true, caseSensitive: true,
  } as SiteConnection;
  // What the provider asks of Connections here; a poll's listing (pollList) goes through the same site.
  const connections = {
    get: async () => site, reportResult: () => undefined, openForPoll: async () => site, reportPollFailure: () => undefined,
    routinely: <T>(_site: string, _client: unknown, fn: () => Promise<T>) => fn(),
  } as unknown as Connections;
  // The site's settings as the commands read them: FTP: Upload and Download run twice its
  // connections of small files at once (transfer-commands.ts workersFor); without them, two.
  setStubSetting('ftpWorkspace', 'sites', { [SITE]: { maxConnections: spec.maxConnections ?? 2 } });
  const channel = vscode.window.createOutputChannel('FTP Workspace', { log: true });
  channel.warn = (m: string) => void warnings.push(m);
  channel.error = (m: string | Error) => void warnings.push(String(m));
  const provider = new FtpFileSystemProvider(connections, channel);
  routeWorkspaceFs(provider);
  const uri = (path: string) => vscode.Uri.parse(`${spec.secure && spec.secure !== 'off' ? 'ftps' : 'ftp'}://${SITE}${path.startsWith('/') ? path : `/${path}`}`);
  return {
    provider, pool, uri, log, warnings,
    async count<T>(fn: () => Promise<T>) {
      const mark = log.length;
      const result = await fn();
      const events = log.slice(mark);
      const commands = events.filter((e) => e.kind === 'command');
      return { result, trips: { commands: commands.map((e) => `${e.pipelined ? '+' : ''}${e.text}`), roundTrips: commands.filter((e) => !e.pipelined).length, data: events.filter((e) => e.kind === 'data').length } };
    },
    async close() {
      routeWorkspaceFs(undefined);
      await pool.close();
    },
  };
}

