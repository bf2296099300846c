/**
 * Fuzzing the PORT/PASV/EPRT/EPSV codecs: what we encode decodes to the same address and port, and
 * no text a server (or a peer) sends makes a decoder throw anything but an FtpError or yield a port
 * outside 1-65535 or a host that is not an IP address.
 */
import assert from 'node:assert/strict';
import { isIP, isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe } from 'node:test';
import {
  decodeEprt, decodeEpsvReply, decodePasvReply, decodePort, encodeEprt, encodeEpsvReply, encodePasvReply, encodePort,
  isNonPublicAddress, normalizeAddress,
} from '../../src/ftp/addresses';
import { FtpError } from '../../src/ftp/errors';
import { anyString, fuzz, hostileChar, mutated, soup } from './kit';

const port = fc.integer({ min: 1, max: 65535 });
const mappedV4 = fc.ipV4().map((a) => `::ffff:${a}`);

/** Calls a decoder: its result, or undefined when it refused with an FtpError; anything else fails. */
function decoded<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch (e) {
    assert.ok(e instanceof FtpError, `threw ${String(e)}`);
    assert.ok(e.kind === 'protocol' || e.kind === 'invalidInput', `kind ${e.kind}`);
    return undefined;
  }
}

function assertPort(p: number): void {
  assert.ok(Number.isInteger(p) && p >= 1 && p <= 65535, `port ${p}`);
}

/** Pieces of addresses and the text around them, for strings that are almost arguments. */
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('|', '!', '|||', '1', '2', '3', '0', '00', '255', '256', '999', '65535', '65536', '99999', '0000000021', ',', ', ', '.', ':', '::', '::ffff:', 'fe80::1%eth0', '(', ')', '[', ']', '-', '+', '1e3', '0x10', ' ', '\t') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 70000 }).map(String) },
  { weight: 1, arbitrary: fc.ipV4() },
  { weight: 1, arbitrary: fc.ipV6() },
  { weight: 1, arbitrary: hostileChar },
);
const validArgument = fc.oneof(
  fc.tuple(fc.ipV4(), port).map(([h, p]) => encodePort(h, p)),
  fc.tuple(fc.ipV4(), port).map(([h, p]) => encodePasvReply(h, p)),
  fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6()), port).map(([h, p]) => encodeEprt(h, p)),
  port.map(encodeEpsvReply),
);
/** Arguments of the right shape with numbers and addresses out of range or malformed. */
const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('0', '1', '255', '256', '999', '1000', '00001', '', ' 1', '-1'));
const nearValid = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(fc.array(octet, { minLength: 6, maxLength: 6 }), fc.constantFrom(',', ', ')).map(([n, sep]) => n.join(sep)) },
  fc.tuple(fc.array(octet, { minLength: 6, maxLength: 6 }), fc.constantFrom('Entering Passive Mode (%)', '=%', '%')).map(([n, w]) => w.replace('%', n.join(','))),
  fc.tuple(fc.constantFrom('|', '!', '#'), fc.constantFrom('1', '2', '3', '', '01'), fc.oneof(fc.ipV4(), fc.ipV6(), anyString(8), fc.constantFrom('1.2.3.256', '::ffff:1.2.3.4', 'fe80::1%eth0', '1.2.3', '')), fc.oneof(fc.integer({ min: -1, max: 70000 }).map(String), fc.constantFrom('', '1e3', '0x15', '021', ' 21'))).map(([d, f, h, p]) => `${d}${f}${d}${h}${d}${p}${d}`),
  fc.tuple(fc.constantFrom('|', '!', '(', ')', '1'), fc.oneof(fc.integer({ min: 0, max: 99999 }).map(String), fc.constantFrom('', '000000', '65536'))).map(([d, p]) => `Entering Extended Passive Mode (${d}${d}${d}${p}${d})`),
);
const hostileArgument = fc.oneof(anyString(60), soup(piece, 14).map((s) => s.replace(/ +$/, '')), mutated(validArgument), validArgument, nearValid, mutated(nearValid));

describe('fuzz: address codecs', () => {
  fuzz('PORT: decodePort(encodePort(host, port)) is the same IPv4 address and port', fc.property(fc.oneof(fc.ipV4(), mappedV4), port, (host, p) => {
    assert.deepEqual(decodePort(encodePort(host, p)), { host: normalizeAddress(host), port: p });
  }));

  fuzz('PASV: decodePasvReply(encodePasvReply(host, port)) is the same, also inside other servers\' wording', fc.property(
    fc.ipV4(), port, fc.constantFrom('(%)', '%', '= %', '(%).', 'Entering Passive Mode (%)'), fc.boolean(),
    (host, p, wording, spaced) => {
      const numbers = encodePort(host, p);
      const message = wording.replace('%', spaced ? numbers.replace(/,/g, ', ') : numbers);
      assert.deepEqual(decodePasvReply(encodePasvReply(host, p)), { host, port: p });
      assert.deepEqual(decodePasvReply(`Entering Passive Mode ${message}`), { host, port: p });
    },
  ));

  fuzz('EPRT: decodeEprt(encodeEprt(host, port)) is the same family, address and port (IPv4, IPv6, mapped IPv4)', fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), mappedV4), port, (host, p) => {
    const want = normalizeAddress(host);
    assert.deepEqual(decodeEprt(encodeEprt(host, p)), { family: isIPv4(want) ? 1 : 2, host: want, port: p });
  }));

  fuzz('EPRT: any delimiter RFC 2428 allows reads the same', fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), port, fc.integer({ min: 33, max: 126 }), (host, p, code) => {
    const d = String.fromCharCode(code);
    fc.pre(!host.includes(d) && !/\d/.test(d));
    const family = isIPv4(host) ? 1 : 2;
    assert.deepEqual(decodeEprt(`${d}${family}${d}${host}${d}${p}${d}`), { family, host, port: p });
  }));

  fuzz('EPSV: decodeEpsvReply(encodeEpsvReply(port)) is the same port, with any delimiter 33-126', fc.property(port, fc.integer({ min: 33, max: 126 }), (p, code) => {
    const d = String.fromCharCode(code);
    fc.pre(!/\d/.test(d));
    assert.equal(decodeEpsvReply(encodeEpsvReply(p)), p);
    assert.equal(decodeEpsvReply(`Entering Extended Passive Mode (${d}${d}${d}${p}${d})`), p);
  }));

  fuzz('decoders of any text throw only FtpErrors, and what they read is an IP address and a port 1-65535', fc.property(hostileArgument, (text) => {
    const port1 = decoded(() => decodePort(text));
    if (port1) {
      assert.ok(isIPv4(port1.host), `PORT host ${port1.host}`);
      assertPort(port1.port);
    }
    const pasv = decoded(() => decodePasvReply(text));
    if (pasv) {
      assert.ok(isIPv4(pasv.host), `PASV host ${pasv.host}`);
      assertPort(pasv.port);
    }
    const eprt = decoded(() => decodeEprt(text));
    if (eprt) {
      assert.ok(eprt.family === 1 ? isIPv4(eprt.host) : eprt.family === 2 && isIPv6(eprt.host), `EPRT ${JSON.stringify(eprt)}`);
      assertPort(eprt.port);
    }
    const epsv = decoded(() => decodeEpsvReply(text));
    if (epsv !== undefined) assertPort(epsv);
  }));

  fuzz('encoders refuse what they can\'t encode with an FtpError, and never throw anything else', fc.property(fc.oneof(anyString(40), fc.ipV4(), fc.ipV6(), mappedV4), fc.oneof(port, fc.integer(), fc.double()), (host, p) => {
    for (const encode of [encodePort, encodePasvReply, encodeEprt]) {
      const out = decoded(() => encode(host, p));
      if (out !== undefined) {
        assert.ok(isIP(normalizeAddress(host)) !== 0, `encoded a non-address ${JSON.stringify(host)}`);
        assertPort(p);
      }
    }
    const epsv = decoded(() => encodeEpsvReply(p));
    if (epsv !== undefined) assertPort(p);
  }));

  fuzz('isNonPublicAddress and normalizeAddress never throw', fc.property(fc.oneof(anyString(40), fc.ipV4(), fc.ipV6(), mappedV4), (a) => {
    assert.equal(typeof isNonPublicAddress(a), 'boolean');
    assert.equal(typeof normalizeAddress(a), 'string');
  }));
});
