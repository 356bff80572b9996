import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type SipdConfig } from '../../config';
import { externalDirectorySettings, openSubscriberDirectory, subscriberDbProblems, SubscriberDbConfigError } from './open';

function config(overrides: Partial<SipdConfig>): SipdConfig {
  return { ...defaultConfig('/tmp/sipd-root'), ...overrides };
}

const MYSQL: Partial<SipdConfig> = {
  DB_MySQL: true, DB_MySQL_HostName: 'db1', DB_MySQL_DB: 'sip', DB_MySQL_SubscriberTable: 'subscriber',
};

test('with neither DB_MySQL nor DB_PostgreSQL On there is no external directory', async () => {
  const cfg = config({});
  assert.equal(externalDirectorySettings(cfg, 'R'), undefined);
  assert.deepEqual(subscriberDbProblems(cfg), []);
  assert.equal(await openSubscriberDirectory(cfg, { error() {}, notice() {}, debug() {} }, 'R'), undefined);
});

test('DB_MySQL: hosts, port, timeouts and cache times come from the directives', () => {
  const s = externalDirectorySettings(config({
    ...MYSQL, DB_MySQL_Secondary_HostName: 'db2', DB_MySQL_Connect_Timeout: 5, SubscriberCacheTime: 60,
    DB_MySQL_XXX_Field: { Username: 'user_id' },
  }), 'R');
  assert.equal(s?.driver.name, 'MySQL');
  assert.deepEqual(s?.hosts, ['db1', 'db2']);
  assert.equal(s?.table, 'subscriber');
  assert.equal(s?.columns.username, 'user_id');
  assert.equal(s?.timeoutMs, 5000);
  assert.equal(s?.cacheMs, 60_000);
  assert.equal(s?.negativeCacheMs, 5000);
  assert.equal(s?.probeIntervalMs, 3000);
});

test('DB_PostgreSQL uses its own login and the shared table and field mapping', () => {
  const s = externalDirectorySettings(config({
    DB_PostgreSQL: true, DB_PostgreSQL_HostName: 'pg', DB_PostgreSQL_DB: 'sip', DB_MySQL_SubscriberTable: 'users',
    DB_MySQL_XXX_Field: { password: 'pw' }, DB_MySQL_Connect_Timeout: 1,
  }), 'R');
  assert.equal(s?.driver.name, 'PostgreSQL');
  assert.deepEqual(s?.hosts, ['pg']);
  assert.equal(s?.columns.password, 'pw');
  assert.equal(s?.probeIntervalMs, 1000);
});

test('missing directives, both databases On and unknown fields are reported together', () => {
  assert.deepEqual(subscriberDbProblems(config({ DB_MySQL: true })), [
    'DB_MySQL is On but DB_MySQL_HostName is not set',
    'DB_MySQL is On but DB_MySQL_DB is not set',
    'DB_MySQL is On but DB_MySQL_SubscriberTable is not set',
  ]);
  assert.deepEqual(subscriberDbProblems(config({ DB_PostgreSQL: true, DB_PostgreSQL_HostName: 'pg', DB_PostgreSQL_DB: 'sip' })), [
    'DB_PostgreSQL is On but DB_MySQL_SubscriberTable (the table name is shared with MySQL) is not set',
  ]);
  assert.deepEqual(subscriberDbProblems(config({ ...MYSQL, DB_PostgreSQL: true, DB_MySQL_XXX_Field: { Pin: 'p' } })), [
    'DB_MySQL and DB_PostgreSQL are both On; turn one of them Off',
    'DB_MySQL_Pin_Field: "Pin" is not a subscriber field (one of username, domain, password, ha1, ha1_sha256, realm, cfu, cfb, cfna, cfnr, privacy)',
  ]);
  assert.throws(() => externalDirectorySettings(config({ DB_MySQL: true }), 'R'), SubscriberDbConfigError);
});
