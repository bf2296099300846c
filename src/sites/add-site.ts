/**
 * FTP: Add Site... — name, server, user, password and security; then a connection test (connect,
 * log in, PWD, a listing of the start folder) before anything is saved, with Save Anyway / Diagnose
 * / Edit when it fails; the start folder (picked from that listing, or typed); where to keep the
 * site: the user settings by default (every window finds it, like FileZilla's Site Manager), or this
 * workspace. The password goes to SecretStorage bound to the site's server; a certificate trusted
 * during the test is kept for the site. Every answer can be passed in (automation, tests): it is
 * checked by the same rules, and what is missing is asked.
 */
import * as vscode from 'vscode';
import type { FtpClient, PoolOptions, SecureMode, TransferMode } from '../ftp';
import { isFtpError } from '../ftp/errors';
import { joinPath } from '../ftp/paths';
import { loadEngine } from '../fs/engine';
import { SiteConfig, allSites } from './config';
import { SiteSecrets, describeServer, serverIdentity } from './secrets';
import { TrustedCertificates, askToTrust } from './certificates';
import { escapeIcons, escapeMessage } from '../ui/escape';
import { parseRemoteRoot, parseServer, portProblem, siteNameProblem } from './names';

export interface AddSiteAnswers {
  name?: string;
  /** `host`, `host:port` or `ftp://host:port/`. */
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  secure?: SecureMode;
  transferMode?: TransferMode;
  /** The folder `ftp://<name>/` shows: from `/`, or relative to the login's home (`public_html`); '' for the server's `/`. */
  remoteRoot?: string;
  /** Where the site is kept: 'user' (the default: every window finds it) or 'workspace' (this workspace only). */
  scope?: 'user' | 'workspace';
  /** Connect before saving (default true); false saves without trying. */
  test?: boolean;
  /** Skip the final "Open it now?" question. */
  noOpen?: boolean;
}

/** What Add Site needs from the rest of the extension. */
export interface AddSiteDeps {
  secrets: SiteSecrets;
  certificates: TrustedCertificates;
  /** The engine options of a site that is not saved yet (its commands and replies go to the log). */
  options(name: string, site: SiteConfig, password: string | undefined, fingerprint256?: string): PoolOptions & { server: string };
  /** The connection doctor on a site that is not saved yet. */
  diagnose(name: string, site: SiteConfig, password: string | undefined, fingerprint256?: string): Promise<unknown>;
}

/** The buttons when the test fails. */
export const TEST_FAILED = { save: 'Save Anyway', diagnose: 'Diagnose', edit: 'Edit' } as const;

/** What the connection test found. */
type Tested = { ok: true; home: string; folders?: string[] } | { ok: false; error: unknown };

/** Web hosts' usual document roots, offered first as the start folder. */
const WEB_ROOTS = ['public_html', 'www', 'htdocs', 'httpdocs', 'html', 'web', 'wwwroot'];

export async function addSite(deps: AddSiteDeps, given: AddSiteAnswers = {}): Promise<string | undefined> {
  const existing = allSites();
  const name = given.name ?? await vscode.window.showInputBox({
    title: 'Add FTP Site: name', prompt: 'A short name for the site; it is opened as ftp://<name>/', ignoreFocusOut: true,
    validateInput: (v) => {
      const problem = siteNameProblem(v, existing);
      return problem && escapeMessage(problem);
    },
  });
  if (!name) return undefined;
  // Given as an argument (automation, or a link someone else wrote): the same rules, and never a
  // silent replacement of an existing site (its password stays bound to that site's server anyway).
  const problem = siteNameProblem(name, existing);
  if (problem) throw new Error(escapeMessage(`"${name}" can't be a site name: ${problem}`));
  if (given.port !== undefined && portProblem(given.port)) throw new Error(portProblem(given.port));
  if (given.host !== undefined) {
    const parsed = parseServer(given.host);
    if ('problem' in parsed) throw new Error(escapeMessage(`"${given.host}" can't be the server: ${parsed.problem}`));
  }

  // The questions, asked again with the answers filled in after Edit.
  let answers: AddSiteAnswers = given;
  let before: Asked | undefined;
  let asked: Asked | undefined;
  let tested: Tested | undefined;
  let fingerprint: string | undefined;
  for (;;) {
    asked = await askServer(name, answers, before);
    if (!asked) return undefined;
    if (given.test === false) break;
    ({ tested, fingerprint } = await testWithTrust(deps, name, asked));
    if (tested.ok) break;
    const choice = await testFailed(deps, name, asked, tested.error, fingerprint);
    if (choice === TEST_FAILED.save) break;
    if (choice !== TEST_FAILED.edit) return undefined;
    // Edit: the server questions again, with what was answered as their starting values.
    answers = { transferMode: given.transferMode };
    before = asked;
  }
  const { site, password } = asked;

  const home = tested?.ok ? tested.home : '/';
  let remoteRoot: string | undefined;
  if (given.remoteRoot !== undefined) {
    const root = parseRemoteRoot(given.remoteRoot, home);
    if ('problem' in root) throw new Error(escapeMessage(`"${given.remoteRoot}" can't be the start folder: ${root.problem}`));
    remoteRoot = root.root;
  } else {
    const picked = await askStartFolder(name, home, tested?.ok ? tested.folders : undefined);
    if (picked === undefined) return undefined;
    remoteRoot = picked.root;
  }
  if (remoteRoot) site.remoteRoot = remoteRoot;

  const workspaceOpen = !!vscode.workspace.workspaceFile || !!vscode.workspace.workspaceFolders?.length;
  const scope = given.scope ?? (workspaceOpen ? (await vscode.window.showQuickPick([
    { label: 'User settings', description: 'recommended', detail: 'Every window finds it: Open Site, new windows, other workspaces', scope: 'user' as const },
    { label: 'This workspace', detail: 'Only this workspace has it (its settings file), e.g. to share it', scope: 'workspace' as const },
  ], { title: escapeMessage(`Add FTP Site: where to keep "${name}"`), ignoreFocusOut: true }))?.scope : 'user');
  if (!scope) return undefined;
  if (scope === 'workspace' && !workspaceOpen) throw new Error('No workspace is open: the site can only be kept in the user settings.');

  const target = scope === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const config = vscode.workspace.getConfiguration('ftpWorkspace');
  const inspected = config.inspect<Record<string, SiteConfig>>('sites');
  const current = (scope === 'workspace' ? inspected?.workspaceValue : inspected?.globalValue) ?? {};
  await config.update('sites', { ...current, [name]: site }, target);
  if (password !== undefined) await deps.secrets.set(name, password, serverIdentity(site));
  if (fingerprint) await deps.certificates.trust(name, deps.options(name, site, undefined).server, fingerprint);

  if (!given.noOpen) {
    const where = scope === 'user' ? 'your user settings' : 'this workspace\'s settings';
    const open = await vscode.window.showInformationMessage(escapeMessage(`FTP site "${name}" added to ${where}.`), 'Open in This Window', 'Open in New Window');
    if (open) await vscode.commands.executeCommand('ftpWorkspace.openSite', name, open === 'Open in New Window' ? 'newWindow' : 'window');
  }
  return name;
}

/** The server questions' answers. */
interface Asked {
  site: SiteConfig;
  password?: string;
}

/** Server, user, password, security: given ones taken, the others asked (after Edit, with the earlier answers filled in). */
async function askServer(name: string, given: AddSiteAnswers, before?: Asked): Promise<Asked | undefined> {
  const beforeServer = before ? `${before.site.host.includes(':') ? `[${before.site.host}]` : before.site.host}${before.site.port ? `:${before.site.port}` : ''}` : undefined;
  const hostInput = given.host ?? await vscode.window.showInputBox({
    title: escapeMessage(`Add FTP Site "${name}": server`), prompt: 'Host name or address, optionally with :port', placeHolder: 'ftp.example.com', value: beforeServer, ignoreFocusOut: true,
    validateInput: (v) => {
      const parsed = parseServer(v);
      return 'problem' in parsed ? escapeMessage(parsed.problem) : undefined;
    },
  });
  if (hostInput === undefined) return undefined;
  const parsed = parseServer(hostInput);
  if ('problem' in parsed) throw new Error(escapeMessage(`"${hostInput}" can't be the server: ${parsed.problem}`));
  const port = given.port ?? parsed.port;
  const user = given.user ?? await vscode.window.showInputBox({
    title: escapeMessage(`Add FTP Site "${name}": user`), prompt: 'User name (empty for anonymous)', value: before?.site.user, ignoreFocusOut: true,
  });
  if (user === undefined) return undefined;
  const anonymousUser = user === '' || user === 'anonymous';
  let password = given.password;
  if (!anonymousUser && password === undefined) {
    password = await vscode.window.showInputBox({
      title: escapeMessage(`Add FTP Site "${name}": password`), prompt: escapeMessage(`Password for ${user}@${parsed.host} (kept in VS Code's secret storage)`),
      password: true, value: before?.password, ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
  }
  const current = before ? before.site.secure ?? 'off' : parsed.scheme === 'ftps' ? 'explicit' : undefined;
  // The port typed with the host is the one each choice will use: say so, not the usual one.
  const secure = given.secure ?? (await vscode.window.showQuickPick([
    { label: 'FTP', detail: port ? `Plain FTP on port ${port}` : 'Plain FTP (port 21)', value: 'off' as const },
    { label: 'FTPS, explicit', detail: port ? `AUTH TLS on port ${port} (most FTPS servers)` : 'AUTH TLS on the FTP port, 21 (most FTPS servers)', value: 'explicit' as const },
    { label: 'FTPS, implicit', detail: port ? `TLS from the first byte on port ${port} (implicit FTPS usually listens on 990)` : 'TLS from the first byte (port 990)', value: 'implicit' as const },
  ].map((i) => ({ ...i, picked: i.value === current, description: i.value === current ? 'chosen before' : undefined })).sort((a, b) => Number(b.picked) - Number(a.picked)),
  { title: escapeMessage(`Add FTP Site "${name}": security`), ignoreFocusOut: true }))?.value;
  if (!secure) return undefined;
  const site: SiteConfig = {
    host: parsed.host, ...(port ? { port } : {}), ...(anonymousUser ? {} : { user }), ...(secure !== 'off' ? { secure } : {}), transferMode: given.transferMode ?? 'auto',
  };
  return { site, password: anonymousUser ? undefined : password };
}

/** The test, and when the server's certificate is not trusted, the trust question and the test again. */
async function testWithTrust(deps: AddSiteDeps, name: string, asked: Asked): Promise<{ tested: Tested; fingerprint?: string }> {
  let fingerprint: string | undefined;
  for (;;) {
    const tested = await testConnection(deps, name, asked, fingerprint);
    const e = !tested.ok ? tested.error : undefined;
    if (!isFtpError(e, 'tls') || !e.certificate || e.certificate.fingerprint256 === fingerprint) return { tested, fingerprint };
    const server = deps.options(name, asked.site, undefined).server;
    if (!(await askToTrust(name, server, e.certificate, e.message))) return { tested, fingerprint };
    fingerprint = e.certificate.fingerprint256;
  }
}

/** Connects, logs in, reads the start folder (PWD) and lists it for the start folder question. */
async function testConnection(deps: AddSiteDeps, name: string, asked: Asked, fingerprint?: string): Promise<Tested> {
  const options = deps.options(name, asked.site, asked.password, fingerprint);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: escapeMessage(`Add FTP Site: connecting to ${options.server}`), cancellable: true }, async (_progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    let client: FtpClient | undefined;
    try {
      client = await (await loadEngine()).FtpClient.connect({ ...options, timeouts: { ...options.timeouts, connectMs: 10_000, replyMs: 10_000, dataConnectMs: 5_000, dataIdleMs: 10_000 } }, controller.signal);
      const home = client.home ?? '/';
      // The listing only fills the start folder question: a slow or failing one is not the test's failure.
      const listing = new AbortController();
      const stop = () => listing.abort();
      controller.signal.addEventListener('abort', stop, { once: true });
      const timer = setTimeout(stop, 10_000);
      try {
        const { entries } = await client.list(home, { signal: listing.signal });
        return { ok: true, home, folders: entries.filter((e) => e.type === 'directory').map((e) => e.name).sort((a, b) => a.localeCompare(b)) };
      } catch {
        return { ok: true, home };
      } finally {
        clearTimeout(timer);
        controller.signal.removeEventListener('abort', stop);
      }
    } catch (e) {
      return { ok: false, error: e };
    } finally {
      await client?.close().catch(() => undefined);
    }
  });
}

/** The test failed: Save Anyway, Diagnose (the doctor, then this question again), Edit, or nothing (nothing saved). */
async function testFailed(deps: AddSiteDeps, name: string, asked: Asked, error: unknown, fingerprint?: string): Promise<string | undefined> {
  const server = describeServer(serverIdentity(asked.site));
  const why = isFtpError(error, 'aborted') ? 'the test was cancelled.' : (error as Error)?.message ?? String(error);
  const message = escapeMessage(`Could not connect to ${server} for FTP site "${name}": ${why} Nothing is saved yet.`);
  for (;;) {
    const choice = await vscode.window.showWarningMessage(message, TEST_FAILED.save, TEST_FAILED.diagnose, TEST_FAILED.edit);
    if (choice !== TEST_FAILED.diagnose) return choice;
    await deps.diagnose(name, asked.site, asked.password, fingerprint);
  }
}

/** The start folder: the login's home, one of its folders (web roots first), or typed. Undefined: cancelled. */
async function askStartFolder(name: string, home: string, folders: string[] | undefined): Promise<{ root?: string } | undefined> {
  const rootOf = (path: string) => (path === '/' ? undefined : path);
  if (folders) {
    const web = WEB_ROOTS.flatMap((w) => folders.filter((f) => f.toLowerCase() === w));
    const rest = folders.filter((f) => !web.includes(f));
    type Item = vscode.QuickPickItem & { root?: string; type?: true };
    const items: Item[] = [
      { label: escapeIcons(home), description: 'the folder the server starts in', root: rootOf(home) },
      ...web.map((f) => ({ label: escapeIcons(f), description: escapeIcons(`${joinPath(home, f)} · usually the web site`), root: joinPath(home, f) })),
      ...rest.map((f) => ({ label: escapeIcons(f), description: escapeIcons(joinPath(home, f)), root: joinPath(home, f) })),
      { label: 'Type a folder...', description: 'any folder on the server', type: true },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: escapeMessage(`Add FTP Site "${name}": start folder`), placeHolder: escapeMessage(`The folder ftp://${name}/ shows (a web host's is often public_html or www)`), ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (!picked.type) return { root: picked.root };
  }
  const typed = await vscode.window.showInputBox({
    title: escapeMessage(`Add FTP Site "${name}": start folder`), prompt: escapeMessage(`The folder ftp://${name}/ shows: from / or from the login's folder (${home}); empty for the server's /`),
    placeHolder: 'public_html', ignoreFocusOut: true,
    validateInput: (v) => {
      const parsed = parseRemoteRoot(v, home);
      return 'problem' in parsed ? escapeMessage(parsed.problem) : undefined;
    },
  });
  if (typed === undefined) return undefined;
  const parsed = parseRemoteRoot(typed, home);
  return 'problem' in parsed ? undefined : parsed;
}
