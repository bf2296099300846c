/** What the engine tells a log: every command, reply and data connection, with secrets masked. */
export type LogEventKind = 'command' | 'reply' | 'data' | 'info' | 'error';

export interface LogEvent {
  kind: LogEventKind;
  /** Which control connection, to tell pooled connections apart. */
  connection: number;
  text: string;
  /**
   * A command sent in the same write as the one before it, without waiting for that one's reply
   * (pipelining): both together cost one round trip.
   */
  pipelined?: boolean;
  /**
   * Why a command was sent, for a reader of the log, where its reply could read as a failure (a
   * stat's CWD: a file answers 550).
   */
  note?: string;
}

export type LogSink = (event: LogEvent) => void;

export const noLog: LogSink = () => undefined;

/** Commands whose argument is secret. */
const SECRET_COMMANDS = /^(PASS|ACCT)\s+/i;

/** The command as a log may show it: the argument of PASS and ACCT replaced. */
export function maskCommand(command: string): string {
  return SECRET_COMMANDS.test(command) ? command.replace(/^(\S+)\s+.*$/s, '$1 ****') : command;
}
