import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ProvisioningError } from '../subscribers/errors';
import { route } from './fixtures';
import { readRouteCsv, writeRouteCsv } from './route-csv';
import { RouteService } from './route-service';
import { RouteTable } from './route-table';
import { SqliteRouteStore, routeDbPath } from './sqlite-route-store';

let dir: string;
let file: string;
let store: SqliteRouteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipd-routes-'));
  file = routeDbPath(dir);
  store = SqliteRouteStore.open(file);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const HEADER = 'pattern,type,next_hop,port,transport,priority,weight,tech_prefix_action,tech_prefix,allow_less_specific,block,in_service,label';

test('put adds, then replaces the route with the same type, pattern, next hop and port; delete by hop or pattern', () => {
  assert.equal(store.put(route('1408*', 'gw1')), 'added');
  assert.equal(store.put(route('1408*', 'GW1', { priority: 5 })), 'updated');
  assert.equal(store.put(route('1408*', 'gw2')), 'added');
  assert.equal(store.put(route('.Example.com', 'proxy')), 'added');
  assert.deepEqual(
    store.list().map((r) => [r.type, r.pattern, r.nextHop, r.priority]),
    [['phone', '1408*', 'gw1', 5], ['phone', '1408*', 'gw2', 0], ['domain', '.example.com', 'proxy', 0]],
  );
  assert.throws(() => store.put(route('1[2]', 'gw')), ProvisioningError);
  assert.deepEqual(store.delete('phone', '1408*', 'gw2').map((r) => r.nextHop), ['gw2']);
  assert.deepEqual(store.delete('phone', '1408*').map((r) => r.nextHop), ['gw1']);
  assert.deepEqual(store.delete('phone', '1408*'), []);
  assert.equal(store.list().length, 1);
});

/** Each level as host:port. */
const hostPorts = (levels: readonly (readonly { nextHop: string; port: number }[])[]): string[][] =>
  levels.map((level) => level.map((r) => `${r.nextHop}:${r.port}`));

test('two trunks of one host on different ports are two routes, both looked up in priority order', () => {
  assert.equal(store.put(route('5552*', '127.0.0.1', { port: 4001, priority: 1 })), 'added');
  assert.equal(store.put(route('5552*', '127.0.0.1', { port: 4002, priority: 2 })), 'added');
  assert.equal(store.put(route('5552*', '127.0.0.1', { port: 4001, priority: 1, label: 'trunk 1' })), 'updated');
  assert.equal(store.put(route('5552*', '127.0.0.1')), 'added');
  assert.deepEqual(store.list().map((r) => [r.port, r.label]), [[0, ''], [4001, 'trunk 1'], [4002, '']]);

  store.delete('phone', '5552*', '127.0.0.1', 0);
  const table = new RouteTable(store.list(), { lessSpecificSearch: false });
  assert.deepEqual(hostPorts(table.lookupNumber('5552000').levels), [['127.0.0.1:4001', '127.0.0.1:4002']]);
  const service = RouteService.open(file, { lessSpecificSearch: false, reloadCheckMs: 0 });
  try {
    assert.deepEqual(hostPorts(service.lookupNumber('5552000').levels), [['127.0.0.1:4001', '127.0.0.1:4002']]);
  } finally {
    service.close();
  }
});

test('delete with a port removes that route only; without, the routes via the host on every port', () => {
  for (const port of [4001, 4002, 4003]) store.put(route('5552*', '127.0.0.1', { port }));
  store.put(route('5552*', 'gw2', { port: 4001 }));
  assert.deepEqual(store.delete('phone', '5552*', '127.0.0.1', 4002).map((r) => r.port), [4002]);
  assert.deepEqual(store.delete('phone', '5552*', '127.0.0.1', 4002), []);
  assert.deepEqual(store.delete('phone', '5552*', '127.0.0.1').map((r) => r.port), [4001, 4003]);
  assert.deepEqual(store.list().map((r) => `${r.nextHop}:${r.port}`), ['gw2:4001']);
});

test('every field survives the file and a CSV round trip', () => {
  const routes = [
    route('+1408......', '2001:db8::1', {
      port: 5070, transport: 'tls', priority: 7, weight: 0, techPrefixAction: 'include', techPrefix: '001#',
      allowLessSpecific: false, inService: false, label: 'San José, "408"',
    }),
    route('1900*', '', { block: true }),
    route('*.example.com', 'proxy.example.com', { transport: 'udp' }),
  ];
  for (const r of routes) store.put(r);
  store.close();
  store = SqliteRouteStore.open(file);
  const stored = store.list();
  assert.equal(stored[0].nextHop, '[2001:db8::1]');
  assert.deepEqual(stored, [{ ...routes[0], nextHop: '[2001:db8::1]' }, routes[1], routes[2]]);

  const csv = writeRouteCsv(stored);
  assert.ok(csv.startsWith(`${HEADER}\r\n`));
  assert.ok(csv.includes('"San José, ""408"""'));
  const items = readRouteCsv(csv);
  assert.deepEqual(items.map((i) => ('value' in i ? i.value : i)), stored);
});

test('CSV: a host on two ports is two routes; the same port twice is a duplicate; export and import keep both', () => {
  const items = readRouteCsv('pattern,next_hop,port,priority\n5552*,127.0.0.1,4001,1\n5552*,127.0.0.1,4002,2\n');
  assert.deepEqual(store.importRoutes(items), { added: 2, updated: 0, problems: [] });
  const twice = store.importRoutes(readRouteCsv('pattern,next_hop,port\n5552*,127.0.0.1,4001\n5552*,127.0.0.1,4001\n'));
  assert.deepEqual(twice.problems, [{ line: 3, reason: 'phone route 5552* via 127.0.0.1:4001 is already on line 2' }]);

  const exported = writeRouteCsv(store.list());
  assert.deepEqual(store.importRoutes(readRouteCsv(exported), true), { added: 0, updated: 2, problems: [] });
  assert.deepEqual(store.list().map((r) => [r.port, r.priority]), [[4001, 1], [4002, 2]]);
  // A restore of a file with one of the ports deletes the other and keeps that one.
  assert.deepEqual(store.importRoutes(readRouteCsv('pattern,next_hop,port\n5552*,127.0.0.1,4002\n'), true), { added: 0, updated: 1, problems: [] });
  assert.deepEqual(store.list().map((r) => r.port), [4002]);
});

test('CSV: only pattern is required; defaults fill the rest, the type follows the pattern', () => {
  const items = readRouteCsv('next_hop,pattern\r\ngw,5...\r\nproxy,*.a.com\r\n');
  assert.deepEqual(items.map((i) => ('value' in i ? [i.line, i.value.type, i.value.port, i.value.weight, i.value.inService] : i)), [
    [2, 'phone', 0, 1, true],
    [3, 'domain', 0, 1, true],
  ]);
});

test('import is all or nothing and names every bad line', () => {
  store.put(route('1*', 'keep'));
  const text = [
    HEADER,
    '5...,phone,gw,0,any,0,1,none,,on,off,on,ok',
    '19[1-8],phone,gw,0,any,0,1,none,,on,off,on,range',
    '6...,phone,gw,70000,any,0,1,none,,on,off,on,port',
    '7...,phone,gw,0,sctp,0,1,none,,on,off,on,transport',
    '8...,phone,,0,any,0,1,none,,on,off,on,no hop',
    '5...,phone,GW,0,any,0,1,none,,on,off,on,twice',
    '9...,phone,gw,0,any,x,1,none,,on,off,on,priority',
    '"unclosed,phone',
  ].join('\n');
  const result = store.importRoutes(readRouteCsv(text));
  assert.deepEqual(result.problems.map((p) => p.line), [3, 4, 5, 6, 7, 8, 9]);
  assert.match(result.problems[0].reason, /ranges are not supported/);
  assert.match(result.problems[1].reason, /port must be a whole number from 0 to 65535/);
  assert.match(result.problems[2].reason, /transport must be one of udp, tcp, tls, any/);
  assert.match(result.problems[3].reason, /needs a next hop/);
  assert.match(result.problems[4].reason, /already on line 2/);
  assert.match(result.problems[5].reason, /priority must be a whole number/);
  assert.match(result.problems[6].reason, /CSV syntax: missing closing quote/);
  assert.equal(result.added + result.updated, 0);
  assert.deepEqual(store.list().map((r) => r.nextHop), ['keep']);

  assert.deepEqual(readRouteCsv('pattern,colour\n1,red\n'), [{ line: 1, reason: 'unknown column colour; the columns are ' + HEADER.replace(/,/g, ', ') }]);
  assert.deepEqual(readRouteCsv('type\nphone\n'), [{ line: 1, reason: 'missing column pattern' }]);
});

test('import adds and replaces matching routes; with replaceAll the table is exactly the file', () => {
  store.put(route('1*', 'old'));
  store.put(route('5...', 'gw', { priority: 1 }));
  const items = readRouteCsv('pattern,next_hop,priority\n5...,gw,9\n6...,gw,0\n');
  assert.deepEqual(store.importRoutes(items), { added: 1, updated: 1, problems: [] });
  assert.deepEqual(store.list().map((r) => `${r.pattern}/${r.priority}`), ['1*/0', '5.../9', '6.../0']);
  assert.deepEqual(store.importRoutes(readRouteCsv('pattern,next_hop\n5...,gw\n7...,gw\n'), true), { added: 1, updated: 1, problems: [] });
  assert.deepEqual(store.list().map((r) => `${r.pattern}/${r.priority}`), ['5.../0', '7.../0']);
});

test('RouteService loads the file and reloads when another process changes it', () => {
  store.put(route('1408*', 'gw1'));
  const service = RouteService.open(file, { lessSpecificSearch: false, reloadCheckMs: 0 });
  try {
    assert.deepEqual(service.lookupNumber('14085550100').levels.map((l) => l.map((r) => r.nextHop)), [['gw1']]);
    assert.equal(service.reloadIfChanged(), false);

    const script = `
      const { SqliteRouteStore } = require(${JSON.stringify(join(__dirname, 'sqlite-route-store.js'))});
      const { route } = require(${JSON.stringify(join(__dirname, 'fixtures.js'))});
      const s = SqliteRouteStore.open(${JSON.stringify(file)});
      s.put(route('1408555*', 'gw2'));
      s.put(route('example.net', 'proxy'));
      s.close();`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.status, 0, child.stderr);

    assert.equal(service.reloadIfChanged(), true);
    assert.deepEqual(service.lookupNumber('14085550100').levels.map((l) => l.map((r) => r.nextHop)), [['gw2']]);
    assert.deepEqual(service.lookupHost('example.net').levels.map((l) => l.map((r) => r.nextHop)), [['proxy']]);
    assert.equal(service.table.size, 3);
    assert.equal(service.reloadIfChanged(), false);
  } finally {
    service.close();
  }
});

test('RouteService: a graceful restart switching the less-specific search changes the next lookup', () => {
  store.put(route('1408555*', 'gw1'));
  store.put(route('1408*', 'gw2'));
  const service = RouteService.open(file, { lessSpecificSearch: false, reloadCheckMs: 0 });
  try {
    const hops = () => service.lookupNumber('14085550100').levels.map((l) => l.map((r) => r.nextHop));
    assert.deepEqual(hops(), [['gw1']]);
    service.setLessSpecificSearch(true);
    assert.deepEqual(hops(), [['gw1'], ['gw2']]);
    service.setLessSpecificSearch(false);
    assert.deepEqual(hops(), [['gw1']]);
  } finally {
    service.close();
  }
});

test('RouteService notices a change by itself on its timer', async () => {
  const service = RouteService.open(file, { lessSpecificSearch: false, reloadCheckMs: 20 });
  try {
    const other = SqliteRouteStore.open(file);
    other.put(route('5...', 'gw'));
    other.close();
    // No timing assert: wait as long as it takes (the test runner's timeout bounds it).
    while (service.lookupNumber('5000').levels.length === 0) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(service.lookupNumber('5000').levels[0].map((r) => r.nextHop), ['gw']);
  } finally {
    service.close();
  }
});

/** The routes table as the first release of the store created it: keyed without the port, user_version 0. */
const FIRST_SCHEMA = `
CREATE TABLE routes (
  type TEXT NOT NULL, pattern TEXT NOT NULL, next_hop TEXT NOT NULL, port INTEGER NOT NULL, transport TEXT NOT NULL,
  priority INTEGER NOT NULL, weight INTEGER NOT NULL, tech_prefix_action TEXT NOT NULL, tech_prefix TEXT NOT NULL,
  allow_less_specific INTEGER NOT NULL, block INTEGER NOT NULL, in_service INTEGER NOT NULL, label TEXT NOT NULL,
  PRIMARY KEY (type, pattern, next_hop)
) WITHOUT ROWID;`;

function firstReleaseFile(path: string, rows: string[]): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(FIRST_SCHEMA);
  for (const row of rows) db.exec(`INSERT INTO routes VALUES (${row})`);
  db.close();
}

test('a routes.db of the first schema is migrated when opened: rows kept, the port then part of the key', () => {
  const old = join(dir, 'old', 'routes.db');
  mkdirSync(join(dir, 'old'));
  firstReleaseFile(old, [
    "'phone', '5552*', '127.0.0.1', 4001, 'udp', 1, 1, 'include', '001#', 0, 0, 1, 'trunk 1'",
    "'phone', '1900*', '', 0, 'any', 0, 1, 'none', '', 1, 1, 1, ''",
    "'domain', '.example.com', 'proxy', 0, 'tls', 0, 0, 'none', '', 1, 0, 0, 'x'",
  ]);
  const before = [
    route('1900*', '', { block: true }),
    route('5552*', '127.0.0.1', { port: 4001, transport: 'udp', priority: 1, techPrefixAction: 'include', techPrefix: '001#', allowLessSpecific: false, label: 'trunk 1' }),
    route('.example.com', 'proxy', { transport: 'tls', weight: 0, inService: false, label: 'x' }),
  ];

  const migrated = SqliteRouteStore.open(old);
  try {
    assert.deepEqual(migrated.list(), before);
    assert.equal(migrated.put(route('5552*', '127.0.0.1', { port: 4002, priority: 2 })), 'added');
    assert.equal(migrated.list().length, 4);
  } finally {
    migrated.close();
  }
  const db = new Database(old, { readonly: true });
  try {
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    assert.equal(sql.length, 1);
    assert.match(sql[0], /PRIMARY KEY \(type, pattern, next_hop, port\)/);
  } finally {
    db.close();
  }
  // Opening again leaves the migrated file as it is.
  const again = SqliteRouteStore.open(old);
  try {
    assert.equal(again.list().length, 4);
  } finally {
    again.close();
  }
});

test('a running server opening a first-schema file migrates it and serves its routes', () => {
  const old = join(dir, 'old.db');
  firstReleaseFile(old, ["'phone', '5552*', '127.0.0.1', 4001, 'any', 1, 1, 'none', '', 1, 0, 1, ''"]);
  const service = RouteService.open(old, { lessSpecificSearch: false, reloadCheckMs: 0 });
  try {
    const other = SqliteRouteStore.open(old);
    assert.equal(other.put(route('5552*', '127.0.0.1', { port: 4002, priority: 2 })), 'added');
    other.close();
    assert.equal(service.reloadIfChanged(), true);
    assert.deepEqual(hostPorts(service.lookupNumber('5552000').levels), [['127.0.0.1:4001', '127.0.0.1:4002']]);
  } finally {
    service.close();
  }
});

test('a file of a newer schema than this sipd knows is refused, not changed', () => {
  const newer = join(dir, 'newer.db');
  const db = new Database(newer);
  db.pragma('user_version = 2');
  db.close();
  assert.throws(() => SqliteRouteStore.open(newer), (err: unknown) => err instanceof ProvisioningError && /schema version 2 is newer than this sipd knows/.test(err.message));
  const check = new Database(newer, { readonly: true });
  try {
    assert.equal(check.prepare("SELECT count(*) FROM sqlite_master").pluck().get(), 0);
  } finally {
    check.close();
  }
});
