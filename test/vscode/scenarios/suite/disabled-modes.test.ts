/// <reference types="mocha" />
/**
 * Scenario (d) of issue 4 through the extension: a server with passive mode disabled (proftpd,
 * <Limit PASV EPSV> DenyAll) and one with active mode disabled (vsftpd port_enable=NO). Auto mode
 * picks the other mode; fixed modes fail, name themselves and offer the other mode and the doctor.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DoctorReport } from '../../../../src/ftp';
import {
  CONTENT, FILE, answering, assertConnected, brief, clearSites, configuredSite, diagnose, env, names, openFirewalls,
  readText, resetFile, saveInEditor, setSites, siteItem, siteOn, sleep, step, until, workspaceFileSites,
} from './helpers';

const HOST = env.topology.server.address.replace(/\./g, '\\.');

/** Records the promise of every `ftpWorkspace.diagnose` the extension itself runs while `body` runs (a button of its error message). */
async function capturingDiagnose(body: (runs: Array<Thenable<DoctorReport | undefined>>) => Promise<void>): Promise<void> {
  const commands = vscode.commands as unknown as { executeCommand: (id: string, ...args: unknown[]) => Thenable<unknown> };
  const original = commands.executeCommand;
  const runs: Array<Thenable<DoctorReport | undefined>> = [];
  commands.executeCommand = (id: string, ...args: unknown[]) => {
    const p = original.call(vscode.commands, id, ...args);
    if (id === 'ftpWorkspace.diagnose') runs.push(p as Thenable<DoctorReport | undefined>);
    return p;
  };
  try {
    await body(runs);
  } finally {
    commands.executeCommand = original;
  }
}

suite('(d) passive mode disabled on the server (proftpd)', () => {
  const SERVER = 'noPassive';
  suiteSetup(async () => {
    await openFirewalls();
    resetFile(SERVER);
    await setSites({
      'd-auto-nopasv': { server: SERVER, site: siteOn(SERVER, { transferMode: 'auto' }) },
      'd-passive': { server: SERVER, site: siteOn(SERVER, { transferMode: 'passive' }) },
    });
  });
  suiteTeardown(async () => {
    await clearSites();
  });

  test('auto picks active; the one-time notice quotes the refusal, and "Always use active" writes the setting; read and an editor save work', async () => {
    const { result, calls } = await answering('showInformationMessage', (_m, always) => always, async (calls) => {
      const listed = await names('d-auto-nopasv');
      await until('the notice', () => calls.length > 0);
      await until('the setting in the workspace file', () => workspaceFileSites()['d-auto-nopasv']?.transferMode === 'active');
      return listed;
    });
    assert.ok(result.includes(FILE));
    assert.match(String(calls[0][0]), /^Passive mode failed on d-auto-nopasv \(5\d\d .+\); active mode works\.$/);
    assert.deepEqual(calls[0].slice(1), ['Always use active for d-auto-nopasv', 'Keep automatic']);
    await until('the extension host to see active mode', () => configuredSite('d-auto-nopasv')?.transferMode === 'active');
    assert.equal(await readText('d-auto-nopasv'), CONTENT);
    await saveInEditor('d-auto-nopasv', SERVER, 'saved through active mode on proftpd\n');
    assert.equal(siteItem('d-auto-nopasv')?.description, 'active · connected');
  });

  test('fixed passive mode fails and names itself; its "Diagnose Connection..." button runs the doctor, which says passive mode is disabled and recommends active', async () => {
    let report: DoctorReport | undefined;
    await capturingDiagnose(async (runs) => {
      const { calls } = await answering('showErrorMessage', (_m, _use, doctor) => doctor, async (calls) => {
        await assert.rejects(Promise.resolve(names('d-passive')), /Passive mode failed/);
        await until('the offer', () => calls.length > 0);
        await until('the doctor to start', () => runs.length > 0);
      });
      assert.match(String(calls[0][0]), new RegExp(`^Passive mode failed on ${HOST}\\. Try active mode for this site\\. EPSV: The server refused EPSV: 5\\d\\d .* PASV: The server refused PASV: 5\\d\\d `));
      assert.deepEqual(calls[0].slice(1), ['Use active mode for d-passive', 'Diagnose Connection...']);
      report = await runs[0];
    });
    assert.ok(report, 'the doctor ran');
    await until('its report in a tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label === 'Diagnose d-passive' && t.input instanceof vscode.TabInputWebview), 5000);
    assertConnected(report);
    assert.equal(step(report, 'list-epsv').failure, 'refused', brief(report));
    assert.match(step(report, 'list-epsv').verdict, /^The server refuses EPSV\. It answered: \d{3} /);
    const pasv = step(report, 'list-pasv');
    assert.equal(pasv.status, 'failed');
    assert.match(pasv.verdict, /^The server refuses PASV\/EPSV \(passive mode disabled\): use active mode\. It answered: \d{3} .*\.$/);
    assert.equal(step(report, 'list-eprt').status, 'ok', brief(report));
    assert.equal(report.recommendation.transferMode, 'active', brief(report));
    assert.match(report.recommendation.summary, /passive mode disabled/);
    assert.equal(workspaceFileSites()['d-passive'].transferMode, 'passive', 'the doctor alone writes nothing');
  });
});

suite('(d) active mode disabled on the server (vsftpd)', () => {
  const SERVER = 'noActive';
  suiteSetup(async () => {
    await openFirewalls();
    resetFile(SERVER);
    await setSites({
      'd-auto-noactive': { server: SERVER, site: siteOn(SERVER, { transferMode: 'auto' }) },
      'd-active': { server: SERVER, site: siteOn(SERVER, { transferMode: 'active' }) },
    });
  });
  suiteTeardown(async () => {
    await clearSites();
  });

  test('auto picks passive (tried first): list, read and an editor save work, and nothing is asked', async () => {
    const { calls } = await answering('showInformationMessage', () => undefined, async () => {
      assert.ok((await names('d-auto-noactive')).includes(FILE));
      assert.equal(await readText('d-auto-noactive'), CONTENT);
      await saveInEditor('d-auto-noactive', SERVER, 'saved through passive mode on vsftpd\n');
      await sleep(300);
    });
    assert.equal(calls.length, 0);
    assert.equal(siteItem('d-auto-noactive')?.description, 'auto: passive · connected');
  });

  test('fixed active mode fails (EPRT and PORT refused) and names itself; "Use passive mode" writes the setting and the next listing works', async () => {
    const { calls } = await answering('showErrorMessage', (_m, use) => use, async (calls) => {
      await assert.rejects(Promise.resolve(names('d-active')), /Active mode failed/);
      await until('the offer', () => calls.length > 0);
      await until('the setting in the workspace file', () => workspaceFileSites()['d-active']?.transferMode === 'passive');
    });
    assert.match(String(calls[0][0]), new RegExp(`^Active mode failed on ${HOST}\\. .*EPRT: The server refused EPRT: 5\\d\\d .* PORT: The server refused PORT: 5\\d\\d `));
    assert.deepEqual(calls[0].slice(1), ['Use passive mode for d-active', 'Diagnose Connection...']);
    await until('the extension host to see passive mode', () => configuredSite('d-active')?.transferMode === 'passive');
    assert.ok((await names('d-active')).includes(FILE));
  });

  test('the doctor: the server refuses PORT/EPRT (active mode disabled); it recommends passive, and applying it lands in the workspace file', async () => {
    const report = await diagnose('d-auto-noactive', true);
    assertConnected(report);
    assert.equal(step(report, 'list-epsv').status, 'ok', brief(report));
    assert.equal(step(report, 'list-eprt').failure, 'refused', brief(report));
    const port = step(report, 'list-port');
    assert.equal(port.status, 'failed');
    assert.match(port.verdict, /^The server refuses PORT\/EPRT \(active mode disabled\): use passive mode\. It answered: \d{3} .*\.$/);
    assert.deepEqual(report.recommendation.settings, { transferMode: 'passive', passive: { epsvFirst: true, trustPasvAddress: false } });
    await until('the recommendation in the workspace file', () => workspaceFileSites()['d-auto-noactive']?.transferMode === 'passive');
    assert.equal(workspaceFileSites()['d-auto-noactive'].passive, undefined, 'the passive defaults are not written out');
    await until('the extension host to see it', () => configuredSite('d-auto-noactive')?.transferMode === 'passive');
    assert.ok((await names('d-auto-noactive')).includes(FILE), 'the next listing works');
  });
});
