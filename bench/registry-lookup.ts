/*
 * Registry lookup among 1,000,000 bindings (issue 4): LocationService over the real SqliteRegistryStore in a
 * temporary directory, as sipd runs it. Part of `npm run bench` (`--tests registry`, `--bindings N`).
 *
 * One binding per AOR, registered through LocationService.upsert; the store queues every write and flush() puts
 * them in the file in one transaction. Lookups ask for random registered AORs, each as a fresh string the way a
 * parsed request brings it, so hashing the key is part of the timed call. Memory: V8 heap and process RSS growth
 * from before the service was opened to after the flush, each after a full GC; RSS includes SQLite's page cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocationService } from '../src/registrar/location';
import { contactKey } from '../src/registrar/registrar';
import { parseUri } from '../src/sip';
import { SqliteRegistryStore } from '../src/store/sqlite-registry-store';
import { collectGarbage, lcg, secondsSince, timeEach, type LookupFigures } from './lookup-timing';

const DOMAIN = 'bench.local';
const FIRST_USER = 10_000_000;

const userOf = (i: number): string => String(FIRST_USER + i);
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;

export function registryLookupFigures(bindings: number, lookups: number): LookupFigures {
  const dir = mkdtempSync(join(tmpdir(), 'sipd-bench-registry-'));
  try {
    collectGarbage();
    const before = process.memoryUsage();
    const store = SqliteRegistryStore.open(join(dir, 'registry.db'), { maxAgeOnBootSec: 3600 });
    const location = new LocationService(store);
    const t0 = process.hrtime.bigint();
    const expires = Date.now() + 3_600_000;
    for (let i = 0; i < bindings; i++) {
      const user = userOf(i);
      const contact = `sip:${user}@10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:5060`;
      location.upsert({ aor: `${user}@${DOMAIN}`, contact, contactKey: contactKey(parseUri(contact)), expires, callId: `${user}-bench`, cseq: 1 });
    }
    store.flush();
    const inserted = secondsSince(t0);
    if (location.size() !== bindings) throw new Error(`expected ${bindings} bindings, the service holds ${location.size()}`);
    collectGarbage();
    const after = process.memoryUsage();

    const rand = lcg(bindings);
    const aors = Array.from({ length: lookups }, () => `${userOf(Math.floor(rand() * bindings))}@${DOMAIN}`);
    const { medianUs, p99Us } = timeEach(aors, (aor) => location.lookup(aor));
    if (!aors.every((aor) => location.lookup(aor).length === 1)) throw new Error('a registered AOR was not found');
    location.close();
    const heap = after.heapUsed - before.heapUsed;
    return {
      name: 'registry lookup (LocationService.lookup, SQLite store)',
      tableSize: bindings,
      lookups,
      medianUs,
      p99Us,
      notes:
        `registered and written in ${inserted.toFixed(1)} s; heap +${mib(heap)} (${Math.round(heap / bindings)} B per binding), ` +
        `RSS +${mib(after.rss - before.rss)}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
