/** TCP and TLS socket set-up with timeouts and errors worded for people. */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { CertificateInfo, FtpError } from './errors';
import { connectWithRawReads } from './data/raw-reads';

export interface TlsSettings {
  /** Extra certificate authorities to trust (PEM), e.g. a company CA or a test server's own certificate. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** SHA-256 fingerprint of one certificate the user chose to trust (colon hex, as Node prints it). */
  trustedFingerprint256?: string;
  /** Name sent as SNI and checked against the certificate; defaults to the host. */
  servername?: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
}

export function socketErrorToFtpError(err: NodeJS.ErrnoException, what: string): FtpError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new FtpError('unreachable', `${what}: the connection was refused (nothing listens there, or a firewall rejects it).`, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FtpError('unreachable', `${what}: the host name could not be resolved.`, { cause: err });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return new FtpError('unreachable', `${what}: no route to that address.`, { cause: err });
    case 'ETIMEDOUT':
      return new FtpError('timeout', `${what}: timed out.`, { cause: err });
    case 'ECONNRESET':
    case 'EPIPE':
      return new FtpError('connectionLost', `${what}: the connection was reset by the other side.`, { cause: err });
    default:
      return new FtpError('connectionLost', `${what}: ${err.message}`, { cause: err });
  }
}

/**
 * Opens a TCP connection, failing with a 'timeout' FtpError after timeoutMs. `data`: a data
 * connection's, made as `net.connect` makes a socket but not through it (directSocket); with
 * `rawReads` it reads into a reused buffer (plain data connections, raw-reads.ts).
 */
export function connectTcp(host: string, port: number, timeoutMs: number, what: string, signal?: AbortSignal, data?: { rawReads: boolean }): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = data?.rawReads ? connectWithRawReads(host, port) : data ? directSocket(host, port) : net.connect({ host, port });
    // The address once: a control connection's `what` names it already.
    const at = `${host}:${port}`;
    const named = what.includes(at) ? what : `${what} (${at})`;
    const timer = setTimeout(() => fail(new FtpError('timeout', `${named}: no answer within ${timeoutMs / 1000} s.`)), timeoutMs);
    const onAbort = () => fail(new FtpError('aborted', `${what}: cancelled.`));
    signal?.addEventListener('abort', onAbort, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
    }
    function fail(e: FtpError) {
      done();
      socket.destroy();
      reject(e);
    }
    function onError(err: Error) {
      fail(socketErrorToFtpError(err as NodeJS.ErrnoException, named));
    }
    socket.once('error', onError);
    socket.once('connect', () => {
      done();
      resolve(socket);
    });
  });
}

/**
 * What `net.connect({ host, port })` does (a Socket, then its connect), without calling it. VS
 * Code's extension host replaces `net.connect` (@vscode/proxy-agent) with a function that reads a
 * setting on every call (about 80 µs a connection in code-server 4.100: a folder transfer's cost
 * per file), and, with `http.experimental.systemCertificatesV2` on, makes the socket without the
 * caller's options and connects it once the system's certificates are loaded: a data socket's
 * `onread` (raw-reads.ts) was lost, and plain downloads were cut short. Only data connections are
 * made this way; the control connection still goes through `net.connect` (implicit FTPS: VS Code's
 * `tls.connect`), so whatever VS Code loads for TLS is loaded before any data connection's upgrade.
 */
export function directSocket(host: string, port: number): net.Socket {
  return new net.Socket().connect({ host, port });
}

export function certificateInfo(cert: tls.PeerCertificate | undefined): CertificateInfo | undefined {
  if (!cert || !cert.fingerprint256) return undefined;
  const name = (n: tls.Certificate | undefined) =>
    n ? Object.entries(n).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') : '';
  return { subject: name(cert.subject), issuer: name(cert.issuer), validFrom: cert.valid_from, validTo: cert.valid_to, fingerprint256: cert.fingerprint256 };
}

export function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return norm(a) === norm(b);
}

/**
 * The secure context of settings with extra certificate authorities, made once per settings object
 * (a site's: its control and data connections all get the same one) and kept while its CAs and
 * versions read the same (compared by content: a CA list changed in place gets a new context).
 * Without it tls.connect builds a context for every connection, and with `ca` that means reading
 * Node's root certificates again: 32 ms of CPU on this project's machine for each data connection
 * (a 256 MB FTPS upload took 6 % longer than a bare Node client's). The extension itself pins a
 * fingerprint and never sets `ca`; the engine's own users (and the bench, and the tests) do.
 * Undefined without `ca`: Node's default context shares its root store, and costs under a millisecond.
 */
export function secureContextFor(settings: TlsSettings): tls.SecureContext | undefined {
  if (!settings.ca) return undefined;
  const cas = ([] as Array<string | Buffer>).concat(settings.ca);
  const minVersion = settings.minVersion ?? 'TLSv1.2';
  // Each CA apart and typed: no two different lists read the same.
  const key = JSON.stringify([minVersion, settings.maxVersion ?? null, ...cas.map((c) => (typeof c === 'string' ? `s${c}` : `b${Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64')}`))]);
  const kept = contexts.get(settings);
  if (kept?.key === key) return kept.context;
  const context = tls.createSecureContext({ ca: ([] as Array<string | Buffer>).concat(tls.rootCertificates, cas), minVersion, maxVersion: settings.maxVersion });
  contexts.set(settings, { key, context });
  return context;
}

const contexts = new WeakMap<TlsSettings, { key: string; context: tls.SecureContext }>();

/**
 * Starts TLS as the client, on an existing socket (explicit FTPS, and every data connection, active
 * ones included) or a new one (implicit FTPS). Certificates are verified; the only way past a failed
 * verification is a pinned fingerprint. `session` resumes the control connection's TLS session, which
 * vsftpd (require_ssl_reuse) and proftpd demand on data connections.
 */
export function startTls(
  params: { socket?: net.Socket; host: string; port?: number; settings: TlsSettings; session?: Buffer; timeoutMs: number; what: string; signal?: AbortSignal },
): Promise<tls.TLSSocket> {
  const { settings, host } = params;
  const servername = settings.servername ?? host;
  return new Promise((resolve, reject) => {
    // With a context, tls.connect takes the CA and versions from it (secureContextFor).
    const secureContext = secureContextFor(settings);
    const s = tls.connect({
      socket: params.socket,
      host: params.socket ? undefined : host,
      port: params.socket ? undefined : params.port,
      // SNI must be a name, never an IP literal (RFC 6066).
      servername: net.isIP(servername) ? undefined : servername,
      ...(secureContext ? { secureContext } : { minVersion: settings.minVersion ?? 'TLSv1.2', maxVersion: settings.maxVersion }),
      rejectUnauthorized: false, // checked below, so that a pinned fingerprint can be honoured
      checkServerIdentity: (_h, cert) => tls.checkServerIdentity(servername, cert),
      session: params.session,
    });
    const timer = setTimeout(() => fail(new FtpError('timeout', `${params.what}: the TLS handshake did not finish within ${params.timeoutMs / 1000} s.`)), params.timeoutMs);
    const onAbort = () => fail(new FtpError('aborted', `${params.what}: cancelled.`));
    params.signal?.addEventListener('abort', onAbort, { once: true });
    if (params.signal?.aborted) queueMicrotask(onAbort);
    function fail(e: FtpError) {
      clearTimeout(timer);
      params.signal?.removeEventListener('abort', onAbort);
      s.destroy();
      reject(e);
    }
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        fail(new FtpError('tls', `${params.what}: the server closed the connection during the TLS handshake (it may require a TLS session reused from the control connection, or refuse this TLS version).`, { cause: err }));
      } else if (err.code?.startsWith('ERR_SSL') || /ssl|tls|alert/i.test(err.message)) {
        fail(new FtpError('tls', `${params.what}: TLS handshake failed: ${err.message}`, { cause: err }));
      } else fail(socketErrorToFtpError(err, params.what));
    };
    s.once('error', onError);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      params.signal?.removeEventListener('abort', onAbort);
      const cert = certificateInfo(s.getPeerCertificate());
      const pinned = settings.trustedFingerprint256 && cert && sameFingerprint(cert.fingerprint256, settings.trustedFingerprint256);
      // A resumed session can only be one our verified control connection established (the data
      // connection then has no certificate of its own to check).
      const resumed = params.session !== undefined && s.isSessionReused();
      if (!s.authorized && !pinned && !resumed) {
        s.destroy();
        reject(new FtpError('tls', `${params.what}: the server's certificate is not trusted (${s.authorizationError}).` +
          (cert ? ` Subject ${cert.subject}; issuer ${cert.issuer}; SHA-256 ${cert.fingerprint256}.` : ''), { certificate: cert, fatal: true }));
        return;
      }
      // The caller attaches its own error handler before any further I/O event can fire.
      s.removeListener('error', onError);
      resolve(s);
    });
  });
}
