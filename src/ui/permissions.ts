/**
 * FTP: Change Permissions... (Explorer: right-click an FTP file or folder). One quick input: type an
 * octal mode (`644`) or tick read/write/execute for owner, group and others, both kept in step; for a
 * folder, "Also everything inside" makes it recursive, and a second question asks what gets the mode
 * (files and folders, files only, folders only, as FileZilla asks). SITE CHMOD goes through the
 * site's connections (provider.chmod): links are never changed or entered. A server that refuses
 * gets its words shown with the likely reason. Arguments for automation:
 * `(uri, [uris], { mode: '644', recursive, apply })`.
 */
import * as vscode from 'vscode';
import type { ChmodResult, FtpFileSystemProvider } from '../fs/provider';
import { octal, parseOctal, rwx } from '../fs/entry-facts';
import { escapeIcons, escapeMessage } from './escape';

export interface ChangePermissionsArgs {
  /** Octal, as typed (`'644'`) or a number (0o644). */
  mode?: string | number;
  recursive?: boolean;
  apply?: 'all' | 'files' | 'folders';
}

export interface ChangePermissionsResult {
  mode: number;
  changed: number;
  links: string[];
  left: string[];
  /** Entries whose listing shows another mode than the one asked for afterwards (the server ignored bits). */
  differs: Array<{ uri: string; listed: number }>;
}

const isFtp = (u: unknown): u is vscode.Uri => u instanceof vscode.Uri && (u.scheme === 'ftp' || u.scheme === 'ftps');
const nameOf = (u: vscode.Uri) => u.path.replace(/\/+$/, '').split('/').pop() || u.authority;

const BITS: Array<{ bit: number; label: string; who: string }> = [
  { bit: 0o400, label: 'Read', who: 'Owner' }, { bit: 0o200, label: 'Write', who: 'Owner' }, { bit: 0o100, label: 'Execute', who: 'Owner' },
  { bit: 0o040, label: 'Read', who: 'Group' }, { bit: 0o020, label: 'Write', who: 'Group' }, { bit: 0o010, label: 'Execute', who: 'Group' },
  { bit: 0o004, label: 'Read', who: 'Others' }, { bit: 0o002, label: 'Write', who: 'Others' }, { bit: 0o001, label: 'Execute', who: 'Others' },
];

interface BitItem extends vscode.QuickPickItem {
  bit?: number;
  recursive?: true;
}

/** The quick input: the mode (and for folders, whether to go inside), or undefined when dismissed. */
async function askMode(title: string, current: number | undefined, folder: boolean): Promise<{ mode: number; recursive: boolean } | undefined> {
  const qp = vscode.window.createQuickPick<BitItem>();
  const items: BitItem[] = BITS.map((b) => ({ label: `${b.who}: ${b.label}`, description: b.who === 'Owner' ? 'the file\'s owner' : b.who === 'Group' ? 'its group' : 'everyone else', bit: b.bit, alwaysShow: true }));
  const recursiveItem: BitItem = { label: 'Also everything inside (recursive)', description: 'files and folders in it; links are left alone', recursive: true, alwaysShow: true };
  qp.items = [
    { label: 'Permissions', kind: vscode.QuickPickItemKind.Separator },
    ...items,
    ...(folder ? [{ label: 'Folder', kind: vscode.QuickPickItemKind.Separator }, recursiveItem] : []),
  ];
  qp.canSelectMany = true;
  qp.matchOnDescription = false;
  qp.ignoreFocusOut = true;
  qp.placeholder = 'An octal mode such as 644, or tick below; Enter applies';
  let special = (current ?? 0) & 0o7000;
  const modeOf = (selected: readonly BitItem[]) => selected.reduce((m, i) => m | (i.bit ?? 0), 0) | special;
  const show = () => {
    const mode = modeOf(qp.selectedItems);
    qp.title = `${title}: ${octal(mode)} (${rwx(mode)})${current !== undefined ? `, now ${octal(current)}` : ''}`;
  };
  qp.selectedItems = items.filter((i) => ((current ?? 0o644) & i.bit!) !== 0);
  show();
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: { mode: number; recursive: boolean } | undefined) => {
      if (done) return;
      done = true;
      resolve(value);
      qp.dispose();
    };
    qp.onDidChangeValue((value) => {
      const typed = parseOctal(value);
      if (typed === undefined) return;
      special = typed & 0o7000;
      const keep = qp.selectedItems.filter((i) => i.recursive);
      qp.selectedItems = [...items.filter((i) => (typed & i.bit!) !== 0), ...keep];
      show();
    });
    qp.onDidChangeSelection(show);
    qp.onDidAccept(() => finish({ mode: modeOf(qp.selectedItems), recursive: qp.selectedItems.some((i) => i.recursive) }));
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

/** For a recursive change: what gets the mode. */
async function askApply(mode: number): Promise<'all' | 'files' | 'folders' | undefined> {
  const noX = (mode & 0o100) === 0;
  const picked = await vscode.window.showQuickPick([
    { label: 'Files and folders', description: `${octal(mode)} on everything inside`, detail: noX ? 'Folders without execute (x) can\'t be opened any more: choose "Files only" for 644-style modes.' : undefined, apply: 'all' as const },
    { label: 'Files only', description: `${octal(mode)} on the files inside; folders keep theirs`, apply: 'files' as const },
    { label: 'Folders only', description: `${octal(mode)} on the folders, this one included; files keep theirs`, apply: 'folders' as const },
  ], { title: `Apply ${octal(mode)} (${rwx(mode)}) to`, ignoreFocusOut: true });
  return picked?.apply;
}

/** Why a server refuses SITE CHMOD, most often. */
const REFUSED_HINT = 'Some servers don\'t allow changing permissions (vsftpd with chmod_enable=NO, anonymous logins, most Windows servers), or this login does not own the file.';

/** FTP: Change Permissions... */
export async function changePermissions(provider: FtpFileSystemProvider, target?: unknown, selectionOrArgs?: unknown, maybeArgs?: unknown): Promise<ChangePermissionsResult | undefined> {
  const args: ChangePermissionsArgs = (!Array.isArray(selectionOrArgs) && typeof selectionOrArgs === 'object' && selectionOrArgs) || (typeof maybeArgs === 'object' && maybeArgs) || {};
  let targets = Array.isArray(selectionOrArgs) ? selectionOrArgs.filter(isFtp) : [];
  if (!targets.length) {
    const one = isFtp(target) ? target : vscode.window.activeTextEditor?.document.uri;
    if (isFtp(one)) targets = [one];
  }
  if (!targets.length) {
    throw new Error('Choose an FTP file or folder: right-click it in the Explorer and pick "Change Permissions...", or open an FTP file in an editor first.');
  }

  // What the listing says now (the folder is listed if it was not): kind and mode.
  const first = targets[0];
  let entry = provider.entryOf(first);
  if (!entry && first.path !== '/') {
    await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(first, '..'));
    entry = provider.entryOf(first);
  }
  const folder = first.path === '/' || targets.some((t) => provider.entryOf(t)?.type === 'directory');
  const what = targets.length === 1 ? `"${nameOf(first)}"` : `${targets.length} entries`;

  let mode: number;
  let recursive = !!args.recursive;
  if (args.mode !== undefined) {
    const parsed = typeof args.mode === 'number' ? args.mode & 0o7777 : parseOctal(String(args.mode));
    if (parsed === undefined) throw new Error(escapeMessage(`"${String(args.mode)}" is not a mode: give three or four octal digits, such as 644 or 0755.`));
    mode = parsed;
  } else {
    const answer = await askMode(escapeIcons(`Permissions of ${what}`), entry?.mode, folder);
    if (!answer) return undefined;
    ({ mode, recursive } = answer);
  }
  let apply = args.apply;
  if (recursive && folder && !apply) {
    if (args.mode !== undefined) apply = 'all';
    else {
      apply = await askApply(mode);
      if (!apply) return undefined;
    }
  }

  const results: ChmodResult[] = [];
  const differs: ChangePermissionsResult['differs'] = [];
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: escapeMessage(`Changing permissions of ${what} to ${octal(mode)}`), cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    for (const uri of targets) {
      try {
        const r = await provider.chmod(uri, mode, { recursive, apply, signal: controller.signal, onStep: (p, done, total) => total > 1 && progress.report({ message: escapeMessage(`${done} of ${total}: ${p.split('/').pop()}`), increment: 100 / total / targets.length }) });
        results.push(r);
        const asked = mode & 0o7777;
        if (r.listedMode !== undefined && r.listedMode !== asked && apply !== 'files') differs.push({ uri: uri.toString(), listed: r.listedMode });
      } catch (e) {
        if (controller.signal.aborted || e instanceof vscode.CancellationError) throw new vscode.CancellationError();
        const message = e instanceof Error ? e.message : String(e);
        const missing = e instanceof vscode.FileSystemError && e.code === 'FileNotFound';
        const link = / is a link|leads elsewhere/.test(message);
        throw new Error(escapeMessage(`Could not change the permissions of ${uri.toString(true)} to ${octal(mode)}: ${message}${missing || link ? '' : ` ${REFUSED_HINT}`}`));
      }
    }
  });

  const changed = results.reduce((n, r) => n + r.changed, 0);
  const links = results.flatMap((r) => r.links);
  const left = results.flatMap((r) => r.left);
  const parts = [recursive && folder
    ? `${what} and everything inside: ${octal(mode)} (${rwx(mode)}) set on ${changed} ${changed === 1 ? 'entry' : 'entries'}${apply === 'files' ? ' (files only)' : apply === 'folders' ? ' (folders only)' : ''}`
    : `Permissions of ${what} set to ${octal(mode)} (${rwx(mode)})`];
  if (links.length) parts.push(`${links.length} link(s) left alone (SITE CHMOD would change what they point to)`);
  if (left.length) parts.push(`${left.length} folder(s) left alone that may be links or loops (see FTP: Show Log)`);
  void vscode.window.showInformationMessage(escapeMessage(`${parts.join('; ')}.`));
  if (differs.length) {
    void vscode.window.showWarningMessage(escapeMessage(`The server shows ${octal(differs[0].listed)} for ${vscode.Uri.parse(differs[0].uri).toString(true)}, not the ${octal(mode)} asked for: it may ignore some bits (a umask, no setuid, or a file system without Unix permissions).`));
  }
  return { mode, changed, links, left, differs };
}
