/**
 * The Explorer's hover for FTP entries, as FileZilla's file list shows them: size, modified time
 * (at the precision the server gave) and permissions with owner and group, from the listing the
 * provider keeps (no round trip of its own), and "read-only" when the listing says this login can't
 * write the file. Refreshed with the provider's change events (polls included). Server text is shown
 * as text (entry-facts.ts): a FileDecoration's tooltip is plain text.
 */
import * as vscode from 'vscode';
import type { FtpFileSystemProvider } from '../fs/provider';
import { describeEntry, readOnlyByListing } from '../fs/entry-facts';

const isFtp = (u: vscode.Uri) => u.scheme === 'ftp' || u.scheme === 'ftps';

export class FtpDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly provider: FtpFileSystemProvider) {
    this.subscription = provider.onDidChangeFile((events) => this.emitter.fire(events.map((e) => e.uri)));
  }

  /** What the hover shows of an FTP entry, and whether it is read-only (also for tests and automation). */
  details(uri: vscode.Uri): { tooltip?: string; readOnly: boolean } {
    const entry = isFtp(uri) ? this.provider.entryOf(uri) : undefined;
    if (!entry) return { readOnly: false };
    return { tooltip: describeEntry(entry) || undefined, readOnly: readOnlyByListing(entry) };
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const { tooltip } = this.details(uri);
    if (!tooltip) return undefined;
    const decoration = new vscode.FileDecoration(undefined, tooltip);
    decoration.propagate = false;
    return decoration;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
