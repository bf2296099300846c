/**
 * The namespace harness itself: isolation (no default route), connectivity, that its firewall
 * rules really drop, that NAT shows the router's address, and that it cleans up after failures
 * and after runs that were killed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createTopology, listNamespaces, namespaceExists, netnsCommand, removeStaleNamespaces, rules, runIn, withTopology } from './netns';

/** Node one-liners run inside a namespace: a TCP listener that reports when it listens and whom it accepted, and a connect with a deadline. */
const LISTEN = `const s=require('net').createServer(c=>{process.stdout.write('peer '+c.remoteAddress+'\\n');c.destroy();process.exit(0)});` +
  `s.listen(+process.argv[2],process.argv[1],()=>process.stdout.write('listening\\n'));setTimeout(()=>process.exit(0),5000)`;
const CONNECT = `const c=require('net').connect(+process.argv[2],process.argv[1]);const t=setTimeout(()=>{console.log('timeout');process.exit(0)},+process.argv[3]);` +
  `c.on('connect',()=>{console.log('connected');c.destroy();clearTimeout(t)});c.on('error',e=>{console.log(e.code);clearTimeout(t)})`;

/**
 * Listens on listenAddress:port in namespace `to`, connects from `from` to connectAddress:port;
 * returns the connect outcome (connected, timeout, or an errno code) and the peer the listener saw.
 */
async function tryConnect(from: string, to: string, listenAddress: string, port: number, connectAddress = listenAddress): Promise<{ outcome: string; peer: string }> {
  const [cmd, args] = netnsCommand(to, process.execPath, ['-e', LISTEN, listenAddress, String(port)]);
  const listener = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<void>((resolve) => listener.on('close', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`listener in ${to} did not start: ${out}`)), 5000);
      listener.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const c = await runIn(from, process.execPath, ['-e', CONNECT, connectAddress, String(port), '1000'], { timeoutMs: 10_000 });
    // The listener ends itself on a connection; give it a moment to report, then stop it.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 300))]);
    return { outcome: c.stdout.trim(), peer: /peer (\S+)/.exec(out)?.[1] ?? '' };
  } finally {
    listener.kill('SIGKILL');
    await exited;
  }
}

test('a direct topology: two namespaces, one link, no default route, reachable both ways', async () => {
  await withTopology({}, async (t) => {
    assert.deepEqual(t.namespaces, [t.client.ns, t.server.ns]);
    assert.match(t.name, new RegExp(`^ftpws-${process.pid}-\\d+$`));
    for (const ns of t.namespaces) {
      const routes = execFileSync('ip', ['-n', ns, 'route', 'show', 'default'], { encoding: 'utf8' });
      assert.equal(routes.trim(), '', `${ns} has no default route`);
    }
    assert.deepEqual(await tryConnect(t.client.ns, t.server.ns, t.server.address, 4000), { outcome: 'connected', peer: t.client.address });
    assert.deepEqual(await tryConnect(t.server.ns, t.client.ns, t.client.address, 4001), { outcome: 'connected', peer: t.server.address });
    // Anything outside the link is unreachable from inside.
    const out = await runIn(t.client.ns, process.execPath, ['-e', CONNECT, '192.0.2.1', '21', '1000'], { timeoutMs: 10_000 });
    assert.equal(out.stdout.trim(), 'ENETUNREACH');
  });
});

test('dropInbound drops new connections into the client, admitOnly admits just its ports', async () => {
  await withTopology({}, async (t) => {
    await t.firewall(t.client.ns, rules.dropInbound());
    assert.equal((await tryConnect(t.server.ns, t.client.ns, t.client.address, 4002)).outcome, 'timeout');
    assert.equal((await tryConnect(t.client.ns, t.server.ns, t.server.address, 4003)).outcome, 'connected', 'outbound still works');
    await t.firewall(t.server.ns, rules.admitOnly([4004]));
    assert.equal((await tryConnect(t.client.ns, t.server.ns, t.server.address, 4004)).outcome, 'connected');
    assert.equal((await tryConnect(t.client.ns, t.server.ns, t.server.address, 4005)).outcome, 'timeout');
  });
});

test('a NAT topology: the server sees the router; only the forwarded range reaches the client', async () => {
  await withTopology({ nat: true, forwardPorts: [4100, 4109] }, async (t) => {
    assert.equal(t.namespaces.length, 3);
    assert.deepEqual(await tryConnect(t.client.ns, t.server.ns, t.server.address, 4006), { outcome: 'connected', peer: t.router!.outerAddress });
    assert.equal((await tryConnect(t.server.ns, t.client.ns, t.client.address, 4100)).outcome, 'ENETUNREACH', 'the client\'s private address is not routed');
    assert.deepEqual(await tryConnect(t.server.ns, t.client.ns, t.client.address, 4100, t.router!.outerAddress), { outcome: 'connected', peer: t.server.address });
    assert.equal((await tryConnect(t.server.ns, t.client.ns, t.client.address, 4110, t.router!.outerAddress)).outcome, 'ECONNREFUSED', 'outside the range the router answers itself');
  });
});

test('namespaces are removed when the test body throws', async () => {
  let names: string[] = [];
  await assert.rejects(withTopology({ nat: true }, async (t) => {
    names = t.namespaces;
    assert.ok(names.every(namespaceExists));
    throw new Error('boom');
  }), /boom/);
  assert.equal(names.length, 3);
  for (const ns of names) assert.equal(namespaceExists(ns), false, `${ns} removed`);
});

test('namespaces a killed run left behind are removed; a live run\'s are not', async () => {
  // A pid that surely ended: a child that has exited.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const stale = `ftpws-${dead}-1-c`;
  const foreign = 'ftpws-selftest-x'; // not our naming: never touched
  execFileSync('ip', ['netns', 'add', stale]);
  execFileSync('ip', ['netns', 'add', foreign]);
  try {
    const t = await createTopology(); // removes stale ones first
    try {
      assert.equal(namespaceExists(stale), false);
      assert.equal(namespaceExists(foreign), true);
      assert.deepEqual(removeStaleNamespaces(), [], 'our own live namespaces stay');
      assert.ok(t.namespaces.every((ns) => listNamespaces().includes(ns)));
    } finally {
      await t.remove();
    }
  } finally {
    for (const ns of [stale, foreign]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  }
});
