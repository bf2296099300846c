/**
 * Extension entry point: the ftp/ftps file system provider, the site commands, the FTP Sites view,
 * the status bar item, the notices about transfer modes and connection failures. Sites come from
 * `ftpWorkspace.sites`; passwords from SecretStorage; trusted certificates and what auto mode learnt
 * from global state.
 */
import * as vscode from 'vscode';
import { Connections } from './fs/connections';
import { FtpFileSystemProvider } from './fs/provider';
import { SiteSecrets } from './sites/secrets';
import { TrustQuestions, TrustedCertificates } from './sites/certificates';
import { SiteArg, registerSiteCommands, repairSiteWorkspace, setWorkspaceStorage } from './sites/commands';
import { allSites, siteRoot } from './sites/config';
import { SiteStatusBar } from './ui/status-bar';
import { SitesView } from './ui/sites-view';
import { ModeNotices } from './ui/notices';
import { FailureNotices } from './ui/failures';
import { Doctor } from './ui/doctor';
import { registerSearch } from './search';
import { registerExplorer } from './ui/explorer';
import { toldOnFailure } from './ui/told-on-failure';

/** What activate() returns: the FTP Sites view's items, for tests and for other extensions. */
export interface FtpWorkspaceApi {
  /** `tooltip` is the Markdown source of the row's tooltip. */
  siteItems(): Array<{ site: string; state: string; description: string; tooltip: string }>;
  /** How many connection pools are open or opening (one per configured site, whatever the scheme). */
  poolCount(): number;
  /** Fires when what the FTP Sites view shows of a site changes (its state, the mode auto mode learnt). */
  onDidChangeSites: vscode.Event<void>;
  /** The command the status bar item runs when clicked (tests: the same object while the site stays). */
  statusBarCommand(): vscode.Command | string | undefined;
  /** The status bar item's text, undefined while it is hidden. */
  statusBarText(): string | undefined;
  /** The folder of the extension's log files (the FTP Workspace log channel writes there). */
  logUri: vscode.Uri;
}

export function activate(context: vscode.ExtensionContext): FtpWorkspaceApi {
  const log = vscode.window.createOutputChannel('FTP Workspace', { log: true });
  setWorkspaceStorage(context.globalStorageUri);
  void repairSiteWorkspace(context.globalState, log).catch((e: unknown) => log.error(`Repairing this site window failed: ${e instanceof Error ? e.message : String(e)}`));
  const secrets = new SiteSecrets(context.secrets);
  const certificates = new TrustedCertificates(context.globalState);
  const connections = new Connections(secrets, certificates, context.globalState, log);
  const trust = new TrustQuestions(certificates, (site) => connections.close(site), log);
  const provider = new FtpFileSystemProvider(connections, log, (site, error) => trust.ask(site.name, site.server, error.certificate!, error.message));
  const notices = new ModeNotices(context.globalState);
  const doctor = new Doctor(connections, secrets, log);
  const siteName = (arg: SiteArg) => (typeof arg === 'object' ? arg.site : arg);
  const sitesView = new SitesView(connections);
  const statusBar = new SiteStatusBar(connections, provider.onDidChangeFile);

  context.subscriptions.push(
    log,
    connections,
    vscode.workspace.registerFileSystemProvider('ftp', provider, { isCaseSensitive: true }),
    vscode.workspace.registerFileSystemProvider('ftps', provider, { isCaseSensitive: true }),
    statusBar,
    sitesView,
    connections.onDidFallBack(({ site, event }) => void notices.fallback(site, event)),
    provider.onDidFail(({ site, error }) => void notices.fixedModeFailed(site, error)),
    new FailureNotices(connections, log),
    connections.onDidRequestReload(({ site }) => reloadFolders(site)),
    vscode.commands.registerCommand('ftpWorkspace.showLog', () => log.show()),
    vscode.commands.registerCommand('ftpWorkspace.disconnect', (arg?: SiteArg) => {
      const site = siteName(arg);
      trust.forgetDeclined(site);
      return site ? connections.close(site) : connections.closeAll();
    }),
    // Close, then connect again at once so the state shown is fresh (and an error shows now); the
    // site's folders are read again, so a folder that had failed comes back. A site that can't be
    // reached is told by its failure notification (with Retry and the doctor), not by an error of
    // the command too (a palette command's error is a modal that hides it); the result says how
    // each site fared, for automation.
    vscode.commands.registerCommand('ftpWorkspace.reconnect', async (arg?: SiteArg) => {
      const site = siteName(arg);
      trust.forgetDeclined(site);
      const sites = site ? [site] : sitesInUse(connections);
      return Promise.all(sites.map(async (s) => {
        await connections.retry(s);
        let told = false;
        const listening = connections.onDidFail((f) => void (f.site === s && (told = true)));
        try {
          await vscode.workspace.fs.stat(siteRoot(s));
          return { site: s, connected: true };
        } catch (e) {
          if (!told && connections.stateOf(s).state !== 'failed') throw e; // not a connection failure: nothing told it
          return { site: s, connected: false, error: e instanceof Error ? e.message : String(e) };
        } finally {
          listening.dispose();
        }
      }));
    }),
    // The Explorer's entries: the same commands under titles that can't be confused with VS Code's own Upload/Download.
    // They take only the clicked FTP entry; local files are picked in a dialog.
    // A command run from a context menu that fails shows nothing (VS Code only logs it): these say it.
    vscode.commands.registerCommand('ftpWorkspace.uploadHere', toldOnFailure('Upload', log, async (target?: vscode.Uri) => (await transfers()).upload(provider, uriOrUndefined(target), undefined, undefined, { log }))),
    vscode.commands.registerCommand('ftpWorkspace.downloadToDisk', toldOnFailure('Download', log, async (source?: vscode.Uri) => (await transfers()).download(provider, uriOrUndefined(source), undefined, undefined, { log }))),
    // With local paths as arguments (a link, a task, another extension), a modal names them and the
    // destination before any local file is read or written.
    vscode.commands.registerCommand('ftpWorkspace.upload', async (target?: vscode.Uri, sources?: vscode.Uri[], existing?: unknown) =>
      // From the Explorer the second argument is the FTP selection, not local files: only file: URIs are sources.
      (await transfers()).upload(provider, uriOrUndefined(target), Array.isArray(sources) && sources.length && sources.every((u) => u instanceof vscode.Uri && u.scheme === 'file') ? sources : undefined, policyOf(existing), { log })),
    vscode.commands.registerCommand('ftpWorkspace.download', async (source?: vscode.Uri, destination?: vscode.Uri, existing?: unknown) =>
      (await transfers()).download(provider, uriOrUndefined(source), destination instanceof vscode.Uri && destination.scheme === 'file' ? destination : undefined, policyOf(existing), { log })),
    ...registerSiteCommands({
      secrets, certificates,
      options: (name, site, password, fingerprint) => connections.optionsFor(name, site, password, fingerprint),
      diagnose: (name, site, password, fingerprint) => doctor.diagnoseUnsaved(name, site, password, fingerprint),
      retry: (site) => connections.retry(site),
      close: (site) => connections.close(site),
      renamed: (from, to) => connections.siteRenamed(from, to),
    }),
    vscode.commands.registerCommand('ftpWorkspace.importSites', async (args?: import('./sites/import/command').ImportSitesArgs) => (await import('./sites/import/command')).importSites(secrets, args)),
    doctor,
    ...doctor.commands(),
    ...registerSearch(provider, connections),
    ...registerExplorer(provider),
  );
  return {
    siteItems: () => sitesView.getChildren().map((i) => ({
      site: i.site, state: i.state, description: String(i.description), tooltip: i.tooltip instanceof vscode.MarkdownString ? i.tooltip.value : String(i.tooltip ?? ''),
    })),
    poolCount: () => connections.poolCount,
    onDidChangeSites: connections.onDidChange,
    statusBarCommand: () => statusBar.command,
    statusBarText: () => statusBar.text,
    logUri: context.logUri,
  };
}

/**
 * What Reconnect without a site reconnects: every configured site that is connected or failed, or
 * is a folder of this workspace, or is the active editor's (a site whose connections the server
 * dropped reads "idle" but is still the one the user works on).
 */
function sitesInUse(connections: Connections): string[] {
  const configured = allSites();
  const inUse = new Set(Object.keys(configured).filter((s) => connections.stateOf(s).state !== 'idle'));
  const uris = [...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri), vscode.window.activeTextEditor?.document.uri];
  for (const uri of uris) {
    if ((uri?.scheme === 'ftp' || uri?.scheme === 'ftps') && decodeURIComponent(uri.authority) in configured) inUse.add(decodeURIComponent(uri.authority));
  }
  return [...inUse];
}

let reloadTimer: NodeJS.Timeout | undefined;
/**
 * A site the user fixed (Retry, a password, its settings): when it is a folder of this workspace, the
 * Explorer reads its folders again, so a folder that showed an error comes back by itself.
 */
function reloadFolders(site: string): void {
  const open = (vscode.workspace.workspaceFolders ?? []).some((f) => (f.uri.scheme === 'ftp' || f.uri.scheme === 'ftps') && decodeURIComponent(f.uri.authority) === site);
  if (!open) return;
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => void vscode.commands.executeCommand('workbench.files.action.refreshFilesExplorer'), 50);
}

/** Arguments from outside are checked for type: a URI is a URI, a policy one of the two words. */
const uriOrUndefined = (u: unknown) => (u instanceof vscode.Uri ? u : undefined);
/** Upload and Download, loaded when first used (dist/transfers.js: scripts/build.mjs). */
const transfers = () => import('./ui/transfer-commands');

const policyOf = (p: unknown) => (p === 'replace' || p === 'skip' ? p : undefined);

export function deactivate(): void {
  // Subscriptions close the connections.
}
