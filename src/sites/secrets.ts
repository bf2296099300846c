/** Passwords live in VS Code's SecretStorage, keyed by site; never in settings, never in logs. */
import * as vscode from 'vscode';

const key = (site: string) => `ftpWorkspace.password.${site}`;

export class SiteSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}
  get(site: string): Thenable<string | undefined> {
    return this.storage.get(key(site));
  }
  set(site: string, password: string): Thenable<void> {
    return this.storage.store(key(site), password);
  }
  forget(site: string): Thenable<void> {
    return this.storage.delete(key(site));
  }
}
