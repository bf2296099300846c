/**
 * The FileSystemProvider for `ftp://` and `ftps://`. Each call goes to the site's connection pool;
 * errors become vscode.FileSystemError with the server's words. Saves never lose data: the file is
 * uploaded to a temporary name next to the target, its size checked, then renamed over the target.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { FileEntry, FtpClient, FtpError, TransferOptions, isFtpError, joinPath, parentPath, baseName } from '../ftp';
import { Connections, SiteConnection } from './connections';
import { toFileSystemError } from './errors';
import { ListingCache } from './listing-cache';
import { LazyProgress } from './progress';

/** What the UI is told about a failed operation (to offer the other transfer mode, say). */
export interface OperationFailure {
  uri: vscode.Uri;
  site: SiteConnection;
  error: FtpError;
}

/** Asked when a server presents a certificate that is not trusted; true once it is trusted and the site reconnected. */
export type CertificateQuestion = (site: SiteConnection, error: FtpError) => Promise<boolean>;

/** Names VS Code probes for in every folder; their absence is normal and not worth a log line. */
const QUIET_PROBES = /(^|\/)(\.vscode|\.git|\.devcontainer|\.github|node_modules|\.code-workspace|pom\.xml|package\.json|\.editorconfig|\.gitignore|\.hg|\.svn)(\/|$)/;

export class FtpFileSystemProvider implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly cache = new ListingCache();
  private readonly failureEmitter = new vscode.EventEmitter<OperationFailure>();
  /** An operation failed on a reachable site (the UI offers the other mode after a data-connection failure). */
  readonly onDidFail = this.failureEmitter.event;

  constructor(
    private readonly connections: Connections,
    private readonly log: vscode.LogOutputChannel,
    private readonly askTrust: CertificateQuestion = async () => false,
  ) {}

  watch(): vscode.Disposable {
    // FTP has no change notifications; our own writes are announced through onDidChangeFile.
    return new vscode.Disposable(() => undefined);
  }

  private serverPath(site: SiteConnection, uri: vscode.Uri): string {
    const p = uri.path.replace(/\/+$/, '') || '/';
    if (site.root === '/') return p;
    return p === '/' ? site.root : site.root + p;
  }

  /** Listings are cached by the directory's URI. */
  private dirKey(dir: vscode.Uri): string {
    return `${dir.scheme}://${dir.authority}${dir.path.replace(/\/+$/, '') || '/'}`;
  }

  private async run<T>(uri: vscode.Uri, fn: (c: FtpClient, site: SiteConnection, path: string) => Promise<T>, idempotent = true, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let site: SiteConnection | undefined;
      try {
        site = await this.connections.get(uri);
        const path = this.serverPath(site, uri);
        const result = await site.pool.run((c) => fn(c, site!, path), { idempotent, signal });
        this.connections.reportResult(uri);
        return result;
      } catch (e) {
        // An untrusted certificate: show it; once trusted (and the site reconnected with it pinned), again.
        if (site && attempt === 0 && isFtpError(e, 'tls') && e.certificate && (await this.askTrust(site, e))) continue;
        this.connections.reportResult(uri, e);
        if (site && isFtpError(e)) this.failureEmitter.fire({ uri, site, error: e });
        const err = toFileSystemError(e, uri, site && { mode: site.mode, working: site.pool.modeMemory.working });
        if (!(isFtpError(e, 'notFound') && QUIET_PROBES.test(uri.path))) this.log.error(err.message);
        throw err;
      }
    }
  }

  private toStat(e: FileEntry): vscode.FileStat {
    const type = e.type === 'directory' ? vscode.FileType.Directory : e.type === 'symlink' ? vscode.FileType.File | vscode.FileType.SymbolicLink : vscode.FileType.File;
    const mtime = e.modified?.getTime() ?? 0;
    return { type, ctime: mtime, mtime, size: e.size ?? 0 };
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    // An entry of a directory listed moments ago costs no round trip. A listing's minute-precision
    // date would not match MDTM's second later, and VS Code would see a conflict: those ask MDTM.
    const listed = this.listed(uri);
    if (listed && (listed.type === 'directory' || listed.modifiedPrecision === 'second')) return this.toStat(listed);
    return this.run(uri, async (c, site, path) => {
      if (path === site.root) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
      return this.toStat(await c.stat(path));
    });
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.run(uri, async (c, _site, path) => {
      const { entries, unparsed } = await c.list(path);
      for (const u of unparsed) this.log.warn(`Could not read a listing line of ${uri.toString(true)}: ${JSON.stringify(u.line)} (${u.reason})`);
      this.cache.set(this.dirKey(uri), entries);
      return entries.map((e) => [e.name, this.toStat(e).type] as [string, vscode.FileType]);
    });
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const known = this.listed(uri)?.size;
    const progress = new LazyProgress(`Downloading ${baseName(uri.path)}`, known);
    try {
      return await this.run(uri, (c, _site, path) => c.download(path, { signal: progress.signal, onProgress: (n) => progress.bytes(n) }), true, progress.signal);
    } finally {
      progress.dispose();
    }
  }

  /** The entry of a listing we still hold for this URI, if any. */
  private listed(uri: vscode.Uri): FileEntry | undefined {
    return this.cache.get(this.dirKey(vscode.Uri.joinPath(uri, '..')))?.get(baseName(uri.path));
  }

  private async exists(c: FtpClient, path: string): Promise<FileEntry | undefined> {
    try {
      return await c.stat(path);
    } catch (e) {
      if (isFtpError(e, 'notFound')) return undefined;
      throw e;
    }
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    const progress = new LazyProgress(`Uploading ${baseName(uri.path)}`, content.byteLength);
    try {
      await this.write(uri, content, options, progress);
    } finally {
      progress.dispose();
    }
  }

  private async write(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }, progress: LazyProgress): Promise<void> {
    const transfer = { signal: progress.signal, onProgress: (n: number) => progress.bytes(n) };
    const existed = await this.run(uri, async (c, site, path) => {
      const current = await this.exists(c, path);
      if (current?.type === 'directory') throw vscode.FileSystemError.FileIsADirectory(uri);
      if (current && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
      if (!current && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
      if (!current && !(await this.exists(c, parentPath(path)))) throw vscode.FileSystemError.FileNotFound(vscode.Uri.joinPath(uri, '..'));
      const data = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
      if (!site.safeSave) {
        await c.upload(path, data, transfer);
        return !!current;
      }
      await this.safeUpload(c, path, data, !!current, transfer);
      return !!current;
    }, false, progress.signal);
    this.changed(uri, existed ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created);
  }

  /** Upload to a temporary name, check its size, rename it over the target; the target is untouched on failure. */
  async safeUpload(c: FtpClient, path: string, data: Buffer | Readable, targetExists: boolean, transfer: TransferOptions = {}): Promise<number> {
    const temp = joinPath(parentPath(path), `.${baseName(path)}.ftpws-${Date.now().toString(36)}.tmp`);
    try {
      const sent = await c.upload(temp, data, transfer);
      const size = await c.size(temp).catch(() => undefined);
      if (size !== undefined && size !== sent) {
        throw new FtpError('transient', `The upload arrived incomplete (${size} of ${sent} bytes); the file on the server was left as it was.`);
      }
      try {
        await c.rename(temp, path);
      } catch (e) {
        // Some servers (IIS, some Windows servers) won't rename over an existing file.
        if (!targetExists || !isFtpError(e)) throw e;
        this.log.info(`The server would not rename over ${path} (${(e as Error).message}); deleting it first, then renaming.`);
        await c.delete(path);
        await c.rename(temp, path);
      }
      return sent;
    } catch (e) {
      await c.delete(temp).catch(() => undefined);
      throw e;
    }
  }

  /** Uploads a local file (streamed, so its size doesn't matter) the way a save does. */
  async uploadFile(uri: vscode.Uri, localPath: string, transfer: TransferOptions = {}): Promise<number> {
    const sent = await this.run(uri, async (c, site, path) => {
      const current = await this.exists(c, path);
      if (current?.type === 'directory') throw vscode.FileSystemError.FileIsADirectory(uri);
      const source = fs.createReadStream(localPath);
      try {
        return site.safeSave ? await this.safeUpload(c, path, source, !!current, transfer) : await c.upload(path, source, transfer);
      } finally {
        source.destroy();
      }
    }, false, transfer.signal);
    this.changed(uri, vscode.FileChangeType.Changed);
    return sent;
  }

  /** Downloads into a local file through a temporary name, so a cancelled download leaves nothing behind. */
  async downloadFile(uri: vscode.Uri, localPath: string, transfer: TransferOptions = {}): Promise<number> {
    const temp = `${localPath}.ftpws-${Date.now().toString(36)}.part`;
    try {
      const bytes = await this.run(uri, (c, _site, path) => c.downloadTo(path, fs.createWriteStream(temp), transfer), false, transfer.signal);
      await fs.promises.rename(temp, localPath);
      return bytes;
    } catch (e) {
      await fs.promises.rm(temp, { force: true });
      throw e;
    }
  }

  async delete(uri: vscode.Uri, options: { recursive: boolean }): Promise<void> {
    const listed = this.listed(uri);
    // A recursive delete of a folder can take long: it shows progress with Cancel from the start.
    const progress = new LazyProgress(`Deleting ${baseName(uri.path)}`, undefined, options.recursive && listed?.type === 'directory');
    let deleted = false;
    try {
      await this.run(uri, async (c, _site, path) => {
        const entry = await this.exists(c, path);
        if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
        if (entry.type === 'directory') await c.rmdir(path, { recursive: options.recursive, signal: progress.signal });
        else await c.delete(path);
      }, false, progress.signal);
      deleted = true;
    } finally {
      progress.dispose();
      // A cancelled recursive delete removed part of the tree: the listings must be read again.
      this.changed(uri, deleted ? vscode.FileChangeType.Deleted : vscode.FileChangeType.Changed);
    }
  }

  async rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    if (oldUri.authority !== newUri.authority || oldUri.scheme !== newUri.scheme) throw vscode.FileSystemError.Unavailable('Renaming across FTP sites is not possible.');
    await this.run(oldUri, async (c, site, from) => {
      const to = this.serverPath(site, newUri);
      if (!site.caseSensitive && from !== to && from.toLowerCase() === to.toLowerCase()) {
        // On a server that ignores case the "existing target" is the source itself: never delete it.
        // Some (IIS) also refuse a case-only rename, so it goes through a temporary name.
        const temp = joinPath(parentPath(from), `.${baseName(from)}.ftpws-${Date.now().toString(36)}.tmp`);
        await c.rename(from, temp);
        await c.rename(temp, to);
        return;
      }
      if (!(await this.exists(c, from))) throw vscode.FileSystemError.FileNotFound(oldUri);
      const target = await this.exists(c, to);
      if (target && !options.overwrite) throw vscode.FileSystemError.FileExists(newUri);
      if (target) {
        if (target.type === 'directory') await c.rmdir(to, { recursive: true });
        else await c.delete(to);
      }
      await c.rename(from, to);
    }, false);
    this.changed(oldUri, vscode.FileChangeType.Deleted);
    this.changed(newUri, vscode.FileChangeType.Created);
  }

  async createDirectory(uri: vscode.Uri): Promise<void> {
    await this.run(uri, async (c, _site, path) => {
      if (await this.exists(c, path)) throw vscode.FileSystemError.FileExists(uri);
      if (!(await this.exists(c, parentPath(path)))) throw vscode.FileSystemError.FileNotFound(vscode.Uri.joinPath(uri, '..'));
      await c.mkdir(path);
    }, false);
    this.changed(uri, vscode.FileChangeType.Created);
  }

  private changed(uri: vscode.Uri, type: vscode.FileChangeType): void {
    const parent = vscode.Uri.joinPath(uri, '..');
    // Our own writes make the cached listings of the parent (and of a deleted or renamed tree) stale.
    this.cache.invalidate(`${uri.scheme}://${uri.authority}`);
    this.emitter.fire([{ type, uri }, { type: vscode.FileChangeType.Changed, uri: parent }]);
  }
}
