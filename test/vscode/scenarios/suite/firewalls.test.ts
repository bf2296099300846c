/// <reference types="mocha" />
/**
 * Scenarios (b) and (a) of issue 4 through the extension: the server's firewall admits only its
 * control port, then the client's firewall drops inbound connections (vsftpd in the server
 * namespace, this VS Code in the client namespace, nftables between them).
 *
 * One auto-mode site, "roam", lives through both, as a laptop does that moves between networks:
 * in (b) it falls back from passive to active and remembers it; in (a) the remembered active mode
 * fails and it falls back to passive. Each fallback shows the one-time notice.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { rules } from '../../../scenarios/netns';
import {
  CONTENT, FILE, answering, applyRecommendation, assertConnected, brief, clearSites, configuredSite, diagnose, env, firewall, names, openFirewalls,
  readText, resetFile, saveInEditor, screenshot, server, setSites, siteItem, siteOn, sleep, startDiagnose, step, until, workspaceFileSites,
} from './helpers';
import type { DoctorReport } from '../../../../src/ftp';

const SERVER = 'firewalled';
const HOST = env.topology.server.address.replace(/\./g, '\\.');
const CLIENT = env.topology.client.address.replace(/\./g, '\\.');

suite('(b) the server firewall admits only the control port (vsftpd)', () => {
  // The doctor takes ~6 s here (two 3 s passive attempts; sites give up a blocked data connection after 3 s): it runs beside the tests before its own.
  let doctor: Thenable<DoctorReport | undefined>;
  suiteSetup(async () => {
    await openFirewalls();
    await firewall(env.topology.server.ns, rules.admitOnly([server(SERVER).port]));
    resetFile(SERVER);
    await setSites({
      roam: { server: SERVER, site: siteOn(SERVER, { transferMode: 'auto', dataConnectTimeoutSeconds: 3 }) },
      'b-passive': { server: SERVER, site: siteOn(SERVER, { transferMode: 'passive', dataConnectTimeoutSeconds: 3 }) },
    });
    doctor = startDiagnose('roam');
  });
  suiteTeardown(async () => {
    await clearSites();
    await openFirewalls();
  });

  test('auto: passive fails at the firewall, the listing arrives in active mode, and the one-time notice says so', async () => {
    const { result, calls } = await answering('showInformationMessage', () => 'Keep automatic', async (calls) => {
      const listed = await names('roam');
      await until('the notice', () => calls.length > 0);
      return listed;
    });
    assert.ok(result.includes(FILE), result.join(', '));
    assert.equal(calls.length, 1);
    assert.equal(calls[0][0], "Passive mode failed on roam (EPSV: no answer from the server's data port); active mode works.");
    assert.deepEqual(calls[0].slice(1), ['Always use active for roam', 'Keep automatic']);
    assert.equal(workspaceFileSites().roam.transferMode, 'auto', '"Keep automatic" writes nothing');
    assert.equal(siteItem('roam')?.description, 'auto: active · connected');
  });

  test('auto, settled on active: read and an editor save work, and a new connection goes straight to active without asking again', async () => {
    assert.equal(await readText('roam'), CONTENT);
    await saveInEditor('roam', SERVER, 'saved through active mode\n');
    await vscode.commands.executeCommand('ftpWorkspace.disconnect', 'roam');
    const started = Date.now();
    const { calls } = await answering('showInformationMessage', () => undefined, async () => {
      assert.equal(await readText('roam'), 'saved through active mode\n');
      await sleep(300);
    });
    assert.equal(calls.length, 0, 'no second notice');
    assert.ok(Date.now() - started < 5000, `no passive attempt first (${Date.now() - started} ms)`);
  });

  test('fixed passive mode never switches by itself: the error names passive mode and offers active; accepting it writes the setting', async () => {
    const { calls } = await answering('showErrorMessage', (_m, use) => use, async (calls) => {
      await assert.rejects(Promise.resolve(names('b-passive')), /Passive mode failed/);
      await until('the offer', () => calls.length > 0);
      await until('the setting in the workspace file', () => workspaceFileSites()['b-passive']?.transferMode === 'active');
    });
    assert.match(String(calls[0][0]), new RegExp(`^Passive mode failed on ${HOST}\\. Try active mode for this site\\. EPSV: Passive mode \\(EPSV\\): could not connect to the server's data port ${HOST}:\\d+.* within 3 s\\.$`));
    assert.deepEqual(calls[0].slice(1), ['Use active mode for b-passive', 'Diagnose Connection...']);
    await until('the extension host to see active mode', () => configuredSite('b-passive')?.transferMode === 'active');
    assert.ok((await names('b-passive')).includes(FILE), 'active mode works once chosen');
  });

  test('the doctor: EPSV and PASV fail at the server firewall; it recommends active mode', async () => {
    const report = await diagnose('roam', false, doctor);
    assertConnected(report);
    for (const id of ['list-epsv', 'list-pasv'] as const) {
      const s = step(report, id);
      assert.equal(s.status, 'failed', brief(report));
      assert.equal(s.failure, 'connectTimeout');
      assert.match(s.verdict, new RegExp(`^Passive mode failed: this computer could not connect to the data port the server opened \\(${HOST}:\\d+, no answer within [\\d.]+ s\\); the server's firewall probably admits only the control port: use active mode\\.$`));
    }
    assert.equal(step(report, 'list-eprt').status, 'ok', brief(report));
    assert.equal(step(report, 'list-port').status, 'ok', brief(report));
    assert.deepEqual(report.recommendation.settings, { transferMode: 'active', active: { eprtFirst: true } });
    assert.match(report.recommendation.summary, /^Use active mode: passive mode fails\./);
  });
});

suite('(a) the client firewall drops inbound connections (vsftpd)', () => {
  // The doctor takes ~6 s here (two 3 s active attempts): it runs beside the tests before its own.
  let doctor: Thenable<DoctorReport | undefined>;
  suiteSetup(async () => {
    await openFirewalls();
    await firewall(env.topology.client.ns, rules.dropInbound());
    resetFile(SERVER);
    await setSites({
      roam: { server: SERVER, site: siteOn(SERVER, { transferMode: 'auto', dataConnectTimeoutSeconds: 3 }) },
      'a-auto': { server: SERVER, site: siteOn(SERVER, { transferMode: 'auto', dataConnectTimeoutSeconds: 3 }) },
      'a-active': { server: SERVER, site: siteOn(SERVER, { transferMode: 'active', dataConnectTimeoutSeconds: 3 }) },
    });
    doctor = startDiagnose('a-active');
  });
  suiteTeardown(async () => {
    await clearSites();
    await openFirewalls();
  });

  test('a new auto site settles on passive at once: list, read and an editor save work, and nothing is asked', async () => {
    const { calls } = await answering('showInformationMessage', () => undefined, async () => {
      assert.ok((await names('a-auto')).includes(FILE));
      assert.equal(await readText('a-auto'), CONTENT);
      await saveInEditor('a-auto', SERVER, 'saved through passive mode\n');
      await sleep(300);
    });
    assert.equal(calls.length, 0, `no notice: ${JSON.stringify(calls)}`);
    assert.equal(siteItem('a-auto')?.description, 'auto: passive · connected');
  });

  test('the roaming auto site: the active mode it learnt fails here, it falls back to passive, and "Always use passive" writes the setting', async () => {
    const { result, calls } = await answering('showInformationMessage', (_m, always) => always, async (calls) => {
      const listed = await names('roam');
      await until('the notice', () => calls.length > 0);
      await until('the setting in the workspace file', () => workspaceFileSites().roam?.transferMode === 'passive');
      return listed;
    });
    assert.ok(result.includes(FILE));
    assert.equal(calls[0][0], 'Active mode failed on roam (EPRT: the server could not connect back to this computer); passive mode works.');
    assert.deepEqual(calls[0].slice(1), ['Always use passive for roam', 'Keep automatic']);
    await until('the extension host to see passive mode', () => configuredSite('roam')?.transferMode === 'passive');
    assert.equal(await readText('roam'), 'saved through passive mode\n');
  });

  test('fixed active mode fails: the error names active mode and offers passive and the doctor', async () => {
    const { calls } = await answering('showErrorMessage', () => undefined, async (calls) => {
      await assert.rejects(Promise.resolve(names('a-active')), /Active mode failed/);
      await until('the offer', () => calls.length > 0);
    });
    assert.match(String(calls[0][0]), new RegExp(`^Active mode failed on ${HOST}\\. Try passive mode for this site, or check the active port range and external address\\. EPRT: Active mode \\(EPRT\\): the server did not connect back to ${CLIENT}:\\d+ within 3 s\\.$`));
    assert.deepEqual(calls[0].slice(1), ['Use passive mode for a-active', 'Diagnose Connection...']);
    assert.equal(workspaceFileSites()['a-active'].transferMode, 'active', 'dismissed: nothing written');
  });

  test('the doctor: EPRT and PORT fail because the server cannot connect back; its recommendation, applied with the report\'s button, makes the site work (screenshot)', async () => {
    const report = await diagnose('a-active', false, doctor);
    assertConnected(report);
    assert.equal(step(report, 'list-epsv').status, 'ok', brief(report));
    assert.equal(step(report, 'list-pasv').status, 'ok', brief(report));
    for (const id of ['list-eprt', 'list-port'] as const) {
      const s = step(report, id);
      assert.equal(s.status, 'failed', brief(report));
      assert.equal(s.failure, 'acceptTimeout');
      assert.match(s.verdict, new RegExp(`^Active mode failed: the server could not connect back to ${CLIENT}:\\d+ .*A firewall or NAT in front of this computer blocks incoming connections: use passive mode`));
    }
    assert.deepEqual(report.recommendation.settings, { transferMode: 'passive', passive: { epsvFirst: true, trustPasvAddress: false } });
    assert.match(report.recommendation.summary, /^Use passive mode: active mode fails\. Active mode failed/);
    assert.equal(await applyRecommendation('a-active'), 'FTP site "a-active" now uses passive mode, as the doctor recommends.');
    await until('the recommendation in the workspace file', () => workspaceFileSites()['a-active']?.transferMode === 'passive');
    assert.equal(workspaceFileSites()['a-active'].passive, undefined, 'the passive defaults are not written out');
    await screenshot('doctor-scenario-a');
    await until('the extension host to see passive mode', () => configuredSite('a-active')?.transferMode === 'passive');
    assert.ok((await names('a-active')).includes(FILE), 'the next listing works');
  });
});
