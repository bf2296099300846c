/// <reference types="mocha" />
/**
 * Scenario (c) of issue 4 through the extension: the server answers PASV with an address nobody
 * can reach (pyftpdlib's masquerade_address, as a NAT'd server does). FTP Workspace connects to the
 * control connection's address instead; a site that trusts the 227 address is diagnosed and fixed
 * by applying the doctor's recommendation.
 */
import * as assert from 'node:assert/strict';
import {
  CONTENT, FILE, answering, assertConnected, brief, clearSites, configuredSite, diagnose, env, names, openFirewalls,
  readText, resetFile, saveInEditor, setSites, siteItem, siteOn, sleep, step, until, workspaceFileSites,
} from './helpers';

const SERVER = 'masquerading';
const UNROUTABLE = env.unroutable;
const CONTROL = env.topology.server.address;
const esc = (s: string) => s.replace(/[.()]/g, (c) => `\\${c}`);

suite('(c) the server advertises an unroutable PASV address (pyftpdlib)', () => {
  suiteSetup(async () => {
    await openFirewalls();
    resetFile(SERVER);
    await setSites({
      // PASV before EPSV, so the listings really meet the 227 address.
      'c-pasv': { server: SERVER, site: siteOn(SERVER, { transferMode: 'auto', passive: { epsvFirst: false } }) },
      'c-trust': { server: SERVER, site: siteOn(SERVER, { transferMode: 'passive', passive: { epsvFirst: false, trustPasvAddress: true } }) },
    });
  });
  suiteTeardown(async () => {
    await clearSites();
  });

  test('PASV first: the control address is used instead of the advertised one; list, read and an editor save work, and nothing is asked', async () => {
    const asked: unknown[][] = [];
    await answering('showErrorMessage', () => undefined, (errors) => answering('showInformationMessage', () => undefined, async (infos) => {
      assert.ok((await names('c-pasv')).includes(FILE));
      assert.equal(await readText('c-pasv'), CONTENT);
      await saveInEditor('c-pasv', SERVER, 'saved through PASV and the control address\n');
      await sleep(300);
      asked.push(...errors, ...infos);
    }));
    assert.deepEqual(asked, []);
    assert.equal(siteItem('c-pasv')?.description, 'auto: passive · connected');
  });

  test('the doctor names the cause: PASV answered a private address, the control address is used, the listing arrived', async () => {
    const report = await diagnose('c-pasv');
    assertConnected(report);
    const pasv = step(report, 'list-pasv');
    assert.equal(pasv.status, 'warning', brief(report));
    assert.ok(pasv.verdict.startsWith(`The server answered PASV with ${UNROUTABLE}, a private address this computer can't reach; ` +
      `FTP Workspace connects to the control connection's address (${CONTROL}) instead, and the listing arrived`), pasv.verdict);
    assert.deepEqual(pasv.pasvAddress, { advertised: UNROUTABLE, control: CONTROL, trusted: false });
    for (const id of ['list-epsv', 'list-eprt', 'list-port'] as const) assert.equal(step(report, id).status, 'ok', brief(report));
    assert.equal(report.recommendation.transferMode, 'auto');
    assert.deepEqual(report.recommendation.settings.passive, { epsvFirst: true, trustPasvAddress: false });
    assert.match(report.recommendation.summary, new RegExp(`Note: The server answered PASV with ${esc(UNROUTABLE)}`));
  });

  test('a site that trusts the 227 address still lists (PASV fails, EPSV of the same mode works); no error box', async () => {
    const { calls } = await answering('showErrorMessage', () => undefined, async () => {
      assert.ok((await names('c-trust')).includes(FILE));
      await sleep(300);
    });
    assert.deepEqual(calls, []);
  });

  test('the doctor on the trusting site: PASV fails (unroutable), the control address works; applying its advice turns trustPasvAddress off and the next listing works', async () => {
    const report = await diagnose('c-trust', true);
    assertConnected(report);
    const pasv = step(report, 'list-pasv');
    assert.equal(pasv.status, 'failed', brief(report));
    assert.equal(pasv.failure, 'unroutableAddress');
    assert.deepEqual(pasv.pasvAddress, { advertised: UNROUTABLE, control: CONTROL, trusted: true, controlAddressWorks: true });
    assert.match(pasv.verdict, new RegExp(`^The server answered PASV with ${esc(UNROUTABLE)}, a private address this computer can't reach, and this computer could not connect to it \\(passive\\.trustPasvAddress is on\\)\\. With the control connection's address \\(${esc(CONTROL)}\\) the listing arrived: turn off passive\\.trustPasvAddress\\.$`));
    assert.equal(report.recommendation.settings.passive?.trustPasvAddress, false);
    await until('the recommendation in the workspace file', () => (workspaceFileSites()['c-trust']?.passive as { trustPasvAddress?: boolean } | undefined)?.trustPasvAddress === false);
    assert.equal(workspaceFileSites()['c-trust'].transferMode, report.recommendation.settings.transferMode);
    await until('the extension host to see it', () => (configuredSite('c-trust')?.passive as { trustPasvAddress?: boolean } | undefined)?.trustPasvAddress === false);
    assert.ok((await names('c-trust')).includes(FILE), 'the next listing works');
  });
});
