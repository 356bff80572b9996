import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerCertificate } from 'node:tls';
import { parseMessage } from '../sip';
import type { Endpoint } from '../transport';
import { tlsIdentityPolicy } from './tls-identity';
import type { PolicyRequest } from './types';

const TLS_SOURCE: Endpoint = { transport: 'tls', host: '192.0.2.10', port: 40000 };

function request(viaHost: string, fromHost: string): PolicyRequest['req'] {
  return parseMessage(Buffer.from([
    `INVITE sip:bob@proxy.example.com SIP/2.0`,
    `Via: SIP/2.0/TLS ${viaHost}:5061;branch=z9hG4bK-1`,
    `From: <sip:alice@${fromHost}>;tag=1`,
    'To: <sip:bob@proxy.example.com>',
    'Call-ID: tls-identity-1',
    'CSeq: 1 INVITE',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '', '',
  ].join('\r\n')));
}

function cert(subjectaltname: string | undefined, cn = 'ignored'): PeerCertificate {
  return { subjectaltname, subject: { CN: cn } } as unknown as PeerCertificate;
}

function check(viaHost: string, fromHost: string, peer: PeerCertificate | undefined, source = TLS_SOURCE) {
  return tlsIdentityPolicy({ req: request(viaHost, fromHost), source, tlsPeerCertificate: peer });
}

test('a certificate naming the Via host passes: DNS name, IP address, or CN=IP of an IOS gateway', () => {
  assert.equal(check('gw.example.com', 'example.com', cert('DNS:gw.example.com')), undefined);
  assert.equal(check('192.0.2.10', 'example.com', cert('IP Address:192.0.2.10')), undefined);
  assert.equal(check('192.0.2.10', 'example.com', cert(undefined, '192.0.2.10')), undefined);
  assert.equal(check('[2001:db8::10]', 'example.com', cert('IP Address:2001:DB8:0:0:0:0:0:10')), undefined);
});

test('a Via host the certificate does not name is refused with 403 naming the host', () => {
  assert.deepEqual(check('gw.example.com', 'example.com', cert('DNS:other.example.com')), {
    status: 403, reason: 'Forbidden (TLS certificate does not match gw.example.com)',
  });
  assert.deepEqual(check('192.0.2.10', 'example.com', cert('IP Address:192.0.2.99, DNS:example.com')), {
    status: 403, reason: 'Forbidden (TLS certificate does not match 192.0.2.10)',
  }, 'a certificate with an IP identity must name the Via IP');
});

test('a Via IP with a names-only certificate is checked against the From host instead', () => {
  assert.equal(check('192.0.2.10', 'example.com', cert('DNS:example.com')), undefined);
  assert.equal(check('192.0.2.10', 'example.com', cert('URI:sip:example.com')), undefined);
  assert.deepEqual(check('192.0.2.10', 'evil.example.net', cert('DNS:example.com')), {
    status: 403, reason: 'Forbidden (TLS certificate does not match evil.example.net)',
  });
});

test('a user certificate (sip:user@host in subjectAltName) passes for requests from that user only', () => {
  assert.equal(check('192.0.2.10', 'example.com', cert('URI:sip:alice@example.com')), undefined);
  assert.equal(check('192.0.2.10', 'EXAMPLE.com', cert('URI:sips:alice@example.com')), undefined, 'hosts compare without case');
  assert.deepEqual(check('192.0.2.10', 'example.com', cert('URI:sip:mallory@example.com')), {
    status: 403, reason: 'Forbidden (TLS certificate does not match example.com)',
  }, 'another user\'s certificate does not speak for alice');
});

test('requests without a verified peer certificate are not checked', () => {
  assert.equal(check('gw.example.com', 'example.com', undefined), undefined);
  assert.equal(check('gw.example.com', 'example.com', cert('DNS:other.example.com'), { ...TLS_SOURCE, transport: 'tcp' }), undefined);
});
