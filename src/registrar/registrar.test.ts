// REGISTER processing, RFC 3261 §10.3 and RFC 3327 Path, on an in-memory location service and a fake time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipMessage, parseMessage } from '../sip';
import { LocationService } from './location';
import { RegisterSource, Registrar } from './registrar';

const T0 = 1_700_000_000_000;
const AOR = 'bob@example.com';
const SOURCE: RegisterSource = { transport: 'udp', host: '192.0.2.21', port: 5060 };

function setup() {
  let now = T0;
  const clock = () => now;
  const location = new LocationService(null, clock);
  const registrar = new Registrar(location, { minExpires: 60, maxExpires: 7200, defaultExpires: 3600 }, clock);
  return { location, registrar, advance: (s: number) => (now += s * 1000) };
}

function register(o: { contacts?: string[]; expires?: number | string; callId?: string; cseq?: number; extra?: string[] } = {}): SipMessage {
  const lines = [
    'REGISTER sip:example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bK-reg',
    'Max-Forwards: 70',
    'From: <sip:bob@example.com>;tag=r1',
    'To: <sip:bob@example.com>',
    `Call-ID: ${o.callId ?? 'reg-call-1'}`,
    `CSeq: ${o.cseq ?? 1} REGISTER`,
    ...(o.contacts ?? ['<sip:bob@192.0.2.21:5060>']).map((c) => `Contact: ${c}`),
    ...(o.expires === undefined ? [] : [`Expires: ${o.expires}`]),
    ...(o.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  return parseMessage(Buffer.from(lines.join('\r\n')));
}

function contacts(res: SipMessage): string[] {
  return res.getAll('contact');
}

test('add: 200 lists the new contact with its expires; a contact reachable as written keeps no source', () => {
  const { registrar, location } = setup();
  const res = registrar.handle(register({ expires: 1800 }), AOR, SOURCE, 'tt');
  assert.equal(res.status, 200);
  assert.equal(res.toTag, 'tt');
  assert.deepEqual(contacts(res), ['<sip:bob@192.0.2.21:5060>;expires=1800']);
  assert.ok(res.get('date'));
  const [b] = location.lookup(AOR);
  assert.equal(b.contact, 'sip:bob@192.0.2.21:5060');
  assert.equal(b.expires, T0 + 1800 * 1000);
  assert.equal(b.source, undefined);
});

test('NAT: a Contact naming another IP than the packet came from is reached at the source', () => {
  const { registrar, location } = setup();
  registrar.handle(register({ contacts: ['<sip:bob@10.0.0.5:5060>'] }), AOR, SOURCE, 't');
  assert.equal(location.lookup(AOR)[0].source, 'udp:192.0.2.21:5060');
});

test('TCP: a contact registered over a connection is reached through it', () => {
  const { registrar, location } = setup();
  registrar.handle(register({}), AOR, { transport: 'tcp', host: '192.0.2.21', port: 40123 }, 't');
  assert.equal(location.lookup(AOR)[0].source, 'tcp:192.0.2.21:40123');
});

test('no Expires anywhere: the default applies; above the maximum: clamped', () => {
  const { registrar } = setup();
  assert.deepEqual(contacts(registrar.handle(register(), AOR, SOURCE, 't')), ['<sip:bob@192.0.2.21:5060>;expires=3600']);
  assert.deepEqual(contacts(registrar.handle(register({ expires: 99999, cseq: 2 }), AOR, SOURCE, 't')), ['<sip:bob@192.0.2.21:5060>;expires=7200']);
});

test('refresh: a higher CSeq on the same Call-ID renews the binding; the 200 shows the remaining time', () => {
  const { registrar, location, advance } = setup();
  registrar.handle(register({ expires: 600, cseq: 1 }), AOR, SOURCE, 't');
  advance(500);
  const res = registrar.handle(register({ expires: 600, cseq: 2 }), AOR, SOURCE, 't');
  assert.equal(res.status, 200);
  assert.deepEqual(contacts(res), ['<sip:bob@192.0.2.21:5060>;expires=600']);
  assert.equal(location.lookup(AOR).length, 1, 'refreshed, not duplicated');
  advance(599);
  assert.equal(location.lookup(AOR).length, 1, 'still there 1099 s after the first REGISTER');
});

test('the 200 lists all current contacts with their remaining expires', () => {
  const { registrar, advance } = setup();
  registrar.handle(register({ contacts: ['<sip:bob@192.0.2.21:5060>'], expires: 600, callId: 'c1' }), AOR, SOURCE, 't');
  advance(100);
  const res = registrar.handle(register({ contacts: ['<sip:bob@192.0.2.22:5060>'], expires: 3600, callId: 'c2' }), AOR, { transport: 'udp', host: '192.0.2.22', port: 5060 }, 't');
  assert.deepEqual(contacts(res).sort(), ['<sip:bob@192.0.2.21:5060>;expires=500', '<sip:bob@192.0.2.22:5060>;expires=3600']);
});

test('remove with Expires: 0, and with the contact expires=0 parameter', () => {
  const { registrar, location } = setup();
  registrar.handle(register({ contacts: ['<sip:bob@192.0.2.21:5060>', '<sip:bob@192.0.2.22:5060>'], cseq: 1 }), AOR, SOURCE, 't');
  assert.equal(location.lookup(AOR).length, 2);
  const r1 = registrar.handle(register({ contacts: ['<sip:bob@192.0.2.21:5060>'], expires: 0, cseq: 2 }), AOR, SOURCE, 't');
  assert.equal(r1.status, 200);
  assert.deepEqual(contacts(r1), ['<sip:bob@192.0.2.22:5060>;expires=3600']);
  const r2 = registrar.handle(register({ contacts: ['<sip:bob@192.0.2.22:5060>;expires=0'], expires: 3600, cseq: 3 }), AOR, SOURCE, 't');
  assert.equal(r2.status, 200);
  assert.deepEqual(contacts(r2), [], 'the expires parameter wins over the header');
  assert.deepEqual(location.lookup(AOR), []);
});

test('Contact: * with Expires: 0 removes every binding; with another Expires it is a 400', () => {
  const { registrar, location } = setup();
  registrar.handle(register({ contacts: ['<sip:bob@192.0.2.21:5060>', '<sip:bob@192.0.2.22:5060>'], callId: 'a', cseq: 5 }), AOR, SOURCE, 't');
  const bad = registrar.handle(register({ contacts: ['*'], expires: 60, callId: 'b' }), AOR, SOURCE, 't');
  assert.equal(bad.status, 400);
  assert.equal(location.lookup(AOR).length, 2);
  const noExpires = registrar.handle(register({ contacts: ['*'], callId: 'b' }), AOR, SOURCE, 't');
  assert.equal(noExpires.status, 400, 'Expires must be present and 0');
  const ok = registrar.handle(register({ contacts: ['*'], expires: 0, callId: 'b' }), AOR, SOURCE, 't');
  assert.equal(ok.status, 200);
  assert.deepEqual(contacts(ok), []);
  assert.deepEqual(location.lookup(AOR), []);
});

test('Contact: * with an out-of-order CSeq on the same Call-ID is rejected', () => {
  const { registrar, location } = setup();
  registrar.handle(register({ callId: 'a', cseq: 5 }), AOR, SOURCE, 't');
  const res = registrar.handle(register({ contacts: ['*'], expires: 0, callId: 'a', cseq: 5 }), AOR, SOURCE, 't');
  assert.equal(res.status, 500);
  assert.equal(location.lookup(AOR).length, 1);
});

test('423 Interval Too Brief with Min-Expires, and nothing stored', () => {
  const { registrar, location } = setup();
  const res = registrar.handle(register({ expires: 30 }), AOR, SOURCE, 't');
  assert.equal(res.status, 423);
  assert.equal(res.get('min-expires'), '60');
  assert.deepEqual(location.lookup(AOR), []);
  const param = registrar.handle(register({ contacts: ['<sip:bob@192.0.2.21:5060>;expires=59'], expires: 3600 }), AOR, SOURCE, 't');
  assert.equal(param.status, 423, 'the expires parameter is checked too');
  assert.equal(registrar.handle(register({ expires: 60 }), AOR, SOURCE, 't').status, 200, 'exactly Min-Expires is fine');
});

test('Call-ID/CSeq ordering: same Call-ID with an equal or lower CSeq is rejected, another Call-ID is accepted', () => {
  const { registrar, location } = setup();
  registrar.handle(register({ callId: 'a', cseq: 10, expires: 600 }), AOR, SOURCE, 't');
  const same = registrar.handle(register({ callId: 'a', cseq: 10, expires: 1200 }), AOR, SOURCE, 't');
  assert.equal(same.status, 500);
  const older = registrar.handle(register({ callId: 'a', cseq: 9, expires: 0 }), AOR, SOURCE, 't');
  assert.equal(older.status, 500);
  assert.equal(location.lookup(AOR)[0].expires, T0 + 600_000, 'the out-of-order requests changed nothing');
  const other = registrar.handle(register({ callId: 'b', cseq: 1, expires: 1200 }), AOR, SOURCE, 't');
  assert.equal(other.status, 200);
  assert.equal(location.lookup(AOR)[0].expires, T0 + 1_200_000);
});

test('an out-of-order REGISTER with several contacts changes none of them (§10.3 step 7: all or nothing)', () => {
  const { registrar, location } = setup();
  registrar.handle(register({ contacts: ['<sip:bob@192.0.2.22:5060>'], callId: 'a', cseq: 10 }), AOR, SOURCE, 't');
  const res = registrar.handle(register({ contacts: ['<sip:bob@192.0.2.21:5060>', '<sip:bob@192.0.2.22:5060>'], callId: 'a', cseq: 9 }), AOR, SOURCE, 't');
  assert.equal(res.status, 500);
  assert.deepEqual(location.lookup(AOR).map((b) => b.contact), ['sip:bob@192.0.2.22:5060'], 'the new contact was not added either');
});

test('q values are stored and echoed; an invalid q is ignored', () => {
  const { registrar, location } = setup();
  const res = registrar.handle(register({ contacts: ['<sip:bob@192.0.2.21:5060>;q=0.5', '<sip:bob@192.0.2.22:5060>;q=1.0', '<sip:bob@192.0.2.23:5060>;q=2'] }), AOR, SOURCE, 't');
  assert.equal(res.status, 200);
  const byContact = new Map(location.lookup(AOR).map((b) => [b.contact, b.q]));
  assert.equal(byContact.get('sip:bob@192.0.2.21:5060'), 0.5);
  assert.equal(byContact.get('sip:bob@192.0.2.22:5060'), 1);
  assert.equal(byContact.get('sip:bob@192.0.2.23:5060'), undefined);
  assert.ok(contacts(res).includes('<sip:bob@192.0.2.21:5060>;expires=3600;q=0.5'));
  assert.equal(location.lookup(AOR)[2].contact, 'sip:bob@192.0.2.21:5060', 'lowest q last');
});

test('several contacts in one REGISTER (one header each, or one comma list)', () => {
  const { registrar, location } = setup();
  registrar.handle(register({ contacts: ['<sip:bob@192.0.2.21:5060>, <sip:bob@192.0.2.22:5060>', '<sip:bob@192.0.2.23:5060>'] }), AOR, SOURCE, 't');
  assert.deepEqual(location.lookup(AOR).map((b) => b.contact).sort(), ['sip:bob@192.0.2.21:5060', 'sip:bob@192.0.2.22:5060', 'sip:bob@192.0.2.23:5060']);
});

test('a REGISTER without Contact is a query: 200 with the current bindings, nothing changed', () => {
  const { registrar, location } = setup();
  registrar.handle(register({ expires: 600 }), AOR, SOURCE, 't');
  const res = registrar.handle(register({ contacts: [], cseq: 2 }), AOR, SOURCE, 't');
  assert.equal(res.status, 200);
  assert.deepEqual(contacts(res), ['<sip:bob@192.0.2.21:5060>;expires=600']);
  assert.equal(location.lookup(AOR).length, 1);
});

test('Path is stored with the binding and echoed in the 200 when Supported: path', () => {
  const { registrar, location } = setup();
  const res = registrar.handle(register({ extra: ['Path: <sip:edge.example.net;lr>', 'Supported: path'] }), AOR, SOURCE, 't');
  assert.equal(res.status, 200);
  assert.equal(res.get('path'), '<sip:edge.example.net;lr>');
  assert.deepEqual(location.lookup(AOR)[0].path, ['<sip:edge.example.net;lr>']);
  const noSupport = registrar.handle(register({ cseq: 2, extra: ['Path: <sip:edge.example.net;lr>'] }), AOR, SOURCE, 't');
  assert.equal(noSupport.has('path'), false, 'no Path echo without Supported: path');
});

test('malformed Expires → 400', () => {
  const { registrar } = setup();
  assert.equal(registrar.handle(register({ expires: 'soon' }), AOR, SOURCE, 't').status, 400);
});
