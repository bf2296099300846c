import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeEprt, decodeEpsvReply, decodePasvReply, decodePort, encodeEprt, encodeEpsvReply, encodePasvReply, encodePort,
  isNonPublicAddress, normalizeAddress,
} from '../../src/ftp/addresses';
import { FtpError } from '../../src/ftp/errors';

describe('PORT and PASV (RFC 959)', () => {
  test('PORT encodes host and port bytes', () => {
    assert.equal(encodePort('192.0.2.7', 50001), '192,0,2,7,195,81');
    assert.equal(encodePort('::ffff:127.0.0.1', 1), '127,0,0,1,0,1');
  });
  test('PORT round-trips every port boundary', () => {
    for (const port of [1, 255, 256, 1023, 1024, 49152, 65535]) {
      assert.deepEqual(decodePort(encodePort('10.1.2.3', port)), { host: '10.1.2.3', port });
    }
  });
  test('PORT refuses IPv6, port 0 and bytes over 255', () => {
    assert.throws(() => encodePort('::1', 21), FtpError);
    assert.throws(() => encodePort('127.0.0.1', 0), FtpError);
    assert.throws(() => decodePort('256,0,0,1,1,1'), FtpError);
    assert.throws(() => decodePort('127,0,0,1,0,0'), FtpError);
  });
  test('227 replies from different servers', () => {
    assert.deepEqual(decodePasvReply('Entering Passive Mode (127,0,0,1,117,49).'), { host: '127.0.0.1', port: 30001 });
    assert.deepEqual(decodePasvReply('Entering Passive Mode 192,168,1,10,195,80'), { host: '192.168.1.10', port: 50000 });
    assert.deepEqual(decodePasvReply('=127,0,0,1,4,1'), { host: '127.0.0.1', port: 1025 });
    assert.deepEqual(decodePasvReply('Entering Passive Mode (10, 0, 0, 5, 19, 137)'), { host: '10.0.0.5', port: 5001 });
    assert.deepEqual(decodePasvReply(encodePasvReply('203.0.113.9', 40000)), { host: '203.0.113.9', port: 40000 });
    assert.throws(() => decodePasvReply('Entering Passive Mode'), (e: FtpError) => e.kind === 'protocol');
  });
});

describe('EPRT and EPSV (RFC 2428)', () => {
  test('EPRT for IPv4 and IPv6', () => {
    assert.equal(encodeEprt('132.235.1.2', 6275), '|1|132.235.1.2|6275|');
    assert.equal(encodeEprt('1080::8:800:200C:417A', 5282), '|2|1080::8:800:200C:417A|5282|');
    assert.equal(encodeEprt('::ffff:127.0.0.1', 5282), '|1|127.0.0.1|5282|');
  });
  test('EPRT decodes with any delimiter and checks the family', () => {
    assert.deepEqual(decodeEprt('|1|132.235.1.2|6275|'), { family: 1, host: '132.235.1.2', port: 6275 });
    assert.deepEqual(decodeEprt('!2!::1!5282!'), { family: 2, host: '::1', port: 5282 });
    assert.throws(() => decodeEprt('|1|::1|5282|'), FtpError);
    assert.throws(() => decodeEprt('|3|1.2.3.4|5282|'), FtpError);
    assert.throws(() => decodeEprt('|1|1.2.3.4|99999|'), FtpError);
    assert.throws(() => decodeEprt('|1|1.2.3.4|'), FtpError);
  });
  test('229 replies with the usual and unusual delimiters', () => {
    assert.equal(decodeEpsvReply('Entering Extended Passive Mode (|||6446|)'), 6446);
    assert.equal(decodeEpsvReply('Entering Extended Passive Mode (!!!30123!)'), 30123);
    assert.equal(decodeEpsvReply(encodeEpsvReply(65535)), 65535);
    assert.throws(() => decodeEpsvReply('Entering Extended Passive Mode (|1|6446|)'), FtpError);
    assert.throws(() => decodeEpsvReply('Entering Extended Passive Mode (|||0|)'), FtpError);
  });
});

describe('addresses', () => {
  test('IPv4-mapped IPv6 addresses are unwrapped', () => {
    assert.equal(normalizeAddress('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(normalizeAddress('::1'), '::1');
  });
  test('private, loopback, link-local and CGNAT addresses are not public', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.10', '127.0.0.1', '169.254.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1']) {
      assert.equal(isNonPublicAddress(a), true, a);
    }
    for (const a of ['203.0.113.5', '172.32.0.1', '8.8.8.8', '2001:db8::1']) assert.equal(isNonPublicAddress(a), false, a);
  });
});
