/**
 * Scenarios (a) and (b) of issue 4: a firewall in front of the client drops inbound connections;
 * a firewall in front of the server admits only the control port. Real servers in the server
 * namespace, the engine (probe) in the client namespace, nftables doing the dropping.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RunningServer } from '../servers';
import { Topology, createTopology, rules } from './netns';
import { ProbeOutput } from './probe';
import { FILE, assertConnected, assertSettled, brief, connectOptions, probe, run, startIn, step } from './kit';

describe('(a) the client firewall drops inbound connections (vsftpd)', () => {
  let t: Topology;
  let server: RunningServer;
  let out: ProbeOutput;
  before(async () => {
    t = await createTopology();
    server = await startIn(t, 'vsftpd');
    await t.firewall(t.client.ns, rules.dropInbound());
    out = await probe(t, {
      connect: connectOptions(server),
      runs: [
        { label: 'passive', transferMode: 'passive', path: FILE },
        { label: 'active', transferMode: 'active', path: FILE },
        { label: 'auto', transferMode: 'auto', path: FILE },
        // Active first, so auto has to find out that active fails here and fall back.
        { label: 'auto, active first', transferMode: 'auto', options: { methodOrder: ['eprt', 'port', 'epsv', 'pasv'] }, path: FILE },
      ],
      doctor: {},
    });
  });
  after(async () => {
    await server?.stop();
    await t?.remove();
  });

  test('passive works', () => assertSettled(run(out, 'passive'), 'epsv'));

  test('active fails: the server never connects back (acceptTimeout), and the error names active mode', () => {
    const r = run(out, 'active');
    assert.equal(r.ok, false);
    assert.equal(r.error?.kind, 'dataConnection');
    assert.equal(r.error?.dataFailure, 'acceptTimeout', JSON.stringify(r.error));
    assert.match(r.error?.message ?? '', /Active mode failed/);
    assert.equal(r.working, undefined);
  });

  test('auto settles on passive', () => assertSettled(run(out, 'auto'), 'epsv'));

  test('auto with active first falls back to passive, and the fallback event names the failed active attempt', () => {
    const r = run(out, 'auto, active first');
    assertSettled(r, 'epsv');
    assert.equal(r.fallbacks.length, 1, JSON.stringify(r.fallbacks));
    assert.equal(r.fallbacks[0].method, 'epsv');
    assert.deepEqual(r.fallbacks[0].failed.map((f) => [f.method, f.failure]), [['eprt', 'acceptTimeout']]);
    assert.ok(r.dataCommands[0].some((c) => c.startsWith('EPRT')) && !r.dataCommands[0].some((c) => c.startsWith('PORT')), 'PORT is skipped after EPRT failed');
  });

  test('the doctor: EPRT and PORT fail because the server could not connect back; recommends passive', () => {
    const report = out.doctor;
    assertConnected(report);
    assert.equal(step(report, 'list-epsv').status, 'ok', brief(report));
    assert.equal(step(report, 'list-pasv').status, 'ok', brief(report));
    for (const id of ['list-eprt', 'list-port'] as const) {
      const s = step(report, id);
      assert.equal(s.status, 'failed', brief(report));
      assert.equal(s.failure, 'acceptTimeout');
      assert.match(s.verdict, /^Active mode failed: the server could not connect back to 198\.51\.100\.2:\d+ .*A firewall or NAT in front of this computer blocks incoming connections: use passive mode/);
    }
    assert.match(step(report, 'list-eprt').sent.join('\n'), /^EPRT \|1\|198\.51\.100\.2\|\d+\|$/m);
    assert.equal(report!.recommendation.transferMode, 'passive');
    assert.deepEqual(report!.recommendation.settings, { transferMode: 'passive', passive: { epsvFirst: true, trustPasvAddress: false } });
    assert.match(report!.recommendation.summary, /^Use passive mode: active mode fails\. Active mode failed/);
  });
});

describe('(b) the server firewall admits only the control port (proftpd)', () => {
  let t: Topology;
  let server: RunningServer;
  let out: ProbeOutput;
  before(async () => {
    t = await createTopology();
    server = await startIn(t, 'proftpd');
    await t.firewall(t.server.ns, rules.admitOnly([server.port]));
    out = await probe(t, {
      connect: connectOptions(server),
      runs: [
        { label: 'passive', transferMode: 'passive', path: FILE },
        { label: 'active', transferMode: 'active', path: FILE },
        { label: 'auto', transferMode: 'auto', path: FILE },
      ],
      doctor: {},
    });
  });
  after(async () => {
    await server?.stop();
    await t?.remove();
  });

  test('passive fails: this computer cannot reach the data port (connectTimeout)', () => {
    const r = run(out, 'passive');
    assert.equal(r.ok, false);
    assert.equal(r.error?.dataFailure, 'connectTimeout', JSON.stringify(r.error));
    assert.match(r.error?.message ?? '', /Passive mode failed .* Try active mode/);
  });

  test('active works', () => assertSettled(run(out, 'active'), 'eprt'));

  test('auto really falls back to active, and the fallback event names the failed passive attempt', () => {
    const r = run(out, 'auto');
    assertSettled(r, 'eprt');
    assert.deepEqual(r.dataCommands[0].map((c) => c.split(' ')[0]), ['EPSV', 'EPRT'], 'EPSV failed, PASV skipped, EPRT worked');
    assert.equal(r.fallbacks.length, 1, JSON.stringify(r.fallbacks));
    assert.equal(r.fallbacks[0].method, 'eprt');
    assert.deepEqual(r.fallbacks[0].failed.map((f) => [f.method, f.failure]), [['epsv', 'connectTimeout']]);
    assert.match(r.fallbacks[0].failed[0].message ?? '', /could not connect to the server's data port 198\.51\.100\.10:\d+/);
    assert.deepEqual(r.history.map((h) => [h.method, h.ok]), [['epsv', false], ['eprt', true], ['eprt', true]]);
  });

  test('the doctor: EPSV and PASV fail at the server firewall; recommends active', () => {
    const report = out.doctor;
    assertConnected(report);
    for (const id of ['list-epsv', 'list-pasv'] as const) {
      const s = step(report, id);
      assert.equal(s.status, 'failed', brief(report));
      assert.equal(s.failure, 'connectTimeout');
      assert.match(s.verdict, /^Passive mode failed: this computer could not connect to the data port the server opened \(198\.51\.100\.10:\d+, no answer within 1\.5 s\); the server's firewall probably admits only the control port: use active mode\.$/);
    }
    assert.equal(step(report, 'list-eprt').status, 'ok', brief(report));
    assert.equal(step(report, 'list-port').status, 'ok', brief(report));
    assert.equal(report!.recommendation.transferMode, 'active');
    assert.deepEqual(report!.recommendation.settings, { transferMode: 'active', active: { eprtFirst: true } });
    assert.match(report!.recommendation.summary, /^Use active mode: passive mode fails\. Passive mode failed/);
  });
});
