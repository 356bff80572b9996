import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscriberSelect } from './driver';
import { columnMapping, pickForDomain, presentColumns, rowToSubscriber, SubscriberTableError } from './fields';
import { mysqlDriver } from './mysql-driver';
import { postgresDriver } from './postgres-driver';

const LOGIN = { port: 1, database: 'sip', timeoutMs: 1000 };

test('DB_MySQL_<Field>_Field maps fields in any case; other fields keep their own name; unknown fields are problems', () => {
  const { columns, problems } = columnMapping({ Username: 'user_id', CFNA: 'dest_url_cfna', Ha1_Sha256: 'h2', Bogus: 'x' });
  assert.equal(columns.username, 'user_id');
  assert.equal(columns.cfna, 'dest_url_cfna');
  assert.equal(columns.ha1_sha256, 'h2');
  assert.equal(columns.password, 'password');
  assert.deepEqual(problems.length, 1);
  assert.match(problems[0], /^DB_MySQL_Bogus_Field: "Bogus" is not a subscriber field \(one of username, domain, /);
});

test('only the columns the table has are read, spelled as the table spells them', () => {
  const { columns } = columnMapping({ Username: 'USER_ID', password: 'passwd', cfb: 'dest_url_cfb' });
  const present = presentColumns(columns, ['User_Id', 'PASSWD', 'domain', 'notes'], 'users');
  assert.deepEqual(present, { username: 'User_Id', domain: 'domain', password: 'PASSWD' });
});

test('a table without its user name column, or no table at all, is an error that names the fix', () => {
  const { columns } = columnMapping({});
  assert.throws(() => presentColumns(columns, ['user_id', 'passwd'], 'users'),
    (err: unknown) => err instanceof SubscriberTableError
      && err.message === 'subscriber table "users" has no column "username" for the user name; map it with DB_MySQL_Username_Field (columns: user_id, passwd)');
  assert.throws(() => presentColumns(columns, [], 'users'), /subscriber table "users" does not exist/);
});

test('the SELECT quotes configured identifiers and takes the user name as a parameter', () => {
  const present = { username: 'user`id', password: 'pw' };
  assert.equal(subscriberSelect(mysqlDriver(LOGIN), 'sub`s', present),
    'SELECT `user``id` AS `username`, `pw` AS `password` FROM `sub``s` WHERE `user``id` = ?');
  assert.equal(subscriberSelect(postgresDriver(LOGIN), 'Subs"x', { username: 'Login' }),
    'SELECT "Login" AS "username" FROM "Subs""x" WHERE "Login" = $1');
});

test('a row with an HA1 hash gives HA1 credentials with its realm, else the configured realm', () => {
  assert.deepEqual(rowToSubscriber({ username: 'a', ha1: 'ABCDEF', password: 'pw', realm: 'r1' }, 'R')?.credentials,
    { kind: 'ha1', realm: 'r1', md5: 'abcdef', sha256: undefined });
  assert.deepEqual(rowToSubscriber({ username: 'a', ha1_sha256: 'ff' }, 'R')?.credentials,
    { kind: 'ha1', realm: 'R', md5: undefined, sha256: 'ff' });
});

test('a row with only a clear password gives password credentials; a row with neither gets no usable secret', () => {
  assert.deepEqual(rowToSubscriber({ username: 'a', password: 'pw', ha1: '' }, 'R')?.credentials,
    { kind: 'password', password: 'pw' });
  assert.deepEqual(rowToSubscriber({ username: 'a', password: null }, 'R')?.credentials,
    { kind: 'ha1', realm: 'R', md5: undefined, sha256: undefined });
});

test('row values: binary columns as UTF-8, domains in lower case, privacy from 1/yes/true/on, forwards', () => {
  const sub = rowToSubscriber({
    username: Buffer.from('bøb'), domain: 'Example.COM', password: 'pw', privacy: 'Yes ',
    cfu: 'sip:u@x', cfb: 'sip:b@x', cfna: 'sip:n@x', cfnr: 'sip:r@x',
  }, 'R');
  assert.deepEqual(sub, {
    user: 'bøb', domain: 'example.com', credentials: { kind: 'password', password: 'pw' },
    forwardUnconditional: 'sip:u@x', forwardBusy: 'sip:b@x', forwardNoAnswer: 'sip:n@x', forwardUnavailable: 'sip:r@x',
    redirectPrivacy: true,
  });
  for (const [value, expected] of [[1, true], [true, true], ['on', true], [0, false], ['no', false], [null, false]] as const) {
    assert.equal(rowToSubscriber({ username: 'a', privacy: value }, 'R')?.redirectPrivacy, expected, String(value));
  }
  assert.equal(rowToSubscriber({ username: '' }, 'R'), undefined);
});

test('the row of the asked domain wins over the row without a domain', () => {
  const any = rowToSubscriber({ username: 'a', password: 'any' }, 'R')!;
  const exact = rowToSubscriber({ username: 'a', domain: 'x.org', password: 'exact' }, 'R')!;
  assert.equal(pickForDomain([any, exact], 'X.org'), exact);
  assert.equal(pickForDomain([any, exact], 'y.org'), any);
  assert.equal(pickForDomain([exact], 'y.org'), undefined);
});
