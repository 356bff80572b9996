import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { errorCatcher, Harness, makeCert, MemoryLog, options, sipMessage, type PemPair } from './fixtures';
import { TransportLayer } from './layer';
import type { TransportOptions } from './types';

const serverCert = makeCert('sipd-server');
const clientCert = makeCert('sipd-client');

function tlsOptions(pem: PemPair, extra: Partial<TransportOptions> = {}): TransportOptions {
  return options({
    transports: [],
    tls: { port: 0, cert: pem.cert, key: pem.key, requestCert: true, sessionTimeoutSec: 300 },
    ...extra,
  });
}

function fingerprint(pem: PemPair): string {
  return new X509Certificate(readFileSync(pem.cert)).fingerprint256;
}

function rawTlsClient(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(s));
    s.once('error', reject);
  });
}

const INVITE = sipMessage('INVITE', 'v=0\r\n');
const OK = sipMessage('SIP/2.0 200 OK', '');

test('TLS round trip between two layers exposes both peer certificates and reuses the connection', async () => {
  const server = await Harness.start(tlsOptions(serverCert));
  const client = await Harness.start(tlsOptions(clientCert, { reuseConnections: false }));
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

    client.layer.send(Buffer.from(INVITE), dest);
    await server.message(2);
    assert.equal(client.layer.connections().length, 1, 'TLS is reused even with reuseConnections off');
    assert.equal(server.layer.connections().length, 1);
  } finally {
    await client.layer.stop();
    await server.layer.stop();
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
    client.layer.closeConnection(conn.id);
    await client.until(() => client.layer.connections().length === 0, 2000, 'the close');

    client.layer.send(Buffer.from(INVITE), dest);
    await server.message(2);
    assert.ok(client.log.lines.some((l) => l.includes('TLS session resumed')), client.log.lines.join('\n'));
  } finally {
    await client.layer.stop();
    await server.layer.stop();
  }
});

test('a client without a certificate gets no tlsPeerCertificate', async () => {
  const server = await Harness.start(tlsOptions(serverCert));
  try {
    const s = await rawTlsClient(server.endpoint('tls').port);
    s.write(INVITE);
    const m = await server.message(1);
    assert.equal(m.data.toString(), INVITE);
    assert.equal(m.tlsPeerCertificate, undefined);
    s.destroy();
  } finally {
    await server.layer.stop();
  }
});

test('reloadTls serves the new certificate to new connections and keeps open ones', async () => {
  const second = makeCert('sipd-server-2');
  const server = await Harness.start(tlsOptions(serverCert));
  const port = server.endpoint('tls').port;
  const old = await rawTlsClient(port);
  try {
    assert.equal(old.getPeerCertificate().subject.CN, 'sipd-server');
    server.layer.reloadTls({ port: 0, cert: second.cert, key: second.key, requestCert: true, sessionTimeoutSec: 300 });
    const fresh = await rawTlsClient(port);
    assert.equal(fresh.getPeerCertificate().subject.CN, 'sipd-server-2');
    fresh.destroy();

    old.write(INVITE);
    assert.equal((await server.message(1)).data.toString(), INVITE, 'the old connection still works');

    server.layer.reloadTls({ port: 0, cert: '/nonexistent/cert.pem', key: second.key, requestCert: true, sessionTimeoutSec: 300 });
    assert.ok(server.log.lines.some((l) => l.startsWith('error TLS reload failed')));
    const third = await rawTlsClient(port);
    assert.equal(third.getPeerCertificate().subject.CN, 'sipd-server-2', 'a failed reload keeps the last good certificate');
    third.destroy();
  } finally {
    old.destroy();
    await server.layer.stop();
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
