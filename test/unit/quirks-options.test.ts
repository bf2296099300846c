/**
 * Old servers' quirks, the pure parts: options validated (methods and modes in any case, unknown
 * ones a clear error, ports and port ranges checked), the mode memory shared between connections
 * that start at once (nobody pays a refusal another connection is already paying), and the advice
 * after a method forced alone names the other method of the same mode first.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions } from '../../src/ftp/options';
import { FtpError, DataFailure } from '../../src/ftp/errors';
import { DataMethod, DEFAULT_METHOD_ORDER, ModeMemory } from '../../src/ftp/data/methods';
import { withDataFallback } from '../../src/ftp/data/fallback';

const fail = (failure: DataFailure, method: DataMethod, code?: number) => new FtpError('dataConnection', `${method} failed (${failure})`, { dataFailure: failure, method, code });
const invalid = (pattern: RegExp) => (e: FtpError) => e instanceof FtpError && e.kind === 'invalidInput' && pattern.test(e.message);

describe('options are validated', () => {
  test('methodOrder in any case becomes the engine names, repeats dropped', () => {
    assert.deepEqual(resolveOptions({ host: 'h', methodOrder: ['EPSV', 'Pasv', ' eprt ', 'epsv'] }).methodOrder, ['epsv', 'pasv', 'eprt']);
    assert.deepEqual(resolveOptions({ host: 'h' }).methodOrder, [...DEFAULT_METHOD_ORDER]);
    assert.deepEqual(resolveOptions({ host: 'h', methodOrder: [] }).methodOrder, [...DEFAULT_METHOD_ORDER]);
  });

  test('an unknown method, mode, security, list command, port or range is an invalidInput error saying what is allowed', () => {
    assert.throws(() => resolveOptions({ host: 'h', methodOrder: ['EPSV', 'LPSV'] }), invalid(/"LPSV".*EPSV, PASV, EPRT or PORT/));
    assert.throws(() => resolveOptions({ host: 'h', transferMode: 'pasive' as never }), invalid(/"pasive".*passive, active or auto/));
    assert.equal(resolveOptions({ host: 'h', transferMode: 'Active' as never }).transferMode, 'active');
    assert.throws(() => resolveOptions({ host: 'h', secure: 'tls' as never }), invalid(/off, explicit or implicit/));
    assert.equal(resolveOptions({ host: 'h', listCommand: 'mlsd' as never }).listCommand, 'MLSD');
    assert.throws(() => resolveOptions({ host: 'h', listCommand: 'DIR' as never }), invalid(/auto, MLSD/));
    assert.throws(() => resolveOptions({ host: 'h', port: 70000 }), invalid(/1 to 65535/));
    assert.throws(() => resolveOptions({ host: 'h', port: 21.5 }), invalid(/1 to 65535/));
    assert.throws(() => resolveOptions({ host: 'h', active: { portRange: [50100, 50000] } }), invalid(/portRange/));
    assert.throws(() => resolveOptions({ host: 'h', active: { portRange: [0, 10] } }), invalid(/portRange/));
    assert.throws(() => resolveOptions({ host: 'h', timeouts: { replyMs: -1 } }), invalid(/replyMs/));
    assert.deepEqual(resolveOptions({ host: 'h', active: { portRange: [100, 200] } }).active.portRange, [100, 200]);
  });
});

describe('the mode memory is shared from the first connection', () => {
  const plan = (memory: ModeMemory, mode: 'auto' | 'passive' | 'active' = 'auto', order: readonly DataMethod[] = DEFAULT_METHOD_ORDER) => ({ mode, order, ipv6: false, memory, host: 'example' });
  const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

  test('eight transfers at once: EPSV refused once, the others wait for that answer and go straight to PASV', async () => {
    const memory = new ModeMemory();
    const sent: DataMethod[] = [];
    const attempt = async (m: DataMethod) => {
      sent.push(m);
      await tick();
      if (m === 'epsv') throw fail('refused', m, 500);
      return m;
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => withDataFallback(plan(memory), attempt, () => true)));
    assert.deepEqual(results, Array(8).fill('pasv'));
    assert.equal(sent.filter((m) => m === 'epsv').length, 1, `sent ${sent.join(' ')}`);
    assert.equal(sent.filter((m) => m === 'pasv').length, 8);
    assert.ok(memory.refused.has('epsv'));
  });

  test('a method that worked for the first connection is used by the ones waiting for it', async () => {
    const memory = new ModeMemory();
    const sent: DataMethod[] = [];
    const attempt = async (m: DataMethod) => {
      sent.push(m);
      await tick();
      return m;
    };
    await Promise.all(Array.from({ length: 5 }, () => withDataFallback(plan(memory), attempt, () => true)));
    assert.deepEqual(sent, Array(5).fill('epsv'));
  });

  test('a data connection that timed out for one connection is not waited out again by the others (auto goes active)', async () => {
    const memory = new ModeMemory();
    const sent: DataMethod[] = [];
    const attempt = async (m: DataMethod) => {
      sent.push(m);
      await tick(m === 'epsv' ? 30 : 2);
      if (m === 'epsv' || m === 'pasv') throw fail('connectTimeout', m);
      return m;
    };
    const results = await Promise.all(Array.from({ length: 4 }, () => withDataFallback(plan(memory), attempt, () => true)));
    assert.deepEqual(results, Array(4).fill('eprt'));
    assert.equal(sent.filter((m) => m === 'epsv').length, 1, `sent ${sent.join(' ')}`);
    assert.equal(sent.filter((m) => m === 'pasv').length, 0);
  });

  test('a transfer that failed for another reason teaches nothing: the next one tries the method itself', async () => {
    const memory = new ModeMemory();
    let first = true;
    const sent: DataMethod[] = [];
    const attempt = async (m: DataMethod) => {
      sent.push(m);
      await tick();
      if (first) {
        first = false;
        throw new FtpError('notFound', 'no such file');
      }
      return m;
    };
    const [a, b] = await Promise.allSettled([withDataFallback(plan(memory), attempt, () => true), withDataFallback(plan(memory), attempt, () => true)]);
    assert.equal(a.status, 'rejected');
    assert.equal(b.status === 'fulfilled' && b.value, 'epsv');
    assert.deepEqual(sent, ['epsv', 'epsv']);
  });
});

describe('advice after a method forced alone', () => {
  const run = (mode: 'auto' | 'passive' | 'active', order: DataMethod[], failure: DataFailure = 'refused') =>
    withDataFallback({ mode, order, ipv6: false, memory: new ModeMemory(), host: 'example' }, async (m) => { throw fail(failure, m, 500); }, () => true);

  test('PASV alone in passive mode: allow EPSV first, then active mode', async () => {
    await assert.rejects(run('passive', ['pasv']), (e: FtpError) => /PASV is the only data method allowed for example.*Allow EPSV \(the other passive method\) too, or active mode/.test(e.message) && !/^Passive mode failed/.test(e.message));
  });
  test('EPRT alone in active mode: allow PORT first', async () => {
    await assert.rejects(run('active', ['eprt']), (e: FtpError) => /EPRT is the only data method.*Allow PORT \(the other active method\) too, or passive mode/.test(e.message));
  });
  test('EPSV alone in auto mode: PASV first, then active mode', async () => {
    await assert.rejects(run('auto', ['EPSV' as DataMethod].map((m) => m.toLowerCase() as DataMethod)), (e: FtpError) => /Allow PASV \(the other passive method\) too, or active mode \(EPRT, PORT\)/.test(e.message));
  });
  test('both methods of a mode allowed: the mode advice as before', async () => {
    await assert.rejects(run('passive', ['epsv', 'pasv'], 'connectTimeout'), (e: FtpError) => /^Passive mode failed on example\. Try active mode/.test(e.message));
  });
});
