/**
 * Certificates the user chose to trust, one per site, by SHA-256 fingerprint. Kept in the
 * extension's global state (this machine), keyed by site name and server, so a site that is
 * pointed at another server does not inherit the trust. There is no switch that turns checks off.
 */
import * as vscode from 'vscode';
import type { CertificateInfo } from '../ftp';
import { escapeMessage } from '../ui/escape';

const KEY = 'ftpWorkspace.trustedCertificates';

export class TrustedCertificates {
  constructor(private readonly state: vscode.Memento) {}

  private all(): Record<string, string> {
    return this.state.get<Record<string, string>>(KEY) ?? {};
  }

  get(site: string, server: string): string | undefined {
    return this.all()[`${site}|${server}`];
  }

  async trust(site: string, server: string, fingerprint256: string): Promise<void> {
    await this.state.update(KEY, { ...this.all(), [`${site}|${server}`]: fingerprint256 });
  }

  async forget(site: string): Promise<void> {
    const kept = Object.entries(this.all()).filter(([k]) => !k.startsWith(`${site}|`));
    await this.state.update(KEY, Object.fromEntries(kept));
  }

  /** A renamed site keeps the certificates trusted for it (per server), copied to the new name; the new name inherits nothing else. */
  async copy(from: string, to: string): Promise<void> {
    if (from === to) return;
    const kept = Object.entries(this.all()).filter(([k]) => !k.startsWith(`${to}|`));
    const copied = kept.filter(([k]) => k.startsWith(`${from}|`)).map(([k, v]) => [`${to}|${k.slice(from.length + 1)}`, v]);
    await this.state.update(KEY, Object.fromEntries([...kept, ...copied]));
  }
}

/** Asks whether to trust a certificate the server presented; true when the user trusts it. */
export async function askToTrust(site: string, server: string, cert: CertificateInfo, reason: string): Promise<boolean> {
  const trust = `Trust this certificate for ${site}`;
  // Subject, issuer and reason are the server's words: escaped like every message.
  const answer = await vscode.window.showWarningMessage(
    escapeMessage(`The certificate of FTP site "${site}" (${server}) is not trusted: ${reason}`),
    {
      modal: true,
      detail: escapeMessage([
        `Subject: ${cert.subject}`,
        `Issuer: ${cert.issuer}`,
        `Valid: ${cert.validFrom} to ${cert.validTo}`,
        `SHA-256: ${cert.fingerprint256}`,
        '',
        'Compare the fingerprint with the one your hosting provider publishes. Trusting it applies to this site only; a different certificate will be asked about again.',
      ].join('\n')),
    },
    trust,
  );
  return answer === trust;
}

/**
 * The trust question as the provider asks it. VS Code sends several requests at once when a folder
 * opens, and each fails on the same certificate: they share one question. A declined certificate is
 * not asked about again until the site is disconnected or reconnected.
 */
export class TrustQuestions {
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly declined = new Set<string>();

  /** `reconnect` runs once the certificate is trusted, before any caller retries. */
  constructor(private readonly certificates: TrustedCertificates, private readonly reconnect: (site: string) => Promise<void>, private readonly log: vscode.LogOutputChannel) {}

  ask(site: string, server: string, cert: CertificateInfo, reason: string): Promise<boolean> {
    const key = `${site}|${server}|${cert.fingerprint256}`;
    if (this.declined.has(key)) return Promise.resolve(false);
    let question = this.pending.get(key);
    if (!question) {
      question = (async () => {
        if (!(await askToTrust(site, server, cert, reason))) {
          this.declined.add(key);
          return false;
        }
        await this.certificates.trust(site, server, cert.fingerprint256);
        this.log.info(`[${site}] certificate ${cert.fingerprint256} trusted by the user`);
        await this.reconnect(site);
        return true;
      })().finally(() => this.pending.delete(key));
      this.pending.set(key, question);
    }
    return question;
  }

  /** Disconnect / Reconnect: a declined certificate may be asked about again. */
  forgetDeclined(site?: string): void {
    for (const key of [...this.declined]) if (!site || key.startsWith(`${site}|`)) this.declined.delete(key);
  }
}
