/**
 * Passwords live in VS Code's SecretStorage, never in settings, never in logs. Each is bound to the
 * server it was given for: user, host, port and security. A site whose settings now name another
 * server (a workspace that redefines the user's site `prod` with its own host, say) does not get
 * the password: `lookup` says the server changed, and the user is asked again.
 *
 * Stored as JSON under `ftpWorkspace.credential.<site>`. Values that earlier versions kept under
 * `ftpWorkspace.password.<site>` were bound to nothing: they are never sent, only reported as
 * unbound (the user is asked once more), and removed when a bound password replaces them.
 */
import type * as vscode from 'vscode';
import type { SecureMode } from '../ftp';

/** The server a password belongs to. */
export interface ServerIdentity {
  user: string;
  /** Lower case, without IPv6 brackets. */
  host: string;
  port: number;
  secure: SecureMode;
}

export type PasswordLookup =
  /** Stored for exactly this server. */
  | { kind: 'bound'; password: string }
  /** Stored for another server: not to be sent. */
  | { kind: 'otherServer'; storedFor: ServerIdentity }
  /** Kept by an earlier version, bound to nothing: not to be sent. */
  | { kind: 'unbound' }
  | { kind: 'none' };

const key = (site: string) => `ftpWorkspace.credential.${site}`;
const legacyKey = (site: string) => `ftpWorkspace.password.${site}`;

/** The identity of a server as the settings name it: defaults filled in, host in lower case. */
export function serverIdentity(s: { user?: string; host: string; port?: number; secure?: SecureMode }): ServerIdentity {
  const secure = s.secure ?? 'off';
  return { user: s.user ?? '', host: s.host.replace(/^\[|\]$/g, '').toLowerCase(), port: s.port ?? (secure === 'implicit' ? 990 : 21), secure };
}

export function sameServer(a: ServerIdentity, b: ServerIdentity): boolean {
  return a.user === b.user && a.host === b.host && a.port === b.port && a.secure === b.secure;
}

/** `me@ftp.example.com:21 (FTP)`, `me@ftp.example.com:990 (FTPS, implicit)`: how a server is named to the user. */
export function describeServer(s: ServerIdentity): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  return `${s.user ? `${s.user}@` : ''}${host}:${s.port} (${s.secure === 'off' ? 'FTP' : `FTPS, ${s.secure}`})`;
}

interface Stored {
  v: 1;
  password: string;
  server: ServerIdentity;
}

function parse(raw: string | undefined): Stored | undefined {
  if (raw === undefined) return undefined;
  try {
    const o = JSON.parse(raw) as Partial<Stored>;
    const s = o?.server;
    if (o?.v === 1 && typeof o.password === 'string' && s && typeof s.host === 'string' && typeof s.user === 'string' && typeof s.port === 'number' && typeof s.secure === 'string') {
      return { v: 1, password: o.password, server: serverIdentity(s) };
    }
  } catch {
    // not ours
  }
  return undefined;
}

export class SiteSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  /** The password to send to `server` for this site, or why there is none to send. */
  async lookup(site: string, server: ServerIdentity): Promise<PasswordLookup> {
    const stored = parse(await this.storage.get(key(site)));
    if (stored) return sameServer(stored.server, server) ? { kind: 'bound', password: stored.password } : { kind: 'otherServer', storedFor: stored.server };
    return (await this.storage.get(legacyKey(site))) !== undefined ? { kind: 'unbound' } : { kind: 'none' };
  }

  /** Stores the password for this site and server (replacing any other, and an unbound one). */
  async set(site: string, password: string, server: ServerIdentity): Promise<void> {
    const value: Stored = { v: 1, password, server: serverIdentity(server) };
    await this.storage.store(key(site), JSON.stringify(value));
    await this.storage.delete(legacyKey(site));
  }

  /**
   * A renamed site keeps its password, still bound to the server it was given for: copied to the
   * new name (the old one is forgotten once nothing uses it). Whatever the new name had stored
   * (left by a removed site) is dropped, never inherited.
   */
  async copy(from: string, to: string): Promise<void> {
    if (from === to) return;
    for (const k of [key, legacyKey]) {
      const raw = await this.storage.get(k(from));
      if (raw !== undefined) await this.storage.store(k(to), raw);
      else await this.storage.delete(k(to));
    }
  }

  async forget(site: string): Promise<void> {
    await this.storage.delete(key(site));
    await this.storage.delete(legacyKey(site));
  }
}
