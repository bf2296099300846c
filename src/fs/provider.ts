/**
 * The FileSystemProvider for `ftp://` and `ftps://`. Each call goes to the site's connection pool;
 * errors become vscode.FileSystemError with the server's words. Saves never lose data: the file is
 * uploaded to a temporary name next to the target, its size checked, then renamed over the target.
 */
import * as vscode from 'vscode';
import { FileEntry, FtpClient, FtpError, isFtpError, joinPath, parentPath, baseName } from '../ftp';
import { Connections, SiteConnection } from './connections';
import { toFileSystemError } from './errors';
import { ListingCache } from './listing-cache';

/** Names VS Code probes for in every folder; their absence is normal and not worth a log line. */
const QUIET_PROBES = /(^|\/)(\.vscode|\.git|\.devcontainer|\.github|node_modules|\.code-workspace|pom\.xml|package\.json|\.editorconfig|\.gitignore|\.hg|\.svn)(\/|$)/;

export class FtpFileSystemProvider implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly cache = new ListingCache();

  constructor(private readonly connections: Connections, private readonly log: vscode.LogOutputChannel) {}

  watch(): vscode.Disposable {
    // FTP has no change notifications; our own writes are announced through onDidChangeFile.
    return new vscode.Disposable(() => undefined);
  }

  private serverPath(site: SiteConnection, uri: vscode.Uri): string {
    const p = uri.path.replace(/\/+$/, '') || '/';
    if (site.root === '/') return p;
    return p === '/' ? site.root : site.root + p;
  }

  private cacheKey(uri: vscode.Uri, path: string): string {
    return `${uri.scheme}://${uri.authority}${path}`;
  }

  private async run<T>(uri: vscode.Uri, fn: (c: FtpClient, site: SiteConnection, path: string) => Promise<T>, idempotent = true): Promise<T> {
    try {
      const site = await this.connections.get(uri);
      const path = this.serverPath(site, uri);
      return await site.pool.run((c) => fn(c, site, path), { idempotent });
    } catch (e) {
      const err = toFileSystemError(e, uri);
      if (!(isFtpError(e, 'notFound') && QUIET_PROBES.test(uri.path))) this.log.error(err.message);
      throw err;
    }
  }

  private toStat(e: FileEntry): vscode.FileStat {
    const type = e.type === 'directory' ? vscode.FileType.Directory : e.type === 'symlink' ? vscode.FileType.File | vscode.FileType.SymbolicLink : vscode.FileType.File;
    const mtime = e.modified?.getTime() ?? 0;
    return { type, ctime: mtime, mtime, size: e.size ?? 0 };
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    return this.run(uri, async (c, site, path) => {
      if (path === site.root) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
      const listed = this.cache.get(this.cacheKey(uri, parentPath(path)))?.get(baseName(path));
      // A listing's minute-precision date would not match MDTM's second later: VS Code would see a conflict.
      if (listed && (listed.type === 'directory' || listed.modifiedPrecision === 'second')) return this.toStat(listed);
      return this.toStat(await c.stat(path));
    });
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.run(uri, async (c, _site, path) => {
      const { entries, unparsed } = await c.list(path);
      for (const u of unparsed) this.log.warn(`Could not read a listing line of ${uri.toString(true)}: ${JSON.stringify(u.line)} (${u.reason})`);
      this.cache.set(this.cacheKey(uri, path), entries);
      return entries.map((e) => [e.name, this.toStat(e).type] as [string, vscode.FileType]);
    });
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.run(uri, (c, _site, path) => c.download(path));
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
    const existed = await this.run(uri, async (c, site, path) => {
      const current = await this.exists(c, path);
      if (current?.type === 'directory') throw vscode.FileSystemError.FileIsADirectory(uri);
      if (current && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
      if (!current && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
      if (!current && !(await this.exists(c, parentPath(path)))) throw vscode.FileSystemError.FileNotFound(vscode.Uri.joinPath(uri, '..'));
      const data = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
      if (!site.safeSave) {
        await c.upload(path, data);
        return !!current;
      }
      await this.safeUpload(c, path, data, !!current);
      return !!current;
    }, false);
    this.changed(uri, existed ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created);
  }

  /** Upload to a temporary name, check its size, rename it over the target; the target is untouched on failure. */
  private async safeUpload(c: FtpClient, path: string, data: Buffer, targetExists: boolean): Promise<void> {
    const temp = joinPath(parentPath(path), `.${baseName(path)}.ftpws-${Date.now().toString(36)}.tmp`);
    try {
      await c.upload(temp, data);
      const size = await c.size(temp).catch(() => undefined);
      if (size !== undefined && size !== data.length) {
        throw new FtpError('transient', `The upload arrived incomplete (${size} of ${data.length} bytes); the file on the server was left as it was.`);
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
    } catch (e) {
      await c.delete(temp).catch(() => undefined);
      throw e;
    }
  }

  async delete(uri: vscode.Uri, options: { recursive: boolean }): Promise<void> {
    await this.run(uri, async (c, _site, path) => {
      const entry = await this.exists(c, path);
      if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
      if (entry.type === 'directory') await c.rmdir(path, { recursive: options.recursive });
      else await c.delete(path);
    }, false);
    this.changed(uri, vscode.FileChangeType.Deleted);
  }

  async rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    if (oldUri.authority !== newUri.authority || oldUri.scheme !== newUri.scheme) throw vscode.FileSystemError.Unavailable('Renaming across FTP sites is not possible.');
    await this.run(oldUri, async (c, site, from) => {
      const to = this.serverPath(site, newUri);
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
