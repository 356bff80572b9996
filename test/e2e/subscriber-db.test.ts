// Subscribers from existing MariaDB and PostgreSQL tables with other column names (DB_MySQL_XXX_Field), read
// through the external directory that sipd builds from sipd.conf; outages of the database mid-test.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseConfigText } from '../../src/config';
import {
  openSubscriberDirectory, SubscriberTableError, type ExternalSubscriberDirectory,
} from '../../src/subscribers/external';
import type { Subscriber } from '../../src/subscribers/types';
import { DB_NAME, DB_PASSWORD, DB_USER, MariaDb, Postgres } from './harness/databases';
import { DOMAIN, HOST, Sipd, UdpUa, digestAuthorization } from './harness';

const REALM = 'test-realm';
const BOB_HA1 = createHash('md5').update(`bob:${REALM}:bob-pw`).digest('hex');
const WAIT_MS = 60_000;

class RecordingLog {
  readonly errors: string[] = [];
  readonly notices: string[] = [];
  error(msg: string): void { this.errors.push(msg); }
  notice(msg: string): void { this.notices.push(msg); }
  debug(): void {}
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function configOf(lines: string[]) {
  return parseConfigText(lines.join('\n') + '\n', 'sipd.conf').config;
}

/** sipd.conf lines for the `users` table below: its own column names, mapped field by field. */
function mysqlLines(port: number, hosts: { primary: string; secondary?: string }): string[] {
  return [
    'DB_MySQL On', `DB_MySQL_HostName ${hosts.primary}`,
    ...(hosts.secondary ? [`DB_MySQL_Secondary_HostName ${hosts.secondary}`] : []),
    `DB_MySQL_Port ${port}`, `DB_MySQL_DB ${DB_NAME}`, `DB_MySQL_Username ${DB_USER}`, `DB_MySQL_Password ${DB_PASSWORD}`,
    'DB_MySQL_SubscriberTable users', 'DB_MySQL_Connect_Timeout 1', 'SubscriberCacheTime 0',
    'DB_MySQL_Username_Field user_id', 'DB_MySQL_Domain_Field user_domain', 'DB_MySQL_Password_Field passwd',
    'DB_MySQL_HA1_Field md5_hash', 'DB_MySQL_CFNA_Field dest_url_cfna', 'db_mysql_cfu_field dest_url_cfu',
    'DB_MySQL_Privacy_Field hide_number',
    // mapped, but the table has no such column: not read
    'DB_MySQL_CFB_Field dest_url_cfb',
  ];
}

const USERS_TABLE = `
  CREATE TABLE users (
    user_id VARCHAR(64) NOT NULL,
    user_domain VARCHAR(128) NOT NULL DEFAULT '',
    passwd VARCHAR(64) NULL,
    md5_hash CHAR(32) NULL,
    dest_url_cfna VARCHAR(255) NULL,
    dest_url_cfu VARCHAR(255) NULL,
    hide_number TINYINT NOT NULL DEFAULT 0,
    notes TEXT NULL,
    PRIMARY KEY (user_id, user_domain));
  INSERT INTO users (user_id, user_domain, passwd, md5_hash, dest_url_cfna, dest_url_cfu, hide_number) VALUES
    ('alice', 'example.com', 'alice-pw', NULL, 'sip:vm@example.com', NULL, 1),
    ('alice', 'other.org', 'other-pw', NULL, NULL, NULL, 0),
    ('bob', '', NULL, '${BOB_HA1}', NULL, 'sip:5000@cisco.com', 0),
    ('o''neil', '', 'quote-pw', NULL, NULL, NULL, 0);`;

const ALICE: Subscriber = {
  user: 'alice', domain: 'example.com', credentials: { kind: 'password', password: 'alice-pw' },
  forwardUnconditional: undefined, forwardBusy: undefined, forwardNoAnswer: 'sip:vm@example.com',
  forwardUnavailable: undefined, redirectPrivacy: true,
};

function isPromise(value: unknown): boolean {
  return value instanceof Promise;
}

describe('MariaDB subscriber table with its own column names', () => {
  let db: MariaDb | undefined;
  let directory: ExternalSubscriberDirectory | undefined;
  const log = new RecordingLog();

  before(async () => {
    const started = Date.now();
    db = await MariaDb.create();
    await db.sql(USERS_TABLE);
    console.log(`MariaDB initialised and started in ${Date.now() - started} ms`);
    directory = await openSubscriberDirectory(configOf(mysqlLines(db.port, { primary: '127.0.0.1' })), log, REALM);
  });

  after(async () => {
    await directory?.close();
    await db?.destroy();
  });

  it('finds the mapped records by user and domain, with the realm of HA1 rows and the user of no domain', async () => {
    const dir = directory as ExternalSubscriberDirectory;
    assert.deepEqual(await dir.find('alice', 'EXAMPLE.com'), ALICE);
    const other = await dir.find('alice', 'other.org');
    assert.deepEqual(other?.credentials, { kind: 'password', password: 'other-pw' });
    assert.equal(other?.redirectPrivacy, false);
    assert.equal(await dir.find('alice', 'nowhere.net'), undefined);
    const bob = await dir.find('bob', 'any.domain');
    assert.deepEqual(bob?.credentials, { kind: 'ha1', realm: REALM, md5: BOB_HA1, sha256: undefined });
    assert.equal(bob?.forwardUnconditional, 'sip:5000@cisco.com');
    assert.equal(bob?.domain, '');
    assert.equal(await dir.find('carol', 'example.com'), undefined);
  });

  it('takes the user name as a parameter, never as SQL', async () => {
    const dir = directory as ExternalSubscriberDirectory;
    assert.equal((await dir.find("o'neil", 'example.com'))?.user, "o'neil");
    assert.equal(await dir.find("x' OR '1'='1", 'example.com'), undefined);
    assert.equal(await dir.find("alice' -- ", 'example.com'), undefined);
  });

  it('a hung database is marked bad after the connect timeout and known users are served from the cache', async () => {
    const dir = directory as ExternalSubscriberDirectory;
    const server = db as MariaDb;
    assert.deepEqual(await dir.find('alice', 'example.com'), ALICE); // cached, and stale at once (cache time 0)
    server.pause();
    // A query already on its way may still be answered while the stop takes effect; the next one hangs.
    for (let i = 0; i < 5 && dir.status().hosts[0].state !== 'bad'; i++) {
      assert.deepEqual(await dir.find('alice', 'example.com'), ALICE);
    }
    assert.deepEqual(dir.status().hosts, [{ host: '127.0.0.1', state: 'bad' }]);
    assert.equal(log.errors.length, 1);
    assert.match(log.errors[0], /MySQL subscriber database at 127\.0\.0\.1 marked bad: .*answering from the subscriber cache/);
    // while bad nothing waits on the database: the answers are there at once
    const again = dir.find('alice', 'example.com');
    assert.equal(isPromise(again), false);
    assert.deepEqual(again, ALICE);
    const unknown = dir.find('carol', 'example.com');
    assert.equal(isPromise(unknown), false);
    assert.equal(unknown, undefined);
    assert.equal(log.errors.length, 1, 'the outage is logged once');
  });

  it('goes back to the database once it answers again', async () => {
    const dir = directory as ExternalSubscriberDirectory;
    (db as MariaDb).resume();
    await until('the directory marks the database good', () => dir.status().hosts[0].state === 'good');
    assert.equal(log.notices.length, 1);
    assert.match(log.notices[0], /MySQL subscriber database at 127\.0\.0\.1 answers again/);
    const answer = dir.find('alice', 'example.com');
    assert.equal(isPromise(answer), true, 'a stale entry is read again from the database');
    assert.deepEqual(await answer, ALICE);
  });

  it('a stopped database is marked bad; a subscriber added while it was down is found after it returns', async () => {
    const dir = directory as ExternalSubscriberDirectory;
    const server = db as MariaDb;
    await server.stop();
    assert.deepEqual(await dir.find('alice', 'example.com'), ALICE);
    assert.equal(dir.status().hosts[0].state, 'bad');
    assert.equal(log.errors.length, 2);
    assert.equal(dir.find('dave', 'example.com'), undefined);

    // dave is added through the unix socket while sipd still cannot reach the server over TCP
    await server.start({ network: false });
    await server.sql("INSERT INTO users (user_id, user_domain, passwd) VALUES ('dave', 'example.com', 'dave-pw')");
    assert.equal(dir.find('dave', 'example.com'), undefined);
    assert.equal(dir.status().hosts[0].state, 'bad');
    await server.stop();
    await server.start();

    await until('the directory marks the database good', () => dir.status().hosts[0].state === 'good');
    assert.deepEqual((await dir.find('dave', 'example.com'))?.credentials, { kind: 'password', password: 'dave-pw' });
    assert.equal(log.notices.length, 2);
  });

  it('uses the secondary host while the primary does not answer', async () => {
    const secondaryLog = new RecordingLog();
    // nothing listens on 127.0.0.2 at this port: the primary is refused, the secondary (the server) answers
    const cfg = configOf(mysqlLines((db as MariaDb).port, { primary: '127.0.0.2', secondary: '127.0.0.1' }));
    const dir = await openSubscriberDirectory(cfg, secondaryLog, REALM);
    try {
      assert.deepEqual(await dir?.find('alice', 'example.com'), ALICE);
      assert.deepEqual(dir?.status().hosts, [{ host: '127.0.0.2', state: 'bad' }, { host: '127.0.0.1', state: 'good' }]);
      assert.match(secondaryLog.errors.join('\n'), /at 127\.0\.0\.2 marked bad: .*using 127\.0\.0\.1 meanwhile/);
    } finally {
      await dir?.close();
    }
  });

  it('refuses to start on a table without the user name column', async () => {
    const lines = mysqlLines((db as MariaDb).port, { primary: '127.0.0.1' })
      .filter((l) => !l.startsWith('DB_MySQL_Username_Field'));
    await assert.rejects(openSubscriberDirectory(configOf(lines), new RecordingLog(), REALM),
      (err: unknown) => err instanceof SubscriberTableError && /no column "username"/.test(err.message)
        && /DB_MySQL_Username_Field/.test(err.message));
  });
});

describe('PostgreSQL subscriber table with its own column names', () => {
  let db: Postgres | undefined;
  let directory: ExternalSubscriberDirectory | undefined;
  const log = new RecordingLog();

  before(async () => {
    const started = Date.now();
    db = await Postgres.create();
    await db.sql(`SET ROLE ${DB_USER};
      CREATE TABLE accounts (login TEXT PRIMARY KEY, "Secret" TEXT, fwd_busy TEXT, sha_hash TEXT, anonymous BOOLEAN);
      INSERT INTO accounts VALUES ('alice', 'alice-pw', 'sip:busy@example.com', NULL, true),
                                  ('bob', NULL, NULL, '${'ab'.repeat(32)}', false);`);
    console.log(`PostgreSQL initialised and started in ${Date.now() - started} ms`);
    directory = await openSubscriberDirectory(configOf([
      'DB_PostgreSQL On', 'DB_PostgreSQL_HostName 127.0.0.1', `DB_PostgreSQL_Port ${db.port}`, `DB_PostgreSQL_DB ${DB_NAME}`,
      `DB_PostgreSQL_Username ${DB_USER}`, `DB_PostgreSQL_Password ${DB_PASSWORD}`, 'DB_MySQL_SubscriberTable accounts',
      'DB_MySQL_Connect_Timeout 1', 'SubscriberCacheTime 0', 'DB_MySQL_Username_Field login',
      'DB_MySQL_Password_Field secret', 'DB_MySQL_CFB_Field fwd_busy', 'DB_MySQL_HA1_SHA256_Field sha_hash',
      'DB_MySQL_Privacy_Field anonymous',
    ]), log, REALM);
  });

  after(async () => {
    await directory?.close();
    await db?.destroy();
  });

  it('finds the mapped records', async () => {
    const dir = directory as ExternalSubscriberDirectory;
    assert.deepEqual(await dir.find('alice', 'example.com'), {
      user: 'alice', domain: '', credentials: { kind: 'password', password: 'alice-pw' },
      forwardUnconditional: undefined, forwardBusy: 'sip:busy@example.com', forwardNoAnswer: undefined,
      forwardUnavailable: undefined, redirectPrivacy: true,
    });
    assert.deepEqual((await dir.find('bob', 'example.com'))?.credentials,
      { kind: 'ha1', realm: REALM, md5: undefined, sha256: 'ab'.repeat(32) });
    assert.equal(await dir.find('ALICE', 'example.com'), undefined);
    assert.equal(await dir.find("x' OR '1'='1", 'example.com'), undefined);
  });

  it('serves known users from the cache when the server stops', async () => {
    const dir = directory as ExternalSubscriberDirectory;
    await (db as Postgres).stop();
    assert.equal((await dir.find('alice', 'example.com'))?.user, 'alice');
    assert.deepEqual(dir.status().hosts, [{ host: '127.0.0.1', state: 'bad' }]);
    assert.match(log.errors.join('\n'), /PostgreSQL subscriber database at 127\.0\.0\.1 marked bad/);
    assert.equal(dir.find('carol', 'example.com'), undefined);
  });
});

describe('sipd authenticating against MariaDB', () => {
  let db: MariaDb | undefined;
  let sipd: Sipd | undefined;
  let ua: UdpUa | undefined;
  let n = 0;

  before(async () => {
    db = await MariaDb.create();
    await db.sql(USERS_TABLE);
    // Without virtual proxy hosts users are looked up with no domain: frank's row has none.
    await db.sql("INSERT INTO users (user_id, user_domain, passwd) VALUES ('frank', '', 'frank-pw');");
    // The realm of the digest challenges is the ProxyDomain the harness sets (bench.local).
    sipd = await Sipd.launch({ Authentication: 'On', ...Object.fromEntries(mysqlLines(db.port, { primary: '127.0.0.1' }).map((l) => {
      const space = l.indexOf(' ');
      return [l.slice(0, space), l.slice(space + 1)];
    })) });
    ua = await UdpUa.open();
  });
  after(async () => {
    ua?.close();
    await sipd?.dispose();
    await db?.destroy();
  });

  async function registerFrank(): Promise<number | undefined> {
    const base = { method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `<sip:frank@${DOMAIN}>;tag=m${++n}`, to: `<sip:frank@${DOMAIN}>`, callId: `mariadb-${n}@ua` };
    const headers = [`Contact: <sip:frank@${ua!.host}:${ua!.port}>`, 'Expires: 600'];
    const target = { host: HOST, port: sipd!.port };
    const challenge = await ua!.send(target, { ...base, cseq: 1, headers });
    if (challenge?.status !== 401) return challenge?.status;
    const authorization = digestAuthorization(challenge.header('www-authenticate')!, { user: 'frank', password: 'frank-pw', method: 'REGISTER', uri: `sip:${DOMAIN}` });
    return (await ua!.send(target, { ...base, cseq: 2, headers: [...headers, `Authorization: ${authorization}`] }))?.status;
  }

  it('registers a user of the mapped table, and keeps doing so from the cache while MariaDB is stopped', async () => {
    assert.equal(await registerFrank(), 200, sipd!.diagnostics());
    await db!.stop();
    assert.equal(await registerFrank(), 200, `served from the cache while the database is down\n${sipd!.diagnostics()}`);
    assert.match(sipd!.diagnostics(), /marked bad/);
    await db!.start();
    assert.equal(await registerFrank(), 200);
  });
});
