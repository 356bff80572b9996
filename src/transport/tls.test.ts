import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants as cryptoConstants, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { errorCatcher, Harness, MemoryLog, options, sipMessage, TestPki, type PemPair } from './fixtures';
import { TransportLayer } from './layer';
import type { TlsOptions, TransportOptions } from './types';

const pki = TestPki.create();
const serverCert = pki.issue('/CN=sipd-server', 'DNS:localhost,IP:127.0.0.1');
const clientCert = pki.issue('/CN=sipd-client', 'DNS:client.example.com,IP:127.0.0.1');
const wrongName = pki.issue('/CN=elsewhere.example.com', 'DNS:elsewhere.example.com');
const ipInCn = pki.issue('/CN=127.0.0.1');
const otherPki = TestPki.create('another CA');
const strangerCert = otherPki.issue('/CN=stranger', 'DNS:localhost,IP:127.0.0.1');

const INVITE = sipMessage('INVITE', 'v=0\r\n');
const OK = sipMessage('SIP/2.0 200 OK', '');

function tlsOptions(pem: PemPair, tls: Partial<TlsOptions> = {}, extra: Partial<TransportOptions> = {}): TransportOptions {
  return options({
    transports: [],
    tls: { port: 0, cert: pem.cert, key: pem.key, ca: pki.ca, requestCert: false, sessionTimeoutSec: 300, ...tls },
    ...extra,
  });
}

function fingerprint(pem: PemPair): string {
  return new X509Certificate(readFileSync(pem.cert)).fingerprint256;
}

function clientOptions(pem?: PemPair): ConnectionOptions {
  return pem ? { cert: readFileSync(pem.cert), key: readFileSync(pem.key) } : {};
}

/** Resolves once the handshake is done (from the client's side). */
function rawTlsClient(port: number, extra: ConnectionOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...extra }, () => resolve(s));
    s.once('error', reject);
  });
}

/** The protocol and cipher the client got, or the handshake error. */
async function handshake(port: number, extra: ConnectionOptions): Promise<string> {
  try {
    const s = await rawTlsClient(port, extra);
    const result = `${s.getProtocol()} ${s.getCipher().name}`;
    s.destroy();
    return result;
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

/** Writes a request and waits until the server side ends the connection. */
function sendUntilClosed(s: TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    s.on('error', () => {});
    s.once('close', () => resolve());
    s.write(INVITE);
  });
}

async function stopAll(...hs: Harness[]): Promise<void> {
  for (const h of hs) await h.layer.stop();
}

test('TLS round trip between two layers with mutual TLS exposes both verified certificates and reuses the connection', async () => {
  const server = await Harness.start(tlsOptions(serverCert, { requestCert: true }));
  const client = await Harness.start(tlsOptions(clientCert, {}, { reuseConnections: false }));
  try {
    const dest = server.endpoint('tls');
    client.layer.send(Buffer.from(INVITE), dest);
    const req = await server.message(1);
    assert.equal(req.data.toString(), INVITE);
    assert.equal(req.source.transport, 'tls');
    assert.equal(req.tlsPeerCertificate?.subject.CN, 'sipd-client');
    assert.equal(req.tlsPeerCertificate?.fingerprint256, fingerprint(clientCert));

    server.layer.send(Buffer.from(OK), req.source, undefined, req.connectionId);
    const res = await client.message(1);
    assert.equal(res.data.toString(), OK);
    assert.equal(res.tlsPeerCertificate?.subject.CN, 'sipd-server');
    const [out] = client.layer.connections();
    assert.equal(res.connectionId, out.id);
    assert.equal(out.transport, 'tls');
    assert.equal(out.direction, 'out');
    assert.equal(out.tls?.verifiedName, '127.0.0.1');
    assert.equal(out.tls?.peerSubject, 'CN=sipd-server');

    client.layer.send(Buffer.from(INVITE), dest);
    await server.message(2);
    assert.equal(client.layer.connections().length, 1, 'TLS is reused even with reuseConnections off');
    const [inbound] = server.layer.connections('tls');
    assert.equal(inbound.direction, 'in');
    assert.equal(inbound.tls?.peerSubject, 'CN=sipd-client');
    assert.match(inbound.tls?.protocol ?? '', /^TLSv1\.[23]$/);
    assert.deepEqual(server.layer.connections('tcp'), []);
  } finally {
    await stopAll(client, server);
  }
});

test('a new outgoing TLS connection to the same peer resumes the session', async () => {
  const server = await Harness.start(tlsOptions(serverCert));
  const client = await Harness.start(tlsOptions(clientCert));
  try {
    const dest = server.endpoint('tls');
    client.layer.send(Buffer.from(INVITE), dest);
    const first = await server.message(1);
    server.layer.send(Buffer.from(OK), first.source, undefined, first.connectionId);
    await client.message(1);
    const [conn] = client.layer.connections();
    assert.equal(conn.tls?.sessionReused, false);
    client.layer.closeConnections({ id: conn.id });
    await client.until(() => client.layer.connections().length === 0, 2000, 'the close');

    client.layer.send(Buffer.from(INVITE), dest);
    await server.message(2);
    const [second] = client.layer.connections();
    assert.equal(second.tls?.sessionReused, true);
    assert.equal(second.tls?.peerSubject, 'CN=sipd-server', 'a resumed session still knows the verified certificate');
  } finally {
    await stopAll(client, server);
  }
});

test('the listener resumes TLS 1.3 sessions by ticket and TLS 1.2 sessions by id', async () => {
  const server = await Harness.start(tlsOptions(serverCert));
  const port = server.endpoint('tls').port;
  try {
    for (const extra of [{}, { maxVersion: 'TLSv1.2', secureOptions: cryptoConstants.SSL_OP_NO_TICKET }] as ConnectionOptions[]) {
      let reusedFirst: boolean | undefined;
      const session = await new Promise<Buffer>((resolve, reject) => {
        // TLS 1.2 hands out the session during the handshake, TLS 1.3 its tickets after it.
        const first = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...extra }, () => {
          reusedFirst = first.isSessionReused();
        });
        first.once('session', (data: Buffer) => {
          first.destroy();
          resolve(data);
        });
        first.once('error', reject);
      });
      assert.equal(reusedFirst, false);
      const second = await rawTlsClient(port, { ...extra, session });
      assert.equal(second.isSessionReused(), true, `resumed with ${JSON.stringify(extra)}`);
      second.destroy();
    }
  } finally {
    await server.layer.stop();
  }
});

test('without mutual TLS no client certificate is asked for, even from a client that has one', async () => {
  const server = await Harness.start(tlsOptions(serverCert));
  try {
    const s = await rawTlsClient(server.endpoint('tls').port, clientOptions(clientCert));
    s.write(INVITE);
    const m = await server.message(1);
    assert.equal(m.data.toString(), INVITE);
    assert.equal(m.tlsPeerCertificate, undefined);
    s.destroy();
  } finally {
    await server.layer.stop();
  }
});

test('mutual TLS refuses clients without a certificate or with one the CA did not sign, and accepts a valid one', async () => {
  const server = await Harness.start(tlsOptions(serverCert, { requestCert: true }));
  const port = server.endpoint('tls').port;
  try {
    for (const pem of [undefined, strangerCert]) {
      const outcome = await rawTlsClient(port, clientOptions(pem)).then(sendUntilClosed, (e: Error) => e);
      if (outcome instanceof Error) assert.match(outcome.message, /alert|certificate|reset|socket hang up/i);
    }
    assert.equal(server.received.length, 0, 'nothing from a refused client is delivered');
    assert.deepEqual(server.layer.connections(), []);
    assert.ok(server.log.lines.some((l) => l.includes('TLS handshake from 127.0.0.1')), server.log.lines.join('\n'));

    const good = await rawTlsClient(port, clientOptions(clientCert));
    good.write(INVITE);
    assert.equal((await server.message(1)).tlsPeerCertificate?.subject.CN, 'sipd-client');
    good.destroy();
  } finally {
    await server.layer.stop();
  }
});

test('outgoing TLS checks the server certificate against the CA file and the target name (RFC 5922)', async (t) => {
  const client = await Harness.start(tlsOptions(clientCert));
  const servers: Harness[] = [];
  const serve = async (pem: PemPair): Promise<number> => {
    const h = await Harness.start(tlsOptions(pem));
    servers.push(h);
    return h.endpoint('tls').port;
  };
  const sendTo = async (port: number, tlsName?: string): Promise<Error | undefined> => {
    const c = errorCatcher();
    const server = servers.find((s) => s.endpoint('tls').port === port);
    const seen = server?.received.length ?? 0;
    client.layer.send(Buffer.from(INVITE), { transport: 'tls', host: '127.0.0.1', port, tlsName }, c.onError);
    await client.until(() => c.error() !== undefined || (server?.received.length ?? 0) > seen, 3000, 'delivery or an error');
    return c.error();
  };
  try {
    await t.test('a certificate for another name is refused, with the reason logged', async () => {
      const err = await sendTo(await serve(wrongName));
      assert.match(err?.message ?? '', /certificate does not match 127\.0\.0\.1 \(it names elsewhere\.example\.com\)/);
      assert.ok(client.log.lines.some((l) => l.startsWith('warn TLS connection') && l.includes('does not match 127.0.0.1')));
      await client.until(() => client.layer.connections().length === 0, 2000, 'the table to drop it');
    });
    await t.test('the same certificate is accepted for the name it carries', async () => {
      const port = await serve(wrongName);
      assert.equal(await sendTo(port, 'elsewhere.example.com'), undefined);
      assert.equal(client.layer.connections().find((c) => c.remote.port === port)?.tls?.verifiedName, 'elsewhere.example.com');
    });
    await t.test('a certificate with only CN=<IP> is accepted for that IP (IOS-5)', async () => {
      assert.equal(await sendTo(await serve(ipInCn)), undefined);
    });
    await t.test('a certificate from a CA not in the CA file is refused', async () => {
      const err = await sendTo(await serve(strangerCert));
      assert.match(err?.message ?? '', /certificate not trusted/);
    });
    await t.test('an open connection is not reused for a name its certificate does not match', async () => {
      const port = await serve(serverCert);
      assert.equal(await sendTo(port, 'localhost'), undefined);
      const err = await sendTo(port, 'other.example.com');
      assert.match(err?.message ?? '', /does not match other\.example\.com/);
      await client.until(() => client.layer.connections().filter((c) => c.remote.port === port).length === 1, 2000, 'only the good connection');
    });
  } finally {
    await stopAll(client, ...servers);
  }
});

test('outgoing TLS sends the target name as SNI, and no SNI for an IP', async () => {
  const names: (string | false | null)[] = [];
  const peer = createTlsServer({ cert: readFileSync(serverCert.cert), key: readFileSync(serverCert.key) }, (s) => {
    names.push(s.servername);
    s.destroy();
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  const client = await Harness.start(tlsOptions(clientCert));
  try {
    const port = (peer.address() as AddressInfo).port;
    client.layer.send(Buffer.from(INVITE), { transport: 'tls', host: '127.0.0.1', port, tlsName: 'localhost' });
    await client.until(() => names.length === 1, 3000, 'the first handshake');
    client.layer.send(Buffer.from(INVITE), { transport: 'tls', host: '127.0.0.1', port });
    await client.until(() => names.length === 2, 3000, 'the second handshake');
    assert.deepEqual(names, ['localhost', false]);
  } finally {
    peer.close();
    await client.layer.stop();
  }
});

test('TLS versions and ciphers: AES128-SHA and TLSv1 only when configured', async (t) => {
  const legacy12 = { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' } as const;
  await t.test('the default listener refuses a TLSv1.2 AES128-SHA client and a TLSv1.1 client', async () => {
    const h = await Harness.start(tlsOptions(serverCert));
    try {
      const port = h.endpoint('tls').port;
      assert.match(await handshake(port, legacy12), /^refused: .*handshake failure/);
      assert.match(await handshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'AES128-SHA:@SECLEVEL=0' }), /^refused/);
      assert.match(await handshake(port, {}), /^TLSv1\.3 /);
      assert.match(await handshake(port, { maxVersion: 'TLSv1.2' }), /^TLSv1\.2 ECDHE-/);
    } finally {
      await h.layer.stop();
    }
  });
  await t.test('SipTlsCiphers AES128-SHA admits the seed client and keeps TLS 1.3 for modern ones', async () => {
    const h = await Harness.start(tlsOptions(serverCert, { ciphers: 'AES128-SHA' }));
    try {
      const port = h.endpoint('tls').port;
      assert.equal(await handshake(port, legacy12), 'TLSv1.2 AES128-SHA');
      assert.match(await handshake(port, {}), /^TLSv1\.3 /);
    } finally {
      await h.layer.stop();
    }
  });
  await t.test('TLSv1 with AES128-SHA works with @SECLEVEL=0 and fails without it (OpenSSL 3)', async () => {
    const tlsv1 = { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' } as const;
    const withLevel = await Harness.start(tlsOptions(serverCert, { minVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' }));
    const without = await Harness.start(tlsOptions(serverCert, { minVersion: 'TLSv1', ciphers: 'AES128-SHA' }));
    try {
      assert.equal(await handshake(withLevel.endpoint('tls').port, tlsv1), 'TLSv1 AES128-SHA');
      assert.match(await handshake(without.endpoint('tls').port, tlsv1), /^refused/);
    } finally {
      await stopAll(withLevel, without);
    }
  });
  await t.test('a cipher list naming only suites this OpenSSL lacks stops the start clearly', async () => {
    const layer = new TransportLayer(tlsOptions(serverCert, { ciphers: 'DES-CBC3-SHA' }), new MemoryLog());
    await assert.rejects(layer.start(), /SipTlsCiphers "DES-CBC3-SHA" names no cipher suite this OpenSSL supports/);
  });
});

test('reloadTls serves the new certificate to new connections and keeps open ones', async () => {
  const second = pki.issue('/CN=sipd-server-2', 'IP:127.0.0.1');
  const server = await Harness.start(tlsOptions(serverCert));
  const port = server.endpoint('tls').port;
  const old = await rawTlsClient(port);
  try {
    assert.equal(old.getPeerCertificate().subject.CN, 'sipd-server');
    server.layer.reloadTls({ port: 0, cert: second.cert, key: second.key, requestCert: false, sessionTimeoutSec: 300 });
    const fresh = await rawTlsClient(port);
    assert.equal(fresh.getPeerCertificate().subject.CN, 'sipd-server-2');
    fresh.destroy();

    old.write(INVITE);
    assert.equal((await server.message(1)).data.toString(), INVITE, 'the old connection still works');

    server.layer.reloadTls({ port: 0, cert: '/nonexistent/cert.pem', key: second.key, requestCert: false, sessionTimeoutSec: 300 });
    assert.ok(server.log.lines.some((l) => l.startsWith('error TLS reload failed')));
    const third = await rawTlsClient(port);
    assert.equal(third.getPeerCertificate().subject.CN, 'sipd-server-2', 'a failed reload keeps the last good certificate');
    third.destroy();
  } finally {
    old.destroy();
    await server.layer.stop();
  }
});

test('MaxConnectionsPerSource refuses TCP and TLS connections beyond it and logs the source once', async () => {
  const h = await Harness.start(tlsOptions(serverCert, {}, { transports: ['tcp'], maxConnectionsPerSource: 2 }));
  const open: Socket[] = [];
  try {
    open.push(await rawTlsClient(h.endpoint('tls').port));
    const tcp = netConnect(h.endpoint('tcp').port, '127.0.0.1');
    open.push(tcp);
    tcp.write(INVITE);
    await h.message(1);

    for (let i = 0; i < 2; i++) {
      const refusedTls = await rawTlsClient(h.endpoint('tls').port).then(sendUntilClosed, () => undefined);
      assert.equal(refusedTls, undefined);
      const refusedTcp = netConnect(h.endpoint('tcp').port, '127.0.0.1');
      await new Promise<void>((resolve) => {
        refusedTcp.on('error', () => {});
        refusedTcp.once('close', () => resolve());
        refusedTcp.write(INVITE);
      });
    }
    assert.equal(h.received.length, 1);
    assert.equal(h.layer.stats().connectionsRefused, 4);
    const warnings = h.log.lines.filter((l) => l.includes('MaxConnectionsPerSource'));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /2 connections from 127\.0\.0\.1 already open/);

    open.shift()?.destroy();
    await h.until(() => h.layer.connections('tls').length === 0, 2000, 'the TLS connection to close');
    const again = await rawTlsClient(h.endpoint('tls').port);
    open.push(again);
    again.write(INVITE);
    await h.message(2);
  } finally {
    for (const s of open) s.destroy();
    await h.layer.stop();
  }
});

test('closeConnections ends the connections to a target, or of one transport', async () => {
  const server = await Harness.start(tlsOptions(serverCert, {}, { transports: ['tcp'] }));
  const client = await Harness.start(tlsOptions(clientCert, {}, { transports: ['tcp'] }));
  try {
    client.layer.send(Buffer.from(INVITE), server.endpoint('tls'));
    client.layer.send(Buffer.from(INVITE), server.endpoint('tcp'));
    await server.message(2);
    const target = { host: '127.0.0.1', port: server.endpoint('tls').port };
    assert.equal(client.layer.closeConnections({ target: { host: '127.0.0.1', port: 1 } }), 0);
    assert.equal(client.layer.closeConnections({ transport: 'tcp', target }), 0);
    assert.equal(client.layer.closeConnections({ target }), 1);
    await client.until(() => client.layer.connections().length === 1, 2000, 'the TLS connection to close');
    assert.equal(client.layer.connections()[0].transport, 'tcp');
  } finally {
    await stopAll(client, server);
  }
});

test('start() rejects clearly on a missing or malformed certificate file', async () => {
  const missing = new TransportLayer(tlsOptions({ cert: '/nonexistent/cert.pem', key: serverCert.key }), new MemoryLog());
  await assert.rejects(missing.start(), /cannot read TLS certificate file \/nonexistent\/cert\.pem/);

  const garbage = `${serverCert.cert}.bad`;
  writeFileSync(garbage, 'not a certificate');
  const malformed = new TransportLayer(tlsOptions({ cert: garbage, key: serverCert.key }), new MemoryLog());
  await assert.rejects(malformed.start(), /invalid TLS certificate or key/);
});

test('an outgoing TLS connection whose handshake never completes times out with onError', async () => {
  const silent: Socket[] = [];
  const tcp = createServer((s) => silent.push(s));
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const h = await Harness.start(options({ transports: [], tcpConnectTimeoutMs: 200 }));
  try {
    const c = errorCatcher();
    const started = Date.now();
    h.layer.send(Buffer.from(INVITE), { transport: 'tls', host: '127.0.0.1', port: (tcp.address() as AddressInfo).port }, c.onError);
    await h.until(() => c.error() !== undefined, 2000, 'onError');
    assert.match(c.error()!.message, /timed out after 200 ms/);
    assert.ok(Date.now() - started >= 190);
    await h.until(() => h.layer.connections().length === 0, 2000, 'the table to drop it');
  } finally {
    for (const s of silent) s.destroy();
    tcp.close();
    await h.layer.stop();
  }
});
