/**
 * Captures what one doctor step sent and received. The engine already logs every command (masked)
 * and reply line, so the doctor taps the log instead of wrapping the control connection.
 */
import { LogSink } from '../log';

export class StepRecorder {
  private sent: string[] = [];
  private replies: string[] = [];
  /** While paused (a silent reconnect between steps) nothing is recorded. */
  paused = false;

  constructor(private readonly forward: LogSink) {}

  readonly sink: LogSink = (event) => {
    this.forward(event);
    if (this.paused) return;
    if (event.kind === 'command') this.sent.push(event.text);
    else if (event.kind === 'reply') this.replies.push(event.text);
  };

  /** Starts a new step: forgets what the previous one recorded. */
  begin(): void {
    this.sent = [];
    this.replies = [];
  }

  get commands(): readonly string[] {
    return this.sent;
  }

  get replyLines(): readonly string[] {
    return this.replies;
  }

  end(): { sent: string[]; reply: string } {
    const result = { sent: this.sent, reply: this.replies.join('\n') };
    this.begin();
    return result;
  }
}
