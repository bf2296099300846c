/**
 * Add Site's rules for the server and the start folder, a renamed site's password, and what the
 * doctor's report may apply: pure functions, no network.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { DoctorReport, DoctorStep, RecommendedSettings } from '../../src/ftp';
import { parseRemoteRoot, parseServer, portProblem } from '../../src/sites/names';
import { SiteSecrets, serverIdentity } from '../../src/sites/secrets';
import { blockingStep, modeChanges, offersFor, offersFtps, renderReport } from '../../src/ui/doctor-report';

describe('Add Site: the server as typed', () => {
  test('host, host:port, [IPv6]:port, and a pasted ftp:// or ftps:// address', () => {
    assert.deepEqual(parseServer('ftp.example.com'), { host: 'ftp.example.com' });
    assert.deepEqual(parseServer(' 192.0.2.10:2121 '), { host: '192.0.2.10', port: 2121 });
    assert.deepEqual(parseServer('[2001:db8::1]:21'), { host: '2001:db8::1', port: 21 });
    assert.deepEqual(parseServer('ftp://ftp.example.com:2121/'), { host: 'ftp.example.com', port: 2121, scheme: 'ftp' });
    assert.deepEqual(parseServer('FTPS://secure.example.com'), { host: 'secure.example.com', scheme: 'ftps' });
  });
  test('ports outside 1-65535, a user, a folder, spaces and impossible host names are refused with the reason', () => {
    for (const [input, reason] of [
      ['127.0.0.1:99999', /99999 is not a port number \(1-65535\)/],
      ['127.0.0.1:0', /0 is not a port number/],
      ['me@ftp.example.com', /without a user name/],
      ['ftp.example.com/public_html', /not a host name/],
      ['ftp example.com', /A host name or address/],
      ['-ftp.example.com', /can't start or end with a dot or dash/],
      ['ftp..example.com', /two dots in a row/],
      ['', /host name or address/],
    ] as const) {
      const r = parseServer(input);
      assert.ok('problem' in r, `${input} refused`);
      assert.match((r as { problem: string }).problem, reason, input);
    }
    assert.equal(portProblem(65535), undefined);
    assert.match(portProblem(65536)!, /not a port number/);
    assert.match(portProblem(21.5)!, /not a port number/);
  });
  test('the start folder: from /, or from the login\'s folder; empty or / is the server\'s own', () => {
    assert.deepEqual(parseRemoteRoot(''), {});
    assert.deepEqual(parseRemoteRoot('/'), {});
    assert.deepEqual(parseRemoteRoot('/public_html/'), { root: '/public_html' });
    assert.deepEqual(parseRemoteRoot('public_html', '/home/me'), { root: '/home/me/public_html' });
    assert.deepEqual(parseRemoteRoot('www//site', '/'), { root: '/www/site' });
    assert.ok('problem' in parseRemoteRoot('../etc'));
    assert.ok('problem' in parseRemoteRoot('/a/./b'));
    assert.ok('problem' in parseRemoteRoot('a\nb'));
  });
});

describe('a renamed site keeps its password, bound to its server', () => {
  const storage = () => {
    const data = new Map<string, string>();
    return { data, get: async (k: string) => data.get(k), store: async (k: string, v: string) => void data.set(k, v), delete: async (k: string) => void data.delete(k), onDidChange: (() => ({ dispose() {} })) } as unknown as vscode.SecretStorage & { data: Map<string, string> };
  };
  test('copied to the new name; what the new name had is dropped, not inherited', async () => {
    const s = storage();
    const secrets = new SiteSecrets(s);
    const server = serverIdentity({ host: 'ftp.example.com', user: 'me' });
    await secrets.set('old', 'pw', server);
    await secrets.set('new', 'left-by-a-removed-site', serverIdentity({ host: 'evil.example', user: 'me' }));
    await secrets.copy('old', 'new');
    assert.deepEqual(await secrets.lookup('new', server), { kind: 'bound', password: 'pw' });
    await secrets.forget('old');
    assert.deepEqual(await secrets.lookup('old', server), { kind: 'none' });
    await secrets.copy('nothing-here', 'new');
    assert.deepEqual(await secrets.lookup('new', server), { kind: 'none' }, 'a name without a password leaves none behind');
  });
});

describe('what the doctor\'s report may apply', () => {
  const step = (id: DoctorStep['id'], status: DoctorStep['status'], reply = ''): DoctorStep => ({ id, title: id, sent: [], reply, ms: 1, status, verdict: `${id} ${status}` });
  const report = (steps: DoctorStep[], settings: RecommendedSettings): DoctorReport => ({
    host: 'h', port: 21, secure: 'off', user: 'u', startedAt: new Date(0).toISOString(), ms: 1, steps,
    recommendation: { transferMode: settings.transferMode, settings, summary: 's' },
  });
  const everything = { transferMode: 'auto' as const, passive: { epsvFirst: true, trustPasvAddress: false }, active: { eprtFirst: true } };

  test('only the keys that change what the site does: defaults are never written out', () => {
    assert.deepEqual(modeChanges(everything, {}, 'auto'), {}, 'a site on the defaults: nothing');
    assert.deepEqual(modeChanges(everything, { transferMode: 'passive' }, 'auto'), { transferMode: 'auto' });
    assert.deepEqual(modeChanges(everything, { transferMode: 'passive', passive: { epsvFirst: false } }, 'auto'), { transferMode: 'auto', passive: { epsvFirst: true } });
    assert.deepEqual(modeChanges(everything, {}, 'passive'), { transferMode: 'auto' }, 'the default mode setting counts as the site\'s');
    assert.deepEqual(modeChanges({ transferMode: 'active', active: { portRange: [50000, 50100], eprtFirst: true } }, { active: { portRange: [50000, 50100] } }, 'auto'), { transferMode: 'active' }, 'the configured range repeated: unchanged');
  });
  test('after a connect or login failure there is nothing to apply, and the report offers Edit Site (and Set Password)', () => {
    const connect = report([step('resolve', 'ok'), step('connect', 'failed'), step('login', 'skipped'), step('feat', 'skipped')], { transferMode: 'auto' });
    assert.deepEqual(offersFor(connect, {}, 'auto'), []);
    assert.equal(blockingStep(connect)?.id, 'connect');
    const html = renderReport({ site: 's', target: 't', steps: connect.steps, report: connect, offers: [] }, 'csp');
    assert.deepEqual([...html.matchAll(/href="command:([^?"]+)/g)].map((m) => m[1]), ['ftpWorkspace.editSiteSettings', 'ftpWorkspace.diagnose', 'ftpWorkspace.copyDiagnosis']);
    const login = report([step('resolve', 'ok'), step('connect', 'ok'), step('login', 'failed'), step('feat', 'skipped')], { transferMode: 'passive' });
    const loginHtml = renderReport({ site: 's', target: 't', steps: login.steps, report: login, offers: offersFor(login, { transferMode: 'passive' }, 'auto') }, 'csp');
    assert.deepEqual([...loginHtml.matchAll(/href="command:([^?"]+)/g)].map((m) => m[1]), ['ftpWorkspace.setPassword', 'ftpWorkspace.editSiteSettings', 'ftpWorkspace.diagnose', 'ftpWorkspace.copyDiagnosis']);
    assert.ok(!loginHtml.includes('>Apply'), 'no Apply');
  });
  test('FTPS is offered to a plain-FTP site when FEAT names AUTH TLS (or SSL), not to an FTPS one, not when FEAT was skipped', () => {
    const feat = (reply: string, status: DoctorStep['status'] = 'ok') => report([step('login', 'ok'), step('feat', status, reply)], { transferMode: 'auto' });
    assert.ok(offersFtps(feat('211-Features:\n AUTH TLS\n PBSZ\n211 End')));
    assert.ok(offersFtps(feat('211-Features:\n AUTH SSL\n211 End')));
    assert.ok(!offersFtps(feat('211-Features:\n MLST type*;\n211 End')));
    assert.ok(!offersFtps(feat(' AUTH TLS', 'skipped')));
    assert.deepEqual(offersFor(feat('211-Features:\n AUTH TLS\n211 End'), {}, 'auto'), [{ id: 'ftps', settings: { secure: 'explicit' } }]);
    assert.deepEqual(offersFor(feat('211-Features:\n AUTH TLS\n211 End'), { secure: 'explicit' }, 'auto'), []);
    // The doctor tried AUTH TLS on a connection of its own: refused, no offer; accepted, or untold (a
    // per-IP limit), the offer stands (the switch tries a whole FTPS login before writing anything).
    const tried = (authTls: DoctorStep['authTls']) => {
      const r = feat('211-Features:\n AUTH TLS\n211 End');
      r.steps.find((x) => x.id === 'feat')!.authTls = authTls;
      return r;
    };
    assert.ok(!offersFtps(tried('refused')));
    assert.ok(offersFtps(tried('accepted')));
    assert.ok(offersFtps(tried(undefined)));
  });
});
