/**
 * The Explorer's hover for FTP entries, as FileZilla's file list shows them: size, modified time
 * (at the precision the server gave) and permissions with owner and group, from the listing the
 * provider keeps (no round trip of its own), and "read-only" when the listing says this login can't
 * write the file. Refreshed with the provider's change events (polls included), and for an entry
 * asked about before its folder was listed, when it is (onDidList). Server text is shown
 * as text (entry-facts.ts): a FileDecoration's tooltip is plain text.
 */
import * as vscode from 'vscode';
import type { FtpFileSystemProvider } from '../fs/provider';
import { describeEntry, readOnlyByListing } from '../fs/entry-facts';

const isFtp = (u: vscode.Uri) => u.scheme === 'ftp' || u.scheme === 'ftps';

export class FtpDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];
  /**
   * Entries VS Code asked about before their folder's listing was kept (a file opened by its path, a
   * tab restored at start-up), by folder: VS Code asks only once, so they are told again when it is.
   */
  private readonly waiting = new Map<string, Map<string, vscode.Uri>>();

  constructor(private readonly provider: FtpFileSystemProvider) {
    this.subscriptions = [
      provider.onDidChangeFile((events) => this.emitter.fire(events.map((e) => e.uri))),
      provider.onDidList((folder) => {
        const asked = this.waiting.get(folder);
        if (!asked) return;
        this.waiting.delete(folder);
        this.emitter.fire([...asked.values()]);
      }),
    ];
  }

  /** What the hover shows of an FTP entry, and whether it is read-only (also for tests and automation). */
  details(uri: vscode.Uri): { tooltip?: string; readOnly: boolean } {
    const entry = isFtp(uri) ? this.provider.entryOf(uri) : undefined;
    if (!entry) return { readOnly: false };
    return { tooltip: describeEntry(entry) || undefined, readOnly: readOnlyByListing(entry) };
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (!isFtp(uri)) return undefined;
    const entry = this.provider.entryOf(uri);
    if (!entry) {
      this.wait(uri);
      return undefined;
    }
    const tooltip = describeEntry(entry);
    if (!tooltip) return undefined;
    const decoration = new vscode.FileDecoration(undefined, tooltip);
    decoration.propagate = false;
    return decoration;
  }

  private wait(uri: vscode.Uri): void {
    const folder = this.provider.folderKey(uri);
    let asked = this.waiting.get(folder);
    if (!asked) {
      // Bounded: the oldest folder's entries are forgotten (they keep an empty hover until they change).
      if (this.waiting.size >= 200) this.waiting.delete(this.waiting.keys().next().value!);
      this.waiting.set(folder, (asked = new Map()));
    }
    if (asked.size < 1000) asked.set(uri.toString(), uri);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
