/**
 * One FtpPool per URI authority: a configured site name (`ftp://demo/`) or an ad-hoc
 * `ftp://user@host:port/` (anonymous without a user). Pools are created on first use and dropped
 * when the settings change, so a changed setting takes effect without a reload. Each site's state
 * (idle, connected, failed) is published for the sites view and the status bar.
 */
import * as vscode from 'vscode';
import { DataMethod, FallbackEvent, FtpPool, LogEvent, PoolOptions, TransferMode, isFtpError } from '../ftp';
import { SiteConfig, defaultTransferMode, methodOrder, siteOf, workspaceSitesWithheld } from '../sites/config';
import { SiteSecrets } from '../sites/secrets';
import { TrustedCertificates } from '../sites/certificates';

export interface SiteConnection {
  name: string;
  /** `host:port`, as certificates are trusted per server. */
  server: string;
  pool: FtpPool;
  /** The configured transfer mode; in 'auto' the pool's modeMemory says what worked. */
  mode: TransferMode;
  /** Server path that the URI path `/` maps to. */
  root: string;
  safeSave: boolean;
  caseSensitive: boolean;
}

export type SiteState = { state: 'idle' } | { state: 'connected' } | { state: 'failed'; message: string };

const MEMORY_KEY = 'ftpWorkspace.workingMethods';
const siteOfKey = (key: string) => decodeURIComponent(key.replace(/^ftps?:\/\//, ''));

export class Connections implements vscode.Disposable {
  private readonly open = new Map<string, Promise<SiteConnection>>();
  /** The pools of `open` once created, for state that must be read synchronously (the view). */
  private readonly pools = new Map<string, FtpPool>();
  private readonly failures = new Map<string, string>();
  /** Sites whose connected state the view and status bar have been told about. */
  private readonly announcedConnected = new Set<string>();
  /** Sites whose password prompt the user dismissed (until Disconnect, Reconnect or Set Password). */
  private readonly passwordDeclined = new Set<string>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly fallbackEmitter = new vscode.EventEmitter<{ site: string; event: FallbackEvent }>();
  /** Fires when a site connects, fails, or is closed. */
  readonly onDidChange = this.changeEmitter.event;
  /** Auto mode found that one mode fails and another works (for the one-time notice). */
  readonly onDidFallBack = this.fallbackEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly secrets: SiteSecrets,
    readonly certificates: TrustedCertificates,
    private readonly memory: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('ftpWorkspace')) void this.closeAll();
      }),
      // Trusting the workspace makes its sites exist: connect afresh.
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.closeAll()),
      this.changeEmitter,
      this.fallbackEmitter,
    ];
  }

  private static key(uri: vscode.Uri): string {
    return `${uri.scheme}://${uri.authority}`;
  }

  /** The site's connection if one is open or opening, without opening one. */
  peek(uri: vscode.Uri): Promise<SiteConnection> | undefined {
    return this.open.get(Connections.key(uri));
  }

  /** State of a site by name, over both schemes. */
  stateOf(site: string): SiteState {
    for (const scheme of ['ftp', 'ftps']) {
      const failure = this.failures.get(`${scheme}://${site}`);
      if (failure) return { state: 'failed', message: failure };
    }
    return this.connectedSites().has(site) ? { state: 'connected' } : { state: 'idle' };
  }

  private connectedSites(): Set<string> {
    const names = new Set<string>();
    for (const [key, pool] of this.pools) {
      const s = pool.stats;
      if (s.idle + s.busy > 0) names.add(siteOfKey(key));
    }
    return names;
  }

  /** The working data method auto mode learnt for a site (this session or an earlier one). */
  workingMethod(site: string): DataMethod | undefined {
    for (const [key, pool] of this.pools) if (siteOfKey(key) === site && pool.modeMemory.working) return pool.modeMemory.working;
    return this.memory.get<Record<string, DataMethod>>(MEMORY_KEY)?.[site];
  }

  get(uri: vscode.Uri): Promise<SiteConnection> {
    const key = Connections.key(uri);
    let c = this.open.get(key);
    if (!c) {
      c = this.create(uri);
      this.open.set(key, c);
      c.catch(() => this.open.delete(key));
    }
    return c;
  }

  /** Called by the provider after each operation, so the state shown is the real one. */
  reportResult(uri: vscode.Uri, error?: unknown): void {
    const key = Connections.key(uri);
    const before = this.failures.get(key);
    // Only a failure to reach or log in to the server marks the site as failed; a 550 does not.
    const connectionLevel = isFtpError(error) && ['unreachable', 'loginRefused', 'tls', 'timeout', 'connectionLost', 'protocol'].includes(error.kind);
    if (connectionLevel) this.failures.set(key, (error as Error).message);
    else if (!error) this.failures.delete(key);
    // Every operation ends here: tell the view and status bar only when the state they show changes.
    const newlyConnected = !error && !this.announcedConnected.has(key);
    if (newlyConnected) this.announcedConnected.add(key);
    if (before !== this.failures.get(key) || newlyConnected) this.changeEmitter.fire();
  }

  /** The site a URI names: configured, or ad hoc (`ftp://user@host:port/`). */
  resolveSite(uri: vscode.Uri): { name: string; site: SiteConfig } {
    const authority = decodeURIComponent(uri.authority);
    const configured = siteOf(uri);
    if (configured) return configured;
    // A bare name (no user, port or dot) is a site name, not a host: in an untrusted workspace it
    // may be one the workspace defines and VS Code withholds. Don't look it up as a host name.
    if (workspaceSitesWithheld() && /^[A-Za-z0-9_-]+$/.test(authority)) {
      throw vscode.FileSystemError.NoPermissions(`No FTP site named "${authority}" is available. This workspace is not trusted, so the sites it defines are ignored: trust the workspace to use them.`);
    }
    const m = /^(?:([^@]*)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
    if (!m || authority === '') throw vscode.FileSystemError.Unavailable(`No FTP site named "${authority}" is configured (ftpWorkspace.sites).`);
    return { name: authority, site: { host: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : undefined, user: m[1] || undefined, secure: uri.scheme === 'ftps' ? 'explicit' : 'off' } };
  }

  /** The engine options of a site: its settings, its password (asked when missing), its trusted certificate. */
  async connectOptions(name: string, site: SiteConfig, scheme = 'ftp'): Promise<PoolOptions & { server: string }> {
    const secure = site.secure ?? (scheme === 'ftps' ? 'explicit' : 'off');
    const port = site.port ?? (secure === 'implicit' ? 990 : 21);
    const server = `${site.host}:${port}`;
    const anonymous = !site.user || site.user === 'anonymous' || site.user === 'ftp';
    let password = anonymous ? undefined : await this.secrets.get(name);
    if (!anonymous && password === undefined) {
      // VS Code retries on its own: after Escape, don't ask again until the user reconnects.
      if (this.passwordDeclined.has(name)) throw vscode.FileSystemError.NoPermissions(`No password given for FTP site "${name}". Run FTP: Set Password... or FTP: Reconnect.`);
      password = await vscode.window.showInputBox({ prompt: `Password for ${site.user}@${site.host} (FTP site "${name}")`, password: true, ignoreFocusOut: true });
      if (password === undefined) {
        this.passwordDeclined.add(name);
        throw vscode.FileSystemError.NoPermissions(`No password given for FTP site "${name}".`);
      }
      const remember = await vscode.window.showInformationMessage(`Remember the password for "${name}" in VS Code's secret storage?`, 'Remember', 'Not now');
      if (remember === 'Remember') await this.secrets.set(name, password);
    }
    return {
      server, host: site.host, port, user: site.user, password, secure,
      tls: { trustedFingerprint256: this.certificates.get(name, server) },
      transferMode: site.transferMode ?? defaultTransferMode(), methodOrder: methodOrder(site),
      trustPasvAddress: site.passive?.trustPasvAddress, active: site.active, encoding: site.encoding,
      listCommand: site.listCommand, serverTimeZoneOffsetMinutes: site.serverTimeZoneOffsetMinutes,
      maxConnections: site.maxConnections ?? 2, keepaliveIntervalMs: (site.keepaliveSeconds ?? 0) * 1000,
      ...(site.dataConnectTimeoutSeconds ? { timeouts: { dataConnectMs: site.dataConnectTimeoutSeconds * 1000 } } : {}),
      log: (e: LogEvent) => this.logEvent(name, e),
    };
  }

  private async create(uri: vscode.Uri): Promise<SiteConnection> {
    const { name, site } = this.resolveSite(uri);
    const options = await this.connectOptions(name, site, uri.scheme);
    const mode = options.transferMode!;
    const pool = new FtpPool(options);
    // Auto mode starts from what worked last time for this site, and remembers what works now.
    const remembered = this.memory.get<Record<string, DataMethod>>(MEMORY_KEY)?.[name];
    if (mode === 'auto' && remembered) pool.modeMemory.working = remembered;
    pool.modeMemory.onFallback((event) => {
      void this.memory.update(MEMORY_KEY, { ...this.memory.get<Record<string, DataMethod>>(MEMORY_KEY), [name]: event.method });
      this.fallbackEmitter.fire({ site: name, event });
    });
    this.pools.set(Connections.key(uri), pool);
    return { name, server: options.server, pool, mode, root: (site.remoteRoot ?? '/').replace(/\/+$/, '') || '/', safeSave: site.safeSave ?? true, caseSensitive: site.caseSensitive ?? true };
  }

  private logEvent(site: string, e: LogEvent): void {
    const text = `[${site}#${e.connection}] ${e.kind === 'command' ? '> ' : e.kind === 'reply' ? '< ' : ''}${e.text}`;
    if (e.kind === 'error') this.log.warn(text);
    else if (e.kind === 'info' || e.kind === 'data') this.log.info(text);
    else this.log.trace(text);
  }

  /** Closes one site's connections (both schemes); they reopen on next use. */
  async close(site: string): Promise<void> {
    this.passwordDeclined.delete(site);
    const keys = [...this.open.keys()].filter((k) => siteOfKey(k) === site);
    await this.closeKeys(keys);
  }

  async closeAll(): Promise<void> {
    this.passwordDeclined.clear();
    await this.closeKeys([...this.open.keys()]);
  }

  private async closeKeys(keys: string[]): Promise<void> {
    const closing = keys.map((k) => this.open.get(k)!);
    for (const k of keys) {
      this.passwordDeclined.delete(siteOfKey(k));
      this.open.delete(k);
      this.pools.delete(k);
      this.failures.delete(k);
      this.announcedConnected.delete(k);
    }
    await Promise.all(closing.map((c) => c.then((x) => x.pool.close(), () => undefined)));
    this.changeEmitter.fire();
  }

  dispose(): void {
    void this.closeAll();
    this.subscriptions.forEach((s) => s.dispose());
  }
}
