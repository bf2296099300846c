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

/** A port number a server can listen on. */
export const portProblem = (port: number): string | undefined =>
  Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : `${port} is not a port number (1-65535).`;

/**
 * The server as Add Site's question takes it: `host`, `host:port`, `[IPv6]:port`, also pasted as
 * `ftp://host:port/` or `ftps://host/` (the scheme and a trailing "/" are dropped, the scheme
 * reported). A user, a path, spaces, a port outside 1-65535 or a host that can't be one are refused with the reason.
 */
export function parseServer(input: string): { host: string; port?: number; scheme?: 'ftp' | 'ftps' } | { problem: string } {
  let v = input.trim();
  const scheme = /^(ftps?):\/\//i.exec(v)?.[1].toLowerCase() as 'ftp' | 'ftps' | undefined;
  if (scheme) v = v.slice(scheme.length + 3).replace(/\/$/, '');
  if (v === '') return { problem: 'The server\'s host name or address, like ftp.example.com or 192.0.2.10:2121.' };
  if (v.includes('@')) return { problem: 'Only the server here, without a user name: the user is asked next.' };
  if (v.includes('/')) return { problem: 'not a host name: only the server goes here, without a folder (the start folder is asked later).' };
  const m = HOST_PORT.exec(v);
  if (!m) return { problem: 'A host name or address, like ftp.example.com or 192.0.2.10:2121 (letters, digits, dots and dashes; [brackets] around an IPv6 address).' };
  const host = m[1].replace(/^\[|\]$/g, '');
  if (/^[.-]|[.-]$|\.\./.test(host) && !m[1].startsWith('[')) return { problem: `"${host}" is not a host name: it can't start or end with a dot or dash, or have two dots in a row.` };
  const port = m[2] === undefined ? undefined : Number(m[2]);
  const bad = port === undefined ? undefined : portProblem(port);
  if (bad) return { problem: bad };
  return { host, ...(port !== undefined ? { port } : {}), ...(scheme ? { scheme } : {}) };
}

/**
 * A start folder as typed: a path from `/`, or one relative to the login's home folder (`public_html`
 * with home `/home/me` is `/home/me/public_html`); no "." or ".." segments, no trailing "/". Empty is
 * the server's `/` (no remoteRoot).
 */
export function parseRemoteRoot(input: string, home = '/'): { root?: string } | { problem: string } {
  const v = input.trim();
  if (v === '' || v === '/') return {};
  if (/[\r\n\0]/.test(v)) return { problem: 'A folder name can\'t hold a line break.' };
  const path = (v.startsWith('/') ? v : `${home.replace(/\/+$/, '')}/${v}`).replace(/\/+$/, '');
  if (path.split('/').some((seg) => seg === '.' || seg === '..')) return { problem: 'A folder path without "." or ".." in it, like /public_html.' };
  const root = path.replace(/\/{2,}/g, '/');
  return root === '' || root === '/' ? {} : { root };
}

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
