import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, options, sipMessage } from '../transport/fixtures';
import { answerConnections, formatConnections, parseConnectionsOperands } from './cmd-connections';
import { controlRequest, serveControl } from './protocol';

const MAIN = join(__dirname, 'main.js');

test('operands: transport, clear by id, target in three spellings; mistakes are named', () => {
  assert.deepEqual(parseConnectionsOperands([]), { cmd: 'connections' });
  assert.deepEqual(parseConnectionsOperands(['--transport', 'tls', '--clear', '7']), { cmd: 'connections', transport: 'tls', clearId: 7 });
  for (const [text, host] of [['192.0.2.1:5061', '192.0.2.1'], ['ipv4:192.0.2.1:5061', '192.0.2.1'], ['[2001:db8::1]:5061', '2001:db8::1']]) {
    assert.deepEqual(parseConnectionsOperands(['--target', text]), { cmd: 'connections', target: { host, port: 5061 } });
  }
  assert.deepEqual(parseConnectionsOperands(['--transport', 'udp']), { error: '--transport takes tcp or tls, not udp' });
  assert.deepEqual(parseConnectionsOperands(['--clear', '0']), { error: '--clear takes a connection id, not 0' });
  assert.deepEqual(parseConnectionsOperands(['--target', 'gw.example.com:5061']), { error: '--target takes HOST:PORT with an IP address, not gw.example.com:5061' });
  assert.deepEqual(parseConnectionsOperands(['--clear', '1', '--target', '192.0.2.1:5061']), { error: '--clear and --target go one at a time' });
  assert.deepEqual(parseConnectionsOperands(['--clear']), { error: '--clear needs a value' });
  assert.deepEqual(parseConnectionsOperands(['brief']), { error: 'unexpected brief' });
});

test('the report groups connections by remote address and shows TLS details', () => {
  const now = 1_000_000;
  const lines = formatConnections([
    {
      id: 4, transport: 'tls', direction: 'in', openedAt: now - 65_000, lastUsed: now - 3_000, messagesIn: 5, messagesOut: 4,
      local: { transport: 'tls', host: '192.0.2.1', port: 5061 }, remote: { transport: 'tls', host: '172.18.197.154', port: 51000 },
      tls: { protocol: 'TLSv1.2', cipher: 'AES128-SHA', sessionReused: true, peerSubject: 'CN=172.18.197.154' },
    },
    {
      id: 2, transport: 'tcp', direction: 'out', openedAt: now, lastUsed: now, messagesIn: 0, messagesOut: 1,
      local: { transport: 'tcp', host: '192.0.2.1', port: 40000 }, remote: { transport: 'tcp', host: '172.18.197.154', port: 5060 },
    },
  ], now);
  assert.equal(lines[0], 'Total active connections : 2');
  assert.equal(lines[1], 'Remote-Agent:172.18.197.154, Connections-Count:2');
  assert.match(lines[3], /^ {2}5060 +2 +tcp +out +192\.0\.2\.1:40000 +0s +0s +0 +1$/);
  assert.match(lines[4], /^ {2}51000 +4 +tls +in +192\.0\.2\.1:5061 +1m 5s +3s +5 +4$/);
  assert.equal(lines[5], '      TLS TLSv1.2 AES128-SHA, peer certificate "CN=172.18.197.154", session resumed');
});

test('over the control socket: list, clear by id, clear by target', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  const path = join(mkdtempSync(join(tmpdir(), 'sipd-ctl-')), 'sipd.ctl');
  const control = await serveControl(path, async (req) => (req.cmd === 'connections' ? answerConnections(h.layer, req) : { ok: false }));
  const peers: Socket[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const s = connect(h.endpoint('tcp').port, '127.0.0.1');
      s.on('error', () => {});
      s.write(sipMessage('OPTIONS', ''));
      peers.push(s);
      await h.message(i + 1);
    }
    const listed = await controlRequest(path, { cmd: 'connections' }, 2000);
    assert.equal(listed.connections?.length, 3);
    assert.deepEqual(await controlRequest(path, { cmd: 'connections', transport: 'tls' }, 2000), { ok: true, connections: [] });

    const [first, second] = listed.connections!;
    const cleared = await controlRequest(path, { cmd: 'connections', clearId: first.id }, 2000);
    assert.equal(cleared.closed, 1);
    const target = { host: '127.0.0.1', port: second.remote.port };
    assert.equal((await controlRequest(path, { cmd: 'connections', target }, 2000)).closed, 1);
    await h.until(() => h.layer.connections().length === 1, 2000, 'two connections to close');
    assert.equal((await controlRequest(path, { cmd: 'connections', clearId: first.id }, 2000)).closed, 0);

    const refused = await controlRequest(path, { cmd: 'connections', clearId: 1, target } as never, 2000);
    assert.deepEqual(refused, { ok: false, errors: ['unknown request'] });
    assert.deepEqual(answerConnections(undefined, { cmd: 'connections' }), { ok: false, errors: ['the transports are not running'] });
  } finally {
    for (const s of peers) s.destroy();
    control.close();
    await h.layer.stop();
  }
});

// Needs SipServer.connectionControl() (wired in src/server.ts).
const roots: string[] = [];
after(() => {
  for (const conf of roots) spawnSync(process.execPath, [MAIN, '-f', conf, 'stop'], { timeout: 30_000 });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

test('sipd connections lists and clears the connections of the running daemon', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sipd-conn-'));
  mkdirSync(join(root, 'conf'));
  const conf = join(root, 'conf', 'sipd.conf');
  const port = await freePort();
  writeFileSync(conf, `Listen 127.0.0.1:${port}\n`);
  const sipd = (...args: string[]) => spawnSync(process.execPath, [MAIN, '-f', conf, ...args], { encoding: 'utf8', timeout: 30_000 });
  roots.push(conf);
  const started = sipd('start');
  assert.equal(started.status, 0, started.stderr);
  const peer = connect(port, '127.0.0.1');
  peer.on('error', () => {});
  try {
    await new Promise<void>((resolve) => {
      peer.once('data', () => resolve());
      peer.write(sipMessage('OPTIONS', '').replace('Call-ID', 'Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-c1\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:bob@example.com>\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nCall-ID'));
    });
    const list = sipd('connections');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^Total active connections : 1$/m);
    assert.match(list.stdout, /^Remote-Agent:127\.0\.0\.1, Connections-Count:1$/m);
    const id = new RegExp(`^ {2}${peer.localPort} +(\\d+) +tcp +in `, 'm').exec(list.stdout)?.[1];
    assert.ok(id, list.stdout);

    assert.match(sipd('connections', '--transport', 'tls').stdout, /^Total active connections : 0$/m);
    const none = sipd('connections', '--clear', '999');
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no open tcp or tls connection id 999/);
    const bad = sipd('connections', '--transport', 'udp');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /usage: sipd connections/);

    const closed = new Promise<void>((resolve) => peer.once('close', () => resolve()));
    const clear = sipd('connections', '--clear', id);
    assert.equal(clear.status, 0, clear.stderr);
    assert.match(clear.stdout, new RegExp(`^Purged 1 connection id ${id}$`, 'm'));
    await closed;
  } finally {
    peer.destroy();
  }
});
