/**
 * A transfer notification's progress, reported at most once per `everyMs` (no `vscode` import:
 * unit-tested). A batch of small files moves hundreds a second, and every report is a message to
 * VS Code's window that redraws the notification: the newest text and the increments since the
 * last report go together (the first bytes' report at once). Every report carries the text (VS Code merges reports, and one with
 * only an increment blanks it); the text is made only when it is sent.
 */
export interface ProgressReport {
  message: string;
  increment?: number;
}

export class PacedProgress {
  private text?: () => string;
  private increment = 0;
  private dirty = false;
  /** Whether an increment was sent. */
  private started = false;
  private last = -Infinity;
  private timer?: NodeJS.Timeout;

  constructor(private readonly report: (value: ProgressReport) => void, private readonly everyMs = 100, private readonly now: () => number = Date.now) {}

  /** The newest text (made when sent) and what moved since the last update, in percent of the whole. */
  update(text: () => string, increment = 0): void {
    this.text = text;
    this.increment += increment;
    this.dirty = true;
    const wait = this.last + this.everyMs - this.now();
    // The first bytes go at once too: the bar starts as soon as something moves.
    if (wait <= 0 || (increment > 0 && !this.started)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  /** Sends what is waiting now (the batch's end). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty || !this.text) return;
    this.dirty = false;
    this.last = this.now();
    const increment = this.increment;
    this.increment = 0;
    if (increment > 0) this.started = true;
    this.report(increment ? { message: this.text(), increment } : { message: this.text() });
  }
}
