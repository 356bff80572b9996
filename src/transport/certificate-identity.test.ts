import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificateIdentities, certificateMatchesHost, hasOnlyDomainIdentities } from './certificate-identity';
import { TestPki } from './fixtures';

function cert(subjectaltname: string | undefined, cn?: string | string[]): Parameters<typeof certificateMatchesHost>[0] {
  return { subjectaltname, subject: (cn === undefined ? {} : { CN: cn }) as never };
}

test('subjectAltName DNS names match case-insensitively, a trailing dot ignored, never by wildcard', () => {
  const c = cert('DNS:sip.Example.com, DNS:*.example.com', 'ignored.example.com');
  assert.equal(certificateMatchesHost(c, 'sip.example.com'), true);
  assert.equal(certificateMatchesHost(c, 'SIP.EXAMPLE.COM.'), true);
  assert.equal(certificateMatchesHost(c, 'other.example.com'), false, 'no wildcard matching (RFC 5922 §7.2)');
  assert.equal(certificateMatchesHost(c, '*.example.com'), true, 'the literal entry matches itself only');
  assert.equal(certificateMatchesHost(c, 'ignored.example.com'), false, 'CN is not looked at when SANs exist');
  assert.equal(certificateMatchesHost(c, ''), false);
});

test('subjectAltName IP addresses match as addresses, IPv6 in any spelling and with brackets', () => {
  const c = cert('IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:1');
  assert.equal(certificateMatchesHost(c, '192.0.2.7'), true);
  assert.equal(certificateMatchesHost(c, '192.0.2.8'), false);
  assert.equal(certificateMatchesHost(c, '2001:db8::1'), true);
  assert.equal(certificateMatchesHost(c, '[2001:db8::1]'), true);
  assert.equal(certificateMatchesHost(c, '::1'), false);
});

test('SIP URI SANs name their host; URIs with a user part and other schemes do not', () => {
  const c = cert('URI:sip:proxy.example.com;transport=tls, URI:sips:alice@users.example.com, URI:https://web.example.com, URI:sip:[2001:db8::2]:5061');
  assert.equal(certificateMatchesHost(c, 'proxy.example.com'), true);
  assert.equal(certificateMatchesHost(c, 'users.example.com'), false);
  assert.equal(certificateMatchesHost(c, 'web.example.com'), false);
  assert.deepEqual(certificateIdentities(c).sipHosts, ['proxy.example.com', '2001:db8::2']);
});

test('CN is the fallback when there are no DNS/IP/URI SANs, and may be an IP (IOS-5)', () => {
  assert.equal(certificateMatchesHost(cert(undefined, '172.18.197.154'), '172.18.197.154'), true);
  assert.equal(certificateMatchesHost(cert(undefined, '172.18.197.154'), '172.18.197.155'), false);
  assert.equal(certificateMatchesHost(cert('email:ops@example.com', 'gw.example.com'), 'gw.example.com'), true);
  assert.equal(certificateMatchesHost(cert(undefined, ['first.example.com', 'gw.example.com']), 'gw.example.com'), true, 'the last, most specific CN');
  assert.equal(certificateMatchesHost(cert(undefined), 'gw.example.com'), false);
});

test('quoted SAN values (Node escapes commas) are read whole', () => {
  const c = cert('DNS:"evil.com, DNS:victim.example.com", DNS:good.example.com');
  assert.equal(certificateMatchesHost(c, 'victim.example.com'), false);
  assert.equal(certificateMatchesHost(c, 'good.example.com'), true);
});

test('hasOnlyDomainIdentities: true for names without IP identities', () => {
  assert.equal(hasOnlyDomainIdentities(cert('DNS:a.example.com')), true);
  assert.equal(hasOnlyDomainIdentities(cert('DNS:a.example.com, IP Address:192.0.2.1')), false);
  assert.equal(hasOnlyDomainIdentities(cert(undefined, '192.0.2.1')), false);
  assert.equal(hasOnlyDomainIdentities(cert(undefined, 'gw.example.com')), true);
});

test('a real certificate made by openssl is read the same way', () => {
  const pki = TestPki.create();
  const pem = pki.issue('/CN=ignored', 'DNS:sips.example.com,IP:192.0.2.9,URI:sip:example.com,URI:sip:Alice@Example.com');
  const x = new X509Certificate(readFileSync(pem.cert));
  const c = { subjectaltname: x.subjectAltName, subject: { CN: 'ignored' } as never };
  assert.deepEqual(certificateIdentities(c), {
    dns: ['sips.example.com'], ips: ['192.0.2.9'], sipHosts: ['example.com'], sipUsers: ['Alice@example.com'],
  });
  assert.equal(certificateMatchesHost(c, '192.0.2.9'), true);
});
