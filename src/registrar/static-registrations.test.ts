import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStaticRegistrations, parseStaticRegistrations, readStaticRegistrations } from './static-registrations';

test('parses bindings, skipping comments and blank lines', () => {
  const text = [
    '# FXS ports of the branch gateway',
    '',
    '5000@GW.Example.com   sip:5000@10.1.1.1:5060;user=phone',
    '   # indented comment',
    '5001@gw.example.com\tSIP:5001@10.1.1.1:5060;User=Phone  q=0.5\r',
    '5001@gw.example.com sips:5001@10.1.1.2 Q=1.000',
  ].join('\n');
  assert.deepEqual(parseStaticRegistrations(text, 'static.conf'), [
    {
      aor: '5000@gw.example.com',
      contact: 'sip:5000@10.1.1.1:5060;user=phone',
      contactKey: 'sip:5000@10.1.1.1:5060;user=phone',
      expires: Infinity,
      callId: '',
      cseq: 0,
      static: true,
    },
    {
      aor: '5001@gw.example.com',
      contact: 'SIP:5001@10.1.1.1:5060;User=Phone',
      contactKey: 'sip:5001@10.1.1.1:5060;user=phone',
      expires: Infinity,
      callId: '',
      cseq: 0,
      static: true,
      q: 0.5,
    },
    {
      aor: '5001@gw.example.com',
      contact: 'sips:5001@10.1.1.2',
      contactKey: 'sips:5001@10.1.1.2',
      expires: Infinity,
      callId: '',
      cseq: 0,
      static: true,
      q: 1,
    },
  ]);
});

test('an empty or comment-only file gives no bindings', () => {
  assert.deepEqual(parseStaticRegistrations('# nothing\n\n', 'f'), []);
});

test('errors name the file and the line', () => {
  const bad = (line: string, message: RegExp) =>
    assert.throws(() => parseStaticRegistrations(`# header\n\n${line}\n`, 'conf/static.conf'), message);
  bad('5000@gw.example.com', /^Error: conf\/static\.conf:3: missing contact$/);
  bad('5000 sip:5000@10.1.1.1', /^Error: conf\/static\.conf:3: AOR "5000" is not user@host$/);
  bad('@gw sip:5000@10.1.1.1', /:3: AOR "@gw" is not user@host$/);
  bad('5000@ sip:5000@10.1.1.1', /:3: AOR "5000@" is not user@host$/);
  bad('5000@gw 5000@10.1.1.1:5060', /:3: contact "5000@10.1.1.1:5060" is not a sip: or sips: URI$/);
  bad('5000@gw sip:5000@10.1.1.1 q=1.5', /:3: bad q "q=1.5"/);
  bad('5000@gw sip:5000@10.1.1.1 q=', /:3: bad q "q="/);
  bad('5000@gw sip:5000@10.1.1.1 0.5', /:3: unexpected "0.5"$/);
  bad('5000@gw sip:5000@[::1 q=0.5', /:3: contact "sip:5000@\[::1": unterminated IPv6 reference/);
  bad('5000@gw sip:5000@10.1.1.1 expires=tomorrow', /:3: bad expiry time "tomorrow"/);
  bad('5000@gw sip:5000@10.1.1.1 expires=2026-12-31T23:00:00', /:3: bad expiry time/);
  bad('5000@gw sip:5000@10.1.1.1 q=0.5 q=0.6', /:3: unexpected "q=0.6"$/);
  bad('5000@gw sip:5000@10.1.1.1 q=0.5 extra', /:3: unexpected "extra"$/);
});

test('the same AOR and contact twice is an error naming both lines', () => {
  const text = '5000@gw sip:5000@10.1.1.1\n5000@GW SIP:5000@10.1.1.1\n';
  assert.throws(() => parseStaticRegistrations(text, 'static.conf'), /^Error: static\.conf:2: duplicate of line 1$/);
});

test('readStaticRegistrations names every bad line, not only the first', () => {
  const text = '5000@gw sip:5000@10.1.1.1\nbroken\n5001@gw sip:5001@10.1.1.1 q=2\n5000@gw sip:5000@10.1.1.1\n';
  assert.deepEqual(
    readStaticRegistrations(text).map((item) => ('reason' in item ? `${item.line}: ${item.reason}` : `${item.line} ok`)),
    ['1 ok', '2: AOR "broken" is not user@host', '3: bad q "q=2" (expected q=0 .. q=1)', '4: duplicate of line 1'],
  );
});

test('expires= gives a binding that lapses at that time; format writes what parse reads', () => {
  const text = [
    '5000@gw.example.com sip:5000@10.1.1.1:5060;user=phone',
    'temp@example.com sip:temp@192.0.2.9 q=0.25 expires=2026-12-31T23:00:00+01:00',
  ].join('\n');
  const bindings = parseStaticRegistrations(text, 'f');
  assert.equal(bindings[1].expires, Date.UTC(2026, 11, 31, 22, 0, 0));
  assert.equal(bindings[1].q, 0.25);
  assert.equal(bindings[1].static, true);
  const written = formatStaticRegistrations(bindings);
  assert.match(written, /^temp@example\.com sip:temp@192\.0\.2\.9 q=0\.25 expires=2026-12-31T22:00:00\.000Z$/m);
  assert.deepEqual(parseStaticRegistrations(written, 'f'), bindings);
});
