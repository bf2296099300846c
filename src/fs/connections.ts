/**
 * One FtpPool per site: a configured site name (`ftp://demo/` and `ftps://demo/` share one pool and
 * its maxConnections; the site's settings decide its security), or an ad-hoc
 * `ftp://user@host:port/` (anonymous without a user; `ftp://` and `ftps://` are separate servers).
 * Pools are created on first use and dropped when the settings change, so a changed setting takes
 * effect without a reload. A password is sent only to the server it was stored for (see
 * sites/secrets.ts). Each site's state (idle, connected, failed) is published for the sites view
 * and the status bar.
 */
import * as vscode from 'vscode';
import { DataMethod, FallbackEvent, FtpPool, LogEvent, PoolOptions, Timeouts, TransferMode, isFtpError } from '../ftp';
import { SiteConfig, defaultTransferMode, methodOrder, siteOf, workspaceSitesWithheld } from '../sites/config';
import { SiteSecrets, describeServer, serverIdentity } from '../sites/secrets';
import { TrustedCertificates } from '../sites/certificates';
import { escapeMessage } from '../ui/escape';
import { parseAuthority } from '../sites/names';

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

/** A site as a URI names it: configured (by name), or ad hoc (user, host and port in the URI). */
export interface ResolvedSite {
  name: string;
  site: SiteConfig;
  configured: boolean;
}

export class Connections implements vscode.Disposable {
  /** Keyed by `poolKey`: one per configured site, one per ad-hoc scheme + authority. */
  private readonly open = new Map<string, Promise<SiteConnection>>();
  /** `scheme://authority` -> pool key, until the settings change (a settings lookup per operation is not needed). */
  private readonly keyCache = new Map<string, string>();
  /** The site name of each key in `open` (what the view, Disconnect and the notices call it). */
  private readonly names = new Map<string, string>();
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

  /**
   * The pool a URI uses: a configured site's name whatever the scheme (one pool, one connection
   * cap), or the scheme and authority of an ad-hoc server (ftp:// and ftps:// are different servers).
   */
  private key(uri: vscode.Uri): string {
    const address = `${uri.scheme}://${uri.authority}`;
    let key = this.keyCache.get(address);
    if (key === undefined) {
      const configured = siteOf(uri);
      key = configured ? `site:${configured.name}` : address;
      this.keyCache.set(address, key);
    }
    return key;
  }

  private static nameOf(uri: vscode.Uri): string {
    return siteOf(uri)?.name ?? decodeURIComponent(uri.authority);
  }

  private keysOf(site: string): string[] {
    return [...this.names].filter(([, name]) => name === site).map(([key]) => key);
  }

  /** The site's connection if one is open or opening, without opening one. */
  peek(uri: vscode.Uri): Promise<SiteConnection> | undefined {
    return this.open.get(this.key(uri));
  }

  /** State of a site by name, over its pools (an ad-hoc name may have an ftp:// and an ftps:// one). */
  stateOf(site: string): SiteState {
    const keys = this.keysOf(site);
    for (const key of keys) {
      const failure = this.failures.get(key);
      if (failure) return { state: 'failed', message: failure };
    }
    const connected = keys.some((key) => {
      const s = this.pools.get(key)?.stats;
      return !!s && s.idle + s.busy > 0;
    });
    return connected ? { state: 'connected' } : { state: 'idle' };
  }

  /** The working data method auto mode learnt for a site (this session or an earlier one). */
  workingMethod(site: string): DataMethod | undefined {
    for (const key of this.keysOf(site)) {
      const working = this.pools.get(key)?.modeMemory.working;
      if (working) return working;
    }
    return this.memory.get<Record<string, DataMethod>>(MEMORY_KEY)?.[site];
  }

  /** How many pools are open or opening (tests: one per configured site, whatever the scheme). */
  get poolCount(): number {
    return this.open.size;
  }

  get(uri: vscode.Uri): Promise<SiteConnection> {
    const key = this.key(uri);
    let c = this.open.get(key);
    if (!c) {
      c = this.create(uri, key);
      this.open.set(key, c);
      this.names.set(key, Connections.nameOf(uri));
      c.catch(() => {
        if (this.open.get(key) === c) {
          this.open.delete(key);
          this.names.delete(key);
        }
      });
    }
    return c;
  }

  /** Called by the provider after each operation, so the state shown is the real one. */
  reportResult(uri: vscode.Uri, error?: unknown): void {
    const key = this.key(uri);
    if (!this.names.has(key)) this.names.set(key, Connections.nameOf(uri));
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
  resolveSite(uri: vscode.Uri): ResolvedSite {
    const authority = decodeURIComponent(uri.authority);
    const configured = siteOf(uri);
    if (configured) {
      // The settings decide a configured site's security: an ftps:// address must not quietly mean plain FTP.
      if (uri.scheme === 'ftps' && (configured.site.secure ?? 'off') === 'off') {
        throw vscode.FileSystemError.NoPermissions(escapeMessage(`FTP site "${configured.name}" is set up for plain FTP, but was opened as ftps://${configured.name}/. Set "secure": "explicit" (or "implicit") for it in ftpWorkspace.sites to use FTPS, or open ftp://${configured.name}/.`));
      }
      return { ...configured, configured: true };
    }
    // A bare name (no user, port or dot) is a site name, not a host: in an untrusted workspace it
    // may be one the workspace defines and VS Code withholds. Don't look it up as a host name.
    if (workspaceSitesWithheld() && /^[A-Za-z0-9_-]+$/.test(authority)) {
      throw vscode.FileSystemError.NoPermissions(escapeMessage(`No FTP site named "${authority}" is available. This workspace is not trusted, so the sites it defines are ignored: trust the workspace to use them.`));
    }
    const parts = parseAuthority(uri.authority);
    if (!parts || authority === '') throw vscode.FileSystemError.Unavailable(escapeMessage(`No FTP site named "${authority}" is configured (ftpWorkspace.sites).`));
    if (parts.hasPassword) {
      // Never sent as the user name, never shown, never stored: VS Code keeps addresses in its
      // recent lists and window titles, so a password does not belong in one.
      const safe = `${uri.scheme}://${parts.user ? `${parts.user}:…@` : ''}${uri.authority.slice(uri.authority.lastIndexOf('@') + 1)}/`;
      throw vscode.FileSystemError.NoPermissions(escapeMessage(`${safe}: an FTP address with a password in it is not used (VS Code keeps addresses in its recent lists and window titles). Open ${uri.scheme}://${parts.user ? `${parts.user}@` : ''}${uri.authority.slice(uri.authority.lastIndexOf('@') + 1)}/ instead: the password is asked for and kept in VS Code's secret storage. Or add the site with FTP: Add Site....`));
    }
    return { name: authority, configured: false, site: { host: parts.host, port: parts.port, user: parts.user, secure: uri.scheme === 'ftps' ? 'explicit' : 'off' } };
  }

  /** The password to send for a site: stored for this very server, or asked (and maybe remembered). */
  private async password(name: string, site: SiteConfig): Promise<string | undefined> {
    const anonymous = !site.user || site.user === 'anonymous' || site.user === 'ftp';
    if (anonymous) return undefined;
    const server = serverIdentity(site);
    const stored = await this.secrets.lookup(name, server);
    if (stored.kind === 'bound') return stored.password;
    // VS Code retries on its own: after Escape, don't ask again until the user reconnects.
    if (this.passwordDeclined.has(name)) throw vscode.FileSystemError.NoPermissions(escapeMessage(`No password given for FTP site "${name}". Run FTP: Set Password... or FTP: Reconnect.`));
    const why = stored.kind === 'otherServer'
      ? `The server of FTP site "${name}" changed from ${describeServer(stored.storedFor)} to ${describeServer(server)}; its saved password is not sent to the new server. `
      : stored.kind === 'unbound' ? `The saved password of FTP site "${name}" is not tied to a server yet (saved by an earlier version), so it is not sent. ` : '';
    if (why) this.log.warn(`[${name}] ${why}Asking for the password of ${describeServer(server)}.`);
    const password = await vscode.window.showInputBox({
      // The prompt renders links like a notification does: escaped too.
      title: stored.kind === 'otherServer' ? escapeMessage(`FTP site "${name}": the server changed`) : undefined,
      prompt: escapeMessage(`${why}Password for ${describeServer(server)}, FTP site "${name}"`), password: true, ignoreFocusOut: true,
    });
    if (password === undefined) {
      this.passwordDeclined.add(name);
      throw vscode.FileSystemError.NoPermissions(escapeMessage(`No password given for FTP site "${name}".`));
    }
    const remember = await vscode.window.showInformationMessage(escapeMessage(stored.kind === 'otherServer'
      ? `Remember the password for "${name}" (${describeServer(server)}) in VS Code's secret storage, in place of the one saved for ${describeServer(stored.storedFor)}?`
      : `Remember the password for "${name}" in VS Code's secret storage?`), 'Remember', 'Not now');
    if (remember === 'Remember') await this.secrets.set(name, password, server);
    return password;
  }

  /** The engine options of a site: its settings, its password (asked when missing), its trusted certificate. */
  async connectOptions(name: string, site: SiteConfig): Promise<PoolOptions & { server: string }> {
    const secure = site.secure ?? 'off';
    const port = site.port ?? (secure === 'implicit' ? 990 : 21);
    const server = `${site.host}:${port}`;
    const password = await this.password(name, site);
    return {
      server, host: site.host, port, user: site.user, password, secure,
      tls: { trustedFingerprint256: this.certificates.get(name, server) },
      transferMode: site.transferMode ?? defaultTransferMode(), methodOrder: methodOrder(site),
      trustPasvAddress: site.passive?.trustPasvAddress, active: site.active, encoding: site.encoding,
      listCommand: site.listCommand, serverTimeZoneOffsetMinutes: site.serverTimeZoneOffsetMinutes,
      maxConnections: site.maxConnections ?? 2, keepaliveIntervalMs: (site.keepaliveSeconds ?? 0) * 1000,
      timeouts: siteTimeouts(site),
      log: (e: LogEvent) => this.logEvent(name, e),
    };
  }

  private async create(uri: vscode.Uri, key: string): Promise<SiteConnection> {
    const { name, site } = this.resolveSite(uri);
    const options = await this.connectOptions(name, site);
    const mode = options.transferMode!;
    const pool = new FtpPool(options);
    // Auto mode starts from what worked last time for this site, and remembers what works now.
    const remembered = this.memory.get<Record<string, DataMethod>>(MEMORY_KEY)?.[name];
    if (mode === 'auto' && remembered) pool.modeMemory.working = remembered;
    pool.modeMemory.onFallback((event) => {
      void this.memory.update(MEMORY_KEY, { ...this.memory.get<Record<string, DataMethod>>(MEMORY_KEY), [name]: event.method });
      this.fallbackEmitter.fire({ site: name, event });
    });
    this.pools.set(key, pool);
    return { name, server: options.server, pool, mode, root: (site.remoteRoot ?? '/').replace(/\/+$/, '') || '/', safeSave: site.safeSave ?? true, caseSensitive: site.caseSensitive ?? true };
  }

  private logEvent(site: string, e: LogEvent): void {
    const text = `[${site}#${e.connection}] ${e.kind === 'command' ? '> ' : e.kind === 'reply' ? '< ' : ''}${e.text}`;
    if (e.kind === 'error') this.log.warn(text);
    else if (e.kind === 'info' || e.kind === 'data') this.log.info(text);
    else this.log.trace(text);
  }

  /** Closes one site's connections (an ad-hoc name's under both schemes); they reopen on next use. */
  async close(site: string): Promise<void> {
    this.passwordDeclined.delete(site);
    await this.closeKeys(this.keysOf(site));
  }

  async closeAll(): Promise<void> {
    this.passwordDeclined.clear();
    this.keyCache.clear(); // settings changed, or trust was granted: a name may now mean another site
    await this.closeKeys([...new Set([...this.open.keys(), ...this.names.keys()])]);
  }

  private async closeKeys(keys: string[]): Promise<void> {
    const closing = keys.map((k) => this.open.get(k)).filter((c): c is Promise<SiteConnection> => !!c);
    for (const k of keys) {
      const name = this.names.get(k);
      if (name !== undefined) this.passwordDeclined.delete(name);
      this.names.delete(k);
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

/** The engine's timeouts from a site's settings: only what the site sets, the engine's defaults otherwise. */
function siteTimeouts(site: SiteConfig): Partial<Timeouts> {
  const t: Partial<Timeouts> = {};
  if (site.dataConnectTimeoutSeconds) t.dataConnectMs = site.dataConnectTimeoutSeconds * 1000;
  if (site.timeoutSeconds) {
    const ms = site.timeoutSeconds * 1000;
    t.replyMs = ms;
    t.connectMs = Math.min(ms, 15_000);
    t.dataIdleMs = ms * 2;
  }
  return t;
}
