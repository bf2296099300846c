/**
 * Progress with Cancel for long operations. A transfer shows a notification only once it passes
 * 1 MB (small saves stay silent); Cancel aborts it, which the engine turns into ABOR.
 */
import * as vscode from 'vscode';
import { humanSize } from './entry-facts';

export const PROGRESS_THRESHOLD = 1024 * 1024;

export class LazyProgress implements vscode.Disposable {
  readonly controller = new AbortController();
  private report?: (p: { message?: string; increment?: number }) => void;
  private finish?: () => void;
  private shown = false;
  private disposed = false;
  private reported = 0;
  private lastUpdate = 0;

  /** `total` in bytes when known; `always` shows at once (recursive operations). */
  constructor(private readonly title: string, private readonly total?: number, always = false) {
    if (always || (total !== undefined && total > PROGRESS_THRESHOLD)) this.show();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Bytes moved so far. */
  bytes(n: number): void {
    if (!this.shown && n > PROGRESS_THRESHOLD) this.show();
    const now = Date.now();
    if (!this.report || now - this.lastUpdate < 100) return;
    this.lastUpdate = now;
    const increment = this.total ? ((n - this.reported) / this.total) * 100 : undefined;
    this.reported = n;
    this.report({ message: this.total ? `${humanSize(n)} of ${humanSize(this.total)}` : humanSize(n), increment });
  }

  /** A step of a recursive operation. */
  step(message: string, increment?: number): void {
    this.report?.({ message, increment });
  }

  private show(): void {
    this.shown = true;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: this.title, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => this.controller.abort());
      if (this.disposed) return Promise.resolve();
      this.report = (p) => progress.report(p);
      return new Promise<void>((resolve) => (this.finish = resolve));
    });
  }

  dispose(): void {
    this.disposed = true;
    this.finish?.();
    this.report = undefined;
  }
}
