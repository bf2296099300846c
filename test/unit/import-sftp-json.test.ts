/** The SFTP extension's sftp.json read into import records (test/fixtures/import/sftp*.json*). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSftpJson, stripJsonComments } from '../../src/sites/import/sftp-json';
import { parseSiteList } from '../../src/sites/import/parse';
import { ImportFileError, displayPath } from '../../src/sites/import/records';
import { readImportFixture as fixture } from '../fixtures/import';

describe('sftp.json (an array, with profiles)', () => {
  const { format, sites, problems } = parseSftpJson(fixture('sftp.json'));
  const site = (p: string) => {
    const s = sites.find((x) => displayPath(x) === p);
    assert.ok(s, `${p} in ${sites.map(displayPath).join(', ')}`);
    return s;
  };

  test('every configuration and each profile is an entry, in file order', () => {
    assert.equal(format, 'sftp.json');
    assert.deepEqual(problems, []);
    assert.deepEqual(sites.map(displayPath), [
      'Shop (FTP)', 'Implicit', 'Anonymous mirror', 'Server over SSH', 'Staged/dev', 'Staged/prod', 'Staged/backup', 'Remote FS reference', 'Local',
    ]);
  });

  test('an FTP entry: host, port, user, password, remotePath (trailing slash dropped), passive, secure "control" as explicit FTPS (said so)', () => {
    assert.deepEqual(site('Shop (FTP)'), {
      format: 'sftp.json', folders: [], name: 'Shop (FTP)', protocol: 'FTPS (explicit)', host: 'ftp.example.com', port: 2121, user: 'shop',
      secure: 'explicit', password: 'dev-pass', transferMode: 'passive', remoteRoot: '/public_html',
      notes: ['"secure": "control" encrypted only the control connection; FTP Workspace encrypts the data connections too'],
    });
  });

  test('"implicit" is implicit FTPS on 990; "passive": false did nothing there and becomes auto (said so); a relative remotePath is named, not carried over', () => {
    const s = site('Implicit');
    assert.equal(s.secure, 'implicit');
    assert.equal(s.port, 990);
    assert.equal(s.transferMode, 'auto');
    assert.equal(s.remoteRoot, undefined);
    assert.equal(s.password, undefined);
    assert.match(s.passwordNote!, /no password/);
    assert.ok(s.notes.some((n) => /passive only/.test(n)));
    assert.ok(s.notes.some((n) => /"www" is relative/.test(n)));
  });

  test('user "anonymous" is anonymous (its password is no secret to keep); secure true is explicit', () => {
    const s = site('Anonymous mirror');
    assert.equal(s.user, undefined);
    assert.equal(s.password, undefined);
    assert.equal(s.secure, 'explicit');
  });

  test('protocol sftp (also the default when none is given), local, and a Remote FS reference are skipped with the reason', () => {
    assert.match(site('Server over SSH').skip!, /SFTP runs over SSH/);
    assert.match(site('Staged/backup').skip!, /SFTP runs over SSH/);
    assert.match(site('Local').skip!, /protocol "local" is not FTP/);
    assert.match(site('Remote FS reference').skip!, /Remote FS setting "myServer"/);
  });

  test('profiles are the base with their overrides, under the base\'s name; a base without a host of its own is no entry', () => {
    assert.ok(!sites.some((s) => displayPath(s) === 'Staged'));
    const dev = site('Staged/dev');
    assert.deepEqual([dev.host, dev.port, dev.user, dev.password, dev.secure, dev.remoteRoot], ['dev.example.com', 21, 'stage', 'dev-only', 'off', undefined]);
    const prod = site('Staged/prod');
    assert.deepEqual([prod.host, prod.port, prod.password, prod.secure, prod.remoteRoot], ['prod.example.com', 990, 'base-pass', 'implicit', '/live']);
  });
});

describe('sftp.json: one object, JSONC, and what is not one', () => {
  test('comments and trailing commas are allowed; "//" inside a string is kept', () => {
    const [s] = parseSftpJson(fixture('sftp-single.jsonc')).sites;
    assert.equal(s.name, 'Blog');
    assert.equal(s.password, 'a // not a comment, "quoted"');
    assert.equal(s.remoteRoot, '/htdocs');
    assert.equal(s.secure, 'off');
    assert.equal(parseSiteList(Buffer.from(fixture('sftp-single.jsonc'))).format, 'sftp.json', 'a file starting with a comment is JSON');
  });
  test('stripJsonComments keeps strings with escaped quotes whole', () => {
    assert.equal(JSON.parse(stripJsonComments('{"a": "x\\" // y", /* z */ "b": [1, 2,],}')).a, 'x" // y');
  });
  test('not JSON, or JSON of the wrong shape: refused', () => {
    assert.throws(() => parseSftpJson('{ nope'), (e: Error) => e instanceof ImportFileError && /not JSON/.test(e.message));
    assert.throws(() => parseSftpJson('"text"'), /one configuration object/);
    assert.throws(() => parseSftpJson('[1, 2]'), /one configuration object/);
  });
  test('wrong types are skipped, not thrown: a number as host, a text port, a password with a line break', () => {
    const { sites } = parseSftpJson(JSON.stringify([
      { name: 'a', protocol: 'ftp', host: 42 },
      { name: 'b', protocol: 'ftp', host: 'h.example.com', port: 'x' },
      { name: 'c', protocol: 'ftp', host: 'h.example.com', username: 'u', password: 'p\r\nDELE x' },
      { name: 'd', protocol: 'ftp', host: 'h.example.com', port: '2121', username: 'u\nPASS', password: 'p' },
    ]));
    assert.match(sites[0].skip!, /no host/);
    assert.match(sites[1].skip!, /port \("x"\)/);
    assert.equal(sites[2].password, undefined);
    assert.match(sites[2].passwordNote!, /line break/);
    assert.match(sites[3].skip!, /user name has line breaks/);
  });
});
