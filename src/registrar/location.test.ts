import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocationService, type Binding } from './location';
import type { RegistryStore } from '../store/registry-store';
import { SqliteRegistryStore } from '../store/sqlite-registry-store';
import Database from 'better-sqlite3';

const T0 = 1_700_000_000_000;

function binding(aor: string, user: string, extra: Partial<Binding> = {}): Binding {
  const contact = `sip:${user}@192.0.2.1:5060`;
  return { aor, contact, contactKey: contact, expires: T0 + 3_600_000, callId: `${user}-call`, cseq: 1, ...extra };
}

/** Records what the service writes behind. */
class RecordingStore implements RegistryStore {
  ops: string[] = [];
  constructor(private readonly stored: Binding[] = []) {}
  loadAll(): Binding[] {
    return this.stored;
  }
  put(b: Binding): void {
    this.ops.push(`put ${b.aor} ${b.contactKey}`);
  }
  delete(aor: string, contactKey: string): void {
    this.ops.push(`delete ${aor} ${contactKey}`);
  }
  deleteAor(aor: string): void {
    this.ops.push(`deleteAor ${aor}`);
  }
  flush(): void {
    this.ops.push('flush');
  }
  close(): void {
    this.ops.push('close');
  }
}

const contacts = (bs: Binding[]): string[] => bs.map((b) => b.contact);

test('lookup orders by q (absent = 1.0), then most recently registered first', () => {
  const loc = new LocationService(null, () => T0);
  loc.upsert(binding('a@x', 'one'));
  loc.upsert(binding('a@x', 'half', { q: 0.5 }));
  loc.upsert(binding('a@x', 'two'));
  loc.upsert(binding('a@x', 'full', { q: 1 }));
  assert.deepEqual(contacts(loc.lookup('a@x')), [
    'sip:full@192.0.2.1:5060',
    'sip:two@192.0.2.1:5060',
    'sip:one@192.0.2.1:5060',
    'sip:half@192.0.2.1:5060',
  ]);
  loc.upsert(binding('a@x', 'one', { cseq: 2 }));
  assert.deepEqual(contacts(loc.lookup('a@x')).slice(0, 2), ['sip:one@192.0.2.1:5060', 'sip:full@192.0.2.1:5060']);
  assert.equal(loc.size(), 4);
  assert.equal(loc.aorCount(), 1);
});

test('upsert replaces the binding with the same contactKey and keeps its own frozen copy', () => {
  const loc = new LocationService(null, () => T0);
  const b = binding('a@x', 'one', { path: ['<sip:edge.example.com;lr>'] });
  loc.upsert(b);
  loc.upsert({ ...binding('a@x', 'one'), contact: 'sip:one@192.0.2.9:5060', cseq: 7 });
  b.callId = 'changed';
  b.path!.push('<sip:other;lr>');
  const got = loc.get('a@x', 'sip:one@192.0.2.1:5060');
  assert.equal(got?.contact, 'sip:one@192.0.2.9:5060');
  assert.equal(got?.cseq, 7);
  assert.equal(got?.path, undefined);
  assert.equal(loc.size(), 1);
  assert.ok(Object.isFrozen(got));
  loc.upsert(b);
  assert.deepEqual(loc.get('a@x', b.contactKey)?.path, ['<sip:edge.example.com;lr>', '<sip:other;lr>']);
  b.path!.length = 0;
  assert.equal(loc.get('a@x', b.contactKey)?.path?.length, 2);
});

test('a lapsed binding is hidden from lookup and get before the purge removes it', () => {
  let now = T0;
  const store = new RecordingStore();
  const loc = new LocationService(store, () => now);
  loc.upsert(binding('a@x', 'short', { expires: T0 + 1000 }));
  loc.upsert(binding('a@x', 'long', { expires: T0 + 5000 }));
  loc.upsert(binding('b@x', 'short', { expires: T0 + 1000 }));
  now = T0 + 1000;
  assert.deepEqual(contacts(loc.lookup('a@x')), ['sip:long@192.0.2.1:5060']);
  assert.deepEqual(loc.lookup('b@x'), []);
  assert.equal(loc.get('b@x', 'sip:short@192.0.2.1:5060'), undefined);
  assert.equal(loc.size(), 3);
  assert.equal([...loc.entries()].length, 3);

  store.ops = [];
  assert.equal(loc.purgeExpired(), 2);
  assert.deepEqual(store.ops.sort(), ['delete a@x sip:short@192.0.2.1:5060', 'delete b@x sip:short@192.0.2.1:5060']);
  assert.equal(loc.size(), 1);
  assert.equal(loc.aorCount(), 1);
  assert.equal(loc.get('a@x', 'sip:long@192.0.2.1:5060')?.contact, 'sip:long@192.0.2.1:5060');
  assert.equal(loc.purgeExpired(), 0);
});

test('remove and removeAll update memory, counts and the store', () => {
  const store = new RecordingStore();
  const loc = new LocationService(store, () => T0);
  loc.upsert(binding('a@x', 'one'));
  loc.upsert(binding('a@x', 'two'));
  loc.upsert(binding('a@x', 'three'));
  loc.upsert(binding('b@x', 'one'));
  assert.equal(loc.remove('a@x', 'sip:two@192.0.2.1:5060'), true);
  assert.equal(loc.remove('a@x', 'sip:two@192.0.2.1:5060'), false);
  assert.equal(loc.remove('b@x', 'sip:nobody@192.0.2.1:5060'), false);
  assert.deepEqual(contacts(loc.lookup('a@x')), ['sip:three@192.0.2.1:5060', 'sip:one@192.0.2.1:5060']);
  assert.equal(loc.remove('a@x', 'sip:three@192.0.2.1:5060'), true);
  assert.deepEqual(contacts(loc.lookup('a@x')), ['sip:one@192.0.2.1:5060']);
  assert.equal(loc.size(), 2);
  assert.equal(loc.removeAll('b@x'), 1);
  assert.equal(loc.removeAll('b@x'), 0);
  assert.deepEqual(loc.lookup('b@x'), []);
  assert.equal(loc.size(), 1);
  assert.equal(loc.aorCount(), 1);
  assert.deepEqual(store.ops.slice(4), [
    'delete a@x sip:two@192.0.2.1:5060',
    'delete a@x sip:three@192.0.2.1:5060',
    'deleteAor b@x',
  ]);
  loc.close();
  assert.equal(store.ops.at(-1), 'close');
});

test('the constructor loads the store, oldest first, so recency survives a restart', () => {
  const store = new RecordingStore([binding('a@x', 'old'), binding('a@x', 'new'), binding('b@x', 'one')]);
  const loc = new LocationService(store, () => T0);
  assert.deepEqual(contacts(loc.lookup('a@x')), ['sip:new@192.0.2.1:5060', 'sip:old@192.0.2.1:5060']);
  assert.equal(loc.size(), 3);
  assert.deepEqual(store.ops, []);
});

test('static bindings never expire, are not persisted, and loadStatic replaces the previous set', () => {
  let now = T0;
  const store = new RecordingStore();
  const loc = new LocationService(store, () => now);
  const gw = (user: string): Binding => ({ ...binding('gw@x', user), expires: Infinity, static: true });
  loc.upsert(binding('gw@x', 'dynamic'));
  loc.upsert(binding('gw@x', 'taken'));
  store.ops = [];
  loc.loadStatic([gw('s1'), gw('s2'), gw('taken')]);
  assert.deepEqual(store.ops, ['delete gw@x sip:taken@192.0.2.1:5060']);
  assert.equal(loc.get('gw@x', 'sip:taken@192.0.2.1:5060')?.static, true);

  now = T0 + 10 * 365 * 86_400_000;
  assert.equal(loc.purgeExpired(), 1);
  assert.deepEqual(contacts(loc.lookup('gw@x')), [
    'sip:taken@192.0.2.1:5060',
    'sip:s2@192.0.2.1:5060',
    'sip:s1@192.0.2.1:5060',
  ]);

  loc.loadStatic([gw('s3')]);
  assert.deepEqual(contacts(loc.lookup('gw@x')), ['sip:s3@192.0.2.1:5060']);
  assert.equal(loc.size(), 1);
  assert.ok(!store.ops.some((op) => op.startsWith('put')));
});

test('loadStatic leaves alone a static binding that a later upsert replaced', () => {
  const loc = new LocationService(null, () => T0);
  loc.loadStatic([{ ...binding('gw@x', 's1'), expires: Infinity, static: true }]);
  loc.upsert(binding('gw@x', 's1'));
  loc.loadStatic([]);
  assert.equal(loc.get('gw@x', 'sip:s1@192.0.2.1:5060')?.static, undefined);
});

test('a purge reaches the SQLite store: the purged binding is gone after reopening', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipd-location-'));
  try {
    const file = join(dir, 'registry.db');
    let now = T0;
    // The store keeps the start time, so only an actual delete keeps the row from coming back.
    const open = () => SqliteRegistryStore.open(file, { maxAgeOnBootSec: 86_400 }, () => T0);
    const loc = new LocationService(open(), () => now);
    loc.upsert(binding('a@x', 'short', { expires: T0 + 1000 }));
    loc.upsert(binding('a@x', 'long', { expires: T0 + 5000 }));
    loc.close();

    const loc2 = new LocationService(open(), () => now);
    assert.equal(loc2.size(), 2);
    now = T0 + 2000;
    assert.equal(loc2.purgeExpired(), 1);
    loc2.close();

    now = T0;
    const loc3 = new LocationService(open(), () => now);
    assert.deepEqual(contacts(loc3.lookup('a@x')), ['sip:long@192.0.2.1:5060']);
    loc3.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stored binding gives back the contactKey it was given, whether or not the key extends the contact', () => {
  const store = new RecordingStore();
  const loc = new LocationService(store, () => T0);
  const keys = {
    same: 'sip:same@192.0.2.1:5060',
    registrar: 'sip:reg@192.0.2.1:5060;tcp',
    lowered: 'sip:upper@192.0.2.1:5060',
  };
  loc.upsert(binding('a@x', 'same'));
  loc.upsert({ ...binding('a@x', 'reg'), contactKey: keys.registrar });
  loc.upsert({ ...binding('a@x', 'UPPER'), contactKey: keys.lowered });
  assert.deepEqual(store.ops, [`put a@x ${keys.same}`, `put a@x ${keys.registrar}`, `put a@x ${keys.lowered}`]);
  assert.deepEqual(loc.lookup('a@x').map((b) => b.contactKey), [keys.lowered, keys.registrar, keys.same]);
  for (const key of Object.values(keys)) assert.equal(loc.get('a@x', key)?.contactKey, key);

  // Near misses of each form find nothing: the contact alone, another tail, the key in other case.
  assert.equal(loc.get('a@x', 'sip:reg@192.0.2.1:5060'), undefined);
  assert.equal(loc.get('a@x', 'sip:reg@192.0.2.1:5060;udp'), undefined);
  assert.equal(loc.get('a@x', 'sip:reg@192.0.2.1:5060;tcpx'), undefined);
  assert.equal(loc.get('a@x', 'sip:same@192.0.2.1:5060;'), undefined);
  assert.equal(loc.get('a@x', 'sip:UPPER@192.0.2.1:5060'), undefined);

  assert.equal(loc.remove('a@x', keys.registrar), true);
  assert.equal(loc.remove('a@x', keys.lowered), true);
  assert.deepEqual(contacts(loc.lookup('a@x')), [keys.same]);
});

test('a binding with every optional field keeps them all; a plain one reports them absent', () => {
  const loc = new LocationService(null, () => T0);
  loc.upsert(binding('a@x', 'full', { q: 0.3, source: 'tls:192.0.2.7:5061', path: ['<sip:edge;lr>'], userAgent: 'Phone/2', static: true }));
  loc.upsert(binding('b@x', 'plain'));
  const full = loc.get('a@x', 'sip:full@192.0.2.1:5060');
  assert.deepEqual(
    { q: full?.q, source: full?.source, path: full?.path, userAgent: full?.userAgent, static: full?.static, callId: full?.callId, cseq: full?.cseq, expires: full?.expires },
    { q: 0.3, source: 'tls:192.0.2.7:5061', path: ['<sip:edge;lr>'], userAgent: 'Phone/2', static: true, callId: 'full-call', cseq: 1, expires: T0 + 3_600_000 },
  );
  assert.ok(Object.isFrozen(full?.path));
  const plain = loc.get('b@x', 'sip:plain@192.0.2.1:5060');
  assert.deepEqual([plain?.q, plain?.source, plain?.path, plain?.userAgent, plain?.static], [undefined, undefined, undefined, undefined, undefined]);
  assert.equal(plain?.aor, 'b@x');
});

test('syncFromStore takes in what another process wrote, keeps queued writes and the seed-file static set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipd-location-'));
  try {
    const file = join(dir, 'registry.db');
    // A long flush interval: only syncFromStore's own flush writes the queued binding.
    const loc = new LocationService(SqliteRegistryStore.open(file, { maxAgeOnBootSec: 86_400, flushIntervalMs: 3_600_000 }, () => T0), () => T0);
    loc.upsert(binding('a@x', 'mine'));
    loc.loadStatic([binding('gw@x', 'fxs', { expires: Infinity, static: true })]);
    assert.equal(loc.syncFromStore(), false);

    const other = new Database(file);
    other.prepare("INSERT INTO bindings VALUES ('b@x', 'sip:b@10.0.0.2', 'sip:b@10.0.0.2', 9e999, NULL, '', 0, NULL, NULL, 1, NULL, 99)").run();
    other.close();
    assert.equal(loc.syncFromStore(), true);
    assert.deepEqual(contacts(loc.lookup('b@x')), ['sip:b@10.0.0.2']);
    assert.equal(loc.lookup('b@x')[0].static, true);
    assert.deepEqual(contacts(loc.lookup('a@x')), ['sip:mine@192.0.2.1:5060']);
    assert.deepEqual(contacts(loc.lookup('gw@x')), ['sip:fxs@192.0.2.1:5060']);
    assert.equal(loc.size(), 3);
    assert.equal(loc.syncFromStore(), false);

    const remover = new Database(file);
    remover.prepare("DELETE FROM bindings WHERE aor = 'a@x'").run();
    remover.close();
    assert.equal(loc.syncFromStore(), true);
    assert.deepEqual(loc.lookup('a@x'), []);
    assert.equal(loc.size(), 2);
    loc.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('syncFromStore does nothing for a store that no other process writes', () => {
  const store = new RecordingStore([binding('a@x', 'one')]);
  const loc = new LocationService(store, () => T0);
  assert.equal(loc.syncFromStore(), false);
  assert.deepEqual(store.ops, []);
});
