/**
 * Scenarios (c) and (e) of issue 4: a server that advertises an unroutable private address in its
 * 227 reply (a NAT'd server), and a client behind NAT doing active mode.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RunningServer } from '../servers';
import { Topology, createTopology } from './netns';
import { ProbeOutput } from './probe';
import { FILE, assertConnected, assertSettled, brief, connectOptions, probe, run, startIn, step } from './kit';

/** Nothing in any namespace has this address, and no namespace has a route to it. */
const UNROUTABLE = '192.168.77.10';

describe('(c) the server advertises an unroutable PASV address (pyftpdlib masquerade_address)', () => {
  let t: Topology;
  let server: RunningServer;
  let out: ProbeOutput;
  let trusting: ProbeOutput;
  before(async () => {
    t = await createTopology();
    server = await startIn(t, 'pyftpdlib', { passiveAddress: UNROUTABLE });
    const pasvFirst = { methodOrder: ['pasv', 'epsv', 'eprt', 'port'] as const };
    out = await probe(t, {
      connect: connectOptions(server),
      runs: [
        { label: 'passive, PASV first', transferMode: 'passive', options: { methodOrder: [...pasvFirst.methodOrder] }, path: FILE },
        { label: 'passive, PASV only, trusting the address', transferMode: 'passive', options: { methodOrder: ['pasv'], trustPasvAddress: true }, path: FILE },
      ],
      doctor: {},
    });
    trusting = await probe(t, { connect: connectOptions(server, { trustPasvAddress: true }), runs: [], doctor: {} });
  });
  after(async () => {
    await server?.stop();
    await t?.remove();
  });

  test('the client connects to the control address instead, and the transfer works', () => {
    const r = run(out, 'passive, PASV first');
    assertSettled(r, 'pasv');
    assert.ok(r.info.some((l) => l === `PASV advertised ${UNROUTABLE}; connecting to the control address ${t.server.address} instead`), r.info.join('\n'));
  });

  test('trusting the address fails as unroutableAddress', () => {
    const r = run(out, 'passive, PASV only, trusting the address');
    assert.equal(r.ok, false);
    assert.equal(r.error?.dataFailure, 'unroutableAddress', JSON.stringify(r.error));
    assert.match(r.error?.message ?? '', new RegExp(`data port ${UNROUTABLE.replace(/\./g, '\\.')}:\\d+`));
  });

  test('the doctor names the cause: a private address, the control address used instead', () => {
    const report = out.doctor;
    assertConnected(report);
    const pasv = step(report, 'list-pasv');
    assert.equal(pasv.status, 'warning', brief(report));
    assert.equal(pasv.verdict.startsWith(`The server answered PASV with ${UNROUTABLE}, a private address this computer can't reach; ` +
      `FTP Workspace connects to the control connection's address (${t.server.address}) instead, and the listing arrived`), true, pasv.verdict);
    assert.deepEqual(pasv.pasvAddress, { advertised: UNROUTABLE, control: t.server.address, trusted: false });
    for (const id of ['list-epsv', 'list-eprt', 'list-port'] as const) assert.equal(step(report, id).status, 'ok', brief(report));
    assert.equal(report!.recommendation.transferMode, 'auto');
    assert.deepEqual(report!.recommendation.settings.passive, { epsvFirst: true, trustPasvAddress: false });
    assert.match(report!.recommendation.summary, /Note: The server answered PASV with 192\.168\.77\.10/);
  });

  test('with trustPasvAddress on, the doctor shows it failing, checks the control address, and recommends turning it off', () => {
    const report = trusting.doctor;
    const pasv = step(report, 'list-pasv');
    assert.equal(pasv.status, 'failed', brief(report));
    assert.equal(pasv.failure, 'unroutableAddress');
    assert.deepEqual(pasv.pasvAddress, { advertised: UNROUTABLE, control: t.server.address, trusted: true, controlAddressWorks: true });
    assert.match(pasv.verdict, /^The server answered PASV with 192\.168\.77\.10, a private address this computer can't reach, and this computer could not connect to it \(passive\.trustPasvAddress is on\)\. With the control connection's address \(198\.51\.100\.10\) the listing arrived: turn off passive\.trustPasvAddress\.$/);
    assert.equal(report!.recommendation.settings.passive?.trustPasvAddress, false);
    assert.match(report!.recommendation.summary, /Note: The server answered PASV with 192\.168\.77\.10/);
  });
});

describe('(e) the client is behind NAT: active mode needs the external address and a forwarded port range (vsftpd)', () => {
  const RANGE: [number, number] = [50000, 50019];
  let t: Topology;
  let server: RunningServer;
  let out: ProbeOutput;
  let configured: ProbeOutput;
  before(async () => {
    t = await createTopology({ nat: true, forwardPorts: RANGE });
    server = await startIn(t, 'vsftpd');
    const external = t.router!.outerAddress;
    out = await probe(t, {
      connect: connectOptions(server),
      runs: [
        { label: 'active, nothing configured', transferMode: 'active', path: FILE },
        { label: 'active, external address only', transferMode: 'active', options: { active: { externalAddress: external } }, path: FILE },
        { label: 'active, external address and forwarded range', transferMode: 'active', options: { active: { externalAddress: external, portRange: RANGE } }, path: FILE },
        { label: 'auto, nothing configured', transferMode: 'auto', path: FILE },
      ],
      doctor: {},
    });
    configured = await probe(t, { connect: connectOptions(server, { active: { externalAddress: external, portRange: RANGE } }), runs: [], doctor: {} });
  });
  after(async () => {
    await server?.stop();
    await t?.remove();
  });

  test('the topology: the client is private, the server sees the router', () => {
    assert.equal(t.client.address, '192.168.50.2');
    assert.equal(t.clientSeenByServer, t.router!.outerAddress);
  });

  test('without settings, the server refuses a PORT address that is not where the connection comes from', () => {
    const r = run(out, 'active, nothing configured');
    assert.equal(r.ok, false);
    assert.deepEqual(r.error?.attempts?.map((a) => [a.method, a.failure]), [['eprt', 'refused'], ['port', 'refused']], JSON.stringify(r.error));
    assert.match(r.dataCommands[0][0], /^EPRT \|1\|192\.168\.50\.2\|\d+\|$/);
  });

  test('with the external address but no forwarded range, the server cannot connect back (425)', () => {
    const r = run(out, 'active, external address only');
    assert.equal(r.ok, false);
    assert.equal(r.error?.dataFailure, 'reply425', JSON.stringify(r.error));
    assert.match(r.dataCommands[0][0], /^EPRT \|1\|203\.0\.113\.1\|\d+\|$/);
  });

  test('with the external address and the forwarded range, active mode works', () => {
    const r = run(out, 'active, external address and forwarded range');
    assertSettled(r, 'eprt');
    for (const c of r.dataCommands.flat()) {
      const port = Number(/\|(\d+)\|$/.exec(c)?.[1]);
      assert.ok(port >= RANGE[0] && port <= RANGE[1], `${c} uses a port of the range`);
    }
  });

  test('auto works without settings (passive through NAT)', () => assertSettled(run(out, 'auto, nothing configured'), 'epsv'));

  test('the doctor without settings: EPRT/PORT refused, explained as NAT; recommends passive', () => {
    const report = out.doctor;
    assertConnected(report);
    for (const id of ['list-eprt', 'list-port'] as const) {
      const s = step(report, id);
      assert.equal(s.status, 'failed', brief(report));
      assert.equal(s.failure, 'refused');
      assert.match(s.verdict, /This computer's address 192\.168\.50\.2 is private and the server's is public: this computer is behind NAT.*Set active\.externalAddress to this network's public address and forward active\.portRange to this computer, or use passive mode\./);
    }
    assert.equal(report!.recommendation.transferMode, 'passive');
    assert.match(report!.recommendation.summary, /^Use passive mode: active mode fails\. .*behind NAT/);
  });

  test('the doctor with settings: every method works; recommends auto and keeps the active settings', () => {
    const report = configured.doctor;
    assertConnected(report);
    for (const id of ['list-epsv', 'list-pasv', 'list-eprt', 'list-port'] as const) assert.equal(step(report, id).status, 'ok', brief(report));
    assert.match(step(report, 'list-eprt').verdict, /^Active mode works with EPRT: the server connected back to 203\.0\.113\.1:500\d\d/);
    assert.deepEqual(report!.recommendation.settings, {
      transferMode: 'auto', passive: { epsvFirst: true, trustPasvAddress: false }, active: { portRange: RANGE, externalAddress: '203.0.113.1', eprtFirst: true },
    });
  });
});
