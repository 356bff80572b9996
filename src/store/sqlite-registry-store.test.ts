import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Binding } from './binding';
import { SqliteRegistryStore } from './sqlite-registry-store';

const T0 = 1_700_000_000_000;
const DAY_MS = 86_400_000;
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipd-store-'));
  file = join(dir, 'registry.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(now = T0, flushIntervalMs?: number): SqliteRegistryStore {
  return SqliteRegistryStore.open(file, { maxAgeOnBootSec: 86_400, flushIntervalMs }, () => now);
}

function binding(aor: string, user: string, extra: Partial<Binding> = {}): Binding {
  const contact = `sip:${user}@192.0.2.1:5060`;
  return { aor, contact, contactKey: contact, expires: T0 + 3_600_000, callId: `${user}-call`, cseq: 1, ...extra };
}

test('bindings survive close and reopen with every field intact, oldest write first', () => {
  const full = binding('a@x', 'full', {
    q: 0.7,
    source: 'tcp:192.0.2.1:5062',
    path: ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'],
    userAgent: 'Phone/1.0',
  });
  const forever = binding('b@x', 'gw', { expires: Infinity, static: true });
  const s = open();
  s.put(binding('a@x', 'plain'));
  s.put(full);
  s.put(forever);
  s.close();

  const s2 = open();
  assert.equal(s2.discardedStale, false);
  assert.deepEqual(s2.loadAll(), [binding('a@x', 'plain'), full, forever]);
  s2.close();
});

test('queued writes coalesce and apply in order: later puts win, delete and deleteAor remove', () => {
  const s = open();
  s.put(binding('a@x', 'one', { cseq: 1 }));
  s.put(binding('a@x', 'two'));
  s.put(binding('a@x', 'one', { cseq: 2 }));
  s.put(binding('b@x', 'one'));
  s.put(binding('b@x', 'two'));
  s.delete('b@x', 'sip:two@192.0.2.1:5060');
  s.put(binding('c@x', 'old'));
  s.flush();
  s.put(binding('c@x', 'queued'));
  s.deleteAor('c@x');
  s.put(binding('c@x', 'after'));
  s.close();

  const got = open().loadAll().map((b) => `${b.aor} ${b.contact} ${b.cseq}`);
  assert.deepEqual(got, [
    'a@x sip:two@192.0.2.1:5060 1',
    'a@x sip:one@192.0.2.1:5060 2',
    'b@x sip:one@192.0.2.1:5060 1',
    'c@x sip:after@192.0.2.1:5060 1',
  ]);
});

test('the timer flushes without an explicit flush()', async () => {
  const s = open(T0, 10);
  s.put(binding('a@x', 'one'));
  const reader = new Database(file, { readonly: true });
  const count = () => reader.prepare('SELECT count(*) FROM bindings').pluck().get();
  assert.equal(count(), 0);
  await sleep(60);
  assert.equal(count(), 1);
  reader.close();
  s.close();
});

test('bindings already expired when the store is opened are skipped', () => {
  const s = open();
  s.put(binding('a@x', 'short', { expires: T0 + 1000 }));
  s.put(binding('a@x', 'long', { expires: T0 + 5000 }));
  s.close();
  const s2 = open(T0 + 1000);
  assert.deepEqual(s2.loadAll().map((b) => b.contact), ['sip:long@192.0.2.1:5060']);
  s2.close();
});

test('a file last written longer ago than maxAgeOnBootSec is discarded at open, except its static registrations', () => {
  const s = open();
  s.put(binding('a@x', 'one', { expires: Infinity }));
  s.put(binding('gw@x', 'fxs', { expires: Infinity, static: true }));
  s.close();
  const setLastWrite = (ms: number) => {
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'last_write_ms'").run(ms);
    db.close();
  };

  setLastWrite(T0 - DAY_MS + 1000);
  const young = open();
  assert.equal(young.discardedStale, false);
  assert.equal(young.loadAll().length, 2);
  young.close();

  setLastWrite(T0 - DAY_MS - 1000);
  const old = open();
  assert.equal(old.discardedStale, true);
  assert.deepEqual(old.loadAll().map((b) => b.aor), ['gw@x']);
  old.close();

  const after = open();
  assert.equal(after.discardedStale, false);
  assert.deepEqual(after.loadAll().map((b) => b.aor), ['gw@x']);
  after.close();
});

test('dataVersion changes with commits of another connection, not with the store\'s own flushes', () => {
  const s = open();
  const before = s.dataVersion();
  s.put(binding('a@x', 'own'));
  s.flush();
  assert.equal(s.dataVersion(), before);
  const other = new Database(file);
  other.prepare('DELETE FROM bindings').run();
  other.close();
  assert.notEqual(s.dataVersion(), before);
  s.close();
});

test('the page cache is bounded: 2000 KiB unless told otherwise', () => {
  const cacheOf = (s: SqliteRegistryStore): number => (s['db'] as Database.Database).pragma('cache_size', { simple: true }) as number;
  const s = open();
  assert.equal(cacheOf(s), -2000);
  s.close();
  const small = SqliteRegistryStore.open(file, { maxAgeOnBootSec: 86_400, cacheSizeKiB: 256 });
  assert.equal(cacheOf(small), -256);
  small.close();
});
