/**
 * Certificates the user chose to trust, one per site, by SHA-256 fingerprint. Kept in the
 * extension's global state (this machine), keyed by site name and server, so a site that is
 * pointed at another server does not inherit the trust. There is no switch that turns checks off.
 */
import * as vscode from 'vscode';
import type { CertificateInfo } from '../ftp';

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
}

/** Asks whether to trust a certificate the server presented; true when the user trusts it. */
export async function askToTrust(site: string, server: string, cert: CertificateInfo, reason: string): Promise<boolean> {
  const trust = `Trust this certificate for ${site}`;
  const answer = await vscode.window.showWarningMessage(
    `The certificate of FTP site "${site}" (${server}) is not trusted: ${reason}`,
    {
      modal: true,
      detail: [
        `Subject: ${cert.subject}`,
        `Issuer: ${cert.issuer}`,
        `Valid: ${cert.validFrom} to ${cert.validTo}`,
        `SHA-256: ${cert.fingerprint256}`,
        '',
        'Compare the fingerprint with the one your hosting provider publishes. Trusting it applies to this site only; a different certificate will be asked about again.',
      ].join('\n'),
    },
    trust,
  );
  return answer === trust;
}
