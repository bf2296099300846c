/**
 * The connection doctor against real servers on 127.0.0.1: every step, the certificate, refusals
 * of each mode, a wrong PASV address, a refused login, a closed port, cancellation. The network
 * cases (firewalls, NAT) are in test/scenarios.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { ConnectOptions, DoctorReport, DoctorStep, DoctorStepId, diagnose } from '../../src/ftp';
import { RunningServer, startServer } from '../servers';

const timeouts = { connectMs: 5_000, replyMs: 5_000, dataConnectMs: 1_500, dataIdleMs: 5_000 };
const ALL: DoctorStepId[] = ['resolve', 'connect', 'login', 'feat', 'list-epsv', 'list-pasv', 'list-eprt', 'list-port'];

function options(server: RunningServer, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { host: server.host, port: server.port, user: server.user, password: server.password, timeouts, ...extra };
}

function step(report: DoctorReport, id: DoctorStepId): DoctorStep {
  const s = report.steps.find((x) => x.id === id);
  assert.ok(s, `no step ${id}`);
  return s;
}

const brief = (r: DoctorReport) => r.steps.map((s) => `${s.id}: ${s.status} - ${s.verdict}`).join('\n');

describe('doctor on vsftpd', () => {
  let server: RunningServer;
  let noPassive: RunningServer;
  let noActive: RunningServer;
  before(async () => {
    [server, noPassive, noActive] = await Promise.all([startServer('vsftpd'), startServer('vsftpd', { passive: false }), startServer('vsftpd', { active: false })]);
  });
  after(async () => {
    await Promise.all([server?.stop(), noPassive?.stop(), noActive?.stop()]);
  });

  test('a healthy server: every step ok, each reported as it ends, the password masked; auto recommended', async () => {
    const seen: string[] = [];
    const report = await diagnose(options(server), { onStep: (s) => seen.push(s.id) });
    assert.deepEqual(report.steps.map((s) => s.id), ALL);
    assert.deepEqual(seen, ALL);
    for (const s of report.steps) assert.equal(s.status, 'ok', brief(report));
    const login = step(report, 'login');
    assert.deepEqual(login.sent, ['USER ftpwstest', 'PASS ****', 'PWD']);
    assert.match(login.reply, /^230 /m);
    assert.match(step(report, 'connect').reply, /^220 /);
    assert.deepEqual(step(report, 'list-epsv').sent, ['EPSV', 'LIST']);
    assert.match(step(report, 'list-port').sent[0], /^PORT 127,0,0,1,\d+,\d+$/);
    assert.match(step(report, 'list-pasv').verdict, /^Passive mode works with PASV: this computer connected to 127\.0\.0\.1:\d+ and the listing arrived/);
    assert.equal(report.certificate, undefined);
    assert.deepEqual(report.recommendation, {
      transferMode: 'auto',
      settings: { transferMode: 'auto', passive: { epsvFirst: true, trustPasvAddress: false }, active: { eprtFirst: true } },
      summary: 'Passive and active mode both work: automatic mode (passive first, active as fallback) is right for this server.',
    });
  });

  test('passive disabled: EPSV and PASV refused, active recommended', async () => {
    const report = await diagnose(options(noPassive));
    assert.equal(step(report, 'list-epsv').failure, 'refused', brief(report));
    assert.match(step(report, 'list-pasv').verdict, /^The server refuses PASV\/EPSV \(passive mode disabled\): use active mode\./);
    assert.equal(step(report, 'list-eprt').status, 'ok');
    assert.equal(report.recommendation.transferMode, 'active');
    assert.deepEqual(report.recommendation.settings, { transferMode: 'active', active: { eprtFirst: true } });
  });

  test('active disabled: EPRT and PORT refused, passive recommended', async () => {
    const report = await diagnose(options(noActive));
    assert.match(step(report, 'list-port').verdict, /^The server refuses PORT\/EPRT \(active mode disabled\): use passive mode\./, brief(report));
    assert.equal(report.recommendation.transferMode, 'passive');
  });

  test('the active settings are used, and kept in the recommendation', async () => {
    const active = { bindAddress: '127.0.0.1', portRange: [47150, 47160] as [number, number] };
    const report = await diagnose(options(server, { active }));
    assert.match(step(report, 'list-eprt').sent[0], /^EPRT \|1\|127\.0\.0\.1\|471[56]\d\|$/, brief(report));
    assert.deepEqual(report.recommendation.settings.active, { ...active, eprtFirst: true });
  });

  test('a wrong password: the login step says so, the listings are skipped', async () => {
    const report = await diagnose(options(server, { password: 'wrong' }));
    const login = step(report, 'login');
    assert.equal(login.status, 'failed');
    assert.equal(login.verdict, 'The server refused the login of "ftpwstest" (530 Login incorrect.): check the user name and password.');
    assert.deepEqual(login.sent, ['USER ftpwstest', 'PASS ****']);
    for (const id of ['feat', 'list-epsv', 'list-port'] as const) {
      assert.equal(step(report, id).status, 'skipped');
      assert.match(step(report, id).verdict, /^Skipped: "Log in as ftpwstest" failed\.$/);
    }
    assert.match(report.recommendation.summary, /^The data connections could not be checked \(a step before them failed\)\. The server refused the login/);
  });
});

describe('doctor and the PASV address', () => {
  let masqueraded: RunningServer;
  let unreachable: RunningServer;
  before(async () => {
    // 10.1.2.3 is only advertised, never connected to (the address is not trusted in that test).
    [masqueraded, unreachable] = await Promise.all([startServer('vsftpd', { passiveAddress: '10.1.2.3' }), startServer('pyftpdlib', { passiveAddress: '127.0.0.9' })]);
  });
  after(async () => {
    await Promise.all([masqueraded?.stop(), unreachable?.stop()]);
  });

  test('a 227 address other than the control address is a warning that names it; the control address is used', async () => {
    const report = await diagnose(options(masqueraded));
    const pasv = step(report, 'list-pasv');
    assert.equal(pasv.status, 'warning', brief(report));
    assert.match(pasv.verdict, /^The server answered PASV with 10\.1\.2\.3, an address other than the control connection's \(127\.0\.0\.1\); FTP Workspace connects to the control connection's address \(127\.0\.0\.1\) instead, and the listing arrived/);
    assert.deepEqual(pasv.pasvAddress, { advertised: '10.1.2.3', control: '127.0.0.1', trusted: false });
    assert.equal(report.recommendation.settings.passive?.trustPasvAddress, false);
  });

  test('a trusted 227 address that fails: the control address is tried and trustPasvAddress off is recommended', async () => {
    const report = await diagnose(options(unreachable, { trustPasvAddress: true }));
    const pasv = step(report, 'list-pasv');
    assert.equal(pasv.status, 'failed', brief(report));
    assert.equal(pasv.failure, 'unroutableAddress');
    assert.equal(pasv.pasvAddress?.controlAddressWorks, true);
    assert.match(pasv.verdict, /turn off passive\.trustPasvAddress\.$/);
    assert.deepEqual(report.recommendation.settings.passive, { epsvFirst: true, trustPasvAddress: false });
  });
});

describe('doctor and TLS (proftpd explicit, vsftpd implicit)', () => {
  let proftpd: RunningServer;
  let vsftpd: RunningServer;
  before(async () => {
    [proftpd, vsftpd] = await Promise.all([startServer('proftpd'), startServer('vsftpd')]);
  });
  after(async () => {
    await Promise.all([proftpd?.stop(), vsftpd?.stop()]);
  });

  test('an untrusted certificate is a failed step carrying the certificate, not a crash', async () => {
    const report = await diagnose(options(proftpd, { secure: 'explicit' }));
    const tls = step(report, 'tls');
    assert.equal(tls.status, 'failed');
    assert.deepEqual(tls.sent, ['AUTH TLS']);
    assert.equal(tls.certificate?.fingerprint256, proftpd.certSha256);
    assert.equal(report.certificate?.fingerprint256, proftpd.certSha256);
    assert.match(tls.verdict, /^The server's certificate is not trusted: it is self-signed\. Subject CN=localhost; issuer CN=localhost; valid from .* to .*; SHA-256 [0-9A-F:]{95}\./);
    assert.equal(step(report, 'login').status, 'skipped');
    assert.equal(step(report, 'list-epsv').status, 'skipped');
  });

  test('a trusted certificate: its details, and every method works over TLS', async () => {
    const report = await diagnose(options(proftpd, { secure: 'explicit', tls: { ca: proftpd.certPem } }));
    for (const s of report.steps) assert.equal(s.status, 'ok', brief(report));
    const tls = step(report, 'tls');
    assert.match(tls.verdict, /^TLSv1\.[23] established; the certificate is trusted\. Subject CN=localhost;/);
    assert.equal(report.certificate?.fingerprint256, proftpd.certSha256);
    assert.deepEqual(step(report, 'login').sent, ['USER test', 'PASS ****', 'PBSZ 0', 'PROT P', 'PWD']);
    assert.deepEqual(step(report, 'list-epsv').sent, ['EPSV', 'MLSD']);
  });

  test('a plain-FTP site on a server that lists AUTH TLS: the FEAT step tries it on a connection of its own (proftpd: accepted; ftp-srv without a certificate: refused)', async () => {
    const plain = await diagnose(options(proftpd));
    const feat = step(plain, 'feat');
    assert.equal(feat.authTls, 'accepted', brief(plain));
    assert.deepEqual(feat.sent, ['FEAT', '(another connection) AUTH TLS']);
    assert.match(feat.reply, /^\(another connection\) 234 /m, 'its replies marked as the other connection\'s');
    assert.match(feat.verdict, /^The server offers (.*, )?AUTH TLS, /);
    assert.match(feat.verdict, /AUTH TLS, tried on a connection of its own, was accepted: this site could use explicit FTPS\.$/);
    assert.equal(step(plain, 'list-epsv').status, 'ok', 'the logged-in connection is still plain and works');
    const claims = await startServer('ftpsrv');
    try {
      const refused = step(await diagnose(options(claims)), 'feat');
      assert.equal(refused.authTls, 'refused');
      assert.match(refused.verdict, /But AUTH TLS, tried on a connection of its own, was refused \(502 .*\): explicit FTPS does not work on this server\.$/);
    } finally {
      await claims.stop();
    }
    // An FTPS site is not asked again.
    const ftps = await diagnose(options(proftpd, { secure: 'explicit', tls: { ca: proftpd.certPem } }));
    assert.equal(step(ftps, 'feat').authTls, undefined);
    assert.deepEqual(step(ftps, 'feat').sent, ['FEAT']);
  });

  test('implicit FTPS with a pinned fingerprint', async () => {
    const report = await diagnose({ ...options(vsftpd, { secure: 'implicit', tls: { trustedFingerprint256: vsftpd.certSha256 } }), port: vsftpd.implicitPort });
    const tls = step(report, 'tls');
    assert.equal(tls.title, 'TLS handshake (implicit FTPS)');
    assert.match(tls.verdict, /accepted by its pinned fingerprint/, brief(report));
    assert.match(tls.reply, /^220 /);
    for (const id of ['login', 'list-epsv', 'list-eprt'] as const) assert.equal(step(report, id).status, 'ok', brief(report));
  });
});

describe('doctor: connection failures and cancellation', () => {
  test('a closed port: the connect step says nothing listens there', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const report = await diagnose({ host: '127.0.0.1', port, timeouts });
    const connect = step(report, 'connect');
    assert.equal(connect.status, 'failed');
    assert.equal(connect.verdict, `Nothing accepts connections on 127.0.0.1:${port} (connection refused): check the port, and that the FTP server runs.`);
    assert.deepEqual(report.steps.map((s) => s.id), ALL, 'one row per step, also when skipped');
    assert.ok(report.steps.filter((s) => s.id !== 'resolve' && s.id !== 'connect').every((s) => s.status === 'skipped'));
  });

  test('a port that accepts but never greets: the connect step says so (an implicit FTPS port, or not FTP)', async () => {
    const silent = net.createServer((c) => c.on('error', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const report = await diagnose({ host: '127.0.0.1', port, timeouts }, { stepTimeoutMs: 1000 });
      assert.match(step(report, 'connect').verdict, /accepted the connection but sent no greeting within 1 s: it may be an implicit FTPS port/);
    } finally {
      silent.close();
    }
  });

  test('cancelled: diagnose rejects with aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(diagnose({ host: '127.0.0.1', port: 1, timeouts }, { signal: ac.signal }), (e: Error & { kind?: string }) => e.kind === 'aborted');
  });
});
