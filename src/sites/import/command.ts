/**
 * FTP: Import Sites... — reads FileZilla's Site Manager file or the SFTP extension's sftp.json,
 * lists what it found (what can't be imported too, with the reason), asks which to import and
 * where to keep them (user settings by default, or this workspace), writes the sites to
 * `ftpWorkspace.sites` and their passwords to secret storage, asks what to do about names that
 * exist already, and reports what was imported and skipped. Every question can be answered by an
 * argument (automation, tests): `{ file, select, scope, existing, quiet }`. extension.ts registers
 * it with a dynamic import, so this module and the XML parser load when the command first runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SiteConfig, allSites, targetOf } from '../config';
import { SiteSecrets, serverIdentity } from '../secrets';
import { ImportFileError, ImportedSite, ParsedFile, displayPath } from './records';
import { MAX_FILE_BYTES } from './limits';
import { parseSiteList } from './parse';
import { ExistingChoice, namesWithinFile, resolveNames, summary, toSiteConfig } from './to-site';
import { fileZillaCandidates, sftpJsonCandidates } from './locations';
import { ImportSitesResult, ImportedEntry, SkippedEntry, reportText } from './report';
import { forMessage, forQuickPick } from './shown';

export interface ImportSitesArgs {
  /** The file: a path on the extension host's file system, or a URI. Else the user picks one. */
  file?: string | vscode.Uri;
  /** The entries to import: 'all' that can be, or each as listed (`Folder/Sub/Name`) or by the name it would get. */
  select?: 'all' | string[];
  /** Where the sites are kept: user settings (the default) or this workspace's. */
  scope?: 'user' | 'workspace';
  /** What to do with a name that exists already. */
  existing?: ExistingChoice;
  /** No notification at the end (the result is returned either way). */
  quiet?: boolean;
}

/** An entry of the file with the name it would be kept under (undefined when it can't be imported). */
interface Entry {
  site: ImportedSite;
  name?: string;
}

/** Stores an imported password, bound to the server the imported site names. */
function storePassword(secrets: SiteSecrets, name: string, config: SiteConfig, password: string): Promise<void> {
  return secrets.set(name, password, serverIdentity(config));
}

export async function importSites(secrets: SiteSecrets, args: ImportSitesArgs = {}): Promise<ImportSitesResult | undefined> {
  if (typeof args.file === 'string' && !path.isAbsolute(args.file)) throw new Error(`The file to import must be given as an absolute path, not "${args.file}".`);
  const uri = args.file === undefined ? await pickFile() : typeof args.file === 'string' ? vscode.Uri.file(args.file) : args.file;
  if (!uri) return undefined;
  const shownFile = uri.scheme === 'file' ? uri.fsPath : uri.toString(true);

  let parsed: ParsedFile;
  try {
    parsed = await readSiteList(uri);
  } catch (e) {
    const why = e instanceof ImportFileError ? e.message : e instanceof vscode.FileSystemError || e instanceof Error ? e.message : String(e);
    void vscode.window.showErrorMessage(forMessage(`Can't import FTP sites from ${shownFile}: ${why}`, 400));
    return undefined;
  }

  const importable = parsed.sites.filter((s) => !s.skip);
  const names = namesWithinFile(importable);
  const entries: Entry[] = parsed.sites.map((site) => ({ site, name: site.skip ? undefined : names[importable.indexOf(site)] }));
  const skipped: SkippedEntry[] = parsed.sites.filter((s) => s.skip).map((s) => ({ from: displayPath(s), reason: s.skip! }));
  const scopeDefault = args.scope ?? 'user';
  const nothing = (): ImportSitesResult => ({ file: shownFile, format: parsed.format, scope: scopeDefault, imported: [], skipped, problems: parsed.problems });

  if (importable.length === 0) {
    const result = nothing();
    if (!args.quiet) {
      const message = parsed.sites.length === 0 ? `No FTP sites found in ${shownFile}.` : `None of the ${parsed.sites.length} entries in ${shownFile} can be imported: ${skipped[0].reason}${skipped.length > 1 ? ', ...' : '.'}`;
      void offerReport(forMessage(message, 400), result, []);
    }
    return result;
  }

  // Which entries.
  let chosen: Entry[];
  if (args.select === undefined) {
    const picked = await pickEntries(entries, path.basename(shownFile), parsed);
    if (!picked) return undefined;
    chosen = picked;
  } else {
    const wanted = args.select === 'all' ? undefined : new Set(args.select);
    chosen = entries.filter((e) => e.name && (!wanted || wanted.has(displayPath(e.site)) || wanted.has(e.name)));
  }
  if (chosen.length === 0) return nothing();

  // Where.
  const scope = args.scope ?? await pickScope();
  if (!scope) return undefined;
  if (scope === 'workspace' && !workspaceSettingsAreLocal()) {
    throw new Error('This window has no workspace settings file on this computer (no folder, or only FTP folders open): import into the user settings.');
  }

  // Names that exist already.
  const existingNames = Object.keys(allSites());
  const wanted = chosen.map((e) => e.name!);
  const clashes = wanted.filter((n) => existingNames.some((x) => x.toLowerCase() === n.toLowerCase()));
  let choice: ExistingChoice = args.existing ?? 'keepBoth';
  if (clashes.length > 0 && !args.existing) {
    const answer = await vscode.window.showWarningMessage(
      forMessage(`${clashes.length === 1 ? 'A site named' : `${clashes.length} sites named`} ${clashes.slice(0, 5).join(', ')}${clashes.length > 5 ? ', ...' : ''} ${clashes.length === 1 ? 'exists' : 'exist'} already.`, 400),
      { modal: true, detail: 'Replace: the imported site takes its place (and its password). Keep Both: the imported one gets a new name. Skip: the existing one stays as it is.' },
      'Replace', 'Keep Both', 'Skip');
    if (!answer) return undefined;
    choice = answer === 'Replace' ? 'replace' : answer === 'Skip' ? 'skip' : 'keepBoth';
  }
  const finalNames = resolveNames(wanted, existingNames, choice);

  // Write the settings (one update), then the passwords.
  const target = scope === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const config = vscode.workspace.getConfiguration('ftpWorkspace');
  const inspected = config.inspect<Record<string, SiteConfig>>('sites');
  const sites: Record<string, SiteConfig> = { ...((scope === 'workspace' ? inspected?.workspaceValue : inspected?.globalValue) ?? {}) };
  const imported: ImportedEntry[] = [];
  const writes: Array<{ name: string; config: SiteConfig; site: ImportedSite; replaced: boolean }> = [];
  chosen.forEach((e, i) => {
    const name = finalNames[i];
    if (!name) {
      skipped.push({ from: displayPath(e.site), reason: `a site named ${e.name} exists already (kept as it was)` });
      return;
    }
    const replaced = existingNames.includes(name);
    const siteConfig = toSiteConfig(e.site);
    sites[name] = siteConfig;
    writes.push({ name, config: siteConfig, site: e.site, replaced });
  });
  if (writes.length > 0) await config.update('sites', sites, target);
  for (const w of writes) {
    const notes = [...(w.site.passwordNote && w.site.user ? [w.site.passwordNote] : []), ...w.site.notes];
    // A workspace or folder that defines a site of this name too wins over the user settings: its
    // server would get the imported password (passwords are kept by site name), so none is stored.
    const shadowed = targetOf(w.name) !== target;
    let password: ImportedEntry['password'] = !w.site.user ? 'none' : w.site.password !== undefined ? 'saved' : 'asked';
    if (shadowed) {
      notes.push(`the ${targetOf(w.name) === vscode.ConfigurationTarget.WorkspaceFolder ? "folder's" : "workspace's"} own site of this name is the one used${w.site.password !== undefined ? ', so the password was not stored' : ''}`);
      if (password === 'saved') password = 'asked';
    } else if (w.site.password !== undefined) {
      await storePassword(secrets, w.name, w.config, w.site.password);
    } else if (w.replaced) {
      await secrets.forget(w.name); // the replaced site's password was for another server
    }
    imported.push({ from: displayPath(w.site), name: w.name, replaced: w.replaced, password, notes });
  }

  const result: ImportSitesResult = { file: shownFile, format: parsed.format, scope, imported, skipped, problems: parsed.problems };
  if (!args.quiet) {
    const where = scope === 'user' ? 'your user settings' : 'the workspace settings';
    const message = `Imported ${imported.length} FTP site${imported.length === 1 ? '' : 's'} into ${where}${skipped.length ? `; ${skipped.length} not imported` : ''}.`;
    void offerReport(message, result, imported.length ? ['Open Site...'] : []);
  }
  return result;
}

async function readSiteList(uri: vscode.Uri): Promise<ParsedFile> {
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.type & vscode.FileType.Directory) throw new ImportFileError('It is a folder, not a file.');
  if (stat.size > MAX_FILE_BYTES) throw new ImportFileError(`The file is ${(stat.size / 1024 / 1024).toFixed(1)} MB; site lists over ${MAX_FILE_BYTES / 1024 / 1024} MB are not read.`);
  return parseSiteList(await vscode.workspace.fs.readFile(uri));
}

/** Reports of this session, shown as read-only documents (`ftp-workspace-import:/Import report 17.58.03.txt`). */
const REPORT_SCHEME = 'ftp-workspace-import';
const reports = new Map<string, string>();
let reportProvider: vscode.Disposable | undefined;

async function showReport(result: ImportSitesResult): Promise<void> {
  reportProvider ??= vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, { provideTextDocumentContent: (uri) => reports.get(uri.path) });
  // A new name each time (an editor still open on an earlier report keeps showing that one).
  const time = new Date().toTimeString().slice(0, 8).replace(/:/g, '.');
  const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/Import report ${time}${reports.size ? ` (${reports.size + 1})` : ''}.txt` });
  reports.set(uri.path, reportText(result));
  await vscode.window.showTextDocument(uri, { preview: false });
}

/** The notification at the end; Show Report opens the whole report as a read-only text document. */
async function offerReport(message: string, result: ImportSitesResult, more: string[]): Promise<void> {
  const answer = await vscode.window.showInformationMessage(message, 'Show Report', ...more);
  if (answer === 'Show Report') {
    await showReport(result);
  } else if (answer === 'Open Site...') {
    await vscode.commands.executeCommand('ftpWorkspace.openSite');
  }
}

/** FileZilla's file and each folder's sftp.json where they exist, and Choose a File... */
async function pickFile(): Promise<vscode.Uri | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => ({ name: f.name, fsPath: f.uri.fsPath }));
  const found = [...fileZillaCandidates(process.platform, process.env, os.homedir()), ...sftpJsonCandidates(folders)].filter((c) => fs.existsSync(c.file));
  const browse = async () => (await vscode.window.showOpenDialog({
    title: 'Import FTP Sites: FileZilla sitemanager.xml or sftp.json', canSelectMany: false, openLabel: 'Import',
    filters: { 'Site lists': ['xml', 'json'], 'All files': ['*'] },
    defaultUri: found[0] ? vscode.Uri.file(path.dirname(found[0].file)) : vscode.Uri.file(os.homedir()),
  }))?.[0];
  if (found.length === 0) return browse();
  const items: Array<vscode.QuickPickItem & { file?: string }> = [
    ...found.map((c) => ({ label: c.label, description: forQuickPick(c.file), file: c.file })),
    { label: '$(folder-opened) Choose a File...', description: 'a sitemanager.xml, a list exported from FileZilla, or an sftp.json' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Import FTP Sites', placeHolder: 'Import from which file?', ignoreFocusOut: true });
  if (!picked) return undefined;
  return picked.file ? vscode.Uri.file(picked.file) : browse();
}

/** The multi-select list: importable entries first (all picked), then those that can't be, with the reason (not selectable). */
function pickEntries(entries: Entry[], fileName: string, parsed: ParsedFile): Promise<Entry[] | undefined> {
  type Item = vscode.QuickPickItem & { entry?: Entry };
  const item = (e: Entry): Item => {
    const folder = e.site.folders.map((f) => forQuickPick(f, 60)).join(' / ');
    if (!e.name) return { label: `$(circle-slash) ${forQuickPick(e.site.name, 80)}`, description: folder, detail: `Not imported: ${forQuickPick(summary(e.site))}`, entry: e };
    const caveats = [e.site.user && e.site.passwordNote ? 1 : 0, e.site.notes.length].reduce((a, b) => a + b, 0);
    return {
      label: forQuickPick(e.site.name, 80), entry: e,
      description: `${folder ? `${folder}  ` : ''}→ ftp://${e.name}/`,
      detail: forQuickPick(summary(e.site)) + (caveats ? ` · ${caveats} note${caveats === 1 ? '' : 's'} in the report` : ''),
    };
  };
  const good = entries.filter((e) => e.name).map(item);
  const bad = entries.filter((e) => !e.name).map(item);
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = forQuickPick(`Import FTP Sites from ${fileName} (${parsed.format})`);
  qp.placeholder = `${good.length} to import${bad.length ? `, ${bad.length} can't be (last)` : ''}: untick any, then Enter`;
  qp.canSelectMany = true;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.ignoreFocusOut = true;
  qp.items = bad.length ? [...good, { label: "Can't be imported", kind: vscode.QuickPickItemKind.Separator }, ...bad] : good;
  qp.selectedItems = good;
  return new Promise((resolve) => {
    let done = false;
    qp.onDidChangeSelection((selection) => {
      // Entries that can't be imported stay unticked.
      if (selection.some((i) => i.entry && !i.entry.name)) qp.selectedItems = selection.filter((i) => i.entry?.name);
    });
    qp.onDidAccept(() => {
      done = true;
      resolve(qp.selectedItems.filter((i) => i.entry?.name).map((i) => i.entry!));
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

/** A workspace settings file on this computer: a local .code-workspace, or a local folder's .vscode/settings.json. */
function workspaceSettingsAreLocal(): boolean {
  const file = vscode.workspace.workspaceFile;
  if (file) return file.scheme === 'file' || file.scheme === 'untitled';
  const folders = vscode.workspace.workspaceFolders ?? [];
  return folders.length === 1 && folders[0].uri.scheme === 'file';
}

async function pickScope(): Promise<'user' | 'workspace' | undefined> {
  if (!workspaceSettingsAreLocal()) return 'user';
  const items = [
    { label: 'User Settings', description: 'recommended', detail: 'The sites are yours in every window and workspace.', scope: 'user' as const },
    { label: 'Workspace Settings', description: vscode.workspace.name ? forQuickPick(vscode.workspace.name, 60) : undefined, detail: "Only in this workspace, in its settings file (passwords stay in this computer's secret storage).", scope: 'workspace' as const },
  ];
  return (await vscode.window.showQuickPick(items, { title: 'Import FTP Sites', placeHolder: 'Where should the imported sites be kept?', ignoreFocusOut: true }))?.scope;
}
