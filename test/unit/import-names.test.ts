/**
 * Imported records to sites: the settings each becomes (never a password), the names they are kept
 * under (URI-safe, readable, unique), existing names replaced / skipped / kept both, text from the
 * file shown as text, where the files are looked for, the report.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IMPORTED_NAME, baseSiteName, namesWithinFile, resolveNames, summary, toSiteConfig, uniqueName } from '../../src/sites/import/to-site';
import { parseFileZilla } from '../../src/sites/import/filezilla';
import { forMessage, forQuickPick } from '../../src/sites/import/shown';
import { fileZillaCandidates, sftpJsonCandidates } from '../../src/sites/import/locations';
import { reportText } from '../../src/sites/import/report';
import { displayPath } from '../../src/sites/import/records';
import { readImportFixture } from '../fixtures/import';

describe('site names from folder paths', () => {
  test('Folder/Sub/Name becomes folder-sub-name: lower case, accents dropped, everything else a dash', () => {
    assert.equal(baseSiteName(['Clients', 'Müller & Söhne', 'Shop']), 'clients-muller-sohne-shop');
    assert.equal(baseSiteName(['Straße', 'Œuvre', 'Łódź']), 'strasse-oeuvre-lodz');
    assert.equal(baseSiteName(['www.example.com']), 'www.example.com');
    assert.equal(baseSiteName(['  --Top level, no password saved!!  ']), 'top-level-no-password-saved');
    assert.equal(baseSiteName(['a..b', 'c_d', '-e.']), 'a.b-c_d-e');
  });
  test('what has no Latin letters or digits left becomes "site"; long paths are cut to 63 characters', () => {
    assert.equal(baseSiteName(['日本語のサイト']), 'site');
    assert.equal(baseSiteName(['$(alert)', '\u202E']), 'alert');
    const long = baseSiteName(['x'.repeat(50), 'y'.repeat(50)]);
    assert.equal(long.length, 63);
    assert.match(long, IMPORTED_NAME);
  });
  test('every name made from the odd fixture can be a URI authority, and reads back the same', () => {
    const { sites } = parseFileZilla(readImportFixture('filezilla-odd.xml'));
    for (const name of namesWithinFile(sites)) {
      assert.match(name, IMPORTED_NAME);
      assert.equal(new URL(`ftp://${name}/`).host, name, name);
    }
  });
  test('names are unique within a file whatever the case (twin, twin-2, twin-3), and the same file gives the same names', () => {
    const sites = parseFileZilla(readImportFixture('filezilla-odd.xml')).sites.filter((s) => s.folders[0] === 'Same');
    assert.deepEqual(namesWithinFile(sites), ['same-twin', 'same-twin-2', 'same-twin-3']);
    assert.deepEqual(namesWithinFile(sites), namesWithinFile(parseFileZilla(readImportFixture('filezilla-odd.xml')).sites.filter((s) => s.folders[0] === 'Same')));
    assert.equal(uniqueName('a'.repeat(63), new Set(['a'.repeat(63)])), `${'a'.repeat(61)}-2`);
  });
  test('existing names (any case): replaced (the existing spelling), skipped, or kept both under a free name', () => {
    const names = ['shop', 'blog', 'new'];
    const existing = ['Shop', 'blog', 'blog-2'];
    assert.deepEqual(resolveNames(names, existing, 'replace'), ['Shop', 'blog', 'new']);
    assert.deepEqual(resolveNames(names, existing, 'skip'), [undefined, undefined, 'new']);
    assert.deepEqual(resolveNames(names, existing, 'keepBoth'), ['shop-2', 'blog-3', 'new']);
  });
});

describe('the settings an entry becomes', () => {
  const sites = new Map(parseFileZilla(readImportFixture('filezilla-sitemanager.xml')).sites.map((s) => [displayPath(s), s]));
  test('exactly the schema\'s keys, no password, no "secure": "off"', () => {
    assert.deepEqual(toSiteConfig(sites.get('Clients/Müller & Söhne/Shop')!), { host: 'ftp.example.com', port: 21, user: 'mueller', secure: 'explicit', transferMode: 'passive', remoteRoot: '/public_html' });
    assert.deepEqual(toSiteConfig(sites.get('Clients/Müller & Söhne/Archive (implicit)')!), { host: 'ftps.example.com', port: 990, user: 'mueller-ftps', secure: 'implicit', transferMode: 'active', remoteRoot: '/var/www/archive', encoding: 'ISO-8859-1' });
    assert.deepEqual(toSiteConfig(sites.get('Personal/Mirror (anonymous)')!), { host: '192.0.2.10', port: 21, transferMode: 'passive' });
    assert.deepEqual(toSiteConfig(sites.get('Personal/Plain password, with account')!), { host: 'ftp.example.org', port: 21, user: 'me', secure: 'explicit', transferMode: 'auto', maxConnections: 3 });
    for (const s of sites.values()) if (!s.skip) assert.ok(!JSON.stringify(toSiteConfig(s)).includes('password'));
  });
  test('a skipped entry has no settings', () => {
    assert.throws(() => toSiteConfig(sites.get('Clients/Acme/Acme SSH')!), /can't be imported: SFTP/);
  });
  test('the one-line summary names server, security, mode and the password\'s fate', () => {
    assert.equal(summary(sites.get('Clients/Müller & Söhne/Shop')!), 'mueller@ftp.example.com:21 · FTPS explicit · passive · /public_html · password saved');
    assert.equal(summary(sites.get('Personal/Mirror (anonymous)')!), '192.0.2.10:21 · FTP · passive · anonymous');
    assert.equal(summary(sites.get('Clients/Acme/Acme FTP')!), 'acme@ftp.example.net:2121 · FTPS explicit · auto · password asked at first connect');
    assert.match(summary(sites.get('Clients/Acme/Acme SSH')!), /^SFTP: SFTP runs over SSH/);
  });
});

describe('text from the file, shown', () => {
  test('in messages no link can form, invisible characters are shown, long text is cut', () => {
    assert.equal(forMessage('[Click me](command:workbench.action.quit)'), '[Click me] (command:workbench.action.quit)');
    assert.equal(forMessage('a\u202Eb\u200Bc\nd'), 'a<U+202E>b<U+200B>c<U+000A>d');
    assert.equal(forMessage('x'.repeat(300), 10), `${'x'.repeat(9)}…`);
  });
  test('in quick picks $(icon) is shown as typed, not as an icon', () => {
    assert.equal(forQuickPick('$(alert) Update now'), '\\$(alert) Update now');
    assert.equal(forQuickPick('[Click me](command:x)'), '[Click me] (command:x)');
    assert.equal(forQuickPick('a\u202Eb'), 'a<U+202E>b');
  });
});

describe('where the files are looked for', () => {
  test('Linux: $XDG_CONFIG_HOME/filezilla, else ~/.config/filezilla, and the old ~/.filezilla', () => {
    assert.deepEqual(fileZillaCandidates('linux', {}, '/home/me').map((c) => c.file), ['/home/me/.config/filezilla/sitemanager.xml', '/home/me/.filezilla/sitemanager.xml']);
    assert.equal(fileZillaCandidates('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/me')[0].file, '/xdg/filezilla/sitemanager.xml');
  });
  test('Windows: %APPDATA%\\FileZilla; macOS: ~/.config/filezilla and ~/Library/Application Support/FileZilla', () => {
    assert.deepEqual(fileZillaCandidates('win32', { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'C:\\Users\\me').map((c) => c.file), ['C:\\Users\\me\\AppData\\Roaming\\FileZilla\\sitemanager.xml']);
    assert.ok(fileZillaCandidates('darwin', {}, '/Users/me').some((c) => c.file === '/Users/me/Library/Application Support/FileZilla/sitemanager.xml'));
  });
  test('each local folder\'s .vscode/sftp.json', () => {
    assert.deepEqual(sftpJsonCandidates([{ name: 'site', fsPath: '/w/site' }]).map((c) => c.file), ['/w/site/.vscode/sftp.json']);
  });
});

describe('the report', () => {
  test('names every site imported with its fate and notes, every one skipped with the reason; file text made visible', () => {
    const text = reportText({
      file: '/home/me/.config/filezilla/sitemanager.xml', format: 'FileZilla', scope: 'user',
      imported: [{ from: 'Clients/Shop', name: 'clients-shop', replaced: true, password: 'saved', notes: ['the account (ACCT) is not carried over'] }],
      skipped: [{ from: 'Evil\u202Etxt.exe', reason: 'SFTP runs over SSH' }],
      problems: ['A folder without a name was left out.'],
    });
    assert.match(text, /Imported: 1\n {2}Clients\/Shop {2}-> {2}ftp:\/\/clients-shop\/ {2}\(password saved, replaced the site of that name\)\n {6}- the account/);
    assert.match(text, /Not imported: 1\n {2}Evil<U\+202E>txt\.exe: SFTP runs over SSH/);
    assert.match(text, /Left out of the file:\n {2}A folder without a name/);
    assert.match(text, /Kept in: user settings/);
  });
});
