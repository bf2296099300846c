import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ModeMemory, methodsForMode, DEFAULT_METHOD_ORDER, DataMethod, FallbackEvent } from '../../src/ftp/data/methods';
import { withDataFallback } from '../../src/ftp/data/fallback';
import { FtpError, DataFailure } from '../../src/ftp/errors';

const fail = (failure: DataFailure, method: DataMethod) => new FtpError('dataConnection', `${method} failed (${failure})`, { dataFailure: failure, method });

describe('methods for a mode', () => {
  test('auto uses the whole order, fixed modes only their own methods', () => {
    assert.deepEqual(methodsForMode('auto', DEFAULT_METHOD_ORDER, false), ['epsv', 'pasv', 'eprt', 'port']);
    assert.deepEqual(methodsForMode('passive', DEFAULT_METHOD_ORDER, false), ['epsv', 'pasv']);
    assert.deepEqual(methodsForMode('active', ['port', 'eprt', 'pasv'], false), ['port', 'eprt']);
  });
  test('IPv6 leaves out PASV and PORT', () => {
    assert.deepEqual(methodsForMode('auto', DEFAULT_METHOD_ORDER, true), ['epsv', 'eprt']);
  });
});

describe('fallback between methods', () => {
  function plan(mode: 'auto' | 'passive' | 'active', memory = new ModeMemory()) {
    return { mode, order: DEFAULT_METHOD_ORDER, ipv6: false, memory, host: 'example' };
  }

  test('auto: a passive data failure skips PASV and goes to active, and remembers it', async () => {
    const memory = new ModeMemory();
    const events: FallbackEvent[] = [];
    memory.onFallback((e) => events.push(e));
    const tried: DataMethod[] = [];
    const result = await withDataFallback(plan('auto', memory), async (m) => {
      tried.push(m);
      if (m === 'epsv') throw fail('connectTimeout', m);
      return m;
    }, () => true);
    assert.equal(result, 'eprt');
    assert.deepEqual(tried, ['epsv', 'eprt']);
    assert.equal(memory.working, 'eprt');
    assert.equal(events.length, 1);
    assert.equal(events[0].method, 'eprt');
    assert.deepEqual(events[0].failed.map((f) => f.failure), ['connectTimeout']);

    tried.length = 0;
    await withDataFallback(plan('auto', memory), async (m) => (tried.push(m), m), () => true);
    assert.deepEqual(tried, ['eprt'], 'the remembered method goes first');
  });

  test('a refused command only moves to the sibling method', async () => {
    const tried: DataMethod[] = [];
    const memory = new ModeMemory();
    const r = await withDataFallback(plan('passive', memory), async (m) => {
      tried.push(m);
      if (m === 'epsv') throw fail('refused', m);
      return m;
    }, () => true);
    assert.equal(r, 'pasv');
    assert.deepEqual(tried, ['epsv', 'pasv']);
    assert.ok(memory.refused.has('epsv'));
  });

  test('an unreachable trusted PASV address does not condemn EPSV (it uses the control address)', async () => {
    const tried: DataMethod[] = [];
    const r = await withDataFallback({ ...plan('passive'), order: ['pasv', 'epsv'] }, async (m) => {
      tried.push(m);
      if (m === 'pasv') throw fail('unroutableAddress', m);
      return m;
    }, () => true);
    assert.equal(r, 'epsv');
    assert.deepEqual(tried, ['pasv', 'epsv']);
  });

  test('a fixed mode never switches to the other mode, and its error says so', async () => {
    const tried: DataMethod[] = [];
    await assert.rejects(withDataFallback(plan('passive'), async (m) => {
      tried.push(m);
      throw fail('reply425', m);
    }, () => true), (e: FtpError) => {
      assert.equal(e.kind, 'dataConnection');
      assert.match(e.message, /Passive mode failed on example\. Try active mode/);
      assert.equal(e.attempts?.length, 1);
      return true;
    });
    assert.deepEqual(tried, ['epsv']);
  });

  test('other errors (550, TLS...) are not data failures and stop at once', async () => {
    const tried: DataMethod[] = [];
    await assert.rejects(withDataFallback(plan('auto'), async (m) => {
      tried.push(m);
      throw new FtpError('notFound', 'gone');
    }, () => true), (e: FtpError) => e.kind === 'notFound');
    assert.deepEqual(tried, ['epsv']);
  });

  test('no retry once an upload stream has been read', async () => {
    const tried: DataMethod[] = [];
    await assert.rejects(withDataFallback(plan('auto'), async (m) => {
      tried.push(m);
      throw fail('reply426', m);
    }, () => false), (e: FtpError) => e.kind === 'dataConnection');
    assert.deepEqual(tried, ['epsv']);
  });

  test('auto: everything failing names every method', async () => {
    await assert.rejects(withDataFallback(plan('auto'), async (m) => {
      throw fail(m === 'epsv' ? 'connectTimeout' : 'acceptTimeout', m);
    }, () => true), (e: FtpError) => {
      assert.match(e.message, /Neither passive nor active/);
      assert.deepEqual(e.attempts?.map((a) => a.method), ['epsv', 'eprt']);
      return true;
    });
  });
});
