/**
 * Site names, addresses and the files named after sites: the rules, with no `vscode` import so unit
 * tests can check them.
 */
import * as crypto from 'node:crypto';

/** A name that is a URI authority as typed, a file name on every system, and short enough to read. */
export const SITE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** Why `v` can't be the name of a new site (given the existing ones), or undefined. */
export const siteNameProblem = (v: string, existing: Record<string, unknown>): string | undefined =>
  !SITE_NAME.test(v) || v.endsWith('.') ? 'Letters, digits, dot, dash and underscore (up to 63, not ending in a dot); no spaces.'
    : Object.keys(existing).some((n) => n.toLowerCase() === v.toLowerCase()) ? `A site named "${v}" exists already.` : undefined;
/** host or host:port, [IPv6]:port; nothing that could carry a user, a path or a second line. */
export const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[\p{L}\p{N}._-]+)(?::(\d{1,5}))?$/u;

/**
 * The parts of an ad-hoc authority `user@host:port`, split at the last "@" before decoding, so a
 * user name with an encoded "@" (`me%40example.com@ftp.example.com`) stays one user name. A
 * password in it (`user:pass@host`) is reported, never returned.
 */
export function parseAuthority(raw: string): { user?: string; host: string; port?: number; hasPassword: boolean } | undefined {
  const at = raw.lastIndexOf('@');
  const userinfo = at >= 0 ? raw.slice(0, at) : undefined;
  const hostport = at >= 0 ? raw.slice(at + 1) : raw;
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostport);
  if (!m) return undefined;
  // VS Code hands the authority over decoded already; decode what is still encoded, keep a bare "%".
  const decode = (t: string) => {
    try {
      return decodeURIComponent(t);
    } catch {
      return t;
    }
  };
  const host = decode(m[1]).replace(/^\[|\]$/g, '');
  const user = userinfo === undefined || userinfo === '' ? undefined : decode(userinfo.split(':')[0]);
  if (!host || /[\s/@]/.test(host)) return undefined;
  const port = m[2] ? Number(m[2]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { user, host, port, hasPassword: userinfo !== undefined && userinfo.includes(':') };
}

/** Names Windows reserves for devices, whatever the extension (CON.code-workspace is the console). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

/**
 * The file name of a site's one-folder workspace, always one plain file name inside the storage
 * folder: `<name>.code-workspace` for an ordinary name (what VS Code's recent list shows), else the
 * name's safe characters (at most 40) and a hash of the whole name, so `../x`, `a/b`, `CON`, `.` or
 * 500 characters can't reach outside the folder, and two names never share a file.
 */
export function workspaceFileName(site: string): string {
  if (SITE_NAME.test(site) && !site.endsWith('.') && !WINDOWS_DEVICE.test(site)) return `${site}.code-workspace`;
  const safe = site.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'site';
  const hash = crypto.createHash('sha256').update(site, 'utf8').digest('hex').slice(0, 10);
  return `${safe}-${hash}.code-workspace`;
}
