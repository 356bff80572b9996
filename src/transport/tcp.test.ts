import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { errorCatcher, Harness, options, sipMessage, sleep } from './fixtures';

function dial(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port }, () => resolve(s));
    s.once('error', reject);
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
}

/** Collects everything a raw socket receives. */
function collect(s: Socket): { text: () => string } {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return { text: () => Buffer.concat(chunks).toString() };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A plain TCP peer that records what it receives on each accepted connection. */
async function peer(host = '127.0.0.1'): Promise<{ server: Server; port: number; sockets: Socket[]; data: string[] }> {
  const sockets: Socket[] = [];
  const data: string[] = [];
  const server = createServer((s) => {
    const i = sockets.push(s) - 1;
    data[i] = '';
    s.on('data', (c: Buffer) => { data[i] += c.toString(); });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets, data };
}

const INVITE = sipMessage('INVITE', 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
const BYE = sipMessage('BYE', 'bye-body');

test('TCP framing over a real connection: two messages split at various positions', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  try {
    const both = Buffer.from(INVITE + BYE);
    const cuts = [1, 20, INVITE.indexOf('\r\n\r\n') + 2, INVITE.length - 3, INVITE.length, INVITE.length + 5, both.length - 1];
    let n = 0;
    for (const cut of cuts) {
      const s = await dial('127.0.0.1', h.endpoint('tcp').port);
      s.setNoDelay(true);
      s.write(both.subarray(0, cut));
      await sleep(10);
      s.write(both.subarray(cut));
      const first = await h.message(++n);
      const second = await h.message(++n);
      assert.equal(first.data.toString(), INVITE, `cut ${cut}`);
      assert.equal(second.data.toString(), BYE, `cut ${cut}`);
      assert.equal(first.connectionId, second.connectionId);
      assert.deepEqual(first.source, { transport: 'tcp', host: '127.0.0.1', port: s.localPort });
      assert.deepEqual(first.local, { transport: 'tcp', host: '127.0.0.1', port: h.endpoint('tcp').port });
      s.destroy();
    }
    assert.equal(h.layer.stats().streamMessagesIn, cuts.length * 2);
  } finally {
    await h.layer.stop();
  }
});

test('compact l: header works on a connection', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  try {
    const s = await dial('127.0.0.1', h.endpoint('tcp').port);
    const msg = 'MESSAGE sip:a@b SIP/2.0\r\nl :  4\r\n\r\nhiya';
    s.write(msg);
    assert.equal((await h.message(1)).data.toString(), msg);
    s.destroy();
  } finally {
    await h.layer.stop();
  }
});

test('missing Content-Length: onFramingError, then the connection is closed', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  try {
    const s = await dial('127.0.0.1', h.endpoint('tcp').port);
    const bad = 'OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n';
    const clientPort = s.localPort;
    s.write(bad);
    await closed(s);
    assert.equal(h.framingErrors.length, 1);
    assert.match(h.framingErrors[0].reason, /missing Content-Length/);
    assert.equal(h.framingErrors[0].partial.toString(), bad);
    assert.deepEqual(h.framingErrors[0].source, { transport: 'tcp', host: '127.0.0.1', port: clientPort });
    assert.equal(h.received.length, 0);
    await waitFor(() => h.layer.connections().length === 0, 'the table to drop the connection');
    assert.equal(h.layer.stats().framingErrors, 1);
  } finally {
    await h.layer.stop();
  }
});

test('oversized message: onFramingError, then the connection is closed', async () => {
  const h = await Harness.start(options({ transports: ['tcp'], maxMessageSize: 200 }));
  try {
    const s = await dial('127.0.0.1', h.endpoint('tcp').port);
    s.write(sipMessage('MESSAGE', 'x'.repeat(300)));
    await closed(s);
    assert.equal(h.framingErrors.length, 1);
    assert.match(h.framingErrors[0].reason, /exceeds 200/);
    assert.equal(h.received.length, 0);
  } finally {
    await h.layer.stop();
  }
});

test('a CRLFCRLF keep-alive ping gets a single CRLF pong', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  try {
    const s = await dial('127.0.0.1', h.endpoint('tcp').port);
    const got = collect(s);
    s.write('\r\n\r\n');
    await waitFor(() => got.text().length > 0, 'the pong');
    await sleep(20);
    assert.equal(got.text(), '\r\n');
    assert.equal(h.received.length, 0);
    assert.equal(h.layer.stats().keepAlivePings, 1);
    s.destroy();
  } finally {
    await h.layer.stop();
  }
});

test('responses go back over the inbound connection, by connectionId or by peer address', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  try {
    const s = await dial('127.0.0.1', h.endpoint('tcp').port);
    const got = collect(s);
    s.write(INVITE);
    const m = await h.message(1);
    const ok = sipMessage('SIP/2.0 200 OK', '');
    h.layer.send(Buffer.from(ok), m.source, undefined, m.connectionId);
    await waitFor(() => got.text() === ok, 'the response on the inbound connection');
    h.layer.send(Buffer.from(BYE), { transport: 'tcp', host: '127.0.0.1', port: s.localPort! });
    await waitFor(() => got.text() === ok + BYE, 'a request found by peer address');
    assert.equal(h.layer.connections().length, 1, 'no new connection was opened');
    s.destroy();
  } finally {
    await h.layer.stop();
  }
});

test('TCP over IPv6 loopback', async () => {
  const h = await Harness.start(options({ listen: [{ host: '::1', port: 0 }], transports: ['tcp'] }));
  try {
    const s = await dial('::1', h.endpoint('tcp', 6).port);
    s.write(BYE);
    const m = await h.message(1);
    assert.equal(m.data.toString(), BYE);
    assert.deepEqual(m.source, { transport: 'tcp', host: '::1', port: s.localPort });
    s.destroy();
  } finally {
    await h.layer.stop();
  }
});

test('outgoing: writes queued while connecting arrive in order; replies come back with its connectionId', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  const p = await peer();
  try {
    const dest = { transport: 'tcp' as const, host: '127.0.0.1', port: p.port };
    h.layer.send(Buffer.from(INVITE), dest);
    h.layer.send(Buffer.from(BYE), dest);
    await waitFor(() => p.data[0] === INVITE + BYE, 'both messages at the peer');
    assert.equal(p.sockets.length, 1);
    const [info] = h.layer.connections();
    assert.equal(info.direction, 'out');
    assert.equal(info.messagesOut, 2);
    assert.deepEqual(info.remote, dest);
    assert.equal(info.local.port, p.sockets[0].remotePort);

    const ok = sipMessage('SIP/2.0 200 OK', '');
    p.sockets[0].write(ok);
    const m = await h.message(1);
    assert.equal(m.data.toString(), ok);
    assert.equal(m.connectionId, info.id);
  } finally {
    await h.layer.stop();
    p.server.close();
  }
});

test('reuseConnections decides whether a new request reuses our outgoing connection', async () => {
  for (const reuse of [true, false]) {
    const h = await Harness.start(options({ transports: ['tcp'], reuseConnections: reuse }));
    const p = await peer();
    try {
      const dest = { transport: 'tcp' as const, host: '127.0.0.1', port: p.port };
      h.layer.send(Buffer.from(INVITE), dest);
      await waitFor(() => p.data[0] === INVITE, 'the first request');
      h.layer.send(Buffer.from(BYE), dest);
      await waitFor(() => p.data.join('') === INVITE + BYE, 'the second request');
      assert.equal(p.sockets.length, reuse ? 1 : 2, `reuse=${reuse}`);
      const [first] = h.layer.connections();
      h.layer.send(Buffer.from(BYE), dest, undefined, first.id);
      await waitFor(() => p.data[0] === (reuse ? INVITE + BYE + BYE : INVITE + BYE), 'a send by connectionId');
    } finally {
      await h.layer.stop();
      p.server.close();
    }
  }
});

test('connecting to a closed port reports onError', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  const p = await peer();
  await new Promise<void>((resolve) => p.server.close(() => resolve()));
  try {
    const c = errorCatcher();
    h.layer.send(Buffer.from(INVITE), { transport: 'tcp', host: '127.0.0.1', port: p.port }, c.onError);
    await waitFor(() => c.error() !== undefined, 'onError');
    assert.match(c.error()!.message, /ECONNREFUSED/);
    await waitFor(() => h.layer.connections().length === 0, 'the failed connection to leave the table');
  } finally {
    await h.layer.stop();
  }
});

test('connect timeout to a non-routable address reports onError', async (t) => {
  if (await reachable('10.255.255.1', 5060, 300)) {
    t.skip('10.255.255.1 accepts connections in this environment');
    return;
  }
  const h = await Harness.start(options({ transports: ['tcp'], tcpConnectTimeoutMs: 200 }));
  try {
    const c = errorCatcher();
    const started = Date.now();
    h.layer.send(Buffer.from(INVITE), { transport: 'tcp', host: '10.255.255.1', port: 5060 }, c.onError);
    await waitFor(() => c.error() !== undefined, 'onError', 1500);
    assert.ok(Date.now() - started < 1000);
  } finally {
    await h.layer.stop();
  }
});

test('connections() lists inbound connections and closeConnections({ id }) closes them', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  try {
    const s = await dial('127.0.0.1', h.endpoint('tcp').port);
    s.write(BYE);
    const m = await h.message(1);
    const list = h.layer.connections();
    assert.equal(list.length, 1);
    assert.equal(list[0].id, m.connectionId);
    assert.equal(list[0].transport, 'tcp');
    assert.equal(list[0].direction, 'in');
    assert.equal(list[0].messagesIn, 1);
    assert.deepEqual(list[0].remote, { transport: 'tcp', host: '127.0.0.1', port: s.localPort });
    assert.deepEqual(list[0].local, h.endpoint('tcp'));

    assert.equal(h.layer.closeConnections({ id: list[0].id }), 1);
    await closed(s);
    await waitFor(() => h.layer.connections().length === 0, 'the table to drop it');
    assert.equal(h.layer.closeConnections({ id: list[0].id }), 0);
    const stats = h.layer.stats();
    assert.equal(stats.connectionsOpened, 1);
    assert.equal(stats.connectionsClosed, 1);

    const c = errorCatcher();
    h.layer.send(Buffer.from(BYE), m.source, c.onError, m.connectionId);
    await waitFor(() => c.error() !== undefined, 'onError once the peer is gone');
  } finally {
    await h.layer.stop();
  }
});

test('inbound connections beyond maxConnections are refused', async () => {
  const h = await Harness.start(options({ transports: ['tcp'], maxConnections: 1 }));
  try {
    const first = await dial('127.0.0.1', h.endpoint('tcp').port);
    await waitFor(() => h.layer.connections().length === 1, 'the first connection');
    const second = await dial('127.0.0.1', h.endpoint('tcp').port);
    await closed(second);
    assert.equal(h.layer.stats().connectionsRefused, 1);
    assert.equal(first.destroyed, false);
    first.destroy();
  } finally {
    await h.layer.stop();
  }
});

test('idle connections are closed after idleTimeoutMs', async () => {
  const h = await Harness.start(options({ transports: ['tcp'], idleTimeoutMs: 100 }));
  try {
    const s = await dial('127.0.0.1', h.endpoint('tcp').port);
    const started = Date.now();
    await closed(s);
    assert.ok(Date.now() - started >= 90);
    await waitFor(() => h.layer.connections().length === 0, 'the table to drop it');
  } finally {
    await h.layer.stop();
  }
});

test('stop() closes listeners and open connections', async () => {
  const h = await Harness.start(options({ transports: ['tcp'] }));
  const port = h.endpoint('tcp').port;
  const s = await dial('127.0.0.1', port);
  await waitFor(() => h.layer.connections().length === 1, 'the connection');
  await h.layer.stop();
  await closed(s);
  assert.deepEqual(h.layer.connections(), []);
  await assert.rejects(dial('127.0.0.1', port), /ECONNREFUSED/);
});

function reachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const t = setTimeout(() => { s.destroy(); resolve(false); }, timeoutMs);
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve(true); });
    s.once('error', () => { clearTimeout(t); resolve(false); });
  });
}
