/**
 * One FtpPool per site: a configured site name (`ftp://demo/` and `ftps://demo/` share one pool and
 * its maxConnections; the site's settings decide its security), or an ad-hoc
 * `ftp://user@host:port/` (anonymous without a user; `ftp://` and `ftps://` are separate servers).
 * Pools are created on first use and dropped when the settings change, so a changed setting takes
 * effect without a reload; only the pools whose site changed are closed. A password is sent only to
 * the server it was stored for (see sites/secrets.ts).
 *
 * This is the one owner of each site's state (idle, connected, failed): every operation's outcome
 * arrives here (`reportResult`), and `onDidChange` fires only when what the view and the status bar
 * show changes. A failure to reach or log in to a site starts a failure episode: `onDidFail` fires
 * once, and not again for that site until it works again or the user acts (Retry, Reconnect, a
 * password, a settings change). A refused login is not sent again until the user acts (servers lock
 * out clients that keep trying). `onDidRequestReload` says when a fixed site's folders should be read again.
 */
import * as vscode from 'vscode';
import type { DataMethod, FallbackEvent, FtpErrorKind, FtpClient, FtpPool, LogEvent, PoolOptions, Timeouts, TransferMode } from '../ftp';
import { isFtpError } from '../ftp/errors';
import type { FtpError } from '../ftp/errors';
import { loadEngine } from './engine';
import { SiteConfig, defaultTransferMode, methodOrder, siteOf, workspaceSitesWithheld } from '../sites/config';
import { SiteSecrets, describeServer, sameServer, serverIdentity } from '../sites/secrets';
import { TrustedCertificates } from '../sites/certificates';
import { escapeMessage } from '../ui/escape';
import { parseAuthority } from '../sites/names';
import { ProbeLogFilter } from './probe-log';

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

export type SiteState = { state: 'idle' } | { state: 'connected' } | { state: 'reconnecting'; message: string } | { state: 'failed'; message: string; kind?: FtpErrorKind };

/** The first failure of a failure episode, as `onDidFail` tells it (once per episode and site). */
export interface SiteFailure {
  site: string;
  /** Configured in ftpWorkspace.sites; otherwise an ad-hoc `ftp://user@host/` address. */
  configured: boolean;
  /** The site's settings as the failing connection used them. */
  config: SiteConfig;
  error: FtpError;
  /**
   * A refused login that a password may cure, asked about once: the site has a user, and the
   * refused password was not itself typed after an earlier refusal.
   */
  askPassword: boolean;
  /** The refused password is the one the user typed after an earlier refusal. */
  refusedAgain: boolean;
}

/** Failures that mean the site can't be reached or logged in to (a 550 on one file does not). */
const CONNECTION_KINDS: readonly FtpErrorKind[] = ['unreachable', 'loginRefused', 'tls', 'timeout', 'connectionLost', 'protocol'];
/** Of those, the ones that only count while the site has no working connection left. */
const ONLY_WITHOUT_CONNECTION: readonly FtpErrorKind[] = ['timeout', 'connectionLost', 'protocol'];
/** Site settings that only change how files move, not what the site shows: changing them reloads no folder. */
const TRANSFER_KEYS = new Set(['transferMode', 'passive', 'active', 'maxConnections', 'keepaliveSeconds', 'dataConnectTimeoutSeconds', 'timeoutSeconds', 'safeSave', 'pollSeconds']);

const MEMORY_KEY = 'ftpWorkspace.workingMethods';

/** A site opened without asking anything: its settings and the password stored for them (none: anonymous). */
interface Quiet {
  name: string;
  site: SiteConfig;
  password: string | undefined;
}

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
  /** A URI of each key's site (its root), so a settings change can tell which sites it changed. */
  private readonly addresses = new Map<string, vscode.Uri>();
  /** The settings each key's pool was made with (JSON), to close only the pools whose site changed. */
  private readonly configs = new Map<string, { json: string; site: SiteConfig }>();
  private readonly failures = new Map<string, FtpError | Error>();
  /** A refused login per key: not sent again (servers lock out clients that keep trying) until the user acts. */
  private readonly heldLogins = new Map<string, FtpError>();
  /**
   * Keys whose open pool a settings change closed (key -> site name and root URI): a poll may open
   * them again with the new settings (`openForPoll`), never asking for anything. Disconnect,
   * Reconnect and any other close end that.
   */
  private readonly resumable = new Map<string, { name: string; uri: vscode.Uri }>();
  /** Sites whose password prompt the user dismissed (until Disconnect, Reconnect or Set Password). */
  private readonly passwordDeclined = new Set<string>();
  /** Sites in a failure episode the user has been told about (by name). */
  private readonly notified = new Set<string>();
  /** Sites whose password was typed after a refused login: a refusal of that one is told, not asked again. */
  private readonly passwordRetyped = new Set<string>();
  /** What `onDidChange` last told, per site name. */
  private readonly published = new Map<string, string>();
  /** VS Code's probes' commands, held back per connection until their replies say whether they are noise. */
  private readonly probes = new ProbeLogFilter();
  /** Per `site#connection`: the server answered QUIT, so the connection closing is no news. */
  private readonly quitting = new Set<string>();
  /** Per `site#connection`: a routine operation runs there (a poll's listing): its lines go at debug. */
  private readonly routine = new Set<string>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly fallbackEmitter = new vscode.EventEmitter<{ site: string; event: FallbackEvent }>();
  private readonly failEmitter = new vscode.EventEmitter<SiteFailure>();
  private readonly reloadEmitter = new vscode.EventEmitter<{ site: string; uri: vscode.Uri }>();
  /** Fires when what a site shows changes: it connects, fails, is closed, its idle connections close, auto mode learns a method. */
  readonly onDidChange = this.changeEmitter.event;
  /** Auto mode found that one mode fails and another works (for the one-time notice). */
  readonly onDidFallBack = this.fallbackEmitter.event;
  /** The first connection-level failure of a failure episode: once per episode and site. */
  readonly onDidFail = this.failEmitter.event;
  /**
   * The user acted on a site (Retry, Reconnect, a password, a settings change that a failed site or
   * its folder contents depend on): its folders should be read again, so the Explorer recovers by itself.
   */
  readonly onDidRequestReload = this.reloadEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly secrets: SiteSecrets,
    readonly certificates: TrustedCertificates,
    private readonly memory: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Idle connections close on the pool's own timer, without an event: look now and then, and
    // tell only when what is shown changes (a view refreshed on every tick loses its open tooltip).
    const timer = setInterval(() => this.publish(), 2000);
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('ftpWorkspace.sites') || e.affectsConfiguration('ftpWorkspace.defaultTransferMode')) void this.settingsChanged();
      }),
      // Trusting the workspace makes its sites exist: connect afresh.
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.closeAll()),
      this.changeEmitter,
      this.fallbackEmitter,
      this.failEmitter,
      this.reloadEmitter,
      new vscode.Disposable(() => clearInterval(timer)),
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
      key = Connections.keyNow(uri);
      this.keyCache.set(address, key);
    }
    return key;
  }

  private static keyNow(uri: vscode.Uri): string {
    const configured = siteOf(uri);
    return configured ? `site:${configured.name}` : `${uri.scheme}://${uri.authority}`;
  }

  /**
   * The site `uri` names now, if it is still the site of `key` (read from the settings, not the
   * cache): a settings change may land during any wait, and a pool made with what was read before
   * it would keep the old server and settings, since that change found no pool to close.
   */
  private siteNow(uri: vscode.Uri, key: string): ResolvedSite | undefined {
    try {
      return Connections.keyNow(uri) === key ? this.resolveSite(uri) : undefined;
    } catch {
      return undefined;
    }
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

  /** The site's pool was open when a settings change closed it, and nothing closed it since. */
  isResumable(uri: vscode.Uri): boolean {
    return this.resumable.has(this.key(uri));
  }

  /**
   * The connection a poll may use: the open one, or a resumable one opened again with its new
   * settings when that needs no question (anonymous, or a password stored for its server);
   * otherwise undefined, and the site waits for the user's next operation, which opens it the
   * usual way. A poll never prompts: a password typed but not remembered is not asked again here.
   */
  async openForPoll(uri: vscode.Uri): Promise<SiteConnection | undefined> {
    const key = this.key(uri);
    const entry = this.resumable.get(key);
    if (!entry) return this.open.get(key);
    let quiet: Quiet | undefined;
    let asks = false;
    const resolved = this.siteNow(uri, key);
    if (resolved) {
      const { name, site } = resolved;
      try {
        // The password is looked up for the very settings the pool is made with.
        const stored = anonymous(site) ? undefined : await this.secrets.lookup(name, serverIdentity(site));
        if (!stored || stored.kind === 'bound') quiet = { name, site, password: stored?.password };
        else asks = true;
      } catch {
        // secret storage failed: not reopened
      }
    }
    // The user's operation may have opened it meanwhile, or Disconnect closed it: theirs decides.
    const opened = this.open.get(key);
    if (opened) return opened;
    if (this.resumable.get(key) !== entry) return undefined;
    // Settings changed again during the lookup: what was found is for the old ones. Still resumable,
    // so the next poll reads the new ones.
    const now = resolved && this.siteNow(uri, key);
    if (resolved && (!now || configJson(now.site) !== configJson(resolved.site))) return undefined;
    this.resumable.delete(key);
    if (!quiet) {
      if (asks) this.log.info(`[${entry.name}] not connecting again by itself after the settings change (no password stored for this server): looking for remote changes waits until the site is used`);
      return undefined;
    }
    this.log.info(`[${entry.name}] connecting again with the new settings, to look for remote changes`);
    return this.start(uri, key, quiet);
  }

  /** State of a site by name, over its pools (an ad-hoc name may have an ftp:// and an ftps:// one). */
  stateOf(site: string): SiteState {
    const keys = this.keysOf(site);
    for (const key of keys) {
      const failure = this.failures.get(key);
      if (failure) return { state: 'failed', message: failure.message, kind: isFtpError(failure) ? failure.kind : undefined };
    }
    // The server answered before and doesn't now: operations wait for it (up to the pool's outage
    // window) before anything fails, so say so meanwhile (the view and status bar look every 2 s).
    const down = keys.map((key) => this.pools.get(key)?.outage).find((o) => o !== undefined);
    if (down) return { state: 'reconnecting', message: down.reason };
    const connected = keys.some((key) => this.liveConnections(key) > 0);
    return connected ? { state: 'connected' } : { state: 'idle' };
  }

  private liveConnections(key: string): number {
    const s = this.pools.get(key)?.stats;
    return s ? s.idle + s.busy : 0;
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
    return this.start(uri, this.key(uri));
  }

  /** The key's connection, opened when there is none (`quiet`: with these settings and password, else asked as usual). */
  private start(uri: vscode.Uri, key: string, quiet?: Quiet): Promise<SiteConnection> {
    this.resumable.delete(key);
    if (!this.addresses.has(key)) this.addresses.set(key, uri.with({ path: '/', query: '', fragment: '' }));
    if (!this.names.has(key)) this.names.set(key, Connections.nameOf(uri));
    // A refused login is not tried again by itself: VS Code retries reads, and servers lock out
    // clients that keep sending a wrong password. The user's Retry, a password or a settings change lets it through.
    const held = this.heldLogins.get(key);
    if (held) return Promise.reject(held);
    let c = this.open.get(key);
    if (!c) {
      c = this.create(uri, key, quiet);
      this.open.set(key, c);
      c.catch(() => {
        if (this.open.get(key) === c) this.open.delete(key);
      });
    }
    return c;
  }

  /**
   * Every operation ends here (the provider, the searches), so the state shown is the real one.
   * A connection-level failure starts a failure episode (told once through `onDidFail`); a success ends it.
   */
  reportResult(uri: vscode.Uri, error?: unknown): void {
    const key = this.key(uri);
    if (!this.names.has(key)) this.names.set(key, Connections.nameOf(uri));
    if (!this.addresses.has(key)) this.addresses.set(key, uri.with({ path: '/', query: '', fragment: '' }));
    const name = this.names.get(key)!;
    if (!error) {
      this.failures.delete(key);
      this.notified.delete(name);
      this.passwordRetyped.delete(name);
      this.publish();
      return;
    }
    if (this.failed(key, error)) this.episode(key, name, error as FtpError);
    this.publish();
  }

  /**
   * A poll's failure (polls never show anything): a failure to reach or log in marks the site
   * failed, so polling stops, and a refused login is held as a user operation's is (servers lock
   * out clients that keep trying). The user is told by their next operation, which gets the same
   * failure (the held refusal, or the server's answer again).
   */
  reportPollFailure(uri: vscode.Uri, error: unknown): void {
    if (this.failed(this.key(uri), error)) this.publish();
  }

  /** Records a connection-level failure of `key` (a refused login held); false for any other failure. */
  private failed(key: string, error: unknown): boolean {
    // Only a failure to reach or log in to the server marks the site as failed; a 550 does not,
    // nor an operation cut off because the site was closed here (Disconnect, a settings change).
    if (!isFtpError(error) || !CONNECTION_KINDS.includes(error.kind) || closedHere(error)) return false;
    // A dropped or silent connection while others still work is that operation's problem, not the site's.
    const siteDown = !ONLY_WITHOUT_CONNECTION.includes(error.kind) || this.liveConnections(key) === 0;
    // Operations cut off when a refused login's pool was closed don't replace the refusal.
    if (!siteDown || (this.heldLogins.has(key) && error !== this.heldLogins.get(key))) return false;
    this.failures.set(key, error);
    if (error.kind === 'loginRefused' && !this.heldLogins.has(key)) this.holdLogin(key, error);
    return true;
  }

  /** Stops sending a refused login: the pool goes, and the key answers with the refusal until the user acts. */
  private holdLogin(key: string, error: FtpError): void {
    this.heldLogins.set(key, error);
    const c = this.open.get(key);
    this.open.delete(key);
    this.pools.delete(key);
    void c?.then((x) => x.pool.close(), () => undefined);
  }

  /** Tells a failure once per episode: not again until the site works or the user acts. */
  private episode(key: string, name: string, error: FtpError): void {
    if (this.notified.has(name)) return;
    // An untrusted certificate is the trust question's business (the provider asks it), not a notice's.
    if (error.kind === 'tls' && error.certificate) return;
    this.notified.add(name);
    const address = this.addresses.get(key);
    let config: SiteConfig | undefined = this.configs.get(key)?.site;
    let configured = key.startsWith('site:');
    if (!config && address) {
      try {
        ({ site: config, configured } = this.resolveSite(address));
      } catch {
        // reported as it is
      }
    }
    const site = config ?? { host: name };
    const refusedAgain = error.kind === 'loginRefused' && this.passwordRetyped.has(name);
    const askPassword = error.kind === 'loginRefused' && !refusedAgain && !anonymous(site);
    this.failEmitter.fire({ site: name, configured, config: site, error, askPassword, refusedAgain });
  }

  /** Tells the view and the status bar, only when what they show changed. */
  private publish(): void {
    let changed = false;
    for (const name of new Set([...this.names.values(), ...this.published.keys()])) {
      const now = JSON.stringify([this.stateOf(name), this.workingMethod(name) ?? null]);
      if (this.published.get(name) !== now) {
        this.published.set(name, now);
        changed = true;
      }
    }
    if (changed) this.changeEmitter.fire();
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
    if (anonymous(site)) return undefined;
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
    return this.optionsFor(name, site, await this.password(name, site));
  }

  /**
   * The engine options of a site with this password (Add Site tests a site before it is saved, the
   * doctor checks one): its settings, the certificate trusted for it, the log.
   */
  optionsFor(name: string, site: SiteConfig, password: string | undefined, fingerprint256?: string): PoolOptions & { server: string } {
    const secure = site.secure ?? 'off';
    const port = site.port ?? (secure === 'implicit' ? 990 : 21);
    const server = `${site.host}:${port}`;
    return {
      server, host: site.host, port, user: site.user, password, secure,
      tls: { trustedFingerprint256: fingerprint256 ?? this.certificates.get(name, server) },
      transferMode: site.transferMode ?? defaultTransferMode(), methodOrder: methodOrder(site),
      trustPasvAddress: site.passive?.trustPasvAddress, active: site.active, encoding: site.encoding,
      listCommand: site.listCommand, serverTimeZoneOffsetMinutes: site.serverTimeZoneOffsetMinutes,
      maxConnections: site.maxConnections ?? 2, keepaliveIntervalMs: (site.keepaliveSeconds ?? 0) * 1000,
      timeouts: siteTimeouts(site),
      log: (e: LogEvent) => this.logEvent(name, e),
      onOutageChange: () => this.publish(),
    };
  }

  private async create(uri: vscode.Uri, key: string, quiet?: Quiet): Promise<SiteConnection> {
    // The engine's first load (engine.ts) runs while the password is read from the secret storage.
    const engine = loadEngine();
    engine.catch(() => undefined); // told where it is awaited, below
    let { name, site } = quiet ?? this.resolveSite(uri);
    let options = quiet ? this.optionsFor(name, site, quiet.password) : await this.connectOptions(name, site);
    // The settings may change while a password is asked for: that change found no pool to close, so
    // the pool is made with the settings as they are now. The password typed goes only to the
    // server it was typed for; another server is asked for its own.
    while (!quiet) {
      const now = this.siteNow(uri, key);
      if (!now) throw vscode.FileSystemError.Unavailable(escapeMessage(`The settings of FTP site "${name}" changed while connecting: it names another site now. Try again.`));
      if (configJson(now.site) === configJson(site)) break;
      const sameLogin = sameServer(serverIdentity(now.site), serverIdentity(site));
      this.log.info(`[${name}] the site's settings changed while connecting: connecting with the new ones`);
      ({ name, site } = now);
      options = sameLogin ? this.optionsFor(name, site, options.password) : await this.connectOptions(name, site);
    }
    const mode = options.transferMode!;
    this.log.info(`[${name}] ${describeServer(serverIdentity(site))}: connecting`);
    const pool = new (await engine).FtpPool(options);
    // Auto mode starts from what worked last time for this site, and remembers what works now.
    const remembered = this.memory.get<Record<string, DataMethod>>(MEMORY_KEY)?.[name];
    if (mode === 'auto' && remembered) pool.modeMemory.working = remembered;
    pool.modeMemory.onFallback((event) => {
      void this.memory.update(MEMORY_KEY, { ...this.memory.get<Record<string, DataMethod>>(MEMORY_KEY), [name]: event.method });
      this.fallbackEmitter.fire({ site: name, event });
    });
    this.pools.set(key, pool);
    this.configs.set(key, { json: configJson(site), site });
    return { name, server: options.server, pool, mode, root: (site.remoteRoot ?? '/').replace(/\/+$/, '') || '/', safeSave: site.safeSave ?? true, caseSensitive: site.caseSensitive ?? true };
  }

  /**
   * Commands and replies at the default level (info), passwords masked by the engine. Commands about
   * one of VS Code's own probes (`.vscode/settings.json`, `.git`, ...) are held back until their
   * replies: answered with errors (it is not there, as usual) they stay out of the log (probe-log.ts).
   */
  private logEvent(site: string, e: LogEvent): void {
    const conn = `${site}#${e.connection}`;
    for (const shown of this.probes.pass(conn, e)) this.logLine(conn, shown);
  }

  private logLine(conn: string, e: LogEvent): void {
    // A command sent with the one before it, before that one's reply, says so (the replies follow
    // both, in order); a note says why a command went, where its reply could read as a failure.
    const asides = [e.pipelined && 'sent with the command above; the replies follow in order', e.note].filter(Boolean);
    const text = `[${conn}] ${e.kind === 'command' ? '> ' : e.kind === 'reply' ? '< ' : ''}${e.text}${asides.length ? ` (${asides.join('; ')})` : ''}`;
    // "The connection was closed" after the server's 221 to QUIT is the normal end, not a warning.
    if (e.kind === 'reply' && /^221[ -]/.test(e.text)) this.quitting.add(conn);
    else if (e.kind === 'error' && this.quitting.delete(conn)) return;
    else if (e.kind !== 'reply') this.quitting.delete(conn);
    if (e.kind === 'error') this.log.warn(text);
    else if (this.routine.has(conn) && e.kind !== 'info') this.log.debug(text); // the engine's findings and advice stay at info
    else this.log.info(text);
  }

  /**
   * Runs a routine operation on `client` (a poll's listing, every few seconds while a site is in
   * use): its commands, replies and data connection are logged at debug, not info, so the Output
   * shows what the user did. Failures still show (warn), and what a poll finds is logged by the
   * watcher. A reconnection inside `fn` is on a new connection number: that shows.
   */
  async routinely<T>(site: string, client: FtpClient, fn: () => Promise<T>): Promise<T> {
    const id = client.connectionId;
    if (id === undefined) return fn();
    const conn = `${site}#${id}`;
    this.routine.add(conn);
    try {
      return await fn();
    } finally {
      this.routine.delete(conn);
    }
  }

  /** Closes one site's connections (an ad-hoc name's under both schemes); they reopen on next use. */
  async close(site: string): Promise<void> {
    for (const [key, r] of this.resumable) if (r.name === site) this.resumable.delete(key);
    this.forgetEpisode(site);
    await this.closeKeys(this.keysOf(site));
  }

  /**
   * The user acted on a site (Retry, Reconnect, Set Password...): its connections close, its failure
   * episode ends, a held refused login is let through, and its folders are read again.
   */
  async retry(site: string): Promise<void> {
    this.log.info(`[${site}] connecting again (the user asked)`);
    const keys = this.keysOf(site);
    const uri = keys.map((k) => this.addresses.get(k)).find((u) => !!u);
    await this.close(site);
    this.reloadEmitter.fire({ site, uri: uri ?? vscode.Uri.from({ scheme: 'ftp', authority: site, path: '/' }) });
  }

  /**
   * A password typed after the server refused the login: kept in secret storage (bound to the
   * site's server), then the site is tried again. If the server refuses this one too, the user is
   * told so (`refusedAgain`) rather than asked again.
   */
  async passwordEntered(site: string, config: SiteConfig, password: string): Promise<void> {
    await this.secrets.set(site, password, serverIdentity(config));
    const keys = this.keysOf(site);
    const uri = keys.map((k) => this.addresses.get(k)).find((u) => !!u);
    await this.close(site);
    this.passwordRetyped.add(site);
    this.reloadEmitter.fire({ site, uri: uri ?? vscode.Uri.from({ scheme: 'ftp', authority: site, path: '/' }) });
  }

  /**
   * What auto mode learnt for a site: copied to a new name (`to`, a rename), or forgotten (no `to`:
   * the site was removed, or the rename is done with the old name).
   */
  async siteRenamed(from: string, to?: string): Promise<void> {
    const all = { ...this.memory.get<Record<string, DataMethod>>(MEMORY_KEY) };
    if (to === undefined) delete all[from];
    else {
      delete all[to];
      if (all[from]) all[to] = all[from];
    }
    await this.memory.update(MEMORY_KEY, all);
  }

  private forgetEpisode(site: string): void {
    this.passwordDeclined.delete(site);
    this.notified.delete(site);
    this.passwordRetyped.delete(site);
  }

  async closeAll(): Promise<void> {
    this.resumable.clear();
    this.passwordDeclined.clear();
    this.notified.clear();
    this.passwordRetyped.clear();
    this.keyCache.clear(); // settings changed, or trust was granted: a name may now mean another site
    await this.closeKeys([...new Set([...this.open.keys(), ...this.names.keys(), ...this.heldLogins.keys()])]);
  }

  /**
   * The settings changed: only the pools whose site now reads differently close (adding a site
   * leaves the others connected). A site that had failed, or whose folders now show something
   * else (server, user, security, root, encoding), is read again.
   */
  private async settingsChanged(): Promise<void> {
    this.keyCache.clear(); // a name may now mean another site
    // A site closed by an earlier change that now names another site, or none, is not reopened.
    // One whose site changed again stays resumable: it holds no settings, openForPoll reads them
    // afresh (and gives up if they change during its lookup).
    for (const [key, r] of this.resumable) if (this.key(r.uri) !== key) this.resumable.delete(key);
    const changed: string[] = [];
    const reopen: Array<[string, { name: string; uri: vscode.Uri }]> = [];
    const reload = new Map<string, vscode.Uri>();
    for (const [key, uri] of this.addresses) {
      let now: { json: string; site: SiteConfig } | undefined;
      try {
        if (this.key(uri) === key) {
          const { site } = this.resolveSite(uri);
          now = { json: configJson(site), site };
        }
      } catch {
        // no longer usable: closed
      }
      const before = this.configs.get(key);
      if (before && now && before.json === now.json) continue;
      if (!before && !this.failures.has(key) && !this.heldLogins.has(key)) continue; // never connected: nothing to close
      changed.push(key);
      const name = this.names.get(key);
      // An open, working pool closed only because its settings changed: polling may open it again.
      if (now && name !== undefined && this.pools.has(key) && !this.failures.has(key) && !this.heldLogins.has(key)) reopen.push([key, { name, uri }]);
      const shows = !before || !now || Object.keys({ ...before.site, ...now.site }).some((k) =>
        !TRANSFER_KEYS.has(k) && JSON.stringify(before.site[k as keyof SiteConfig]) !== JSON.stringify(now!.site[k as keyof SiteConfig]));
      if (name !== undefined && (this.failures.has(key) || this.heldLogins.has(key) || shows)) reload.set(name, uri);
    }
    for (const name of new Set(changed.map((k) => this.names.get(k)).filter((n): n is string => n !== undefined))) this.forgetEpisode(name);
    await this.closeKeys(changed, reopen);
    for (const [site, uri] of reload) this.reloadEmitter.fire({ site, uri });
  }

  /** `resume`: keys a poll may open again, marked in the same step as they close (a poll never sees them merely closed). */
  private async closeKeys(keys: string[], resume: Array<[string, { name: string; uri: vscode.Uri }]> = []): Promise<void> {
    const closing = keys.map((k) => this.open.get(k)).filter((c): c is Promise<SiteConnection> => !!c);
    for (const k of keys) {
      this.resumable.delete(k);
      const name = this.names.get(k);
      if (name !== undefined) this.passwordDeclined.delete(name);
      this.names.delete(k);
      this.open.delete(k);
      this.pools.delete(k);
      this.configs.delete(k);
      this.addresses.delete(k);
      this.failures.delete(k);
      this.heldLogins.delete(k);
    }
    for (const [k, r] of resume) this.resumable.set(k, r);
    await Promise.all(closing.map((c) => c.then((x) => x.pool.close(), () => undefined)));
    this.publish();
  }

  dispose(): void {
    void this.closeAll();
    this.subscriptions.forEach((s) => s.dispose());
  }
}

/**
 * The engine's error for an operation queued on a pool that was closed (FtpPool.close): the site
 * was closed here, which is no news about the server. (The engine gives it no field of its own.)
 */
function closedHere(e: FtpError): boolean {
  return e.kind === 'connectionLost' && e.code === undefined && e.message === 'The connection pool was closed.';
}

/** No password to ask for: no user, or the anonymous ones. */
export function anonymous(site: { user?: string }): boolean {
  return !site.user || site.user === 'anonymous' || site.user === 'ftp';
}

/** A site's settings as a pool was made with them, with the default mode it fell back on. */
function configJson(site: SiteConfig): string {
  return JSON.stringify({ ...site, transferMode: site.transferMode ?? defaultTransferMode() });
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
