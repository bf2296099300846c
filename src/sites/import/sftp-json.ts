/**
 * The SFTP extension's `.vscode/sftp.json` (liximomo's "SFTP" and the Natizyskunk fork): one
 * configuration object or an array of them, each optionally with `profiles` (named overrides of
 * it). Only `protocol: "ftp"` entries are FTP; the others (sftp, the default, and local) are listed
 * as skipped with the reason.
 *
 *   { "name": "Shop", "protocol": "ftp", "host": "ftp.example.com", "port": 21,
 *     "username": "me", "password": "...", "remotePath": "/public_html",
 *     "passive": true, "secure": "control" }
 *
 * `secure`: true or "control" is explicit FTPS (FTP Workspace encrypts the data connections too),
 * "implicit" is implicit FTPS. Both extensions' FTP is passive-only whatever `passive` says, so
 * `passive: true` becomes passive and anything else auto. Comments and trailing commas (JSONC,
 * which the fork reads) are allowed.
 */
import { ImportFileError, ImportedSite, ParsedFile } from './records';
import { MAX_ENTRIES, cleanName, hostProblem, passwordProblem, portOf, userProblem } from './limits';

/**
 * The text without // and /* *\/ comments and without trailing commas; strings untouched (a
 * string is matched first, so "//" inside one stays). One linear regex pass.
 */
export function stripJsonComments(text: string): string {
  return text.replace(/("(?:[^"\\\n]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|,(?=\s*[}\]])/g, (match, string: string | undefined) => string ?? (match.startsWith('/*') ? ' ' : ''));
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Parses the text of an sftp.json; throws ImportFileError when it is not one. */
export function parseSftpJson(text: string): ParsedFile {
  let data: unknown;
  try {
    data = JSON.parse(stripJsonComments(text));
  } catch (e) {
    throw new ImportFileError(`The file is not JSON: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`);
  }
  const configs = Array.isArray(data) ? data : [data];
  if (!configs.every(isObject)) throw new ImportFileError('The file is JSON but not an sftp.json: that is one configuration object, or an array of them.');
  const sites: ImportedSite[] = [];
  const problems: string[] = [];
  for (const [index, config] of (configs as Json[]).entries()) {
    const base = cleanName(str(config.name) ?? '') || cleanName(str(config.host) ?? '') || `configuration ${index + 1}`;
    const profiles = isObject(config.profiles) ? Object.entries(config.profiles) : [];
    // The base configuration on its own (when it names a host), then each profile over it.
    if (str(config.host) !== undefined || profiles.length === 0) sites.push(readConfig(config, [], base));
    for (const [profile, overrides] of profiles) {
      if (sites.length >= MAX_ENTRIES) break;
      sites.push(isObject(overrides) ? readConfig({ ...config, ...overrides }, [base], cleanName(profile) || '(no name)')
        : { format: 'sftp.json', folders: [base], name: cleanName(profile) || '(no name)', protocol: 'unknown', notes: [], skip: 'its profile is not an object' });
    }
    if (sites.length >= MAX_ENTRIES) {
      problems.push(`Only the first ${MAX_ENTRIES} configurations were read; the file has more.`);
      sites.length = MAX_ENTRIES;
      break;
    }
  }
  return { format: 'sftp.json', sites, problems };
}

function readConfig(c: Json, folders: string[], name: string): ImportedSite {
  const protocol = str(c.protocol) ?? 'sftp';
  const site: ImportedSite = { format: 'sftp.json', folders, name, protocol: protocol.slice(0, 20), notes: [] };
  if (protocol === 'sftp') return { ...site, protocol: 'SFTP', skip: 'SFTP runs over SSH, not FTP: FTP Workspace speaks FTP and FTPS only' };
  if (protocol !== 'ftp') return { ...site, skip: `its protocol "${site.protocol}" is not FTP` };
  site.protocol = c.secure === 'implicit' ? 'FTPS (implicit)' : c.secure === true || c.secure === 'control' ? 'FTPS (explicit)' : 'FTP';
  const host = str(c.host)?.trim() ?? '';
  const hostIssue = hostProblem(host);
  if (hostIssue) return { ...site, skip: str(c.remote) && !host ? `it takes its host from the Remote FS setting "${str(c.remote)!.slice(0, 40)}", which is not read` : hostIssue };
  site.host = host.replace(/^\[(.*)\]$/, '$1');
  site.secure = c.secure === 'implicit' ? 'implicit' : c.secure === true || c.secure === 'control' ? 'explicit' : 'off';
  if (c.secure === 'control') site.notes.push('"secure": "control" encrypted only the control connection; FTP Workspace encrypts the data connections too');
  if (c.secure !== undefined && c.secure !== false && site.secure === 'off') site.notes.push(`"secure": ${JSON.stringify(c.secure).slice(0, 20)} is not a value the SFTP extension knows: imported as plain FTP`);
  const port = c.port === undefined ? (site.secure === 'implicit' ? 990 : 21) : portOf(c.port);
  if (port === undefined) return { ...site, skip: `its port (${JSON.stringify(c.port).slice(0, 20)}) is not a port number` };
  site.port = port;

  const user = str(c.username) ?? '';
  const userIssue = userProblem(user);
  if (userIssue) return { ...site, skip: userIssue };
  if (user !== '' && user !== 'anonymous') site.user = user;
  const password = str(c.password);
  if (site.user) {
    const issue = password === undefined ? undefined : passwordProblem(password);
    if (password === undefined || password === '') site.passwordNote = 'sftp.json has no password for it: FTP Workspace asks at first connect';
    else if (issue) site.passwordNote = `its password is not imported (${issue}): FTP Workspace asks at first connect`;
    else site.password = password;
  }

  site.transferMode = c.passive === true ? 'passive' : 'auto';
  if (c.passive === false) site.notes.push('"passive": false did nothing in the SFTP extension (its FTP is passive only): imported as auto, passive first, then active');

  const remotePath = str(c.remotePath);
  if (remotePath !== undefined) {
    const normalized = remotePath.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
    if (/[\0\r\n]/.test(normalized) || normalized.split('/').some((s) => s === '..')) site.notes.push('its remotePath is not a folder path: not carried over');
    else if (normalized.startsWith('/')) {
      if (normalized !== '/') site.remoteRoot = normalized;
    } else if (!['', '.', './'].includes(remotePath)) {
      site.notes.push(`its remotePath "${remotePath.slice(0, 80)}" is relative to the login folder: not carried over, set remoteRoot to the full path`);
    }
  }
  return site;
}
