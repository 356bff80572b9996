// Drives the real `sipd regroute` command (bin/sipd) against a temporary ServerRoot.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RouteService, routeDbPath } from '../routing';
import { LocationService } from '../registrar/location';
import { SqliteRegistryStore } from '../store/sqlite-registry-store';
import { packageRoot } from './paths';

const SIPD = join(packageRoot(), 'bin', 'sipd');
const roots: string[] = [];

interface Run { code: number | null; stdout: string; stderr: string }

function serverRoot(): { root: string; conf: string } {
  const root = mkdtempSync(join(tmpdir(), 'sipd-regroute-'));
  roots.push(root);
  mkdirSync(join(root, 'conf'));
  const conf = join(root, 'conf', 'sipd.conf');
  writeFileSync(conf, 'Port 15060\n');
  return { root, conf };
}

function sipd(conf: string, args: string[]): Run {
  const r = spawnSync(process.execPath, [SIPD, '-f', conf, 'regroute', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function words(text: string): string[][] {
  return text.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
}

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

test('regroute add, list, delete; a running server reads what the command wrote', () => {
  const s = serverRoot();
  const service = RouteService.open(routeDbPath(s.root), { lessSpecificSearch: true, reloadCheckMs: 0 });
  try {
    assert.deepEqual(sipd(s.conf, ['add', '+1408*', '--next-hop', 'GW1.example.com', '--priority', '1', '--label', '408 area']), {
      code: 0,
      stdout: 'phone route +1408* via gw1.example.com added\n',
      stderr: '',
    });
    assert.equal(sipd(s.conf, ['add', '+1408*', '--next-hop', '192.0.2.2', '--port', '5060', '--transport', 'tcp']).code, 0);
    assert.equal(sipd(s.conf, ['add', '+1900*', '--block', 'on']).stdout, 'phone route +1900* added\n');
    assert.equal(
      sipd(s.conf, ['add', '5...', '--next-hop', 'fxs', '--tech-prefix-action', 'include', '--tech-prefix', '001#', '--allow-less-specific', 'off', '--in-service', 'off']).code,
      0,
    );
    assert.equal(sipd(s.conf, ['add', '.Example.com', '--next-hop', 'proxy']).stdout, 'domain route .example.com via proxy added\n');
    assert.equal(sipd(s.conf, ['add', '+1408*', '--next-hop', 'gw1.example.com', '--priority', '2']).stdout, 'phone route +1408* via gw1.example.com updated\n');

    const list = sipd(s.conf, ['list', '--routes']);
    assert.equal(list.code, 0);
    assert.deepEqual(words(list.stdout), [
      ['PATTERN', 'TYPE', 'NEXT-HOP', 'PORT', 'TRANSPORT', 'PRIORITY', 'WEIGHT', 'TECH-PREFIX', 'LESS-SPECIFIC', 'BLOCK', 'IN-SERVICE', 'LABEL'],
      ['+1408*', 'phone', '192.0.2.2', '5060', 'tcp', '0', '1', '-', 'on', 'off', 'on', '-'],
      // The second add replaced the route as a whole: its label is gone.
      ['+1408*', 'phone', 'gw1.example.com', 'srv', 'any', '2', '1', '-', 'on', 'off', 'on', '-'],
      ['+1900*', 'phone', '-', 'srv', 'any', '0', '1', '-', 'on', 'on', 'on', '-'],
      ['5...', 'phone', 'fxs', 'srv', 'any', '0', '1', 'include:001#', 'off', 'off', 'off', '-'],
      ['.example.com', 'domain', 'proxy', 'srv', 'any', '0', '1', '-', 'on', 'off', 'on', '-'],
    ]);

    assert.equal(service.reloadIfChanged(), true);
    assert.deepEqual(service.lookupNumber('+14085550100').levels.map((l) => l.map((r) => r.nextHop)), [['192.0.2.2', 'gw1.example.com']]);
    assert.equal(service.lookupNumber('+19005550100').blocked?.pattern, '+1900*');
    assert.deepEqual(service.lookupHost('www.example.com').levels.map((l) => l.map((r) => r.nextHop)), [['proxy']]);

    assert.deepEqual(sipd(s.conf, ['delete', '+1408*', '--next-hop', '192.0.2.2']), {
      code: 0,
      stdout: 'phone route +1408* via 192.0.2.2:5060 deleted\n',
      stderr: '',
    });
    assert.deepEqual(sipd(s.conf, ['delete', 'EXAMPLE.com', '--type', 'domain']), { code: 1, stdout: '', stderr: 'sipd: no domain route example.com\n' });
    assert.equal(sipd(s.conf, ['delete', '.example.com']).stdout, 'domain route .example.com via proxy deleted\n');
    assert.equal(service.reloadIfChanged(), true);
    assert.deepEqual(service.lookupNumber('+14085550100').levels.map((l) => l.map((r) => r.nextHop)), [['gw1.example.com']]);
    assert.deepEqual(service.lookupHost('www.example.com').levels, []);
  } finally {
    service.close();
  }
});

test('regroute: two trunks of one host on different ports are two routes; delete --port takes one, without --port all', () => {
  const s = serverRoot();
  const service = RouteService.open(routeDbPath(s.root), { lessSpecificSearch: false, reloadCheckMs: 0 });
  try {
    assert.equal(sipd(s.conf, ['add', '5552*', '--next-hop', '127.0.0.1', '--port', '4001', '--priority', '1']).stdout, 'phone route 5552* via 127.0.0.1:4001 added\n');
    assert.equal(sipd(s.conf, ['add', '5552*', '--next-hop', '127.0.0.1', '--port', '4002', '--priority', '2']).stdout, 'phone route 5552* via 127.0.0.1:4002 added\n');
    assert.equal(sipd(s.conf, ['add', '5552*', '--next-hop', '127.0.0.1', '--port', '4001', '--priority', '3']).stdout, 'phone route 5552* via 127.0.0.1:4001 updated\n');
    assert.equal(sipd(s.conf, ['add', '5552*', '--next-hop', '127.0.0.1', '--port', '4003', '--priority', '4']).stdout, 'phone route 5552* via 127.0.0.1:4003 added\n');
    assert.deepEqual(words(sipd(s.conf, ['list', '--routes']).stdout).slice(1).map((r) => r.slice(2, 6)), [
      ['127.0.0.1', '4001', 'any', '3'],
      ['127.0.0.1', '4002', 'any', '2'],
      ['127.0.0.1', '4003', 'any', '4'],
    ]);
    assert.equal(service.reloadIfChanged(), true);
    assert.deepEqual(service.lookupNumber('5552000').levels.map((l) => l.map((r) => r.port)), [[4002, 4001, 4003]]);

    assert.deepEqual(sipd(s.conf, ['delete', '5552*', '--next-hop', '127.0.0.1', '--port', '4002']), {
      code: 0,
      stdout: 'phone route 5552* via 127.0.0.1:4002 deleted\n',
      stderr: '',
    });
    assert.equal(sipd(s.conf, ['delete', '5552*', '--next-hop', '127.0.0.1', '--port', '4002']).stderr, 'sipd: no phone route 5552* via 127.0.0.1:4002\n');
    assert.equal(sipd(s.conf, ['delete', '5552*', '--next-hop', '127.0.0.1', '--port', '0']).stderr, 'sipd: no phone route 5552* via 127.0.0.1\n');
    const rest = sipd(s.conf, ['delete', '5552*', '--next-hop', '127.0.0.1']);
    assert.equal(rest.stdout, 'phone route 5552* via 127.0.0.1:4001 deleted\nphone route 5552* via 127.0.0.1:4003 deleted\n');
    assert.equal(sipd(s.conf, ['delete', '5552*', '--next-hop', '127.0.0.1']).stderr, 'sipd: no phone route 5552* via 127.0.0.1 on any port\n');
    assert.equal(service.reloadIfChanged(), true);
    assert.deepEqual(service.lookupNumber('5552000').levels, []);

    const portAlone = sipd(s.conf, ['delete', '5552*', '--port', '4001']);
    assert.equal(portAlone.code, 2);
    assert.match(portAlone.stderr, /^sipd: --port needs --next-hop\n/);
  } finally {
    service.close();
  }
});

test('regroute refuses bad values (exit 1) and wrong command lines (exit 2)', () => {
  const s = serverRoot();
  const range = sipd(s.conf, ['add', '21091878[1-8]', '--next-hop', 'gw']);
  assert.equal(range.code, 1);
  assert.match(range.stderr, /ranges are not supported/);
  assert.equal(sipd(s.conf, ['add', '5...']).stderr, 'sipd: route 5... needs a next hop (only a blocking route may leave it out)\n');
  assert.match(sipd(s.conf, ['add', '5...', '--next-hop', 'gw', '--weight', '70000']).stderr, /--weight must be a whole number from 0 to 65535/);
  assert.match(sipd(s.conf, ['add', '5...', '--next-hop', 'gw', '--transport', 'sctp']).stderr, /--transport must be one of udp, tcp, tls, any/);
  assert.equal(sipd(s.conf, ['delete', '6...']).stderr, 'sipd: no phone route 6...\n');
  for (const args of [[], ['frobnicate'], ['add'], ['add', '5...', '--colour', 'red'], ['list', '--routes', '--registry'], ['purge', 'now']]) {
    const r = sipd(s.conf, args);
    assert.equal(r.code, 2, `regroute ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /usage: sipd regroute list/);
  }
  assert.deepEqual(words(sipd(s.conf, ['list', '--routes']).stdout), [['no routes']]);
});

test('regroute import: all or nothing with FILE:LINE errors; export and import on another server', () => {
  const s = serverRoot();
  const bad = join(s.root, 'bad.csv');
  writeFileSync(bad, 'pattern,next_hop,port\n5...,gw,0\n6.[0-9],gw,0\n7...,gw,99999\n');
  const refused = sipd(s.conf, ['import', bad]);
  assert.equal(refused.code, 1);
  assert.deepEqual(refused.stderr.trimEnd().split('\n'), [
    `${bad}:3: invalid destination pattern "6.[0-9]": "[" is not allowed; use digits, # + . * and \\* (ranges are not supported: add one route per value, or use . for any digit)`,
    `${bad}:4: port must be a whole number from 0 to 65535, got "99999"`,
    `sipd: 2 problems in ${bad}; nothing was imported`,
  ]);
  assert.equal(sipd(s.conf, ['list', '--routes']).stdout, 'no routes\n');

  const good = join(s.root, 'good.csv');
  writeFileSync(good, 'pattern,next_hop,priority,label\n5...,gw,1,"fxs, floor 2"\n*.example.com,proxy,0,\n');
  assert.deepEqual(sipd(s.conf, ['import', good]), { code: 0, stdout: `imported 2 routes from ${good}: 2 added, 0 updated\n`, stderr: '' });
  assert.equal(sipd(s.conf, ['import', good]).stdout, `imported 2 routes from ${good}: 0 added, 2 updated\n`);

  const exported = join(s.root, 'routes.csv');
  assert.equal(sipd(s.conf, ['export', exported]).stdout, `exported 2 routes to ${exported}\n`);
  const csv = readFileSync(exported, 'utf8');
  assert.equal(sipd(s.conf, ['export']).stdout, csv);
  assert.match(csv, /^5\.\.\.,phone,gw,0,any,1,1,none,,on,off,on,"fxs, floor 2"\r$/m);

  const other = serverRoot();
  writeFileSync(join(other.root, 'extra.csv'), 'pattern,next_hop\n9*,old\n');
  assert.equal(sipd(other.conf, ['import', join(other.root, 'extra.csv')]).code, 0);
  assert.equal(sipd(other.conf, ['import', exported, '--replace']).stdout, `imported 2 routes from ${exported}: 2 added, 0 updated\n`);
  assert.equal(sipd(other.conf, ['export']).stdout, csv);
  assert.equal(sipd(other.conf, ['import', join(other.root, 'missing.csv')]).code, 1);
});

test('regroute list --registry shows the registry file; purge removes expired dynamic registrations only', () => {
  const s = serverRoot();
  assert.equal(sipd(s.conf, ['list', '--registry']).stdout, 'no registrations\n');
  assert.equal(sipd(s.conf, ['purge']).stdout, `purged 0 expired registrations from ${join(s.root, 'data', 'registry.db')}\n`);

  const hourAgo = Date.now() - 3_600_000;
  mkdirSync(join(s.root, 'data'), { recursive: true });
  const registry = SqliteRegistryStore.open(join(s.root, 'data', 'registry.db'), { maxAgeOnBootSec: 86_400 }, () => hourAgo);
  const binding = (aor: string, expires: number, extra = {}) => ({ aor, contact: `sip:${aor}`, contactKey: `sip:${aor}`, expires, callId: 'c', cseq: 1, ...extra });
  registry.put(binding('gone@example.com', hourAgo + 1000));
  registry.put(binding('alice@example.com', Date.now() + 3_600_000));
  registry.put(binding('5000@example.com', Infinity, { static: true }));
  registry.close();

  const list = sipd(s.conf, ['list', '--registry']);
  assert.equal(list.code, 0);
  const rows = words(list.stdout);
  assert.deepEqual(rows.map((r) => r.slice(0, 2)), [
    ['AOR', 'CONTACT'],
    ['5000@example.com', 'sip:5000@example.com'],
    ['alice@example.com', 'sip:alice@example.com'],
    ['gone@example.com', 'sip:gone@example.com'],
  ]);
  assert.equal(rows[1][2], 'static');
  assert.match(rows[3][2], /^expired\(/);

  assert.match(sipd(s.conf, ['purge']).stdout, /^purged 1 expired registration from /);
  assert.deepEqual(words(sipd(s.conf, ['list', '--registry']).stdout).map((r) => r[0]), ['AOR', '5000@example.com', 'alice@example.com']);
  // Without a flag both tables are listed.
  assert.match(sipd(s.conf, ['list']).stdout, /^no routes\n\nAOR +CONTACT +EXPIRES\n5000@example.com /);
});

test('regroute add/delete --registry: a running location service finds the registration, then loses it', () => {
  const s = serverRoot();
  const file = join(s.root, 'data', 'registry.db');
  mkdirSync(join(s.root, 'data'));
  const running = new LocationService(SqliteRegistryStore.open(file, { maxAgeOnBootSec: 86_400 }));
  try {
    assert.deepEqual(sipd(s.conf, ['add', '--registry', '5000@GW.example.com', '5000@10.1.1.1', '--port', '5060']), {
      code: 0,
      stdout: 'registration 5000@gw.example.com sip:5000@10.1.1.1:5060;user=phone added\n',
      stderr: '',
    });
    const add = sipd(s.conf, ['add', '--registry', '(919) 555-0100@example.com', 'sip:alice@192.0.2.7:5062;transport=tcp', '--expires', '3600', '--q', '0.5']);
    assert.equal(add.stdout, 'registration 9195550100@example.com sip:alice@192.0.2.7:5062;transport=tcp added\n');
    assert.equal(sipd(s.conf, ['add', '--registry', '5000@gw.example.com', '5000@10.1.1.1', '--port', '5060', '--q', '1']).stdout.endsWith(' updated\n'), true);

    assert.equal(running.syncFromStore(), true);
    assert.deepEqual(running.lookup('5000@gw.example.com').map((b) => [b.contact, b.q, b.expires, b.static]), [
      ['sip:5000@10.1.1.1:5060;user=phone', 1, Infinity, true],
    ]);
    const alice = running.lookup('9195550100@example.com');
    assert.deepEqual(alice.map((b) => [b.contact, b.q]), [['sip:alice@192.0.2.7:5062;transport=tcp', 0.5]]);
    assert.ok(alice[0].expires > Date.now() + 3_500_000 && alice[0].expires <= Date.now() + 3_600_000);
    const list = words(sipd(s.conf, ['list', '--registry']).stdout);
    assert.deepEqual(list.map((r) => r.slice(0, 2)), [
      ['AOR', 'CONTACT'],
      ['5000@gw.example.com', 'sip:5000@10.1.1.1:5060;user=phone'],
      ['9195550100@example.com', 'sip:alice@192.0.2.7:5062;transport=tcp'],
    ]);
    assert.equal(list[1][2], 'static');
    assert.match(list[2][2], /^static until \d{4}-/);

    assert.deepEqual(sipd(s.conf, ['delete', '--registry', '5000@gw.example.com', 'SIP:5000@10.1.1.1:5060;user=phone']), {
      code: 0,
      stdout: 'registration of 5000@gw.example.com at SIP:5000@10.1.1.1:5060;user=phone deleted\n',
      stderr: '',
    });
    assert.deepEqual(sipd(s.conf, ['delete', '--registry', '5000@gw.example.com']), { code: 1, stdout: '', stderr: 'sipd: no registrations of 5000@gw.example.com\n' });
    assert.equal(running.syncFromStore(), true);
    assert.deepEqual(running.lookup('5000@gw.example.com'), []);
    assert.equal(running.lookup('9195550100@example.com').length, 1);
  } finally {
    running.close();
  }
  // With sipd stopped, the next start finds what is left.
  const restarted = new LocationService(SqliteRegistryStore.open(file, { maxAgeOnBootSec: 86_400 }));
  assert.deepEqual(restarted.lookup('9195550100@example.com').map((b) => b.contact), ['sip:alice@192.0.2.7:5062;transport=tcp']);
  restarted.close();

  const refused = (args: string[], code: number, stderr: RegExp) => {
    const r = sipd(s.conf, ['add', '--registry', ...args]);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, stderr);
  };
  refused(['50*@example.com', '10.1.1.1'], 1, /registrations take no wildcards/);
  refused(['bob@example.com', '10.1.1.1', '--expires', '2020-01-01T00:00:00Z'], 1, /--expires 2020-01-01T00:00:00Z is in the past/);
  refused(['bob@example.com', '10.1.1.1', '--user-type', 'fax'], 1, /--user-type must be one of phone, ip/);
  refused(['bob@example.com'], 2, /usage: sipd regroute list/);
  refused(['bob@example.com', '10.1.1.1', '--next-hop', 'gw'], 2, /usage: sipd regroute list/);
  assert.equal(sipd(s.conf, ['add', '--registry', '--routes', 'x@y', 'z']).code, 2);
});

test('regroute import --registry: all or nothing with FILE:LINE errors, in CSV and in the seed format', () => {
  const s = serverRoot();
  const badCsv = join(s.root, 'bad.csv');
  writeFileSync(badCsv, 'user,domain,contact,port\n5000,gw.example.com,10.1.1.1,5060\n5001,gw.example.com,10.1.1.1,99999\n5002,,10.1.1.1,\n');
  const csv = sipd(s.conf, ['import', '--registry', badCsv]);
  assert.equal(csv.code, 1);
  assert.deepEqual(csv.stderr.trimEnd().split('\n'), [
    `${badCsv}:3: port must be a whole number from 1 to 65535, got "99999"`,
    `${badCsv}:4: the domain is empty`,
    `sipd: 2 problems in ${badCsv}; nothing was imported`,
  ]);
  const badSeed = join(s.root, 'bad.conf');
  writeFileSync(badSeed, '# static\n5000@gw.example.com sip:5000@10.1.1.1\n5001@gw.example.com 10.1.1.1\n5002 sip:5002@10.1.1.1\n');
  const seed = sipd(s.conf, ['import', '--registry', badSeed]);
  assert.equal(seed.code, 1);
  assert.deepEqual(seed.stderr.trimEnd().split('\n'), [
    `${badSeed}:3: contact "10.1.1.1" is not a sip: or sips: URI`,
    `${badSeed}:4: AOR "5002" is not user@host`,
    `sipd: 2 problems in ${badSeed}; nothing was imported`,
  ]);
  assert.equal(sipd(s.conf, ['list', '--registry']).stdout, 'no registrations\n');
  assert.equal(sipd(s.conf, ['export', '--registry']).stdout, 'user,domain,contact,contact_user_type,port,transport,expires,q\r\n');
});

test('regroute export --registry then import on another server gives the same registrations, CSV and seed format', () => {
  const s = serverRoot();
  const source = join(s.root, 'static.conf');
  writeFileSync(
    source,
    [
      '5000@gw.example.com sip:5000@10.1.1.1:5060;user=phone',
      '5001@gw.example.com sip:5001@10.1.1.1:5060;user=phone q=0.5',
      'temp@example.com sips:temp@192.0.2.9;maddr=192.0.2.10 expires=2099-12-31T23:00:00.000Z',
    ].join('\n'),
  );
  assert.deepEqual(sipd(s.conf, ['import', '--registry', source]), { code: 0, stdout: `imported 3 registrations from ${source}: 3 added, 0 updated\n`, stderr: '' });
  // A dynamic registration is listed but not exported: a REGISTER made it.
  const registry = SqliteRegistryStore.open(join(s.root, 'data', 'registry.db'), { maxAgeOnBootSec: 86_400 });
  registry.put({ aor: 'phone@example.com', contact: 'sip:phone@192.0.2.50', contactKey: 'sip:phone@192.0.2.50', expires: Date.now() + 3_600_000, callId: 'c', cseq: 1 });
  registry.close();

  const csvFile = join(s.root, 'registry.csv');
  const seedFile = join(s.root, 'registry.conf');
  assert.equal(sipd(s.conf, ['export', '--registry', csvFile]).stdout, `exported 3 registrations to ${csvFile}\n`);
  assert.equal(sipd(s.conf, ['export', '--registry', seedFile]).stdout, `exported 3 registrations to ${seedFile}\n`);
  const csv = readFileSync(csvFile, 'utf8');
  assert.equal(sipd(s.conf, ['export', '--registry', '--format', 'csv']).stdout, csv);
  assert.match(csv, /^5001,gw\.example\.com,5001@10\.1\.1\.1,phone,5060,,never,0\.5\r$/m);
  assert.equal(readFileSync(seedFile, 'utf8'), readFileSync(source, 'utf8').replace(/^/, '# AOR CONTACT [q=VALUE] [expires=TIME]  (sipd static registrations)\n') + '\n');

  for (const file of [csvFile, seedFile]) {
    const other = serverRoot();
    assert.equal(sipd(other.conf, ['add', '--registry', 'old@example.com', '10.9.9.9']).code, 0);
    assert.equal(sipd(other.conf, ['import', '--registry', file, '--replace']).stdout, `imported 3 registrations from ${file}: 3 added, 0 updated\n`);
    assert.equal(sipd(other.conf, ['export', '--registry']).stdout, csv);
  }
});

test('regroute routes have CSV only: --format seed is refused', () => {
  const s = serverRoot();
  const r = sipd(s.conf, ['export', '--format', 'seed']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /routes are read and written as CSV only/);
  assert.equal(sipd(s.conf, ['export', '--format', 'xml']).code, 2);
});
