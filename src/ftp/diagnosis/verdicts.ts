/**
 * The doctor's words: each outcome of a step turned into a sentence that names the cause and the
 * fix. Kept apart from the orchestration so the wording can be read (and tested) in one place.
 */
import { CertificateInfo, FtpError, isFtpError } from '../errors';
import { HostPort, isNonPublicAddress } from '../addresses';
import { DataMethod, METHOD_COMMAND, isPassiveMethod } from '../data/methods';
import { DoctorStatus } from './types';

export interface Verdict {
  status: DoctorStatus;
  verdict: string;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
/** " It answered: 550 Permission denied." */
const answered = (e: FtpError) => (e.code ? ` It answered: ${e.code} ${(e.replyText ?? '').replace(/\.$/, '')}.` : '');
const serverWords = (e: FtpError) => (e.code ? ` (${e.code} ${e.replyText ?? ''})`.replace(/ \)$/, ')') : '');

/** `connected`: the TCP connection was made, so the failure came after (greeting). */
export function connectFailure(e: unknown, where: string, timeoutMs: number, connected: boolean): string {
  if (!isFtpError(e)) return `Could not connect to ${where}: ${String(e)}`;
  if (connected) {
    if (e.code) return `The server at ${where} answered but does not accept a session now${serverWords(e)}.`;
    if (e.kind === 'timeout') {
      return `The server at ${where} accepted the connection but sent no greeting within ${seconds(timeoutMs)}: it may be an implicit FTPS port (usually 990; set secure to implicit), or not an FTP server.`;
    }
    return `The server at ${where} accepted the connection, then: ${e.message}`;
  }
  const code = (e.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED') return `Nothing accepts connections on ${where} (connection refused): check the port, and that the FTP server runs.`;
  if (e.kind === 'timeout') return `No answer from ${where} within ${seconds(timeoutMs)}: a firewall drops the connection, or the address or port is wrong.`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `This computer has no route to ${where}: check the address, and this computer's network.`;
  return `Could not connect to ${where}: ${e.message}`;
}

export function describeCertificate(c: CertificateInfo): string {
  return `Subject ${c.subject}; issuer ${c.issuer}; valid from ${c.validFrom} to ${c.validTo}; SHA-256 ${c.fingerprint256}.`;
}

const CERT_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it is signed by an authority this computer does not know',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not known to this computer',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not known to this computer',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was issued for another name',
};

export function tlsVerdict(protocol: string | undefined, cert: CertificateInfo | undefined, pinned: boolean): Verdict {
  const established = `${protocol ?? 'TLS'} established`;
  if (!cert) return { status: 'ok', verdict: `${established}.` };
  const how = pinned ? 'the certificate is accepted by its pinned fingerprint' : 'the certificate is trusted';
  const verdict = `${established}; ${how}. ${describeCertificate(cert)}`;
  const expires = Date.parse(cert.validTo);
  const days = Number.isFinite(expires) ? Math.floor((expires - Date.now()) / 86_400_000) : undefined;
  // Only a pinned certificate can be expired here: verification refuses expired ones.
  if (days !== undefined && days < 0) return { status: 'warning', verdict: `${verdict} It expired ${-days} days ago: ask the server's administrator to renew it.` };
  if (days !== undefined && days < 14) return { status: 'warning', verdict: `${verdict} It expires in ${days} days.` };
  return { status: 'ok', verdict };
}

export function tlsFailure(e: unknown, host: string): string {
  if (!isFtpError(e)) return `The TLS handshake failed: ${String(e)}`;
  if (e.certificate) {
    const code = /not trusted \(([^)]*)\)/.exec(e.message)?.[1] ?? '';
    const reason = CERT_REASONS[code] ?? (code || 'it could not be verified');
    const name = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ` than ${host}` : '';
    return `The server's certificate is not trusted: ${reason}${name}. ${describeCertificate(e.certificate)} ` +
      'Compare the fingerprint with the one the server\'s administrator gives you before trusting this certificate for the site.';
  }
  if (e.code) return `The server does not offer explicit FTPS (AUTH TLS answered ${e.code} ${e.replyText ?? ''}): use plain FTP or implicit FTPS for this site.`;
  return `The TLS handshake failed: ${e.message}`;
}

export function loginFailure(e: unknown, user: string, secure: boolean): string {
  if (!isFtpError(e)) return `The login failed: ${String(e)}`;
  const text = `${e.code ?? ''} ${e.replyText ?? ''}`.trim();
  if (!secure && /TLS|SSL|encrypt|secure/i.test(e.replyText ?? '')) {
    return `The server requires FTPS for this login (${text}): set secure to explicit for this site.`;
  }
  if (e.kind === 'loginRefused' || e.kind === 'permission') {
    if (user === 'anonymous' || user === 'ftp') return `The server refused the anonymous login (${text}): it needs a user name and password.`;
    return `The server refused the login of "${user}" (${text}): check the user name and password.`;
  }
  return `The login failed: ${e.message}`;
}

/** What a listing step saw; the verdict is derived from it. */
export interface DataObservation {
  method: DataMethod;
  /** The server's address as this computer reached it (control connection). */
  controlAddress: string;
  /** Passive: host and port from the 227/229 reply. Active: what EPRT/PORT told the server. */
  advertised?: HostPort;
  trustPasvAddress: boolean;
  dataConnectMs: number;
  listing?: { bytes: number; lines: number };
  error?: unknown;
  /** The step's own time limit ran out. */
  timedOut?: boolean;
  stepTimeoutMs: number;
  /** The sibling method of the same mode was refused by the server too (EPSV before PASV, EPRT before PORT). */
  siblingRefused: boolean;
  /** PASV with a trusted address failed; this says whether the control address then worked. */
  controlAddressWorks?: boolean;
  /** Active with a data port below 1024 failed; this says whether a port from 1024 up then worked. */
  privilegedPort?: { port: number; otherPortWorks: boolean; range?: [number, number] };
}

function behindNat(o: DataObservation): boolean {
  return !!o.advertised && isNonPublicAddress(o.advertised.host) && !isNonPublicAddress(o.controlAddress);
}

/** "a private address this computer can't reach", or less sure words when the server is itself on a private network. */
export function pasvAddressWords(advertised: string, control: string): string {
  if (isNonPublicAddress(advertised) && !isNonPublicAddress(control)) return "a private address this computer can't reach";
  return `an address other than the control connection's (${control})`;
}

const ACTIVE_FIX = 'A firewall or NAT in front of this computer blocks incoming connections: use passive mode, or open the active port range and set the external address.';
const NAT_FIX = 'set active.externalAddress to this network\'s public address and forward active.portRange to this computer, or use passive mode.';

export function dataVerdict(o: DataObservation): Verdict {
  const cmd = METHOD_COMMAND[o.method];
  const passive = isPassiveMethod(o.method);
  const target = o.advertised ? `${o.advertised.host}:${o.advertised.port}` : 'the data port';
  if (!o.error) {
    const lines = o.listing?.lines ?? 0;
    const got = `the listing arrived (${lines} ${lines === 1 ? 'line' : 'lines'}, ${o.listing?.bytes ?? 0} bytes)`;
    if (!passive) return { status: 'ok', verdict: `Active mode works with ${cmd}: the server connected back to ${target} and ${got}.` };
    if (o.method === 'pasv' && o.advertised && o.advertised.host !== o.controlAddress && o.advertised.host !== '0.0.0.0' && !o.trustPasvAddress) {
      return {
        status: 'warning',
        verdict: `The server answered PASV with ${o.advertised.host}, ${pasvAddressWords(o.advertised.host, o.controlAddress)}; ` +
          `FTP Workspace connects to the control connection's address (${o.controlAddress}) instead, and ${got}. ` +
          'The server is probably behind NAT without its public address configured (vsftpd pasv_address, proftpd MasqueradeAddress).',
      };
    }
    const where = o.method === 'epsv' || !o.trustPasvAddress ? `${o.controlAddress}:${o.advertised?.port}` : target;
    return { status: 'ok', verdict: `Passive mode works with ${cmd}: this computer connected to ${where} and ${got}.` };
  }
  if (o.timedOut) return { status: 'failed', verdict: `The listing over ${cmd} did not finish within ${seconds(o.stepTimeoutMs)}.` };
  const e = o.error;
  if (!isFtpError(e) || !e.dataFailure) {
    return { status: 'failed', verdict: `The listing over ${cmd} failed, not because of the data connection: ${e instanceof Error ? e.message : String(e)}` };
  }
  const server = serverWords(e);
  if (!passive && o.privilegedPort) {
    // Not "active mode disabled": servers refuse data ports below 1024 (a guard against the FTP bounce attack).
    const { port, otherPortWorks, range } = o.privilegedPort;
    const what = range ? `active.portRange ${range[0]}-${range[1]}, ports below 1024` : 'a port below 1024';
    return {
      status: 'failed',
      verdict: `The server would not use ${cmd} with data port ${port}${server}: it refuses data ports below 1024 (privileged ports, a guard against the FTP "bounce" attack), and the settings give it ${what}. ` +
        (otherPortWorks
          ? 'With a port from 1024 up the listing arrived: set active.portRange to ports from 1024 up (e.g. [50000, 50100]), or remove it.'
          : 'A port from 1024 up failed too, so more than the port range is wrong.'),
    };
  }
  switch (e.dataFailure) {
    case 'refused':
      if (e.code === undefined) return { status: 'failed', verdict: e.message }; // e.g. no local port to listen on
      if (passive) {
        return o.siblingRefused
          ? { status: 'failed', verdict: `The server refuses PASV/EPSV (passive mode disabled): use active mode.${answered(e)}` }
          : { status: 'failed', verdict: `The server refuses ${cmd}.${answered(e)}` };
      }
      if (behindNat(o)) {
        return {
          status: 'failed',
          verdict: `The server refused ${cmd} with ${target}${server}. This computer's address ${o.advertised!.host} is private and the server's is public: ` +
            `this computer is behind NAT, and servers refuse a data address other than the one the connection comes from. S${NAT_FIX.slice(1)}`,
        };
      }
      return o.siblingRefused
        ? { status: 'failed', verdict: `The server refuses PORT/EPRT (active mode disabled): use passive mode.${answered(e)}` }
        : { status: 'failed', verdict: `The server refuses ${cmd}.${answered(e)}` };
    case 'connectTimeout':
    case 'connectRefused': {
      const how = e.dataFailure === 'connectTimeout' ? `no answer within ${seconds(o.dataConnectMs)}` : /no route/.test(e.message) ? 'no route to it' : 'connection refused';
      const where = o.advertised ? `${o.trustPasvAddress && o.method === 'pasv' ? o.advertised.host : o.controlAddress}:${o.advertised.port}` : target;
      return {
        status: 'failed',
        verdict: `Passive mode failed: this computer could not connect to the data port the server opened (${where}, ${how}); ` +
          "the server's firewall probably admits only the control port: use active mode.",
      };
    }
    case 'unroutableAddress': {
      const adv = o.advertised?.host ?? '?';
      const then = o.controlAddressWorks
        ? `With the control connection's address (${o.controlAddress}) the listing arrived: turn off passive.trustPasvAddress.`
        : `The control connection's address (${o.controlAddress}) did not work either.`;
      return {
        status: 'failed',
        verdict: `The server answered PASV with ${adv}, ${pasvAddressWords(adv, o.controlAddress)}, and this computer could not connect to it ` +
          `(passive.trustPasvAddress is on). ${then}`,
      };
    }
    case 'acceptTimeout':
      return {
        status: 'failed',
        verdict: `Active mode failed: the server could not connect back to ${target} (no connection within ${seconds(o.dataConnectMs)}). ` +
          (behindNat(o) ? `This computer's address ${o.advertised!.host} is private: it is behind NAT; ${NAT_FIX}` : ACTIVE_FIX),
      };
    case 'reply425':
      if (!passive) {
        return {
          status: 'failed',
          verdict: `Active mode failed: the server could not connect back to ${target}${server}. ` +
            (behindNat(o) ? `This computer's address ${o.advertised!.host} is private: it is behind NAT; ${NAT_FIX}` : ACTIVE_FIX),
        };
      }
      return { status: 'failed', verdict: `Passive mode failed: the server could not open the data connection${server}; its firewall or passive port range is probably misconfigured: use active mode.` };
    case 'reply426':
      return { status: 'failed', verdict: `The server closed the ${passive ? 'passive' : 'active'} data connection before any data moved${server}: a firewall that inspects FTP, or a TLS problem on the data connection.` };
    case 'foreignPeer':
      return {
        status: 'failed',
        verdict: `Active mode failed: another computer than the server connected to ${target}, and was refused (only the server may). ${e.message.replace(/^.*?came from /, 'It came from ')} ` +
          'Something on the way (a proxy, a NAT gateway that rewrites the data connection, or an attacker) answers the server\'s part: use passive mode, or FTPS so the data connection can\'t be taken over.',
      };
  }
  return { status: 'failed', verdict: e.message };
}
