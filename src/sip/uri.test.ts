// URI parsing, formatting and the RFC 3261 §19.1.4 comparison rules, with pairs of our own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bareHost, formatUri, parseUri, uriEquals } from './uri';
import { SipParseError } from './errors';

const EQUAL: [string, string, string][] = [
  ['scheme and host case', 'SIP:carol@Lab.Example.COM', 'sip:carol@lab.example.com'],
  ['escaped and unescaped user', 'sip:%63arol@lab.example.com', 'sip:carol@lab.example.com'],
  ['escaped space and at-sign in user', 'sip:a%20b%40c@lab.example.com', 'sip:a%20b%40c@LAB.example.com'],
  ['escaped password', 'sip:carol:s%65cret@lab.example.com', 'sip:carol:secret@lab.example.com'],
  ['parameter order and case of names and values', 'sip:carol@lab.example.com;Transport=TCP;lr', 'sip:carol@lab.example.com;lr;transport=tcp'],
  ['escaped parameter value', 'sip:carol@lab.example.com;transport=%74cp', 'sip:carol@lab.example.com;transport=TCP'],
  ['unknown parameter in one only', 'sip:carol@lab.example.com;color=blue', 'sip:carol@lab.example.com'],
  ['unknown parameters differ only by presence', 'sip:carol@lab.example.com;x=1', 'sip:carol@lab.example.com;y=2'],
  ['same header components in another order', 'sip:carol@lab.example.com?subject=hi&priority=urgent', 'sip:carol@lab.example.com?priority=urgent&subject=hi'],
  ['escaped header value', 'sip:carol@lab.example.com?subject=hi%20there', 'sip:carol@lab.example.com?subject=hi there'],
  ['same explicit port', 'sip:carol@lab.example.com:5060', 'sip:carol@lab.example.com:5060'],
  ['IPv6 host case', 'sip:carol@[2001:DB8::A]', 'sip:carol@[2001:db8::a]'],
  ['sips same', 'sips:carol@lab.example.com', 'SIPS:carol@lab.example.com'],
  ['tel visual separators', 'tel:+1-555-0100', 'tel:+1(555)0100'],
];

const DIFFERENT: [string, string, string][] = [
  ['user case', 'sip:Carol@lab.example.com', 'sip:carol@lab.example.com'],
  ['password differs', 'sip:carol:a@lab.example.com', 'sip:carol:b@lab.example.com'],
  ['user in one only', 'sip:carol@lab.example.com', 'sip:lab.example.com'],
  ['sip vs sips', 'sip:carol@lab.example.com', 'sips:carol@lab.example.com'],
  ['port present vs absent (even the default port)', 'sip:carol@lab.example.com:5060', 'sip:carol@lab.example.com'],
  ['different ports', 'sip:carol@lab.example.com:5060', 'sip:carol@lab.example.com:5070'],
  ['transport in one only', 'sip:carol@lab.example.com;transport=udp', 'sip:carol@lab.example.com'],
  ['user=phone in one only', 'sip:+15550100@gw.example.com;user=phone', 'sip:+15550100@gw.example.com'],
  ['maddr in one only', 'sip:carol@lab.example.com', 'sip:carol@lab.example.com;maddr=192.0.2.9'],
  ['method in one only', 'sip:carol@lab.example.com;method=INVITE', 'sip:carol@lab.example.com'],
  ['ttl in one only', 'sip:carol@lab.example.com;ttl=5', 'sip:carol@lab.example.com'],
  ['unknown parameter present in both with different values', 'sip:carol@lab.example.com;color=blue', 'sip:carol@lab.example.com;color=red'],
  ['transport values differ', 'sip:carol@lab.example.com;transport=tcp', 'sip:carol@lab.example.com;transport=udp'],
  ['header component in one only', 'sip:carol@lab.example.com?subject=hi', 'sip:carol@lab.example.com'],
  ['header component values differ', 'sip:carol@lab.example.com?subject=hi', 'sip:carol@lab.example.com?subject=bye'],
  ['host name vs address', 'sip:carol@lab.example.com', 'sip:carol@192.0.2.33'],
  ['different hosts', 'sip:carol@lab.example.com', 'sip:carol@lab.example.org'],
  ['tel numbers differ', 'tel:+1-555-0100', 'tel:+1-555-0101'],
  ['tel parameter in one only', 'tel:+1-555-0100;ext=7', 'tel:+1-555-0100'],
];

for (const [name, a, b] of EQUAL) {
  test(`equivalent: ${name}`, () => {
    assert.equal(uriEquals(parseUri(a), parseUri(b)), true, `${a} vs ${b}`);
    assert.equal(uriEquals(parseUri(b), parseUri(a)), true, `${b} vs ${a}`);
  });
}

for (const [name, a, b] of DIFFERENT) {
  test(`not equivalent: ${name}`, () => {
    assert.equal(uriEquals(parseUri(a), parseUri(b)), false, `${a} vs ${b}`);
    assert.equal(uriEquals(parseUri(b), parseUri(a)), false, `${b} vs ${a}`);
  });
}

test('parseUri fills every component', () => {
  const u = parseUri('sips:d%61n:pw@Host.Example.NET:5061;transport=TCP;lr;maddr=192.0.2.1?Subject=Hello%20You&x=');
  assert.equal(u.scheme, 'sips');
  assert.equal(u.user, 'dan');
  assert.equal(u.password, 'pw');
  assert.equal(u.host, 'host.example.net');
  assert.equal(u.port, 5061);
  assert.deepEqual([...u.params], [['transport', 'TCP'], ['lr', null], ['maddr', '192.0.2.1']]);
  assert.deepEqual([...u.headers], [['subject', 'Hello You'], ['x', '']]);
});

test('tel URI and IPv6 host', () => {
  const t = parseUri('tel:+49-30-1234;phone-context=+49');
  assert.equal(t.scheme, 'tel');
  assert.equal(t.user, '+49-30-1234');
  assert.equal(t.host, '');
  assert.equal(t.params.get('phone-context'), '+49');
  const v6 = parseUri('sip:[2001:db8::1]:5080');
  assert.equal(v6.host, '[2001:db8::1]');
  assert.equal(bareHost(v6.host), '2001:db8::1');
  assert.equal(v6.port, 5080);
  assert.equal(v6.user, undefined);
});

const BAD: [string, number][] = [
  ['isbn:0-00-000000-0', 416],
  ['http://example.com/', 416],
  ['mailto:someone@example.com', 416],
  ['sip:', 400],
  ['sip:@example.com', 400],
  ['sip:carol@', 400],
  ['sip:carol@exa mple.com', 400],
  ['sip:carol@example.com:', 400],
  ['sip:carol@example.com:65536', 400],
  ['sip:carol@[2001:db8::1', 400],
  ['sip:carol@example.com;a="unterminated', 400],
  ['sip:%zz@example.com', 400],
  ['sip:carol@example.com>', 400],
  ['no-colon-here', 400],
  ['1sip:carol@example.com', 400],
  ['tel:not a number', 400],
];

for (const [text, status] of BAD) {
  test(`parseUri rejects ${JSON.stringify(text)} with ${status}`, () => {
    assert.throws(() => parseUri(text), (e: unknown) => e instanceof SipParseError && e.status === status);
  });
}

const STABLE = [
  'sip:carol@lab.example.com',
  'sip:lab.example.com:5060;lr',
  'sips:carol:pw@[2001:db8::5]:5061;transport=tcp;maddr=192.0.2.1',
  'sip:%63ar%20ol@lab.example.com',
  'sip:sips%3Acarl%40example.org@proxy.example.net',
  'sip:+1-555-0100;phone-context=lab%40example.org@gw.example.org;user=phone',
  'sip:carol@lab.example.com?Subject=Hello%20You&Priority=urgent',
  'sip:carol@lab.example.com;x="quoted;semi"',
  'sip:null-%00-null@example.com',
  'tel:+1-555-0100;ext=22',
  'SIP:UPPER@UPPER.EXAMPLE.COM;TRANSPORT=UDP',
];

for (const text of STABLE) {
  test(`formatUri(parseUri(x)) is a fixed point and keeps the meaning: ${text}`, () => {
    const once = formatUri(parseUri(text));
    assert.equal(formatUri(parseUri(once)), once);
    assert.ok(uriEquals(parseUri(once), parseUri(text)), `${once} vs ${text}`);
    assert.deepEqual(parseUri(once), parseUri(text));
  });
}

test('formatUri writes the canonical form of a plain URI unchanged', () => {
  for (const text of ['sip:carol@lab.example.com', 'sips:carol@lab.example.com:5061;transport=tcp;lr', 'tel:+15550100']) {
    assert.equal(formatUri(parseUri(text)), text);
  }
});

test('formatUri escapes characters that cannot appear in a user part', () => {
  const u = parseUri('sip:lab.example.com');
  u.user = 'a@b:c d';
  const text = formatUri(u);
  assert.equal(text, 'sip:a%40b%3Ac%20d@lab.example.com');
  assert.equal(parseUri(text).user, 'a@b:c d');
  assert.equal(parseUri(text).host, 'lab.example.com');
});
