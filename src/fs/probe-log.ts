import type { LogEvent } from '../ftp/log';

/**
 * Names VS Code probes for in every folder (settings, tasks, git, MCP servers in `.cursor/mcp.json`,
 * ...): their absence is normal. A command about one of them that the server answers with an error
 * stays out of the log.
 */
export const VSCODE_PROBES = /(^|\/)(\.vscode|\.cursor|\.git|\.devcontainer|\.github|node_modules|[^/]*\.code-workspace|pom\.xml|package\.json|\.editorconfig|\.gitignore|\.hg|\.svn)(\/|$)/;

/** The commands about a probe sent together (a stat's SIZE, CWD and MDTM), and their replies so far. */
interface Held {
  events: LogEvent[];
  commands: number;
  replies: number;
  /** Some reply was not an error: the probe found something, so the whole exchange shows. */
  answered: boolean;
  /** The code of a multi-line reply under way: only a line with it and a space ends it (RFC 959 4.2). */
  open?: string;
  /**
   * It starts with a data method's command (EPSV, PASV, EPRT, PORT), held in case the data command
   * sent with it (client.ts transfer), or after its 2xx when sent one at a time, is about a probe: a
   * RETR of `.vscode/settings.json` refused leaves out its EPSV, 229 and data connection lines too.
   * Its own positive reply finds nothing.
   */
  method?: boolean;
}

const DATA_METHOD = /^(EPSV|PASV|EPRT|PORT)\b/;
/** What follows a data method (anything else after its 2xx: that transfer never started, e.g. cancelled). */
const DATA_COMMAND = /^(RETR|LIST|NLST|MLSD|STOR|STOU|APPE)\b/;
/** Replies about the data connection itself (425 can't open, 426 broken off): never "not there". */
const DATA_TROUBLE = /^42[56]/;

/**
 * Holds back a connection's commands about one of VS Code's probes until all their replies are in:
 * all errors (not there, as usual), the exchange stays out of the log; any other answer shows it
 * whole, in order. Commands about a probe sent together with the first (pipelined) join it; one
 * about something else sent with it shows it all. A data method's command (EPSV) is held until a
 * command says whether the data command that went with it, or came after its 2xx, is a probe's.
 */
export class ProbeLogFilter {
  private readonly held = new Map<string, Held>();

  /** The events of connection `conn` to log now, this one included or held back. */
  pass(conn: string, e: LogEvent): LogEvent[] {
    const group = this.held.get(conn);
    if (e.kind === 'command') {
      const argument = e.text.replace(/^\S+\s*/, '');
      const probe = argument !== '' && VSCODE_PROBES.test(argument);
      if (group && e.pipelined) {
        if (probe) {
          group.events.push(e);
          group.commands++;
          return [];
        }
        // Sent with a command about something else, whose replies follow the held ones: all show.
        this.held.delete(conn);
        return [...group.events, e];
      }
      // A data method's command sent alone and answered 2xx: the data command comes next, one at a
      // time (before the method has worked on the site). A probe's joins the exchange; any other
      // command shows the method's lines, held so far.
      if (group?.method && group.commands === 1 && group.replies === 1) {
        if (probe && DATA_COMMAND.test(e.text)) {
          group.events.push(e);
          group.commands++;
          return [];
        }
        this.held.delete(conn);
        group.answered = true;
      }
      const before = group ? this.release(conn, group) : [];
      if (!e.pipelined && (probe || DATA_METHOD.test(e.text))) {
        this.held.set(conn, { events: [e], commands: 1, replies: 0, answered: false, method: !probe });
        return before;
      }
      return [...before, e];
    }
    if (!group) return [e];
    // The data connection of a probe's download: part of the exchange.
    if (group.method && e.kind === 'data') {
      group.events.push(e);
      return [];
    }
    // Cut short (a reply that never came, the connection lost, a data connection that failed): what
    // follows is about these commands. A lone data method's command waiting for its data command shows.
    if (e.kind !== 'reply') {
      group.answered ||= group.replies < group.commands || (group.method === true && group.commands === 1);
      return [...this.release(conn, group), e];
    }
    group.events.push(e);
    if (group.open !== undefined) {
      // Inside a multi-line reply, lines may start with any digits: only its own code and a space end it.
      if (e.text !== group.open && !e.text.startsWith(`${group.open} `)) return [];
      group.open = undefined;
      group.replies++;
      return this.settled(conn, group);
    }
    const code = /^((\d)\d\d)([ -]|$)/.exec(e.text);
    if (group.method && group.replies === 0) {
      // The data method's own reply: a 2xx finds nothing; anything else (a 425) is worth seeing.
      if (!code || code[2] !== '2') group.answered = true;
    } else if (code && ((code[2] !== '4' && code[2] !== '5') || code[1] === '421' || (group.method && DATA_TROUBLE.test(code[1])))) {
      // A 421 is the server closing, and a 425/426 a data connection that failed: never "not there".
      group.answered = true;
    }
    // A reply's last line: its code and a space (or nothing); a multi-line one's first line has a dash.
    if (code && code[3] === '-') group.open = code[1];
    else if (code) group.replies++;
    return this.settled(conn, group);
  }

  /** After a reply: the exchange ends once every command has its reply (a lone data method's 2xx waits for the data command). */
  private settled(conn: string, group: Held): LogEvent[] {
    if (group.method && group.commands === 1 && !group.answered && group.replies === 1) return [];
    return group.replies >= group.commands ? this.release(conn, group) : [];
  }

  /** Ends a held exchange: its events if the server found something, else none. */
  private release(conn: string, group: Held): LogEvent[] {
    this.held.delete(conn);
    return group.answered ? group.events : [];
  }
}
