/**
 * FileZilla's Site Manager file (`sitemanager.xml`, or a list exported from it): folders of
 * servers, read with a real XML parser (saxes, through xml.ts) into neutral records.
 *
 *   <FileZilla3><Servers>
 *     <Folder expanded="1">Clients
 *       <Server><Host>..</Host><Port>21</Port><Protocol>4</Protocol><Type>0</Type><User>..</User>
 *         <Pass encoding="base64">..</Pass><Logontype>1</Logontype><PasvMode>MODE_PASSIVE</PasvMode>
 *         <EncodingType>Custom</EncodingType><CustomEncoding>ISO-8859-1</CustomEncoding>
 *         <RemoteDir>1 0 11 public_html</RemoteDir><Name>Shop</Name>..</Server>
 *     </Folder>
 *   </Servers></FileZilla3>
 *
 * A folder's name is its own text before its children. The file is untrusted: a document type
 * declaration (and so any entity of its own) is refused outright (FileZilla never writes one), the
 * size, the number of entries and the folder depth are bounded (limits.ts), and nothing in it is
 * ever run or fetched.
 */
import { ImportFileError, ImportedSite, ParsedFile } from './records';
import { MAX_DEPTH, MAX_ENTRIES, cleanName, hostProblem, passwordProblem, portOf, userProblem } from './limits';
import { decodeRemoteDir } from './filezilla-path';
import { XmlElement, XmlError, elements, ownText, parseXml, textOf } from './xml';
import type { SecureMode } from '../../ftp';
import { iconvLite } from '../../ftp/encoding';

/** FileZilla's protocols by number (its `ServerProtocol` enum): what FTP Workspace makes of each. */
const PROTOCOLS: Record<number, { name: string; secure?: SecureMode; note?: string; skip?: string }> = {
  0: { name: 'FTP (TLS if available)', secure: 'explicit', note: 'FileZilla used TLS only when the server offered it; imported as explicit FTPS (set secure to off for a server without TLS)' },
  1: { name: 'SFTP', skip: 'SFTP runs over SSH, not FTP: FTP Workspace speaks FTP and FTPS only' },
  2: { name: 'HTTP', skip: 'HTTP is not FTP' },
  3: { name: 'FTPS (implicit TLS)', secure: 'implicit' },
  4: { name: 'FTPES (explicit TLS)', secure: 'explicit' },
  5: { name: 'HTTPS', skip: 'HTTPS is not FTP' },
  6: { name: 'FTP (insecure)', secure: 'off' },
};
const PRO_PROTOCOLS = ['S3', 'Storj', 'WebDAV', 'Azure File', 'Azure Blob', 'OpenStack Swift', 'Google Cloud Storage', 'Google Drive', 'Dropbox', 'OneDrive', 'Backblaze B2', 'Box', 'WebDAV (insecure)'];

function protocolOf(n: number): { name: string; secure?: SecureMode; note?: string; skip?: string } {
  if (PROTOCOLS[n]) return PROTOCOLS[n];
  const pro = PRO_PROTOCOLS[n - 7];
  if (pro) return { name: pro, skip: `${pro} (FileZilla Pro) is not FTP` };
  return { name: `protocol ${n}`, skip: `FileZilla's protocol number ${n} is not one FTP Workspace knows` };
}

/** A direct child's text (never a grandchild's: bookmarks have RemoteDir elements too). */
const childText = (el: XmlElement, tag: string): string | undefined => {
  const child = elements(el).find((c) => c.name === tag);
  return child ? textOf(child) : undefined;
};
const intOf = (text: string | undefined, fallback: number) => (text !== undefined && /^\s*-?\d{1,6}\s*$/.test(text) ? Number(text) : fallback);

/** Parses the text of a FileZilla site list; throws ImportFileError when it is not one. */
export function parseFileZilla(text: string): ParsedFile {
  // FileZilla never writes a DTD; one here can only be there to declare entities (billion laughs,
  // external files). Refused before parsing, whatever the parser would make of it.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new ImportFileError('The file has a document type declaration (<!DOCTYPE>), which FileZilla never writes: it is not read.');
  let root: XmlElement;
  try {
    // Elements below the deepest folder FileZilla could have are parsed but not kept.
    root = parseXml(text, MAX_DEPTH + 8);
  } catch (e) {
    if (e instanceof XmlError && /document type declaration/.test(e.message)) throw new ImportFileError('The file has a document type declaration (<!DOCTYPE>), which FileZilla never writes: it is not read.');
    throw new ImportFileError(`The file is not well-formed XML: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`);
  }
  if (root.name !== 'FileZilla3') throw new ImportFileError(`The file is XML but not FileZilla's: its root element is <${root.name.slice(0, 40)}>, not <FileZilla3>.`);
  const servers = elements(root).filter((c) => c.name === 'Servers');
  if (servers.length === 0) {
    const what = elements(root).map((c) => c.name).find((t) => t === 'RecentServers' || t === 'Queue');
    throw new ImportFileError(`The file has no site list (<Servers>)${what ? `: it holds FileZilla's ${what === 'Queue' ? 'transfer queue' : 'recent servers'}` : ''}. Import sitemanager.xml, or a list exported from the Site Manager.`);
  }

  const sites: ImportedSite[] = [];
  const problems: string[] = [];
  let full = false;
  const walk = (el: XmlElement, folders: string[]) => {
    for (const child of elements(el)) {
      if (full) return;
      if (child.name === 'Folder') {
        const name = cleanName(ownText(child));
        if (!name) {
          problems.push(`A folder without a name${folders.length ? ` in ${folders.join('/')}` : ''} was left out (FileZilla doesn't show it either).`);
        } else if (folders.length >= MAX_DEPTH) {
          problems.push(`Folders nested deeper than ${MAX_DEPTH} levels were left out (in ${folders.slice(0, 3).join('/')}/...).`);
        } else {
          walk(child, [...folders, name]);
        }
      } else if (child.name === 'Server') {
        if (sites.length >= MAX_ENTRIES) {
          full = true;
          problems.push(`Only the first ${MAX_ENTRIES} sites were read; the file has more.`);
          return;
        }
        sites.push(readServer(child, folders));
      }
    }
  };
  for (const s of servers) walk(s, []);
  return { format: 'FileZilla', sites, problems };
}

function readServer(el: XmlElement, folders: string[]): ImportedSite {
  const host = (childText(el, 'Host') ?? '').trim();
  const name = cleanName(childText(el, 'Name') ?? '') || cleanName(ownText(el)) || cleanName(host) || '(no name)';
  const protocol = protocolOf(intOf(childText(el, 'Protocol'), 0));
  const site: ImportedSite = { format: 'FileZilla', folders, name, protocol: protocol.name, notes: [] };
  if (protocol.skip) return { ...site, skip: protocol.skip };
  const hostIssue = hostProblem(host);
  if (hostIssue) return { ...site, skip: hostIssue };
  site.host = host.replace(/^\[(.*)\]$/, '$1');
  const portText = childText(el, 'Port');
  const port = portText === undefined ? (protocol.secure === 'implicit' ? 990 : 21) : portOf(portText);
  if (port === undefined) return { ...site, skip: `its port (${portText!.slice(0, 20)}) is not a port number` };
  site.port = port;
  site.secure = protocol.secure;
  if (protocol.note) site.notes.push(protocol.note);

  // Logon types (FileZilla's LogonType): 0 anonymous, 1 normal, 2 ask, 3 interactive, 4 account, 5 key file, 6 profile.
  const logon = intOf(childText(el, 'Logontype'), 0);
  if (logon === 6) return { ...site, skip: 'it logs on with a cloud profile, which is not FTP' };
  if (logon !== 0) {
    const user = childText(el, 'User') ?? '';
    const userIssue = userProblem(user);
    if (userIssue) return { ...site, skip: userIssue };
    if (user !== '' && user !== 'anonymous') site.user = user;
    else if (logon !== 1 && logon !== 4) site.notes.push('FileZilla asks for the user name at each connect; imported as anonymous (set user to log in as someone)');
  }
  if (site.user) {
    if (logon === 1 || logon === 4) readPassword(el, site);
    else if (logon === 2) site.passwordNote = 'FileZilla asks for it at each connect: FTP Workspace asks at first connect';
    else if (logon === 3) site.passwordNote = 'FileZilla logs on interactively: FTP Workspace asks for the password at first connect';
    else if (logon === 5) site.passwordNote = 'FileZilla logs on with a key file, which FTP has no use for: FTP Workspace asks for a password at first connect';
    else site.passwordNote = `FileZilla's logon type ${logon} is not one FTP Workspace knows: it asks for the password at first connect`;
  }
  if (logon === 4 && (childText(el, 'Account') ?? '') !== '') site.notes.push("the account (ACCT) is not carried over: FTP Workspace has no setting for it");

  const pasv = (childText(el, 'PasvMode') ?? '').trim();
  site.transferMode = pasv === 'MODE_ACTIVE' ? 'active' : pasv === 'MODE_PASSIVE' ? 'passive' : 'auto';

  const encodingType = (childText(el, 'EncodingType') ?? '').trim();
  if (encodingType === 'Custom') {
    const custom = (childText(el, 'CustomEncoding') ?? '').trim();
    if (custom && custom.length <= 40 && iconvLite().encodingExists(custom)) site.encoding = custom;
    else site.notes.push(`its file name encoding ("${custom.slice(0, 40)}") is not one FTP Workspace knows: left at UTF-8`);
  }

  const remote = decodeRemoteDir(childText(el, 'RemoteDir') ?? '');
  if (remote && 'problem' in remote) site.notes.push(remote.problem);
  else if (remote && remote.path !== '/') site.remoteRoot = remote.path;

  const connections = intOf(childText(el, 'MaximumMultipleConnections'), 0);
  if (connections > 0) site.maxConnections = Math.min(connections, 10);
  const offset = intOf(childText(el, 'TimezoneOffset'), 0);
  if (offset !== 0) site.notes.push(`FileZilla's time offset (${offset} minutes) is not carried over: set serverTimeZoneOffsetMinutes if listing dates are off`);
  const commands = elements(el).find((c) => c.name === 'PostLoginCommands');
  if (commands && elements(commands).some((c) => textOf(c).trim() !== '')) site.notes.push('its post-login commands are not carried over: FTP Workspace sends none');
  return site;
}

/** The `Pass` element: base64 (FileZilla 3.26 and later), plain (older), or encrypted with a master password. */
function readPassword(el: XmlElement, site: ImportedSite): void {
  const pass = elements(el).find((c) => c.name === 'Pass');
  if (!pass) {
    site.passwordNote = 'FileZilla has no password saved for it: FTP Workspace asks at first connect';
    return;
  }
  const encoding = pass.attributes.encoding ?? '';
  const raw = textOf(pass);
  let password: string;
  if (encoding === 'base64') {
    const b64 = raw.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) {
      site.passwordNote = 'its saved password is not valid base64: not imported, FTP Workspace asks at first connect';
      return;
    }
    try {
      password = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
    } catch {
      site.passwordNote = 'its saved password is not UTF-8 text: not imported, FTP Workspace asks at first connect';
      return;
    }
  } else if (encoding === 'crypt') {
    site.passwordNote = "FileZilla keeps it encrypted with your master password, which can't be read here: FTP Workspace asks at first connect (or use FTP: Set Password...)";
    return;
  } else if (encoding !== '') {
    site.passwordNote = `its password is saved in a form FileZilla calls "${encoding.slice(0, 20)}", which is not read: FTP Workspace asks at first connect`;
    return;
  } else {
    password = raw;
  }
  if (password === '') {
    site.passwordNote = 'its saved password is empty: FTP Workspace asks at first connect';
    return;
  }
  const issue = passwordProblem(password);
  if (issue) {
    site.passwordNote = `its saved password is not imported (${issue}): FTP Workspace asks at first connect`;
    return;
  }
  site.password = password;
}
