import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Binding } from '../registrar/location';
import { readRegistrationCsv, writeRegistrationCsv } from './registration-csv';
import { parseAor, registrationBinding, registrationFields } from './registration';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

function values(text: string): Binding[] {
  return readRegistrationCsv(text, NOW).map((item) => {
    if ('reason' in item) throw new Error(`line ${item.line}: ${item.reason}`);
    return item.value;
  });
}

function problems(text: string): string[] {
  return readRegistrationCsv(text, NOW).flatMap((item) => ('reason' in item ? [`${item.line}: ${item.reason}`] : []));
}

test('the REG-13 fields build the contact URI: user type phone by default, port, transport, expiry', () => {
  const csv = [
    'user,domain,contact,contact_user_type,port,transport,expires,q',
    '5000,GW.example.com,5000@10.1.1.1,,5060,,,',
    '(919) 392-0001,example.com,19193920001@gw.example.com,ip,,tcp,3600,0.5',
    'alice,example.com,sips:alice@192.0.2.7:5061,,,,2026-12-31T23:00:00Z,',
    'fax,example.com,[2001:db8::7],phone,5062,udp,never,',
  ].join('\r\n');
  assert.deepEqual(
    values(csv).map((b) => [b.aor, b.contact, b.expires, b.q, b.static]),
    [
      ['5000@gw.example.com', 'sip:5000@10.1.1.1:5060;user=phone', Infinity, undefined, true],
      // REG-9: visual separators are taken out of a number.
      ['9193920001@example.com', 'sip:19193920001@gw.example.com;transport=tcp', NOW + 3_600_000, 0.5, true],
      ['alice@example.com', 'sips:alice@192.0.2.7:5061', Date.UTC(2026, 11, 31, 23, 0, 0), undefined, true],
      // No user part: user=phone would mean nothing.
      ['fax@example.com', 'sip:[2001:db8::7]:5062;transport=udp', Infinity, undefined, true],
    ],
  );
});

test('every bad line is named with its line number and reason', () => {
  const csv = [
    'user,domain,contact,port,transport,expires,q',
    'ok,example.com,10.1.1.1,,,,',
    '5*,example.com,10.1.1.1,,,,',
    'bob,,10.1.1.1,,,,',
    'bob,example.com,not a host,,,,',
    'bob,example.com,10.1.1.1,0,,,',
    'bob,example.com,10.1.1.1,,sctp,,',
    'bob,example.com,10.1.1.1,,,yesterday,',
    'bob,example.com,10.1.1.1,,,,1.5',
    'bob,example.com,sip:bob@10.1.1.1,5060,,,',
    'ok,example.com,10.1.1.1,,,,',
    'too,many,fields,,,,,',
  ].join('\n');
  assert.deepEqual(problems(csv), [
    '3: user "5*": registrations take no wildcards; add a route for a pattern',
    '4: the domain is empty',
    '5: invalid contact "not a host": expected [user@]host or a sip: URI',
    '6: port must be a whole number from 1 to 65535, got "0"',
    '7: transport must be one of udp, tcp, tls, got "sctp"',
    '8: bad expiry "yesterday": expected never, seconds from now, or an ISO 8601 time with a zone (2026-12-31T23:00:00Z)',
    '9: q must be from 0 to 1 with at most 3 decimals, got "1.5"',
    '10: a contact written as a sip: URI carries its own port, transport and user=phone; leave those fields empty',
    '11: registration ok@example.com sip:10.1.1.1 is already on line 2',
    '12: expected 7 fields as in the header, got 8',
  ]);
  assert.deepEqual(problems('user,contact\nbob,10.1.1.1\n'), ['1: missing column domain']);
});

test('export then import gives back the same bindings, split contacts and whole URIs alike', () => {
  const bindings = [
    registrationBinding({ user: '5000', domain: 'gw.example.com', contact: '5000@10.1.1.1', port: 5060, expires: Infinity }),
    registrationBinding({ user: 'alice', domain: 'example.com', contact: 'alice@192.0.2.7', userType: 'ip', transport: 'tls', expires: NOW + 60_000, q: 0.25 }),
    registrationBinding({ user: 'odd', domain: 'example.com', contact: 'sip:odd@192.0.2.8;maddr=192.0.2.9', expires: Infinity }),
    registrationBinding({ user: 'label,with,comma', domain: 'example.com', contact: 'sips:x@192.0.2.8', expires: Infinity }),
  ];
  const csv = writeRegistrationCsv(bindings);
  assert.match(csv, /^user,domain,contact,contact_user_type,port,transport,expires,q\r\n5000,gw\.example\.com,5000@10\.1\.1\.1,phone,5060,,never,\r\n/);
  assert.match(csv, /^"label,with,comma",example\.com,sips:x@192\.0\.2\.8,,,,never,\r$/m);
  assert.match(csv, /^odd,example\.com,sip:odd@192\.0\.2\.8;maddr=192\.0\.2\.9,,,,never,\r$/m);
  assert.deepEqual(values(csv), bindings);
});

test('a user that is not a number keeps its dots; the domain is lowercased', () => {
  assert.equal(parseAor('John.Doe@Example.COM'), 'John.Doe@example.com');
  assert.equal(parseAor('02109187.@example.com'), '02109187@example.com');
  assert.throws(() => parseAor('nodomain'), /"nodomain" is not user@domain/);
  const b = registrationBinding({ user: 'a', domain: 'x.example', contact: 'a@10.0.0.1', expires: Infinity });
  assert.deepEqual(registrationFields(b), { user: 'a', domain: 'x.example', contact: 'a@10.0.0.1', userType: 'phone', port: undefined, transport: undefined, expires: Infinity });
});
