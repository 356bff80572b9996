import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import { Harness, MemoryLog, options, sleep } from './fixtures';
import { TransportLayer } from './layer';

function udpClient(type: 'udp4' | 'udp6', host: string): Promise<Socket> {
  const s = createSocket(type);
  return new Promise((resolve) => s.bind(0, host, () => resolve(s)));
}

function nextDatagram(s: Socket): Promise<{ data: Buffer; rinfo: RemoteInfo }> {
  return new Promise((resolve) => s.once('message', (data, rinfo) => resolve({ data, rinfo })));
}

for (const [family, host] of [[4, '127.0.0.1'], [6, '::1']] as const) {
  test(`UDP over IPv${family}: receive, then reply from the listening port`, async () => {
    const h = await Harness.start(options({ listen: [{ host, port: 0 }], transports: ['udp'] }));
    const client = await udpClient(family === 4 ? 'udp4' : 'udp6', host);
    try {
      const server = h.endpoint('udp', family);
      client.send(Buffer.from('OPTIONS sip:x SIP/2.0\r\n\r\n'), server.port, host);
      const m = await h.message(1);
      assert.equal(m.data.toString(), 'OPTIONS sip:x SIP/2.0\r\n\r\n');
      assert.deepEqual(m.source, { transport: 'udp', host, port: client.address().port });
      assert.deepEqual(m.local, server);
      assert.equal(m.connectionId, undefined);

      const reply = nextDatagram(client);
      h.layer.send(Buffer.from('SIP/2.0 200 OK\r\n\r\n'), m.source);
      const { data, rinfo } = await reply;
      assert.equal(data.toString(), 'SIP/2.0 200 OK\r\n\r\n');
      assert.equal(rinfo.port, server.port, 'the reply leaves from the listening port');
      assert.equal(h.layer.stats().datagramsIn, 1);
      assert.equal(h.layer.stats().datagramsOut, 1);
    } finally {
      client.close();
      await h.layer.stop();
    }
  });
}

test('UDP CRLF keep-alive datagrams are not passed on', async () => {
  const h = await Harness.start(options({ transports: ['udp'] }));
  const client = await udpClient('udp4', '127.0.0.1');
  try {
    const port = h.endpoint('udp').port;
    client.send(Buffer.from('\r\n\r\n'), port, '127.0.0.1');
    client.send(Buffer.from('BYE sip:x SIP/2.0\r\n\r\n'), port, '127.0.0.1');
    const m = await h.message(1);
    assert.equal(m.data.toString(), 'BYE sip:x SIP/2.0\r\n\r\n');
    await sleep(20);
    assert.equal(h.received.length, 1);
    assert.equal(h.layer.stats().datagramsIgnored, 1);
  } finally {
    client.close();
    await h.layer.stop();
  }
});

test('UDP send to a family without a socket reports onError and does not throw', async () => {
  const h = await Harness.start(options({ transports: ['udp'] }));
  try {
    const err = await new Promise<Error>((resolve) => h.layer.send(Buffer.from('x'), { transport: 'udp', host: '::1', port: 5060 }, resolve));
    assert.match(err.message, /no IPv6 UDP socket/);
  } finally {
    await h.layer.stop();
  }
});

test('start() rejects with the address when a port is in use, and releases what it bound', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const port = (squatter.address() as AddressInfo).port;
  const layer = new TransportLayer(options({ listen: [{ host: '127.0.0.1', port }], transports: ['udp', 'tcp'] }), new MemoryLog());
  try {
    await assert.rejects(layer.start(), (e: Error) => {
      assert.match(e.message, new RegExp(`cannot listen on (tcp|udp) 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      return true;
    });
    assert.deepEqual(layer.localEndpoints(), [], 'whatever was bound before the failure was closed again');
  } finally {
    squatter.close();
  }
});

test('a listen entry without host binds both 0.0.0.0 and :: and replies on the matching family', async () => {
  const h = await Harness.start(options({ listen: [{ port: 0 }], transports: ['udp', 'tcp'] }));
  const client = await udpClient('udp6', '::1');
  try {
    const hosts = h.layer.localEndpoints().map((e) => `${e.transport} ${e.host}`).sort();
    assert.deepEqual(hosts, ['tcp 0.0.0.0', 'tcp ::', 'udp 0.0.0.0', 'udp ::']);
    const v6 = h.endpoint('udp', 6);
    client.send(Buffer.from('OPTIONS sip:x SIP/2.0\r\n\r\n'), v6.port, '::1');
    const m = await h.message(1);
    assert.deepEqual(m.local, v6);
    const reply = nextDatagram(client);
    h.layer.send(Buffer.from('SIP/2.0 200 OK\r\n\r\n'), m.source);
    assert.equal((await reply).rinfo.port, v6.port);
  } finally {
    client.close();
    await h.layer.stop();
  }
});

test('an exception in onMessage is logged and does not stop later deliveries', async () => {
  const h = await Harness.start(options({ transports: ['udp'] }));
  const client = await udpClient('udp4', '127.0.0.1');
  try {
    let calls = 0;
    h.layer.onMessage = () => {
      calls++;
      if (calls === 1) throw new Error('boom');
    };
    const port = h.endpoint('udp').port;
    client.send(Buffer.from('A sip:x SIP/2.0\r\n\r\n'), port, '127.0.0.1');
    client.send(Buffer.from('B sip:x SIP/2.0\r\n\r\n'), port, '127.0.0.1');
    await h.until(() => calls === 2, 2000, 'the second delivery');
    assert.deepEqual(h.log.lines, ['error onMessage handler threw: boom']);
  } finally {
    client.close();
    await h.layer.stop();
  }
});
