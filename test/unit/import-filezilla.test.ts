/**
 * FileZilla's Site Manager file read into import records (test/fixtures/import/filezilla-*.xml):
 * nested folders, base64 / plain / missing / encrypted passwords, every protocol, transfer mode,
 * logon type and encoding, RemoteDir decoded, odd names kept as text.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFileZilla } from '../../src/sites/import/filezilla';
import { decodeRemoteDir } from '../../src/sites/import/filezilla-path';
import { parseSiteList } from '../../src/sites/import/parse';
import { ImportFileError, ImportedSite, displayPath } from '../../src/sites/import/records';
import { readImportFixture } from '../fixtures/import';

const fixture = readImportFixture;
const byPath = (sites: ImportedSite[]) => new Map(sites.map((s) => [displayPath(s), s]));

describe('FileZilla sitemanager.xml', () => {
  const { format, sites, problems } = parseFileZilla(fixture('filezilla-sitemanager.xml'));
  const site = (p: string) => {
    const s = byPath(sites).get(p);
    assert.ok(s, `${p} in ${[...byPath(sites).keys()].join(', ')}`);
    return s;
  };

  test('every server is read, in file order, with the folders above it (nested), and nothing else', () => {
    assert.equal(format, 'FileZilla');
    assert.deepEqual(problems, []);
    assert.deepEqual(sites.map(displayPath), [
      'Clients/Müller & Söhne/Shop',
      'Clients/Müller & Söhne/Archive (implicit)',
      'Clients/Acme/Acme SSH',
      'Clients/Acme/Acme FTP',
      'Personal/Mirror (anonymous)',
      'Personal/Ask every time',
      'Personal/Plain password, with account',
      'Top level, no password saved',
      'WebDAV (Pro)',
    ]);
    assert.deepEqual(site('Clients/Müller & Söhne/Shop').folders, ['Clients', 'Müller & Söhne']);
  });

  test('FTPES with a base64 password, passive, a RemoteDir: all carried over; comments and colours are not settings', () => {
    assert.deepEqual(site('Clients/Müller & Söhne/Shop'), {
      format: 'FileZilla', folders: ['Clients', 'Müller & Söhne'], name: 'Shop', protocol: 'FTPES (explicit TLS)',
      host: 'ftp.example.com', port: 21, user: 'mueller', secure: 'explicit', transferMode: 'passive', remoteRoot: '/public_html',
      password: 's3cret!', notes: [],
    });
  });

  test('implicit FTPS, active mode, a custom encoding, a base64 password with non-ASCII characters', () => {
    const s = site('Clients/Müller & Söhne/Archive (implicit)');
    assert.equal(s.secure, 'implicit');
    assert.equal(s.port, 990);
    assert.equal(s.transferMode, 'active');
    assert.equal(s.encoding, 'ISO-8859-1');
    assert.equal(s.password, 'pässwörd ✓');
    assert.equal(s.remoteRoot, '/var/www/archive');
  });

  test('SFTP and FileZilla Pro protocols are skipped with the reason', () => {
    assert.match(site('Clients/Acme/Acme SSH').skip!, /SFTP runs over SSH, not FTP/);
    assert.equal(site('Clients/Acme/Acme SSH').password, undefined, 'no password read for a skipped entry');
    assert.match(site('WebDAV (Pro)').skip!, /WebDAV \(FileZilla Pro\) is not FTP/);
  });

  test('"FTP, TLS if available" becomes explicit FTPS, said so; MODE_DEFAULT becomes auto; a master-password-encrypted password is not imported, said so', () => {
    const s = site('Clients/Acme/Acme FTP');
    assert.equal(s.secure, 'explicit');
    assert.equal(s.port, 2121);
    assert.equal(s.transferMode, 'auto');
    assert.equal(s.remoteRoot, undefined, '"1 0" is the root folder');
    assert.equal(s.encoding, undefined, 'UTF-8 is the default');
    assert.equal(s.password, undefined);
    assert.match(s.passwordNote!, /encrypted with your master password/);
    assert.ok(s.notes.some((n) => /TLS only when the server offered it/.test(n)));
  });

  test('anonymous (logon type 0) has no user; plain insecure FTP is secure off', () => {
    const s = site('Personal/Mirror (anonymous)');
    assert.equal(s.user, undefined);
    assert.equal(s.secure, 'off');
    assert.equal(s.password, undefined);
    assert.equal(s.passwordNote, undefined);
  });

  test('logon type "ask": the user is kept, the password asked at first connect; a time offset is named as not carried over', () => {
    const s = site('Personal/Ask every time');
    assert.equal(s.user, 'me');
    assert.equal(s.password, undefined);
    assert.match(s.passwordNote!, /asks at first connect/);
    assert.ok(s.notes.some((n) => /time offset \(120 minutes\)/.test(n)));
  });

  test('a plain (old-style) password, an account, post-login commands and a connection limit', () => {
    const s = site('Personal/Plain password, with account');
    assert.equal(s.password, 'plain-old-password');
    assert.equal(s.maxConnections, 3);
    assert.ok(s.notes.some((n) => /account \(ACCT\)/.test(n)));
    assert.ok(s.notes.some((n) => /post-login commands/.test(n)));
  });

  test('a normal logon with no Pass element: asked at first connect', () => {
    const s = site('Top level, no password saved');
    assert.deepEqual(s.folders, []);
    assert.equal(s.password, undefined);
    assert.match(s.passwordNote!, /no password saved/);
  });
});

describe('FileZilla: older files and odd entries', () => {
  test('the old shape: the name is the Server\'s own text, the password plain with entities decoded and spaces kept', () => {
    const [s] = parseFileZilla(fixture('filezilla-old-format.xml')).sites;
    assert.equal(s.name, 'Old Site');
    assert.equal(s.password, 'p<a&s>s "quoted" ');
    assert.equal(s.user, 'legacy');
  });

  const odd = byPath(parseFileZilla(fixture('filezilla-odd.xml')).sites);
  test('names are kept as the text they are (links, icons, bidi overrides: shown later, escaped); a folder without a name is left out, said so', () => {
    const parsed = parseFileZilla(fixture('filezilla-odd.xml'));
    const first = parsed.sites[0];
    assert.deepEqual(first.folders, ['[Click me](command:workbench.action.quit)']);
    assert.equal(first.name, '$(alert) Update now \u202Eexe.txt');
    assert.equal(first.password, 'dev-pass');
    assert.ok(parsed.problems.some((p) => /folder without a name/.test(p)));
  });
  test('three "Twin"s in one folder are three entries (names are made unique later)', () => {
    const twins = parseFileZilla(fixture('filezilla-odd.xml')).sites.filter((s) => s.folders[0] === 'Same');
    assert.deepEqual(twins.map((s) => [s.name, s.host]), [['Twin', 'a.example.com'], ['Twin', 'b.example.com'], ['twin', 'c.example.com']]);
  });
  test('an internationalised host and name are read as they are', () => {
    assert.equal(odd.get('日本語のサイト')?.host, '日本.example.jp');
  });
  test('a host with a slash, no host, a port out of range: skipped with the reason', () => {
    assert.match(odd.get('Slash in host')!.skip!, /not a host name/);
    assert.match(odd.get('No host')!.skip!, /no host/);
    assert.match(odd.get('Bad port')!.skip!, /port \(70000\) is not a port number/);
  });
  test('passwords that can\'t be sent or read are not imported, each said why; the site still is', () => {
    for (const [name, why] of [['Password with a line break', /line break/], ['Broken base64', /not valid base64/], ['Not UTF-8 password', /not UTF-8/]] as const) {
      const s = odd.get(name)!;
      assert.equal(s.skip, undefined, name);
      assert.equal(s.password, undefined, name);
      assert.match(s.passwordNote!, why, name);
    }
  });
  test('a VMS RemoteDir and an unknown encoding are named as not carried over', () => {
    const s = odd.get('VMS path, unknown encoding')!;
    assert.equal(s.remoteRoot, undefined);
    assert.equal(s.encoding, undefined);
    assert.ok(s.notes.some((n) => /VMS server path/.test(n)));
    assert.ok(s.notes.some((n) => /KLINGON-1/.test(n)));
    assert.ok(odd.get('Broken RemoteDir')!.notes.some((n) => /not in FileZilla's form/.test(n)));
    assert.ok(odd.get('RemoteDir with dot-dot')!.notes.some((n) => /not a folder name/.test(n)));
  });
  test('an IPv6 host in brackets is kept without them; an unknown protocol number is skipped', () => {
    assert.equal(odd.get('IPv6')!.host, '2001:db8::21');
    assert.match(odd.get('Future protocol')!.skip!, /protocol number 42/);
  });
});

describe('every FileZilla protocol and transfer mode', () => {
  const server = (protocol: number, pasv = '') => `<FileZilla3><Servers><Server><Host>h.example.com</Host><Port>21</Port><Protocol>${protocol}</Protocol><Logontype>0</Logontype>${pasv ? `<PasvMode>${pasv}</PasvMode>` : ''}<Name>n</Name></Server></Servers></FileZilla3>`;
  test('0 explicit (TLS if available), 3 implicit, 4 explicit, 6 off; 1, 2, 5 and 7-19 skipped', () => {
    const secure = (p: number) => parseFileZilla(server(p)).sites[0];
    assert.equal(secure(0).secure, 'explicit');
    assert.equal(secure(3).secure, 'implicit');
    assert.equal(secure(4).secure, 'explicit');
    assert.equal(secure(6).secure, 'off');
    for (const p of [1, 2, 5, ...Array.from({ length: 13 }, (_, i) => i + 7)]) assert.ok(secure(p).skip, `protocol ${p} skipped`);
    assert.match(secure(7).skip!, /S3/);
    assert.match(secure(15).skip!, /Dropbox/);
  });
  test('MODE_ACTIVE active, MODE_PASSIVE passive, MODE_DEFAULT and missing auto', () => {
    const mode = (pasv: string) => parseFileZilla(server(6, pasv)).sites[0].transferMode;
    assert.equal(mode('MODE_ACTIVE'), 'active');
    assert.equal(mode('MODE_PASSIVE'), 'passive');
    assert.equal(mode('MODE_DEFAULT'), 'auto');
    assert.equal(mode(''), 'auto');
  });
  test('logon types 3 (interactive) and 5 (key) ask for the password; 6 (profile) is skipped', () => {
    const logon = (t: number) => parseFileZilla(`<FileZilla3><Servers><Server><Host>h.example.com</Host><Port>21</Port><Protocol>4</Protocol><User>u</User><Pass>p</Pass><Logontype>${t}</Logontype></Server></Servers></FileZilla3>`).sites[0];
    assert.match(logon(3).passwordNote!, /interactively/);
    assert.equal(logon(3).password, undefined);
    assert.match(logon(5).passwordNote!, /key file/);
    assert.match(logon(6).skip!, /cloud profile/);
    assert.equal(logon(1).password, 'p');
    assert.equal(logon(1).name, 'h.example.com', 'no name: the host');
  });
});

describe('RemoteDir, FileZilla\'s saved path form', () => {
  test('Unix paths, the root, empty', () => {
    assert.deepEqual(decodeRemoteDir('1 0 11 public_html'), { path: '/public_html' });
    assert.deepEqual(decodeRemoteDir('1 0 3 www 4 blog'), { path: '/www/blog' });
    assert.deepEqual(decodeRemoteDir('0 0 4 home 2 me'), { path: '/home/me' });
    assert.deepEqual(decodeRemoteDir('1 0'), { path: '/' });
    assert.equal(decodeRemoteDir(''), undefined);
  });
  test('segments with spaces, and lengths in code points (Linux) or UTF-16 units (Windows)', () => {
    assert.deepEqual(decodeRemoteDir('1 0 8 my files 3 a b'), { path: '/my files/a b' });
    assert.deepEqual(decodeRemoteDir('1 0 2 ü😀 1 x'), { path: '/ü😀/x' }, 'code points');
    assert.deepEqual(decodeRemoteDir('1 0 3 ü😀 1 x'), { path: '/ü😀/x' }, 'UTF-16 units');
  });
  test('a DOS path with a drive, a prefix skipped; VMS and broken forms are problems', () => {
    assert.deepEqual(decodeRemoteDir('3 0 2 C: 3 www'), { path: 'C:/www' });
    assert.deepEqual(decodeRemoteDir('10 0 2 D: 4 site'), { path: 'D:/site' });
    assert.match((decodeRemoteDir('2 3 DKA 4 USER') as { problem: string }).problem, /VMS/);
    for (const bad of ['x', '1', '1 0 5 abc', '1 0 3 abcd', '1 0 0 ', '1 0 3 abc junk', '1 3 ab', '99x 0']) assert.ok('problem' in decodeRemoteDir(bad)!, bad);
  });
});

describe('files that are not FileZilla site lists', () => {
  test('another XML root, recent servers, a queue: refused with what they are', () => {
    assert.throws(() => parseFileZilla('<?xml version="1.0"?><html/>'), (e: Error) => e instanceof ImportFileError && /root element is <html>/.test(e.message));
    assert.throws(() => parseFileZilla('<FileZilla3><RecentServers/></FileZilla3>'), /recent servers/);
    assert.throws(() => parseFileZilla('<FileZilla3><Queue/></FileZilla3>'), /transfer queue/);
  });
  test('malformed XML is refused with the parser\'s reason', () => {
    assert.throws(() => parseFileZilla('<FileZilla3><Servers><Server></Servers></FileZilla3>'), (e: Error) => e instanceof ImportFileError && /not well-formed XML/.test(e.message));
    assert.throws(() => parseFileZilla('<FileZilla3><Servers><Server><Host>&nbsp;</Host></Server></Servers></FileZilla3>'), /not well-formed XML: .*entity/);
  });
  test('the format is told by the content, not the name; empty and binary files are refused', () => {
    assert.equal(parseSiteList(Buffer.from(fixture('filezilla-sitemanager.xml'))).format, 'FileZilla');
    assert.equal(parseSiteList(Buffer.from(`\uFEFF${fixture('filezilla-old-format.xml')}`)).sites[0].name, 'Old Site', 'a BOM is fine');
    assert.throws(() => parseSiteList(Buffer.from('  \n')), /empty/);
    assert.throws(() => parseSiteList(Buffer.from('hello')), /neither FileZilla's site list/);
    assert.throws(() => parseSiteList(Buffer.from([0x3c, 0xff, 0xfe, 0x00])), /not UTF-8/);
  });
});
