// Authorization values in and challenges out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CredentialsError, formatBasicChallenge, formatDigestChallenge, parseCredentials } from './credentials';

const RESPONSE = '6629fae49393a05397450978507c4ef1';

test('Digest: quoted and token values, any name case, spaces around = and ,', () => {
  const c = parseCredentials(
    `digest USERNAME="bob", Realm = "sipd" ,nonce="abc", uri="sip:example.com", response="${RESPONSE.toUpperCase()}",` +
    ' algorithm=MD5, qop=auth, nc=0000000A, cnonce="x y", opaque="o"',
  );
  assert.deepEqual(c, {
    scheme: 'Digest', username: 'bob', realm: 'sipd', nonce: 'abc', uri: 'sip:example.com', response: RESPONSE,
    algorithm: 'MD5', cnonce: 'x y', opaque: 'o', qop: 'auth', nc: 10, ncText: '0000000A',
  });
});

test('Digest: commas and escaped quotes inside quoted strings stay in the value', () => {
  const c = parseCredentials(`Digest username="a,b\\"c", realm="r,1", nonce="n", uri="sip:x@y;a=b,c", response="${RESPONSE}"`);
  assert.equal(c?.scheme, 'Digest');
  if (c?.scheme !== 'Digest') return;
  assert.equal(c.username, 'a,b"c');
  assert.equal(c.realm, 'r,1');
  assert.equal(c.uri, 'sip:x@y;a=b,c');
  assert.equal(c.qop, undefined);
  assert.equal(c.nc, undefined);
});

test('Digest: malformed values are refused with a reason', () => {
  const base = `username="u", realm="r", nonce="n", uri="sip:a", response="${RESPONSE}"`;
  const cases: [string, RegExp][] = [
    [`Digest ${base}, realm="other"`, /duplicate parameter realm/],
    [`Digest ${base}, REALM="other"`, /duplicate parameter realm/],
    [`Digest realm="r", nonce="n", uri="sip:a", response="${RESPONSE}"`, /missing username/],
    [`Digest ${base.replace(RESPONSE, 'xyz')}`, /response is not/],
    [`Digest ${base}, qop=auth, cnonce="c"`, /missing nc/],
    [`Digest ${base}, qop=auth, nc=1, cnonce="c"`, /nc is not 8 hex digits/],
    [`Digest ${base}, qop=auth, nc=00000001`, /qop without cnonce/],
    [`Digest ${base}, algorithm=MD5-sess`, /MD5-sess without cnonce/],
    [`Digest ${base}, nc=00000001`, /nc without qop/],
    [`Digest username="u`, /unterminated/],
    [`Digest username`, /has no value/],
    [`Digest username="u" realm="r"`, /expected ","/],
    [`Digest ${base},,`, /expected a parameter name/],
    ['   ', /empty credentials/],
  ];
  for (const [value, reason] of cases) assert.throws(() => parseCredentials(value), (e: unknown) => e instanceof CredentialsError && reason.test(e.message), value);
});

test('Basic: user and password from base64; a password may contain ":"', () => {
  const token = Buffer.from('bob:se:cret').toString('base64');
  assert.deepEqual(parseCredentials(`Basic ${token}`), { scheme: 'Basic', username: 'bob', password: 'se:cret' });
  assert.throws(() => parseCredentials('Basic !!!'), /not base64/);
  assert.throws(() => parseCredentials(`Basic ${Buffer.from('nocolon').toString('base64')}`), /no ":"/);
});

test('another scheme is not ours and not an error', () => {
  assert.equal(parseCredentials('Bearer abc.def'), undefined);
});

test('challenges: realm quoted and escaped, qop list, stale flag', () => {
  assert.equal(formatDigestChallenge({ realm: 'sip"d', nonce: 'N', algorithm: 'MD5', qop: ['auth', 'auth-int'] }),
    'Digest realm="sip\\"d", nonce="N", algorithm=MD5, qop="auth,auth-int"');
  assert.equal(formatDigestChallenge({ realm: 'r', nonce: 'N', algorithm: 'SHA-256', qop: ['auth'], stale: true }),
    'Digest realm="r", nonce="N", algorithm=SHA-256, qop="auth", stale=TRUE');
  assert.equal(formatBasicChallenge('r'), 'Basic realm="r"');
});

test('a challenge we format is parsed back by our own parser once answered', () => {
  const challenge = formatDigestChallenge({ realm: 'a\\b', nonce: 'N', algorithm: 'MD5', qop: ['auth'] });
  const realm = /realm=("(?:[^"\\]|\\.)*")/.exec(challenge)![1];
  const c = parseCredentials(`Digest username="u", realm=${realm}, nonce="N", uri="sip:a", response="${RESPONSE}"`);
  assert.equal(c?.scheme === 'Digest' && c.realm, 'a\\b');
});
