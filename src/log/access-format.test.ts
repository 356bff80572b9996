import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAccessFormat, resolveFormat, sourceHost, type AccessRecord } from './access-format';

process.env.TZ = 'UTC';

const rec: AccessRecord = {
  method: 'INVITE',
  uri: 'sip:bob@example.com',
  source: 'udp:10.80.36.85:50117',
  status: 180,
  durationMs: 1234.5,
  callId: 'c3943000@10.80.36.85',
  from: '<sip:alice@example.com>;tag=1',
  to: '<sip:bob@example.com>',
  userAgent: 'Cisco-SIP-IP-Phone/2',
  bytes: 291,
  time: Date.UTC(2001, 3, 20, 21, 44, 51),
};

test('common format gives the Apache common line with SIP meanings', () => {
  const line = compileAccessFormat(resolveFormat('common'))(rec);
  assert.equal(line, '10.80.36.85 - - [20/Apr/2001:21:44:51 +0000] "INVITE sip:bob@example.com SIP/2.0" 180 291');
});

test('combined format fills User-Agent and leaves Referer as -', () => {
  const line = compileAccessFormat(resolveFormat('combined'))(rec);
  assert.ok(line.endsWith('180 291 "-" "Cisco-SIP-IP-Phone/2"'), line);
});

test('a custom format uses every SIP directive', () => {
  const fmt = '%a %m %U %s %>s %B %D %T %{Call-ID}i %{f}i %{To}i %{X-Other}i 100%%';
  const line = compileAccessFormat(fmt)(rec);
  assert.equal(
    line,
    'udp:10.80.36.85:50117 INVITE sip:bob@example.com 180 180 291 1234500 1 c3943000@10.80.36.85 ' +
      '<sip:alice@example.com>;tag=1 <sip:bob@example.com> - 100%',
  );
});

test('config nicknames win over the defaults and unknown names are literal formats', () => {
  assert.equal(resolveFormat('common', { common: '%m' }), '%m');
  assert.equal(resolveFormat('%U only'), '%U only');
});

test('unknown directives are written literally and missing values become -', () => {
  const line = compileAccessFormat('%q %b %{Call-ID}x %')({ ...rec, bytes: undefined });
  assert.equal(line, '%q - %{Call-ID}x %');
});

test('quotes and line breaks from the network are escaped', () => {
  const line = compileAccessFormat('%{User-Agent}i|%U')({ ...rec, userAgent: 'a"b\nc', uri: 'sip:x\\y' });
  assert.equal(line, 'a\\"b\\x0ac|sip:x\\\\y');
});

test('source host handles IPv4, bracketed IPv6 and missing port', () => {
  assert.equal(sourceHost('tcp:192.0.2.1:5060'), '192.0.2.1');
  assert.equal(sourceHost('tls:[2001:db8::1]:5061'), '2001:db8::1');
  assert.equal(sourceHost('udp:192.0.2.1'), '192.0.2.1');
});
