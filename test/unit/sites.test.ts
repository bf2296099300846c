/**
 * Sites as data: passwords bound to the server they were given for, ad-hoc addresses (a password in
 * one is noticed, never returned), the names Add Site accepts, and the file Open Site writes for any
 * name (inside the storage folder, one per name).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { SiteSecrets, describeServer, sameServer, serverIdentity } from '../../src/sites/secrets';
import { HOST_PORT, parseAuthority, siteNameProblem, workspaceFileName } from '../../src/sites/names';

/** SecretStorage in memory. */
function memoryStorage(initial: Record<string, string> = {}): vscode.SecretStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: async (k: string) => data.get(k),
    store: async (k: string, v: string) => void data.set(k, v),
    delete: async (k: string) => void data.delete(k),
    onDidChange: (() => ({ dispose() {} })) as unknown as vscode.Event<vscode.SecretStorageChangeEvent>,
  };
}

describe('passwords are bound to user, host, port and security', () => {
  const prod = serverIdentity({ host: 'FTP.Example.com', user: 'me' });
  test('identity: defaults filled in, host in lower case', () => {
    assert.deepEqual(prod, { user: 'me', host: 'ftp.example.com', port: 21, secure: 'off' });
    assert.deepEqual(serverIdentity({ host: '[::1]', user: 'me', secure: 'implicit' }), { user: 'me', host: '::1', port: 990, secure: 'implicit' });
    assert.equal(describeServer(prod), 'me@ftp.example.com:21 (FTP)');
    assert.equal(describeServer(serverIdentity({ host: '::1', user: 'u', secure: 'explicit', port: 2121 })), 'u@[::1]:2121 (FTPS, explicit)');
  });
  test('the same server gets the password; any other part changed does not', async () => {
    const storage = memoryStorage();
    const secrets = new SiteSecrets(storage);
    await secrets.set('prod', 's3cret', prod);
    assert.deepEqual(await secrets.lookup('prod', serverIdentity({ host: 'ftp.example.com', port: 21, user: 'me', secure: 'off' })), { kind: 'bound', password: 's3cret' });
    for (const other of [{ host: 'evil.example' }, { port: 2121 }, { user: 'root' }, { secure: 'explicit' as const }]) {
      const server = serverIdentity({ host: 'ftp.example.com', user: 'me', ...other });
      assert.ok(!sameServer(server, prod));
      assert.deepEqual(await secrets.lookup('prod', server), { kind: 'otherServer', storedFor: prod }, JSON.stringify(other));
    }
    assert.deepEqual(await secrets.lookup('other-site', prod), { kind: 'none' }, 'keyed by site too');
  });
  test('a password an earlier version kept (bound to nothing) is never returned; setting one replaces it', async () => {
    const storage = memoryStorage({ 'ftpWorkspace.password.prod': 'old' });
    const secrets = new SiteSecrets(storage);
    assert.deepEqual(await secrets.lookup('prod', prod), { kind: 'unbound' });
    await secrets.set('prod', 'new', prod);
    assert.equal(storage.data.has('ftpWorkspace.password.prod'), false);
    assert.deepEqual(await secrets.lookup('prod', prod), { kind: 'bound', password: 'new' });
    await secrets.forget('prod');
    assert.equal(storage.data.size, 0);
  });
  test('a stored value that is not ours reads as none or unbound, never as a password', async () => {
    const secrets = new SiteSecrets(memoryStorage({ 'ftpWorkspace.credential.x': '{"password":"p"}', 'ftpWorkspace.credential.y': 'plain' }));
    assert.deepEqual(await secrets.lookup('x', prod), { kind: 'none' });
    assert.deepEqual(await secrets.lookup('y', prod), { kind: 'none' });
  });
});

describe('ad-hoc addresses', () => {
  test('user, host and port; an encoded "@" stays in the user name', () => {
    assert.deepEqual(parseAuthority('me@ftp.example.com:2121'), { user: 'me', host: 'ftp.example.com', port: 2121, hasPassword: false });
    assert.deepEqual(parseAuthority('me@example.com@ftp.example.com'), { user: 'me@example.com', host: 'ftp.example.com', port: undefined, hasPassword: false });
    assert.deepEqual(parseAuthority('me%40example.com@ftp.example.com'), { user: 'me@example.com', host: 'ftp.example.com', port: undefined, hasPassword: false });
    assert.deepEqual(parseAuthority('[::1]:21'), { user: undefined, host: '::1', port: 21, hasPassword: false });
    assert.deepEqual(parseAuthority('ftp.example.com'), { user: undefined, host: 'ftp.example.com', port: undefined, hasPassword: false });
  });
  test('a password is noticed and not returned', () => {
    const p = parseAuthority('me:hunter2@ftp.example.com');
    assert.deepEqual(p, { user: 'me', host: 'ftp.example.com', port: undefined, hasPassword: true });
    assert.ok(!JSON.stringify(p).includes('hunter2'));
  });
  test('what is not an address', () => {
    for (const a of ['me@', 'host:99999', 'host:0', 'a b', 'host:x', '']) assert.equal(parseAuthority(a), undefined, a);
  });
});

describe('site names and hosts Add Site accepts', () => {
  test('names', () => {
    for (const ok of ['prod', 'www.example', 'a_b-c', 'x'.repeat(63)]) assert.equal(siteNameProblem(ok, {}), undefined, ok);
    for (const bad of ['../x', 'a/b', 'my site', '.hidden', '-x', 'x.', '', 'x'.repeat(64), 'a\\b', 'a:b', 'a@b', 'a%2f']) assert.ok(siteNameProblem(bad, {}), bad);
    assert.match(siteNameProblem('Prod', { prod: {} })!, /exists already/);
  });
  test('hosts', () => {
    for (const ok of ['ftp.example.com', '192.0.2.10:2121', '[2001:db8::1]:21', 'bücher.example']) assert.ok(HOST_PORT.test(ok), ok);
    for (const bad of ['user@host', 'host/path', 'a b', 'host\r\nUSER x', 'host:', '::1']) assert.ok(!HOST_PORT.test(bad), bad);
  });
});

describe('the workspace file Open Site writes', () => {
  const storage = '/home/me/.config/Code/User/globalStorage/ftp-workspace/workspaces';
  test('an ordinary name is the file name (as VS Code\'s recent list shows it)', () => {
    assert.equal(workspaceFileName('prod'), 'prod.code-workspace');
    assert.equal(workspaceFileName('www.example-1'), 'www.example-1.code-workspace');
  });
  test('any other name gives one plain file name inside the storage folder', () => {
    for (const name of ['../x', '../../../../etc/cron.d/x', 'a/b', '..', '.', 'CON', 'nul.txt', 'x.', 'x'.repeat(500), '\u202Eevil', 'a\\..\\b', 'my site']) {
      const file = workspaceFileName(name);
      assert.match(file, /^[A-Za-z0-9_-]{1,40}-[0-9a-f]{10}\.code-workspace$/, name);
      assert.equal(path.dirname(path.resolve(storage, file)), storage, name);
    }
  });
  test('two names never share a file', () => {
    assert.notEqual(workspaceFileName('a/b'), workspaceFileName('a_b'));
    assert.notEqual(workspaceFileName('a b'), workspaceFileName('a/b'));
  });
});
