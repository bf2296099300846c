/**
 * Imported records to sites: the `SiteConfig` each becomes (never with its password), and the
 * name it is kept under. A site name is a URI authority (`ftp://<name>/`), so the file's names
 * (`Clients/Müller & Söhne/Shop`) become something readable that can't break one:
 * `clients-muller-sohne-shop`. No `vscode` import: unit tests call these directly.
 */
import type { SiteConfig } from '../config';
import { ImportedSite } from './records';

/** What a site name may be: letters, digits, dot, dash, underscore; 63 at most; not ending in a dot. */
export const IMPORTED_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9_-])?$/;

/** The readable, URI-safe name for an entry's folders and name (not yet unique). */
export function baseSiteName(parts: string[]): string {
  const name = parts.join('-')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '') // é -> e, ü -> u
    .replace(/ß/g, 'ss').replace(/[æÆ]/g, 'ae').replace(/[øØ]/g, 'o').replace(/[œŒ]/g, 'oe').replace(/[łŁ]/g, 'l').replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/[-_.]*-[-_.]*/g, '-') // runs of separators around a dash read as one dash
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63)
    .replace(/[-_.]+$/, '');
  return name || 'site';
}

/** `base`, or `base-2`, `base-3`, ... : the first that `taken` (lower case) does not hold. */
export function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const suffix = `-${i}`;
    const name = `${base.slice(0, 63 - suffix.length).replace(/[-_.]+$/, '')}${suffix}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/**
 * Names for entries of one file, in file order, unique among themselves (two "Shop"s in one folder
 * become `shop` and `shop-2`); the same file always gives the same names, so importing it again
 * meets its own sites as existing ones.
 */
export function namesWithinFile(sites: ImportedSite[]): string[] {
  const taken = new Set<string>();
  return sites.map((s) => {
    const name = uniqueName(baseSiteName([...s.folders, s.name]), taken);
    taken.add(name.toLowerCase());
    return name;
  });
}

export type ExistingChoice = 'replace' | 'skip' | 'keepBoth';

/**
 * The names to write, given the sites already configured: a name that exists already (whatever
 * its case) is replaced, skipped (undefined) or renamed to a free one, as `choice` says.
 */
export function resolveNames(names: string[], existing: Iterable<string>, choice: ExistingChoice): Array<string | undefined> {
  const existingLower = new Set([...existing].map((n) => n.toLowerCase()));
  const taken = new Set([...existingLower, ...names.map((n) => n.toLowerCase())]);
  return names.map((name) => {
    if (!existingLower.has(name.toLowerCase())) return name;
    if (choice === 'skip') return undefined;
    if (choice === 'replace') return [...existing].find((n) => n.toLowerCase() === name.toLowerCase()) ?? name;
    const renamed = uniqueName(name, taken);
    taken.add(renamed.toLowerCase());
    return renamed;
  });
}

/** The settings an importable entry becomes: no password (that goes to secret storage), no defaults spelled out that it doesn't set. */
export function toSiteConfig(s: ImportedSite): SiteConfig {
  if (s.skip || !s.host) throw new Error(`"${s.name}" can't be imported: ${s.skip ?? 'it has no host'}`);
  return {
    host: s.host,
    ...(s.port !== undefined ? { port: s.port } : {}),
    ...(s.user !== undefined ? { user: s.user } : {}),
    ...(s.secure && s.secure !== 'off' ? { secure: s.secure } : {}),
    transferMode: s.transferMode ?? 'auto',
    ...(s.remoteRoot ? { remoteRoot: s.remoteRoot } : {}),
    ...(s.encoding ? { encoding: s.encoding } : {}),
    ...(s.maxConnections ? { maxConnections: s.maxConnections } : {}),
  };
}

const SECURITY = { off: 'FTP', explicit: 'FTPS explicit', implicit: 'FTPS implicit' } as const;

/** One line about what an entry becomes: `me@ftp.example.com:21 · FTPS explicit · passive · password saved`. */
export function summary(s: ImportedSite): string {
  if (s.skip) return `${s.protocol}: ${s.skip}`;
  const host = s.host!.includes(':') ? `[${s.host}]` : s.host;
  const parts = [`${s.user ? `${s.user}@` : ''}${host}:${s.port}`, SECURITY[s.secure ?? 'off'], s.transferMode ?? 'auto'];
  if (s.remoteRoot) parts.push(s.remoteRoot);
  if (s.encoding) parts.push(s.encoding);
  parts.push(!s.user ? 'anonymous' : s.password !== undefined ? 'password saved' : 'password asked at first connect');
  return parts.join(' · ');
}
