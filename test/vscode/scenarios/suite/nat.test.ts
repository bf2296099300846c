/// <reference types="mocha" />
/**
 * Scenario (e) of issue 4 through the extension: this VS Code is behind a masquerading router
 * (192.168.50.2 inside, 203.0.113.1 outside) that forwards a port range to it. Active mode works
 * only with active.externalAddress and active.portRange set; the doctor explains NAT.
 */
import * as assert from 'node:assert/strict';
import {
  CONTENT, FILE, answering, assertConnected, brief, clearSites, configuredSite, diagnose, env, names,
  readText, resetFile, saveInEditor, setSites, siteItem, siteOn, sleep, step, until, workspaceFileSites,
} from './helpers';

const SERVER = 'behindNat';
const HOST = env.topology.server.address.replace(/\./g, '\\.');
const EXTERNAL = env.topology.router!.outerAddress;
const RANGE = env.natRange;
const EXTERNAL_RE = EXTERNAL.replace(/\./g, '\\.');

suite('(e) the client is behind NAT: active mode needs the external address and a forwarded port range (vsftpd)', () => {
  suiteSetup(async () => {
    assert.equal(env.topology.kind, 'nat');
    resetFile(SERVER);
    await setSites({
      'e-auto': { server: SERVER, site: siteOn(SERVER, { transferMode: 'auto' }) },
      'e-active': { server: SERVER, site: siteOn(SERVER, { transferMode: 'active' }) },
      'e-external': { server: SERVER, site: siteOn(SERVER, { transferMode: 'active', active: { externalAddress: EXTERNAL } }) },
      'e-forwarded': { server: SERVER, site: siteOn(SERVER, { transferMode: 'active', active: { externalAddress: EXTERNAL, portRange: RANGE } }) },
    });
  });
  suiteTeardown(async () => {
    await clearSites();
  });

  test('auto without settings works through NAT in passive mode, and nothing is asked', async () => {
    const { calls } = await answering('showInformationMessage', () => undefined, async () => {
      assert.ok((await names('e-auto')).includes(FILE));
      assert.equal(await readText('e-auto'), CONTENT);
      await sleep(300);
    });
    assert.equal(calls.length, 0);
    assert.equal(siteItem('e-auto')?.description, 'auto: passive · connected');
  });

  test('active without settings: the server refuses a PORT address that is not where the connection comes from; the error names active mode', async () => {
    const { calls } = await answering('showErrorMessage', () => undefined, async (calls) => {
      await assert.rejects(Promise.resolve(names('e-active')), /Active mode failed/);
      await until('the offer', () => calls.length > 0);
    });
    assert.match(String(calls[0][0]), new RegExp(`^Active mode failed on ${HOST}\\. Try passive mode for this site, or check the active port range and external address\\. EPRT: The server refused EPRT: 5\\d\\d .* PORT: The server refused PORT: 5\\d\\d `));
    assert.deepEqual(calls[0].slice(1), ['Use passive mode for e-active', 'Diagnose Connection...']);
  });

  test('active with the external address but no forwarded range: the server cannot connect back (425)', async () => {
    const { calls } = await answering('showErrorMessage', () => undefined, async (calls) => {
      await assert.rejects(Promise.resolve(names('e-external')), /Active mode failed/);
      await until('the offer', () => calls.length > 0);
    });
    assert.match(String(calls[0][0]), new RegExp(`^Active mode failed on ${HOST}\\. .*EPRT: Active mode \\(EPRT to ${EXTERNAL_RE}:\\d+\\): The data connection could not be opened: 425 `));
    assert.deepEqual(calls[0].slice(1), ['Use passive mode for e-external', 'Diagnose Connection...']);
  });

  test('active with the external address and the forwarded range: list, read and an editor save work', async () => {
    assert.ok((await names('e-forwarded')).includes(FILE));
    assert.equal(await readText('e-forwarded'), CONTENT);
    await saveInEditor('e-forwarded', SERVER, 'saved in active mode from behind NAT\n');
    assert.equal(siteItem('e-forwarded')?.description, 'active · connected');
  });

  test('the doctor without settings: EPRT/PORT refused and explained as NAT; it recommends passive', async () => {
    const report = await diagnose('e-active');
    assertConnected(report);
    assert.equal(step(report, 'list-epsv').status, 'ok', brief(report));
    for (const id of ['list-eprt', 'list-port'] as const) {
      const s = step(report, id);
      assert.equal(s.status, 'failed', brief(report));
      assert.equal(s.failure, 'refused');
      assert.match(s.verdict, new RegExp(`This computer's address ${env.topology.client.address.replace(/\./g, '\\.')} is private and the server's is public: this computer is behind NAT.*Set active\\.externalAddress to this network's public address and forward active\\.portRange to this computer, or use passive mode\\.`));
    }
    assert.equal(report.recommendation.transferMode, 'passive');
    assert.match(report.recommendation.summary, /^Use passive mode: active mode fails\. .*behind NAT/);
  });

  test('the doctor with the settings: every method works; applying its recommendation keeps the active settings and the next listing works', async () => {
    const report = await diagnose('e-forwarded', true);
    assertConnected(report);
    for (const id of ['list-epsv', 'list-pasv', 'list-eprt', 'list-port'] as const) assert.equal(step(report, id).status, 'ok', brief(report));
    assert.match(step(report, 'list-eprt').verdict, new RegExp(`^Active mode works with EPRT: the server connected back to ${EXTERNAL_RE}:500\\d\\d`));
    const expected = { transferMode: 'auto', passive: { epsvFirst: true, trustPasvAddress: false }, active: { portRange: RANGE, externalAddress: EXTERNAL, eprtFirst: true } };
    assert.deepEqual(report.recommendation.settings, expected);
    await until('the recommendation in the workspace file', () => workspaceFileSites()['e-forwarded']?.transferMode === 'auto');
    const written = workspaceFileSites()['e-forwarded'];
    // Only what changes is written: the mode; the active settings stay as they were, defaults are not written out.
    assert.deepEqual({ transferMode: written.transferMode, passive: written.passive, active: written.active }, { transferMode: 'auto', passive: undefined, active: { externalAddress: EXTERNAL, portRange: RANGE } });
    await until('the extension host to see it', () => configuredSite('e-forwarded')?.transferMode === 'auto');
    assert.ok((await names('e-forwarded')).includes(FILE), 'the next listing works');
  });
});
