/**
 * One FtpPool per URI authority: a configured site name (`ftp://demo/`) or an ad-hoc
 * `ftp://user@host:port/` (anonymous without a user). Pools are created on first use and dropped
 * when the settings change, so a changed setting takes effect without a reload.
 */
import * as vscode from 'vscode';
import { FtpPool, LogEvent, TransferMode } from '../ftp';
import { SiteConfig, defaultTransferMode, methodOrder, readSites } from '../sites/config';
import { SiteSecrets } from '../sites/secrets';

export interface SiteConnection {
  name: string;
  pool: FtpPool;
  /** The configured transfer mode; in 'auto' the pool's modeMemory says what worked. */
  mode: TransferMode;
  /** Server path that the URI path `/` maps to. */
  root: string;
  safeSave: boolean;
}

export class Connections implements vscode.Disposable {
  private readonly open = new Map<string, Promise<SiteConnection>>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: SiteSecrets, private readonly log: vscode.LogOutputChannel) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('ftpWorkspace')) void this.closeAll();
    });
  }

  /** The site's connection if one is open or opening, without opening one. */
  peek(uri: vscode.Uri): Promise<SiteConnection> | undefined {
    return this.open.get(`${uri.scheme}://${uri.authority}`);
  }

  get(uri: vscode.Uri): Promise<SiteConnection> {
    const key = `${uri.scheme}://${uri.authority}`;
    let c = this.open.get(key);
    if (!c) {
      c = this.create(uri);
      this.open.set(key, c);
      c.catch(() => this.open.delete(key));
    }
    return c;
  }

  private async create(uri: vscode.Uri): Promise<SiteConnection> {
    const sites = readSites();
    const authority = decodeURIComponent(uri.authority);
    let name = authority;
    let site: SiteConfig | undefined = sites[authority];
    if (!site) {
      // ftp://user@host:port/ for a server that is not configured.
      const m = /^(?:([^@]*)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
      if (!m || authority === '') throw vscode.FileSystemError.Unavailable(`No FTP site named "${authority}" is configured (ftpWorkspace.sites).`);
      site = { host: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : undefined, user: m[1] || undefined, secure: uri.scheme === 'ftps' ? 'explicit' : 'off' };
      name = authority;
    }
    const anonymous = !site.user || site.user === 'anonymous' || site.user === 'ftp';
    let password = anonymous ? undefined : await this.secrets.get(name);
    if (!anonymous && password === undefined) {
      password = await vscode.window.showInputBox({ prompt: `Password for ${site.user}@${site.host} (FTP site "${name}")`, password: true, ignoreFocusOut: true });
      if (password === undefined) throw vscode.FileSystemError.NoPermissions(`No password given for FTP site "${name}".`);
      const remember = await vscode.window.showInformationMessage(`Remember the password for "${name}" in VS Code's secret storage?`, 'Remember', 'Not now');
      if (remember === 'Remember') await this.secrets.set(name, password);
    }
    const pool = new FtpPool({
      host: site.host, port: site.port, user: site.user, password, secure: site.secure ?? 'off',
      transferMode: site.transferMode ?? defaultTransferMode(), methodOrder: methodOrder(site),
      trustPasvAddress: site.passive?.trustPasvAddress, active: site.active, encoding: site.encoding,
      serverTimeZoneOffsetMinutes: site.serverTimeZoneOffsetMinutes, maxConnections: site.maxConnections ?? 2,
      log: (e: LogEvent) => this.logEvent(name, e),
    });
    return { name, pool, mode: site.transferMode ?? defaultTransferMode(), root: (site.remoteRoot ?? '/').replace(/\/+$/, '') || '/', safeSave: site.safeSave ?? true };
  }

  private logEvent(site: string, e: LogEvent): void {
    const text = `[${site}#${e.connection}] ${e.kind === 'command' ? '> ' : e.kind === 'reply' ? '< ' : ''}${e.text}`;
    if (e.kind === 'error') this.log.warn(text);
    else if (e.kind === 'info' || e.kind === 'data') this.log.info(text);
    else this.log.trace(text);
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((c) => c.then((x) => x.pool.close(), () => undefined)));
  }

  dispose(): void {
    this.subscription.dispose();
    void this.closeAll();
  }
}
