import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SubscriberDbDriver, TableConnection } from './driver';
import { ExternalSubscriberDirectory, type ExternalDirectorySettings } from './external-directory';
import { columnMapping, type FieldRow } from './fields';

type Mode = 'up' | 'down' | 'hang';

/** One fake database host: its table, whether it answers, and the queries it got. */
class FakeHost {
  mode: Mode = 'up';
  columns = ['username', 'password'];
  rows: FieldRow[] = [];
  selects: string[] = [];
  /** Modes of the next selects, before `mode` applies again. */
  nextSelects: Mode[] = [];

  private answer<T>(value: () => T, mode = this.mode): Promise<T> {
    if (mode === 'down') return Promise.reject(new Error('connect ECONNREFUSED'));
    if (mode === 'hang') return new Promise<T>(() => {});
    return Promise.resolve().then(value);
  }

  connection(): TableConnection {
    return {
      listColumns: () => this.answer(() => this.columns),
      select: (_sql, [user]) => {
        this.selects.push(user);
        return this.answer(() => this.rows.filter((r) => r.username === user), this.nextSelects.shift());
      },
      close: async () => {},
    };
  }
}

class Fixture {
  readonly hosts = new Map<string, FakeHost>();
  readonly errors: string[] = [];
  readonly notices: string[] = [];
  clock = 1_000_000;
  readonly directory: ExternalSubscriberDirectory;

  constructor(hostNames: string[], overrides: Partial<ExternalDirectorySettings> = {}) {
    for (const name of hostNames) this.hosts.set(name, new FakeHost());
    const driver: SubscriberDbDriver = {
      name: 'FakeSQL',
      quoteIdentifier: (n) => `[${n}]`,
      placeholder: () => '?',
      connect: (host) => (this.hosts.get(host) as FakeHost).connection(),
    };
    this.directory = new ExternalSubscriberDirectory({
      driver, hosts: hostNames, table: 'subscriber', columns: columnMapping({}).columns, realm: 'R',
      timeoutMs: 30, cacheMs: 60_000, negativeCacheMs: 5_000, probeIntervalMs: 10, ...overrides,
    }, {
      error: (m) => this.errors.push(m),
      notice: (m) => this.notices.push(m),
      debug: () => {},
    }, () => this.clock);
  }

  host(name: string): FakeHost {
    return this.hosts.get(name) as FakeHost;
  }

  state(name: string): string | undefined {
    return this.directory.status().hosts.find((h) => h.host === name)?.state;
  }

  async until(what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

const alice: FieldRow = { username: 'alice', password: 'pw' };

test('a fresh cache entry answers at once without a query', async () => {
  const f = new Fixture(['db1']);
  f.host('db1').rows = [alice];
  assert.equal((await f.directory.find('alice', 'x.org'))?.user, 'alice');
  const cached = f.directory.find('alice', 'x.org');
  assert.equal(cached instanceof Promise, false);
  assert.equal((cached as { user: string }).user, 'alice');
  assert.deepEqual(f.host('db1').selects, ['alice']);
  await f.directory.close();
});

test('an expired entry is read again, and concurrent finds of one user share one query', async () => {
  const f = new Fixture(['db1']);
  f.host('db1').rows = [alice];
  await f.directory.find('alice', 'x.org');
  f.clock += 60_001;
  f.host('db1').rows = [{ username: 'alice', password: 'new-pw' }];
  const answers = await Promise.all([f.directory.find('alice', 'x.org'), f.directory.find('alice', 'y.org')]);
  assert.deepEqual(answers.map((a) => a?.credentials), [{ kind: 'password', password: 'new-pw' }, { kind: 'password', password: 'new-pw' }]);
  assert.deepEqual(f.host('db1').selects, ['alice', 'alice']);
  await f.directory.close();
});

test('an unknown user is believed unknown for the negative cache time only', async () => {
  const f = new Fixture(['db1']);
  assert.equal(await f.directory.find('carol', 'x.org'), undefined);
  f.host('db1').rows = [{ username: 'carol', password: 'c' }];
  assert.equal(f.directory.find('carol', 'x.org'), undefined);
  f.clock += 5_001;
  assert.equal((await f.directory.find('carol', 'x.org'))?.user, 'carol');
  assert.deepEqual(f.host('db1').selects, ['carol', 'carol']);
  await f.directory.close();
});

test('a query past the timeout marks the database bad once; known users come from the stale cache, at once', async () => {
  const f = new Fixture(['db1']);
  f.host('db1').rows = [alice];
  await f.directory.find('alice', 'x.org');
  f.clock += 60_001;
  f.host('db1').mode = 'hang';
  assert.equal((await f.directory.find('alice', 'x.org'))?.user, 'alice');
  assert.equal(f.state('db1'), 'bad');
  assert.deepEqual(f.errors, [
    'FakeSQL subscriber database at db1 marked bad: no answer to the query within 30 ms; answering from the subscriber cache until it recovers',
  ]);
  const selects = f.host('db1').selects.length;
  const known = f.directory.find('alice', 'x.org');
  const unknown = f.directory.find('nobody', 'x.org');
  assert.equal(known instanceof Promise, false);
  assert.equal((known as { user: string }).user, 'alice');
  assert.equal(unknown, undefined);
  assert.equal(f.host('db1').selects.length, selects, 'no query while the database is bad');
  assert.equal(f.errors.length, 1);
  await f.directory.close();
});

test('the probe puts a recovered database back in use and logs it once', async () => {
  const f = new Fixture(['db1']);
  f.host('db1').mode = 'down';
  assert.equal(await f.directory.find('alice', 'x.org'), undefined);
  assert.equal(f.state('db1'), 'bad');
  assert.match(f.errors[0], /at db1 marked bad: connect ECONNREFUSED/);
  await new Promise((r) => setTimeout(r, 50)); // a few failing probes: none is logged
  assert.equal(f.errors.length, 1);
  f.host('db1').rows = [alice];
  f.host('db1').mode = 'up';
  await f.until('db1 is good', () => f.state('db1') === 'good');
  assert.deepEqual(f.notices, ['FakeSQL subscriber database at db1 answers again']);
  assert.equal((await f.directory.find('alice', 'x.org'))?.user, 'alice');
  await f.directory.close();
});

test('a query that fails after its host has reconnected does not mark the new connection bad', async () => {
  const f = new Fixture(['db1'], { timeoutMs: 1000, cacheMs: 0, negativeCacheMs: 0 });
  f.host('db1').rows = [alice];
  await f.directory.find('alice', 'x.org');
  f.host('db1').nextSelects = ['hang', 'down'];
  const slow = f.directory.find('alice', 'x.org');
  assert.equal(await f.directory.find('bob', 'x.org'), undefined);
  assert.equal(f.state('db1'), 'bad');
  await f.until('db1 is good', () => f.state('db1') === 'good');
  assert.equal((await slow)?.user, 'alice'); // its timeout fired on the old connection
  assert.equal(f.state('db1'), 'good');
  assert.equal(f.errors.length, 1);
  await f.directory.close();
});

test('the secondary serves while the primary is bad, and the primary is used again once it recovers', async () => {
  const f = new Fixture(['primary', 'secondary'], { cacheMs: 0, negativeCacheMs: 0 });
  f.host('primary').rows = [alice];
  f.host('secondary').rows = [alice];
  f.host('primary').mode = 'hang';
  assert.equal((await f.directory.find('alice', 'x.org'))?.user, 'alice');
  assert.deepEqual(f.directory.status().hosts, [{ host: 'primary', state: 'bad' }, { host: 'secondary', state: 'good' }]);
  assert.match(f.errors[0], /at primary marked bad: no answer to the connect within 30 ms; using secondary meanwhile$/);
  await f.directory.find('alice', 'x.org');
  assert.deepEqual(f.host('secondary').selects, ['alice', 'alice']);

  f.host('primary').mode = 'up';
  await f.until('the primary is good', () => f.state('primary') === 'good');
  await f.directory.find('alice', 'x.org');
  assert.deepEqual(f.host('primary').selects, ['alice']);
  assert.equal(f.host('secondary').selects.length, 2);
  await f.directory.close();
});

test('start() refuses a table without the user name column but lets an unreachable database be retried', async () => {
  const bad = new Fixture(['db1']);
  bad.host('db1').columns = ['user_id', 'password'];
  await assert.rejects(bad.directory.start(), /has no column "username"/);
  await bad.directory.close();

  const down = new Fixture(['db1']);
  down.host('db1').mode = 'down';
  await down.directory.start();
  assert.equal(down.state('db1'), 'bad');
  await down.directory.close();
});

test('after close() no database is queried and no probe runs', async () => {
  const f = new Fixture(['db1']);
  f.host('db1').rows = [alice];
  await f.directory.find('alice', 'x.org');
  await f.directory.close();
  f.clock += 60_001;
  assert.equal((f.directory.find('alice', 'x.org') as { user: string }).user, 'alice');
  assert.deepEqual(f.host('db1').selects, ['alice']);
});
