/// <reference types="mocha" />
/**
 * A settings change that lands while a site is being opened is not lost (proftpd): the pool is made
 * with the settings as they are when it is made, not as they were read before a wait (a poll's
 * lookup of the stored password, the user typing one). That change found no pool to close, so a
 * pool made with the old settings would have kept the old server and settings until the next one.
 * The sites use a Connections of the test's own, on the real settings and a real server, with a
 * secret storage whose reads the test can hold: the waits happen exactly when the test says.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ManagedServer, startServer } from '../../servers';
import { answering, until } from '../host-helpers';
import { Connections } from '../../../src/fs/connections';
import { SiteSecrets, serverIdentity } from '../../../src/sites/secrets';
import { TrustedCertificates } from '../../../src/sites/certificates';

const config = () => vscode.workspace.getConfiguration('ftpWorkspace');

async function setSite(name: string, site: Record<string, unknown> | undefined): Promise<void> {
  const sites = { ...(config().inspect<Record<string, unknown>>('sites')?.globalValue ?? {}) };
  if (site) sites[name] = site;
  else delete sites[name];
  await config().update('sites', Object.keys(sites).length ? sites : undefined, vscode.ConfigurationTarget.Global);
  // Once the extension host reads the new value it has told every listener (ours too).
  await until('the new settings', () => JSON.stringify(config().get<Record<string, unknown>>('sites')?.[name]) === JSON.stringify(site));
}

/** A SecretStorage in memory whose reads wait while held. */
class HeldStorage implements vscode.SecretStorage {
  private readonly values = new Map<string, string>();
  private held?: Promise<void>;
  private let?: () => void;
  waiting = 0;
  readonly onDidChange = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>().event;
  hold(): void {
    this.held = new Promise((r) => (this.let = r));
  }
  release(): void {
    this.let?.();
    this.held = undefined;
  }
  async get(key: string): Promise<string | undefined> {
    if (this.held) {
      this.waiting++;
      await this.held;
    }
    return this.values.get(key);
  }
  async keys(): Promise<string[]> {
    return [...this.values.keys()];
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

function memento(): vscode.Memento {
  const m = new Map<string, unknown>();
  return { keys: () => [...m.keys()], get: <T>(k: string, d?: T) => (m.has(k) ? m.get(k) as T : d), update: async (k: string, v: unknown) => void m.set(k, v) } as vscode.Memento;
}

suite('a settings change while a site is being opened (proftpd, a Connections of its own)', () => {
  const SITE = 'waitsite';
  const uri = vscode.Uri.parse(`ftp://${SITE}/`);
  let server: ManagedServer;
  let storage: HeldStorage;
  let connections: Connections;
  const site = (more: Record<string, unknown>) => ({ host: server.host, port: server.port, user: server.user, pollSeconds: 0, ...more });

  suiteSetup(async () => {
    server = await startServer('proftpd');
  });
  suiteTeardown(async () => {
    await setSite(SITE, undefined);
    await server?.stop();
  });
  setup(async () => {
    await setSite(SITE, site({ transferMode: 'passive' }));
    storage = new HeldStorage();
    const state = memento();
    connections = new Connections(new SiteSecrets(storage), new TrustedCertificates(state), state, vscode.window.createOutputChannel('FTP Workspace (settings-waits test)', { log: true }));
  });
  teardown(() => {
    storage.release();
    connections.dispose();
  });

  test('a poll reopening the site after a settings change: a second change during its password lookup is the one the pool is made with', async () => {
    await new SiteSecrets(storage).set(SITE, server.password, serverIdentity(site({})));
    const first = await connections.get(uri);
    await first.pool.run((c) => c.list('/'));
    connections.reportResult(uri);
    await setSite(SITE, site({ transferMode: 'active' }));
    assert.ok(connections.isResumable(uri), 'closed by the change while it worked: a poll may open it again');
    storage.hold();
    const polling = connections.openForPoll(uri);
    await until('the poll to look up the password', () => storage.waiting === 1);
    await setSite(SITE, site({ transferMode: 'passive', maxConnections: 1 }));
    storage.release();
    // Given up for the settings it read, or made with the new ones; the next poll then opens it.
    const opened = (await polling) ?? (await connections.openForPoll(uri));
    assert.ok(opened, 'opened for a poll');
    assert.deepEqual([opened.mode, opened.pool.stats.cap], ['passive', 1], 'made with the settings of the second change');
    await opened.pool.run((c) => c.list('/'));
  });

  test('a password being typed when the settings change: the pool is made with the new settings, and the typed password is sent to the server it was typed for', async () => {
    const { calls } = await answering('showInputBox', async () => {
      await setSite(SITE, site({ transferMode: 'active' }));
      return server.password;
    }, () => answering('showInformationMessage', () => 'Not now', async () => {
      const opened = await connections.get(uri);
      assert.equal(opened.mode, 'active', 'made with the settings as they are after the change');
      await opened.pool.run((c) => c.list('/'));
    }));
    assert.equal(calls.length, 1, 'asked once: the server is the same');
  });
});
