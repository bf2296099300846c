/**
 * Scenario (d) of issue 4: a server with passive mode disabled, and one with active mode disabled;
 * auto mode picks the other mode, and the doctor says which one the server refuses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RunningServer } from '../servers';
import { Topology, createTopology } from './netns';
import { ProbeOutput } from './probe';
import { FILE, assertConnected, assertSettled, brief, connectOptions, probe, run, startIn, step } from './kit';

describe('(d) passive disabled on the server (proftpd <Limit PASV EPSV> DenyAll)', () => {
  let t: Topology;
  let server: RunningServer;
  let out: ProbeOutput;
  before(async () => {
    t = await createTopology();
    server = await startIn(t, 'proftpd', { passive: false });
    out = await probe(t, {
      connect: connectOptions(server),
      runs: [
        { label: 'auto', transferMode: 'auto', path: FILE },
        { label: 'passive', transferMode: 'passive', path: FILE },
      ],
      doctor: {},
    });
  });
  after(async () => {
    await server?.stop();
    await t?.remove();
  });

  test('auto picks active; EPSV and PASV are remembered as refused', () => {
    const r = run(out, 'auto');
    assertSettled(r, 'eprt');
    assert.deepEqual(r.refused.sort(), ['epsv', 'pasv']);
    assert.deepEqual(r.fallbacks.map((f) => [f.method, f.failed.map((x) => `${x.method}:${x.failure}`)]), [['eprt', ['epsv:refused', 'pasv:refused']]]);
  });

  test('passive mode fails and says so', () => {
    const r = run(out, 'passive');
    assert.equal(r.ok, false);
    assert.match(r.error?.message ?? '', /Passive mode failed .* Try active mode/);
  });

  test('the doctor: the server refuses PASV/EPSV (passive mode disabled); recommends active', () => {
    const report = out.doctor;
    assertConnected(report);
    assert.equal(step(report, 'list-epsv').failure, 'refused', brief(report));
    assert.match(step(report, 'list-epsv').verdict, /^The server refuses EPSV\. It answered: \d{3} /);
    const pasv = step(report, 'list-pasv');
    assert.equal(pasv.status, 'failed');
    assert.match(pasv.verdict, /^The server refuses PASV\/EPSV \(passive mode disabled\): use active mode\. It answered: \d{3} .*\.$/);
    assert.equal(report!.recommendation.transferMode, 'active', brief(report));
    assert.match(report!.recommendation.summary, /passive mode disabled/);
  });
});

describe('(d) active disabled on the server (vsftpd port_enable=NO)', () => {
  let t: Topology;
  let server: RunningServer;
  let out: ProbeOutput;
  before(async () => {
    t = await createTopology();
    server = await startIn(t, 'vsftpd', { active: false });
    out = await probe(t, {
      connect: connectOptions(server),
      runs: [
        { label: 'auto', transferMode: 'auto', path: FILE },
        // Active first, so auto has to meet the refusal and move on.
        { label: 'auto, active first', transferMode: 'auto', options: { methodOrder: ['eprt', 'port', 'epsv', 'pasv'] }, path: FILE },
        { label: 'active', transferMode: 'active', path: FILE },
      ],
      doctor: {},
    });
  });
  after(async () => {
    await server?.stop();
    await t?.remove();
  });

  test('auto picks passive', () => assertSettled(run(out, 'auto'), 'epsv'));

  test('auto with active first meets the refusals and picks passive', () => {
    const r = run(out, 'auto, active first');
    assertSettled(r, 'epsv');
    assert.deepEqual(r.refused.sort(), ['eprt', 'port']);
    assert.deepEqual(r.fallbacks.map((f) => [f.method, f.failed.map((x) => `${x.method}:${x.failure}`)]), [['epsv', ['eprt:refused', 'port:refused']]]);
  });

  test('active mode fails and says so', () => {
    const r = run(out, 'active');
    assert.equal(r.ok, false);
    assert.deepEqual(r.error?.attempts?.map((a) => a.failure), ['refused', 'refused']);
  });

  test('the doctor: the server refuses PORT/EPRT (active mode disabled); recommends passive', () => {
    const report = out.doctor;
    assertConnected(report);
    assert.equal(step(report, 'list-eprt').failure, 'refused', brief(report));
    const port = step(report, 'list-port');
    assert.equal(port.status, 'failed');
    assert.match(port.verdict, /^The server refuses PORT\/EPRT \(active mode disabled\): use passive mode\. It answered: \d{3} .*\.$/);
    assert.equal(report!.recommendation.transferMode, 'passive', brief(report));
    assert.deepEqual(report!.recommendation.settings, { transferMode: 'passive', passive: { epsvFirst: true, trustPasvAddress: false } });
  });
});
