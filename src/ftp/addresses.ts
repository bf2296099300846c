/**
 * Encoding and decoding of the addresses FTP puts in commands and replies:
 * PORT and PASV (RFC 959, IPv4 only), EPRT and EPSV (RFC 2428, IPv4 and IPv6).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { FtpError } from './errors';

export interface HostPort {
  host: string;
  port: number;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FtpError('protocol', `Invalid TCP port ${port}.`);
}

/** "::ffff:127.0.0.1" -> "127.0.0.1": Node reports IPv4 peers of dual-stack sockets this way. */
export function normalizeAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

export function encodePort(host: string, port: number): string {
  host = normalizeAddress(host);
  checkPort(port);
  if (!isIPv4(host)) throw new FtpError('invalidInput', `PORT needs an IPv4 address; ${host} is not one (use EPRT).`);
  return `${host.split('.').join(',')},${port >> 8},${port & 255}`;
}

export function decodePort(arg: string): HostPort {
  const m = /^\s*(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})\s*$/.exec(arg);
  if (!m) throw new FtpError('protocol', `Not a PORT argument: ${arg}`);
  const n = m.slice(1).map(Number);
  if (n.some((x) => x > 255)) throw new FtpError('protocol', `Not a PORT argument: ${arg}`);
  const port = n[4] * 256 + n[5];
  checkPort(port);
  return { host: n.slice(0, 4).join('.'), port };
}

/** Reads the h1,h2,h3,h4,p1,p2 of a 227 reply; servers differ in brackets and text around it. */
export function decodePasvReply(message: string): HostPort {
  const m = /(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3})/.exec(message);
  if (!m) throw new FtpError('protocol', `Could not read the address in the PASV reply: ${message}`);
  return decodePort(m.slice(1).join(','));
}

export function encodePasvReply(host: string, port: number): string {
  return `Entering Passive Mode (${encodePort(host, port)})`;
}

export function encodeEprt(host: string, port: number): string {
  host = normalizeAddress(host);
  checkPort(port);
  if (isIPv4(host)) return `|1|${host}|${port}|`;
  if (isIPv6(host)) return `|2|${host}|${port}|`;
  throw new FtpError('invalidInput', `EPRT needs an IP address, not ${host}.`);
}

export function decodeEprt(arg: string): HostPort & { family: 1 | 2 } {
  const d = arg.trim()[0];
  if (!d || d.charCodeAt(0) < 33 || d.charCodeAt(0) > 126) throw new FtpError('protocol', `Not an EPRT argument: ${arg}`);
  const parts = arg.trim().split(d);
  // "|1|h|p|" splits into ['', '1', 'h', 'p', '']
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') throw new FtpError('protocol', `Not an EPRT argument: ${arg}`);
  const family = parts[1] === '1' ? 1 : parts[1] === '2' ? 2 : undefined;
  const host = parts[2];
  const port = Number(parts[3]);
  if (!family || (family === 1 ? !isIPv4(host) : !isIPv6(host)) || !/^\d+$/.test(parts[3])) {
    throw new FtpError('protocol', `Not an EPRT argument: ${arg}`);
  }
  checkPort(port);
  return { family, host, port };
}

/** Reads the port of a 229 reply: "Entering Extended Passive Mode (|||6446|)"; any delimiter 33-126 (RFC 2428). */
export function decodeEpsvReply(message: string): number {
  const m = /\(([\x21-\x7e])\1\1(\d{1,5})\1\)/.exec(message);
  if (!m) throw new FtpError('protocol', `Could not read the port in the EPSV reply: ${message}`);
  const port = Number(m[2]);
  checkPort(port);
  return port;
}

export function encodeEpsvReply(port: number): string {
  checkPort(port);
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/**
 * Addresses a client on the public internet can't reach: private (RFC 1918), CGNAT, link-local,
 * loopback, unspecified. A PASV reply with one of these from a server reached by another address is
 * the classic NAT'd-server mistake.
 */
export function isNonPublicAddress(address: string): boolean {
  address = normalizeAddress(address);
  if (isIPv4(address)) {
    const [a, b] = address.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
      (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const lower = address.toLowerCase();
  return lower === '::1' || lower === '::' || lower.startsWith('fe80:') || lower.startsWith('fc') || lower.startsWith('fd');
}
