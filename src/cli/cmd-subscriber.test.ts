// Drives the real `sipd subscriber` and `sipd device` commands (bin/sipd) against a temporary ServerRoot.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ha1 } from '../subscribers/ha1';
import { SqliteSubscriberStore } from '../subscribers/sqlite-subscriber-store';
import { packageRoot } from './paths';

const SIPD = join(packageRoot(), 'bin', 'sipd');
const roots: string[] = [];

interface Run { code: number | null; stdout: string; stderr: string }

function serverRoot(conf = 'Port 15060\nAuthRealm ccmsipline\n'): { root: string; conf: string; db: string } {
  const root = mkdtempSync(join(tmpdir(), 'sipd-prov-'));
  roots.push(root);
  mkdirSync(join(root, 'conf'));
  const file = join(root, 'conf', 'sipd.conf');
  writeFileSync(file, conf);
  return { root, conf: file, db: join(root, 'data', 'subscribers.db') };
}

function sipd(conf: string, args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [SIPD, '-f', conf, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, SIPD_PASSWORD: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

test('subscriber add, show, set, list and remove', () => {
  const s = serverRoot();
  const added = sipd(s.conf, ['subscriber', 'add', 'alice@Example.com', '--password', 'Secret1', '--forward-busy', 'sip:vm@example.com']);
  assert.deepEqual(added, { code: 0, stdout: 'subscriber alice@example.com added\n', stderr: '' });
  // SIPD_PASSWORD keeps the password off the command line.
  assert.equal(sipd(s.conf, ['subscriber', 'add', '1000', '--redirect-privacy', 'on'], { SIPD_PASSWORD: 'fromenv' }).code, 0);

  const show = sipd(s.conf, ['subscriber', 'show', 'alice@example.com']);
  assert.equal(show.code, 0);
  assert.match(show.stdout, /^subscriber: alice$/m);
  assert.match(show.stdout, /^domain: example.com$/m);
  assert.match(show.stdout, /^realm: ccmsipline$/m);
  assert.match(show.stdout, /^digest hashes: MD5, SHA-256$/m);
  assert.match(show.stdout, /^forward busy: sip:vm@example.com$/m);
  assert.match(show.stdout, /^forward unconditional: -$/m);
  const md5 = ha1('MD5', 'alice', 'ccmsipline', 'Secret1');
  assert.ok(!show.stdout.includes(md5) && !show.stdout.includes(md5.slice(0, 8)), 'show never prints the hash');

  const set = sipd(s.conf, ['subscriber', 'set', 'alice@example.com', '--forward-busy', '', '--forward-unavailable', 'tel:+15550100']);
  assert.deepEqual(set, { code: 0, stdout: 'subscriber alice@example.com updated\n', stderr: '' });

  const list = sipd(s.conf, ['subscriber', 'list']);
  assert.equal(list.code, 0);
  assert.deepEqual(list.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/)), [
    ['SUBSCRIBER', 'REALM', 'DIGEST', 'FORWARDING', 'PRIVACY'],
    ['1000', 'ccmsipline', 'MD5,SHA-256', '-', 'on'],
    ['alice@example.com', 'ccmsipline', 'MD5,SHA-256', 'unavailable', 'off'],
  ]);

  // What the commands wrote is what a running server's store reads.
  const store = SqliteSubscriberStore.open(s.db, { realm: 'unused' });
  try {
    assert.deepEqual(store.find('1000', 'any.example')?.credentials, {
      kind: 'ha1',
      realm: 'ccmsipline',
      md5: ha1('MD5', '1000', 'ccmsipline', 'fromenv'),
      sha256: ha1('SHA-256', '1000', 'ccmsipline', 'fromenv'),
    });
    assert.equal(store.find('alice', 'example.com')?.forwardUnavailable, 'tel:+15550100');
    assert.equal(store.find('alice', 'example.com')?.forwardBusy, undefined);
  } finally {
    store.close();
  }

  assert.deepEqual(sipd(s.conf, ['subscriber', 'remove', '1000']), { code: 0, stdout: 'subscriber 1000 removed\n', stderr: '' });
  assert.deepEqual(sipd(s.conf, ['subscriber', 'show', '1000']), { code: 1, stdout: '', stderr: 'sipd: no subscriber 1000\n' });
});

test('subscriber mistakes go to stderr with exit 1, usage mistakes with exit 2', () => {
  const s = serverRoot();
  assert.deepEqual(sipd(s.conf, ['subscriber', 'add', 'bob', '--password', 'p', '--forward-busy', 'mailto:bob@x']), {
    code: 1,
    stdout: '',
    stderr: 'sipd: invalid forward-busy URI "mailto:bob@x": unsupported URI scheme "mailto"\n',
  });
  assert.deepEqual(sipd(s.conf, ['subscriber', 'add', 'b b', '--password', 'p']).stderr, `sipd: invalid user "b b": only letters, digits and -_.!~*'()&=+$,;?/ are allowed\n`);
  const noPassword = sipd(s.conf, ['subscriber', 'add', 'bob']);
  assert.equal(noPassword.code, 2);
  assert.match(noPassword.stderr, /^sipd: subscriber bob needs --password \(or SIPD_PASSWORD\)\nusage: sipd subscriber add/);
  const unknown = sipd(s.conf, ['subscriber', 'add', 'bob', '--pasword', 'p']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^sipd: Unknown option '--pasword'\n/);
  assert.equal(sipd(s.conf, ['subscriber', 'add', 'bob@', '--password', 'p']).stderr, 'sipd: no domain after @ in "bob@"; leave out the @ for any domain\n');
  assert.equal(sipd(s.conf, ['subscriber', 'frobnicate']).code, 2);
  assert.equal(sipd(s.conf, ['subscriber', 'set', 'ghost', '--password', 'p']).stderr, 'sipd: no subscriber ghost\n');
  const broken = serverRoot('Port 15060\nMaxForks 0\n');
  const r = sipd(broken.conf, ['subscriber', 'list']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^${broken.conf}:2: MaxForks`));
  assert.equal(existsSync(s.db), true);
});

test('devices: add, show, list, the one-device-per-digest-user rule, remove', () => {
  const s = serverRoot();
  for (const u of ['alice', 'bob']) assert.equal(sipd(s.conf, ['subscriber', 'add', u, '--password', 'pw']).code, 0);
  const add = sipd(s.conf, ['device', 'add', 'desk-1', '--type', 'advanced', '--digest-user', 'alice', '--line', '1001', '--line', '1002:4:3', '--trusted', '--security', 'authenticated']);
  assert.deepEqual(add, { code: 0, stdout: 'device desk-1 added\n', stderr: '' });
  assert.deepEqual(sipd(s.conf, ['device', 'add', 'desk-2', '--type', 'basic', '--digest-user', 'alice', '--line', '1003']), {
    code: 1,
    stdout: '',
    stderr: 'sipd: digest user alice already belongs to device desk-1; a digest user may have only one device\n',
  });
  assert.equal(sipd(s.conf, ['device', 'add', 'desk-2', '--type', 'basic', '--digest-user', 'bob', '--line', '1002']).stderr, 'sipd: line 1002 is already on device desk-1\n');
  assert.equal(sipd(s.conf, ['device', 'add', 'desk-2', '--type', 'basic', '--digest-user', 'bob', '--line', '1003', '--digest-mode', 'verify']).code, 0);

  const show = sipd(s.conf, ['device', 'show', 'desk-1']);
  assert.equal(show.stdout, [
    'device: desk-1',
    'type: advanced',
    'digest user: alice',
    'line 1: 1001 (max calls 2, busy trigger 2)',
    'line 2: 1002 (max calls 4, busy trigger 3)',
    'security profile: authenticated',
    'digest mode: identify',
    'trusted: yes',
    '',
  ].join('\n'));
  assert.match(sipd(s.conf, ['subscriber', 'show', 'alice']).stdout, /^device: desk-1$/m);
  const list = sipd(s.conf, ['device', 'list']);
  assert.deepEqual(list.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)), [
    ['desk-1', 'advanced', 'alice', '1001:2:2;1002:4:3', 'authenticated', 'identify', 'yes'],
    ['desk-2', 'basic', 'bob', '1003:2:2', 'non-secure', 'verify', 'no'],
  ]);
  assert.equal(sipd(s.conf, ['device', 'set', 'desk-1', '--untrusted', '--line', '1001']).code, 0);
  assert.match(sipd(s.conf, ['device', 'show', 'desk-1']).stdout, /trusted: no\n$/);
  assert.equal(sipd(s.conf, ['subscriber', 'remove', 'alice']).stderr, 'sipd: subscriber alice is the digest user of device desk-1; remove or change the device first\n');
  assert.deepEqual(sipd(s.conf, ['device', 'remove', 'desk-1']), { code: 0, stdout: 'device desk-1 removed\n', stderr: '' });
  assert.equal(sipd(s.conf, ['device', 'show', 'desk-1']).stderr, 'sipd: no device desk-1\n');
  assert.equal(sipd(s.conf, ['device', 'add', 'x', '--type', 'basic', '--digest-user', 'alice', '--line', '1:2:3']).stderr, 'sipd: line 1: busy trigger 3 is above its max calls 2\n');
  assert.equal(sipd(s.conf, ['device', 'add', 'x', '--type', 'phone']).stderr, 'sipd: device type must be basic, advanced; got "phone"\n');
});

test('import and export: all or nothing with FILE:LINE errors, and a round trip to another server', () => {
  const s = serverRoot();
  const bad = join(s.root, 'bad.csv');
  writeFileSync(bad, 'user,domain,password\nann,,pw\nb b,,pw\ncid,bad domain,pw\n');
  const refused = sipd(s.conf, ['subscriber', 'import', bad]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, [
    `${bad}:3: invalid user "b b": only letters, digits and -_.!~*'()&=+$,;?/ are allowed`,
    `${bad}:4: invalid domain "bad domain"`,
    `sipd: 2 problems in ${bad}; nothing was imported`,
    '',
  ].join('\n'));
  assert.equal(sipd(s.conf, ['subscriber', 'list']).stdout, 'no subscribers\n');

  const good = join(s.root, 'subscribers.csv');
  writeFileSync(good, 'user,domain,password,forward_no_answer\r\nann,,pw1,sip:ann-vm@example.com\r\n"ben",b.example,"p,w2",\r\n');
  assert.deepEqual(sipd(s.conf, ['subscriber', 'import', good]), {
    code: 0,
    stdout: `imported 2 subscribers from ${good}: 2 added, 0 updated\n`,
    stderr: '',
  });
  const devices = join(s.root, 'devices.csv');
  writeFileSync(devices, 'name,type,digest_user,lines\nphone-1,advanced,ann,2001;2002:1:1\nphone-2,basic,ben,2003\n');
  assert.equal(sipd(s.conf, ['device', 'import', devices]).stdout, `imported 2 devices from ${devices}: 2 added, 0 updated\n`);
  assert.equal(sipd(s.conf, ['device', 'import', join(s.root, 'missing.csv')]).code, 1);

  const subscribersOut = sipd(s.conf, ['subscriber', 'export']).stdout;
  assert.ok(!subscribersOut.includes('pw1') && !subscribersOut.includes('p,w2'), 'export never writes passwords');
  assert.ok(subscribersOut.includes(ha1('SHA-256', 'ben', 'ccmsipline', 'p,w2')));
  const exported = join(s.root, 'export-devices.csv');
  assert.deepEqual(sipd(s.conf, ['device', 'export', exported]), { code: 0, stdout: `exported 2 devices to ${exported}\n`, stderr: '' });
  assert.equal(readFileSync(exported, 'utf8'), [
    'name,type,digest_user,lines,trusted,security_profile,digest_mode',
    'phone-1,advanced,ann,2001:2:2;2002:1:1,off,non-secure,identify',
    'phone-2,basic,ben,2003:2:2,off,non-secure,identify',
    '',
  ].join('\r\n'));

  // Another server with another realm takes the export as it is: the hashes keep their realm.
  const other = serverRoot('Port 15062\nProxyDomain other.example\n');
  const subscribersFile = join(other.root, 'subscribers.csv');
  writeFileSync(subscribersFile, subscribersOut);
  assert.equal(sipd(other.conf, ['subscriber', 'import', subscribersFile]).code, 0);
  assert.equal(sipd(other.conf, ['device', 'import', exported]).code, 0);
  assert.equal(sipd(other.conf, ['subscriber', 'export']).stdout, subscribersOut);
  assert.equal(sipd(other.conf, ['device', 'export']).stdout, readFileSync(exported, 'utf8'));
  // A second import of the same file updates rather than duplicates.
  assert.equal(sipd(other.conf, ['subscriber', 'import', subscribersFile]).stdout, `imported 2 subscribers from ${subscribersFile}: 0 added, 2 updated\n`);
  // A password imported there is hashed for that server's realm (ProxyDomain when AuthRealm is unset).
  const more = join(other.root, 'more.csv');
  writeFileSync(more, 'user,password\ncarl,pw3\n');
  assert.equal(sipd(other.conf, ['subscriber', 'import', more]).code, 0);
  assert.match(sipd(other.conf, ['subscriber', 'show', 'carl']).stdout, /^realm: other.example$/m);
});
