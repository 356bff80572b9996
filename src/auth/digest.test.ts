// Digest responses against the RFC examples and against hashes computed here, step by step, with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { computeHa1, digestResponse, digestsEqual, parseAlgorithm } from './digest';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

test('RFC 2617 §3.5: Mufasa, "Circle Of Life", qop=auth, MD5', () => {
  const ha1 = computeHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
  const response = digestResponse({
    algorithm: 'MD5', ha1, nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html',
    qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
  });
  assert.equal(response, '6629fae49393a05397450978507c4ef1');
});

test('RFC 7616 §3.9.1: the same request with SHA-256 and with MD5', () => {
  const common = {
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', method: 'GET', uri: '/dir/index.html', qop: 'auth',
    nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  const ha1 = (alg: 'MD5' | 'SHA-256') => computeHa1(alg, 'Mufasa', 'http-auth@example.org', 'Circle of Life');
  assert.equal(digestResponse({ algorithm: 'SHA-256', ha1: ha1('SHA-256'), ...common }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  assert.equal(digestResponse({ algorithm: 'MD5', ha1: ha1('MD5'), ...common }), '8ca523f5e9506fed4657c9700eebdbec');
});

test('RFC 2069 form (no qop): H(HA1:nonce:HA2)', () => {
  const ha1 = md5('bob:sipd:pw');
  const expected = md5(`${ha1}:n1:${md5('REGISTER:sip:example.com')}`);
  assert.equal(digestResponse({ algorithm: 'MD5', ha1, nonce: 'n1', method: 'REGISTER', uri: 'sip:example.com' }), expected);
});

test('MD5-sess and SHA-256-sess: HA1 is rehashed with nonce and cnonce', () => {
  for (const [algorithm, h] of [['MD5-sess', md5], ['SHA-256-sess', sha256]] as const) {
    const base = h('bob:sipd:pw');
    const ha1 = h(`${base}:n2:cn`);
    const expected = h(`${ha1}:n2:0000000a:cn:auth:${h('INVITE:sip:carol@example.com')}`);
    const got = digestResponse({ algorithm, ha1: base, nonce: 'n2', method: 'INVITE', uri: 'sip:carol@example.com', qop: 'auth', nc: '0000000a', cnonce: 'cn' });
    assert.equal(got, expected, algorithm);
  }
});

test('auth-int hashes the body into HA2; a changed body changes the response', () => {
  const body = Buffer.from('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
  const ha1 = md5('bob:sipd:pw');
  const expected = md5(`${ha1}:n3:00000001:cn:auth-int:${md5(`INVITE:sip:carol@example.com:${md5(body)}`)}`);
  const input = { algorithm: 'MD5' as const, ha1, nonce: 'n3', method: 'INVITE', uri: 'sip:carol@example.com', qop: 'auth-int', nc: '00000001', cnonce: 'cn' };
  assert.equal(digestResponse({ ...input, body }), expected);
  assert.notEqual(digestResponse({ ...input, body: Buffer.from('tampered') }), expected);
});

test('algorithm names are case-insensitive, absent means MD5, unknown ones are refused', () => {
  assert.equal(parseAlgorithm(undefined), 'MD5');
  assert.equal(parseAlgorithm('md5-SESS'), 'MD5-sess');
  assert.equal(parseAlgorithm('sha-256'), 'SHA-256');
  assert.equal(parseAlgorithm('SHA-512-256'), undefined);
});

test('digest comparison ignores hex case and refuses other lengths and contents', () => {
  assert.ok(digestsEqual('6629fae49393a05397450978507c4ef1', '6629FAE49393A05397450978507C4EF1'));
  assert.ok(!digestsEqual('6629fae49393a05397450978507c4ef1', '6629fae49393a05397450978507c4ef0'));
  assert.ok(!digestsEqual('6629fae49393a05397450978507c4ef1', '6629fae4'));
});
