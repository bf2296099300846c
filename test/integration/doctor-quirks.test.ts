/**
 * The doctor on an old server (Debian's BSD ftpd, inetutils-ftpd): an active port range below 1024
 * is named as the cause (not "active mode disabled"), with the advice tested by a listing from a
 * port the system picks; latin1 names in the start directory get a row naming cp1252 and the
 * recommendation carries `encoding`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { diagnose } from '../../src/ftp/doctor';
import { AnyServerKind, RunningServer, startServer } from '../servers';

const timeouts = { connectMs: 5000, replyMs: 5000, dataConnectMs: 3000, dataIdleMs: 5000 };

for (const kind of ['bsdftpd', 'inetutils'] as AnyServerKind[]) {
  describe(`the doctor on ${kind}`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(async () => server?.stop());
    const options = (extra: object = {}) => ({ host: server.host, port: server.port, user: server.user, password: server.password, timeouts, ...extra });

    test('an active port range below 1024 is named as the cause, and dropping it is what it recommends', async () => {
      const report = await diagnose(options({ active: { portRange: [900, 949] } }), { stepTimeoutMs: 8000 });
      const active = report.steps.filter((s) => s.id === 'list-eprt' || s.id === 'list-port');
      assert.equal(active.length, 2);
      for (const s of active) {
        assert.equal(s.status, 'failed', s.verdict);
        assert.match(s.verdict, /refuses data ports below 1024.*active\.portRange 900-949.*With a port from 1024 up the listing arrived/);
        assert.doesNotMatch(s.verdict, /active mode disabled/);
        assert.equal(s.privilegedPort?.otherPortWorks, true);
      }
      assert.equal(report.recommendation.transferMode, 'auto');
      assert.equal(report.recommendation.settings.active?.portRange, undefined);
    });

    test('latin1 names in the start directory: the first listing step names cp1252, and the recommendation sets it', async () => {
      for (const name of ['caf\xe9.txt', 'M\xfcller.txt', '\xe9l\xe8ve']) {
        const p = Buffer.concat([Buffer.from(`${server.root}/`), Buffer.from(name, 'latin1')]);
        fs.writeFileSync(p, 'x');
        fs.chownSync(p, server.owner.uid, server.owner.gid);
      }
      try {
        const report = await diagnose(options(), { stepTimeoutMs: 8000 });
        // The first listing step that got the names says it (one row per step, as before).
        const names = report.steps.find((s) => s.encoding);
        assert.ok(names, report.steps.map((s) => `${s.id}: ${s.verdict}`).join('\n'));
        assert.equal(names.id, 'list-epsv');
        assert.deepEqual(report.steps.map((s) => s.id), ['resolve', 'connect', 'login', 'feat', 'list-epsv', 'list-pasv', 'list-eprt', 'list-port']);
        assert.equal(names.status, 'warning');
        assert.match(names.verdict, /look like cp1252, not utf8 \(e\.g\. "[^"]*\\x[0-9A-F]{2}[^"]*" reads "[^"]*[éü][^"]*"\): set "encoding": "cp1252"/);
        assert.equal(names.encoding?.suggested, 'cp1252');
        assert.equal(report.recommendation.settings.encoding, 'cp1252');
        assert.match(report.recommendation.summary, /cp1252/);
        const fine = await diagnose(options({ encoding: 'cp1252' }), { stepTimeoutMs: 8000 });
        assert.equal(fine.steps.find((s) => s.encoding)?.status, 'ok');
        assert.match(fine.steps.find((s) => s.encoding)!.verdict, /names outside ASCII read cleanly in cp1252/);
        assert.equal(fine.recommendation.settings.encoding, undefined);
      } finally {
        for (const name of ['caf\xe9.txt', 'M\xfcller.txt', '\xe9l\xe8ve']) fs.rmSync(Buffer.concat([Buffer.from(`${server.root}/`), Buffer.from(name, 'latin1')]), { force: true });
      }
    });
  });
}
