import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDeviceCsv, writeDeviceCsv } from './device-csv';
import { ProvisioningError } from './errors';
import { ha1 } from './ha1';
import { SqliteSubscriberStore, subscriberDbPath, type DeviceChange, type SubscriberChange } from './sqlite-subscriber-store';
import { readSubscriberCsv, writeSubscriberCsv } from './subscriber-csv';

const REALM = 'example.com';
let dir: string;
let store: SqliteSubscriberStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipd-subscribers-'));
  store = open();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(realm = REALM): SqliteSubscriberStore {
  return SqliteSubscriberStore.open(subscriberDbPath(dir), { realm, now: () => 1_700_000_000_000 });
}

function add(user: string, domain = '', extra: Partial<SubscriberChange> = {}): void {
  store.putSubscriber({ user, domain, password: `${user}-pw`, ...extra }, 'add');
}

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof ProvisioningError && message.test(err.message));
}

function device(name: string, digestUser: string, lines: string[], extra: Partial<DeviceChange> = {}): DeviceChange {
  return { name, type: 'advanced', digestUser, lines: lines.map((number) => ({ number })), ...extra };
}

test('a password is stored only as MD5 and SHA-256 HA1 for the configured realm', () => {
  add('alice', 'Example.COM', { forwardBusy: 'sip:vm@example.com', redirectPrivacy: true });
  const s = store.find('alice', 'example.com');
  assert.deepEqual(s?.credentials, {
    kind: 'ha1',
    realm: REALM,
    md5: ha1('MD5', 'alice', REALM, 'alice-pw'),
    sha256: ha1('SHA-256', 'alice', REALM, 'alice-pw'),
  });
  assert.equal(s?.forwardBusy, 'sip:vm@example.com');
  assert.equal(s?.forwardUnconditional, undefined);
  assert.equal(s?.redirectPrivacy, true);
  assert.equal(s?.domain, 'example.com');
  // The password appears nowhere in the files: the WAL while open, the database once checkpointed on close.
  assert.ok(!readFileSync(join(dir, 'data', 'subscribers.db-wal')).includes('alice-pw'));
  store.close();
  assert.ok(!readFileSync(join(dir, 'data', 'subscribers.db')).includes('alice-pw'));
  assert.ok(readFileSync(join(dir, 'data', 'subscribers.db')).includes(ha1('MD5', 'alice', REALM, 'alice-pw')));
  store = open();
});

test('find tries user@domain, then the user provisioned for any domain', () => {
  add('bob', '');
  add('bob', 'b.example', { password: 'other' });
  assert.equal(store.find('bob', 'b.example')?.domain, 'b.example');
  assert.equal(store.find('bob', 'B.EXAMPLE')?.domain, 'b.example');
  assert.equal(store.find('bob', 'c.example')?.domain, '');
  assert.equal(store.find('carol', 'b.example'), undefined);
  add('dave', 'd.example');
  assert.equal(store.find('dave', 'other.example'), undefined);
});

test('a second store on the same file sees every change at once', () => {
  const reader = open();
  try {
    assert.equal(reader.find('erin', 'x.example'), undefined);
    add('erin');
    assert.equal(reader.find('erin', 'x.example')?.user, 'erin');
    store.putSubscriber({ user: 'erin', domain: '', forwardNoAnswer: 'tel:+15551234' }, 'set');
    assert.equal(reader.find('erin', 'x.example')?.forwardNoAnswer, 'tel:+15551234');
    store.putDevice(device('desk', 'erin', ['2001']), 'add');
    assert.equal(reader.byLine('2001')?.name, 'desk');
    store.removeDevice('desk');
    store.removeSubscriber('erin', '');
    assert.equal(reader.find('erin', 'x.example'), undefined);
    assert.equal(reader.byLine('2001'), undefined);
  } finally {
    reader.close();
  }
});

test('a caching reader (the running server) keeps its answers until another process commits a change', () => {
  let t = 0;
  const reader = SqliteSubscriberStore.open(subscriberDbPath(dir), { realm: REALM, now: () => t, cacheMs: 250 });
  try {
    assert.equal(reader.find('gina', ''), undefined);
    add('gina');
    assert.equal(reader.find('gina', ''), undefined, 'the absent answer is reused until the next check');
    t = 250;
    assert.equal(reader.find('gina', '')?.user, 'gina', 'the change is noticed at the next check');
    store.removeSubscriber('gina', '');
    t = 500;
    assert.equal(reader.find('gina', ''), undefined);
  } finally {
    reader.close();
  }
});

test('set keeps what it is not told to change; null clears a forwarding target', () => {
  add('frank', '', { forwardBusy: 'sip:a@example.com', forwardUnavailable: 'sip:b@example.com' });
  const before = store.getSubscriber('frank', '')!;
  store.putSubscriber({ user: 'frank', domain: '', forwardBusy: null, redirectPrivacy: true }, 'set');
  const after = store.getSubscriber('frank', '')!;
  assert.equal(after.forwardBusy, undefined);
  assert.equal(after.forwardUnavailable, 'sip:b@example.com');
  assert.equal(after.redirectPrivacy, true);
  assert.deepEqual(after.credentials, before.credentials);
  store.putSubscriber({ user: 'frank', domain: '', password: 'new' }, 'set');
  assert.equal(store.getSubscriber('frank', '')!.credentials.md5, ha1('MD5', 'frank', REALM, 'new'));
});

test('subscriber validation: syntax, URIs, hashes, add versus set', () => {
  refused(() => add('bad user'), /invalid user "bad user"/);
  refused(() => add('a@b'), /invalid user/);
  refused(() => add(''), /user is empty/);
  refused(() => add('x'.repeat(129)), /longer than 128/);
  refused(() => add('ok', 'bad domain'), /invalid domain "bad domain"/);
  refused(() => add('ok', '-x.example'), /invalid domain/);
  refused(() => add('ok', '[::1'), /invalid domain/);
  refused(() => add('ok', '', { forwardBusy: 'http://x.example' }), /invalid forward-busy URI "http:\/\/x.example": unsupported URI scheme/);
  refused(() => add('ok', '', { forwardUnconditional: 'not a uri' }), /invalid forward-unconditional URI/);
  refused(() => add('ok', '', { forwardNoAnswer: 'sip:a@b c' }), /invalid forward-no-answer URI/);
  refused(() => add('ok', '', { password: '' }), /password is empty/);
  refused(() => store.putSubscriber({ user: 'ok', domain: '' }, 'add'), /needs a password or HA1 hashes/);
  refused(() => add('ok', '', { ha1: { realm: REALM, md5: 'a'.repeat(32) } }), /either a password or HA1 hashes/);
  refused(() => store.putSubscriber({ user: 'ok', domain: '', ha1: { realm: REALM, md5: 'xyz' } }, 'add'), /invalid MD5 HA1/);
  refused(() => store.putSubscriber({ user: 'ok', domain: '', ha1: { realm: REALM, sha256: 'a'.repeat(32) } }, 'add'), /invalid SHA-256 HA1/);
  refused(() => store.putSubscriber({ user: 'ok', domain: '', ha1: { realm: '', md5: 'a'.repeat(32) } }, 'add'), /need their realm/);
  assert.equal(store.listSubscribers().length, 0);

  add('ok', '[2001:DB8::1]', { forwardUnconditional: 'sips:x@example.com;transport=tls' });
  assert.equal(store.getSubscriber('ok', '[2001:db8::1]')?.forwardUnconditional, 'sips:x@example.com;transport=tls');
  refused(() => add('ok', '[2001:db8::1]'), /subscriber ok@\[2001:db8::1\] already exists/);
  refused(() => store.putSubscriber({ user: 'ghost', domain: '', password: 'p' }, 'set'), /no subscriber ghost/);
  refused(() => store.removeSubscriber('ghost', 'x.example'), /no subscriber ghost@x.example/);
  store.putSubscriber({ user: 'h', domain: '', ha1: { realm: 'other', md5: 'A'.repeat(32) } }, 'add');
  assert.deepEqual(store.getSubscriber('h', '')?.credentials, { kind: 'ha1', realm: 'other', md5: 'a'.repeat(32), sha256: undefined });
});

test('device lines: defaults and limits per type', () => {
  add('u1');
  store.putDevice({ name: 'p1', type: 'basic', digestUser: 'u1', lines: [{ number: '1001' }] }, 'add');
  assert.deepEqual(store.byDigestUser('u1'), {
    name: 'p1',
    type: 'basic',
    digestUser: 'u1',
    lines: [{ number: '1001', maxCalls: 2, busyTrigger: 2 }],
    trusted: false,
    securityProfile: 'non-secure',
    digestMode: 'identify',
  });
  const put = (lines: { number: string; maxCalls?: number; busyTrigger?: number }[], type: 'basic' | 'advanced' = 'advanced') =>
    store.putDevice({ name: 'p1', type, lines }, 'set');
  refused(() => put([{ number: '1001' }, { number: '1002' }], 'basic'), /a basic device has exactly 1 line, got 2/);
  refused(() => put([], 'basic'), /at least one line/);
  refused(() => put([{ number: '1001', maxCalls: 3 }], 'basic'), /allow 3 calls in all; a basic device allows at most 2/);
  refused(() => put(Array.from({ length: 9 }, (_, i) => ({ number: `20${i}`, maxCalls: 1 }))), /at most 8 lines, got 9/);
  // CUCM-12's example: 6 lines of 4 calls is 24 > 16.
  refused(() => put(Array.from({ length: 6 }, (_, i) => ({ number: `20${i}`, maxCalls: 4 }))), /allow 24 calls in all; a advanced device allows at most 16/);
  refused(() => put([{ number: '1001', maxCalls: 2, busyTrigger: 3 }]), /busy trigger 3 is above its max calls 2/);
  refused(() => put([{ number: '1001', maxCalls: 0 }]), /max calls must be a whole number/);
  refused(() => put([{ number: '1001' }, { number: '1001' }]), /line 1001 is listed twice/);
  refused(() => put([{ number: '10;01' }]), /invalid line number "10;01"/);
  put(Array.from({ length: 8 }, (_, i) => ({ number: `20${i}`, maxCalls: 2 })));
  assert.equal(store.byDigestUser('u1')?.lines.length, 8);
  put([{ number: '3001', maxCalls: 1 }]);
  // Only maxCalls given: the busy trigger cannot exceed it.
  assert.deepEqual(store.getDevice('p1')?.lines, [{ number: '3001', maxCalls: 1, busyTrigger: 1 }]);
  assert.equal(store.byLine('2000'), undefined);
});

test('one device per digest user, one device per line, and the digest user must be a subscriber', () => {
  add('alice');
  add('bob', 'b.example');
  store.putDevice(device('desk-1', 'alice', ['1001', '1002']), 'add');
  refused(() => store.putDevice(device('desk-2', 'alice', ['1003']), 'add'), /digest user alice already belongs to device desk-1/);
  refused(() => store.putDevice(device('desk-2', 'bob', ['1002']), 'add'), /line 1002 is already on device desk-1/);
  refused(() => store.putDevice(device('desk-2', 'nobody', ['1003']), 'add'), /digest user nobody is not a subscriber/);
  refused(() => store.putDevice(device('desk 2', 'bob', ['1003']), 'add'), /invalid device name "desk 2"/);
  refused(() => store.putDevice({ name: 'desk-2', digestUser: 'bob', lines: [{ number: '1003' }] }, 'add'), /needs a type/);
  refused(() => store.putDevice(device('desk-1', 'alice', ['1001']), 'add'), /device desk-1 already exists/);
  refused(() => store.putDevice({ name: 'nope', trusted: true }, 'set'), /no device nope/);
  assert.equal(store.getDevice('desk-2'), undefined);

  // A device may keep its own digest user and lines when it is changed.
  store.putDevice({ name: 'desk-1', lines: [{ number: '1002' }, { number: '1001' }], trusted: true, digestMode: 'verify' }, 'set');
  const d = store.byLine('1001')!;
  assert.deepEqual(d.lines.map((l) => l.number), ['1002', '1001']);
  assert.equal(d.trusted, true);
  assert.equal(d.digestMode, 'verify');
  assert.equal(d.securityProfile, 'non-secure');

  refused(() => store.removeSubscriber('alice', ''), /alice is the digest user of device desk-1/);
  store.putDevice(device('desk-2', 'bob', ['1003']), 'add');
  assert.deepEqual(store.listDevices().map((x) => x.name), ['desk-1', 'desk-2']);
  store.removeDevice('desk-1');
  refused(() => store.removeDevice('desk-1'), /no device desk-1/);
  store.removeSubscriber('alice', '');
  // Lines of a removed device are free again.
  store.putDevice({ name: 'desk-2', lines: [{ number: '1001' }] }, 'set');
  assert.equal(store.byLine('1001')?.name, 'desk-2');
});

test('subscriber import is all or nothing and names every bad line', () => {
  add('keep');
  const csv = [
    'user,domain,password,forward_busy,redirect_privacy',
    'ann,,pw1,sip:vm@example.com,on',
    'bad user,,pw,,off',
    'ben,example.com,pw2,http://nope,off',
    'cid,,,,',
    'ann,,pw3,,off',
    'dan,,pw4,,maybe',
    'eve,,"pw5",,off,extra',
    'fay,,pw"6,,off',
  ].join('\n');
  const result = store.importSubscribers(readSubscriberCsv(csv));
  assert.deepEqual(result.problems, [
    { line: 3, reason: `invalid user "bad user": only letters, digits and -_.!~*'()&=+$,;?/ are allowed` },
    { line: 4, reason: 'invalid forward-busy URI "http://nope": unsupported URI scheme "http"' },
    { line: 5, reason: 'subscriber cid needs a password or HA1 hashes' },
    { line: 6, reason: 'subscriber ann is already on line 2' },
    { line: 7, reason: 'redirect_privacy must be on or off, got "maybe"' },
    { line: 8, reason: 'expected 5 fields as in the header, got 6' },
    { line: 9, reason: 'CSV syntax: a quote inside an unquoted field' },
  ]);
  assert.equal(result.added, 0);
  assert.deepEqual(store.listSubscribers().map((s) => s.user), ['keep']);
  assert.equal(store.find('ann', 'x'), undefined);
});

test('import header problems and an empty file are reported on their line', () => {
  assert.deepEqual(readSubscriberCsv(''), [{ line: 1, reason: 'the file is empty: expected a header row naming the columns' }]);
  assert.deepEqual(readSubscriberCsv('\n\nuser,colour\nann,red\n'), [
    { line: 3, reason: 'unknown column colour; the columns are user, domain, realm, ha1_md5, ha1_sha256, forward_unconditional, forward_busy, forward_no_answer, forward_unavailable, redirect_privacy, password' },
  ]);
  assert.deepEqual(readSubscriberCsv('domain,password\n'), [{ line: 1, reason: 'missing column user' }]);
  assert.deepEqual(readDeviceCsv('name,name\n'), [{ line: 1, reason: 'column name appears twice' }]);
});

test('import updates existing subscribers; absent columns keep their values, empty ones clear them', () => {
  add('gus', '', { forwardBusy: 'sip:b@example.com', forwardUnavailable: 'sip:u@example.com', redirectPrivacy: true });
  const md5 = store.getSubscriber('gus', '')!.credentials.md5;
  const result = store.importSubscribers(readSubscriberCsv('user,forward_busy\r\ngus,\r\nhal,sip:h@example.com\r\n'));
  assert.deepEqual(result.problems, [{ line: 3, reason: 'subscriber hal needs a password or HA1 hashes' }]);
  const ok = store.importSubscribers(readSubscriberCsv('user,forward_busy,password\r\ngus,,\r\nhal,sip:h@example.com,pw\r\n'));
  assert.deepEqual(ok, { added: 1, updated: 1, problems: [] });
  const gus = store.getSubscriber('gus', '')!;
  assert.equal(gus.forwardBusy, undefined);
  assert.equal(gus.forwardUnavailable, 'sip:u@example.com');
  assert.equal(gus.redirectPrivacy, true);
  assert.equal(gus.credentials.md5, md5);
});

test('export and import round trip: hashes, never passwords; devices with their lines', () => {
  add('ivy', '', { forwardUnconditional: 'sip:ivy@example.com;user=phone', redirectPrivacy: true });
  add('jon', 'j.example', { forwardNoAnswer: 'tel:+15550100' });
  add("o'k,quoted");
  store.putDevice(device('phone-a', 'ivy', ['4001', '4002'], { trusted: true, securityProfile: 'encrypted' }), 'add');
  store.putDevice({ name: 'phone-b', type: 'basic', digestUser: 'jon', lines: [{ number: '4003', maxCalls: 1 }], digestMode: 'verify' }, 'add');
  const subscribersCsv = writeSubscriberCsv(store.listSubscribers());
  const devicesCsv = writeDeviceCsv(store.listDevices());
  assert.ok(!subscribersCsv.includes('ivy-pw'));
  assert.match(subscribersCsv, /^user,domain,realm,ha1_md5,ha1_sha256,/);
  assert.match(subscribersCsv, /\r\n"o'k,quoted",,example.com,/);
  assert.match(devicesCsv, /\r\nphone-a,advanced,ivy,4001:2:2;4002:2:2,on,encrypted,identify\r\n/);

  const copy = SqliteSubscriberStore.open(join(dir, 'copy.db'), { realm: 'another-realm' });
  try {
    assert.deepEqual(copy.importSubscribers(readSubscriberCsv(subscribersCsv)), { added: 3, updated: 0, problems: [] });
    assert.deepEqual(copy.importDevices(readDeviceCsv(devicesCsv)), { added: 2, updated: 0, problems: [] });
    const strip = <T extends { createdMs: number; updatedMs: number }>(s: T) => ({ ...s, createdMs: 0, updatedMs: 0 });
    assert.deepEqual(copy.listSubscribers().map(strip), store.listSubscribers().map(strip));
    assert.deepEqual(copy.listDevices(), store.listDevices());
    // The hashes keep their own realm, not the importing store's.
    assert.deepEqual(copy.find('ivy', 'x')?.credentials, { kind: 'ha1', realm: REALM, md5: ha1('MD5', 'ivy', REALM, 'ivy-pw'), sha256: ha1('SHA-256', 'ivy', REALM, 'ivy-pw') });
  } finally {
    copy.close();
  }
});

test('device import is all or nothing, checks rows against each other and names the line', () => {
  add('k1');
  add('k2');
  const csv = [
    'name,type,digest_user,lines,trusted,security_profile,digest_mode',
    'ok-1,basic,k1,5001,,,',
    'dup-user,basic,k1,5002,,,',
    'dup-line,basic,k2,5001,,,',
    'bad-type,phone,k2,5003,,,',
    'bad-lines,advanced,k2,5004:x,,,',
    'too-many,basic,k2,5005;5006,,,',
    'ghost,basic,nobody,5007,,,',
    'bad-sec,basic,k2,5008,,tls,',
    'no-user,basic,,5009,,,',
  ].join('\n');
  const result = store.importDevices(readDeviceCsv(csv));
  assert.deepEqual(result.problems, [
    { line: 3, reason: 'digest user k1 already belongs to device ok-1; a digest user may have only one device' },
    { line: 4, reason: 'line 5001 is already on device ok-1' },
    { line: 5, reason: 'device type must be basic, advanced; got "phone"' },
    { line: 6, reason: 'max calls of line 5004 must be a whole number of at least 1, got "x"' },
    { line: 7, reason: 'a basic device has exactly 1 line, got 2' },
    { line: 8, reason: 'digest user nobody is not a subscriber; add it first' },
    { line: 9, reason: 'security profile must be non-secure, authenticated, encrypted; got "tls"' },
    { line: 10, reason: 'device no-user needs a digest user' },
  ]);
  assert.deepEqual(store.listDevices(), []);
  assert.equal(store.byDigestUser('k1'), undefined);
});

test('import of 100,000 subscribers runs in one transaction', () => {
  const rows = ['user,domain,password'];
  for (let i = 0; i < 100_000; i++) rows.push(`u${i},bulk.example,pw${i}`);
  const started = process.hrtime.bigint();
  const result = store.importSubscribers(readSubscriberCsv(rows.join('\n')));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.deepEqual(result, { added: 100_000, updated: 0, problems: [] });
  assert.equal(store.find('u99999', 'bulk.example')?.credentials.kind, 'ha1');

  const lookups = 100_000;
  const cpu = process.cpuUsage();
  for (let i = 0; i < lookups; i++) store.find(`u${i}`, 'bulk.example');
  const used = process.cpuUsage(cpu);
  // Informational only (no timing asserts): the figures for the report.
  console.log(`# import of 100,000 subscribers: ${Math.round(ms)} ms; find(): ${((used.user + used.system) / lookups).toFixed(2)} µs of CPU each`);
});
