import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { SqliteRegistryStore } from './sqlite-registry-store';

// The child upserts through the location service, waits past the flush interval, says so and
// idles until killed; nothing in it calls flush() or close().
const CHILD = `
const { SqliteRegistryStore } = require(${JSON.stringify(join(__dirname, 'sqlite-registry-store.js'))});
const { LocationService } = require(${JSON.stringify(join(__dirname, '..', 'registrar', 'location.js'))});
const loc = new LocationService(SqliteRegistryStore.open(process.argv[1], { maxAgeOnBootSec: 86400, flushIntervalMs: 20 }));
for (let i = 0; i < 500; i++) {
  const contact = 'sip:' + i + '@192.0.2.1:5060';
  loc.upsert({ aor: i + '@x', contact, contactKey: contact, expires: Date.now() + 3600000, callId: 'c' + i, cseq: 1 });
}
loc.remove('7@x', 'sip:7@192.0.2.1:5060');
setTimeout(() => process.stdout.write('flushed\\n'), 200);
setInterval(() => {}, 1000);
`;

test('writes older than the flush interval survive a SIGKILL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipd-kill-'));
  try {
    const file = join(dir, 'registry.db');
    const child = spawn(process.execPath, ['-e', CHILD, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    assert.equal(chunk.toString(), 'flushed\n');
    child.kill('SIGKILL');
    const [, signal] = await once(child, 'exit');
    assert.equal(signal, 'SIGKILL');

    const store = SqliteRegistryStore.open(file, { maxAgeOnBootSec: 86_400 });
    const aors = new Set(store.loadAll().map((b) => b.aor));
    store.close();
    assert.equal(aors.size, 499);
    assert.ok(aors.has('0@x') && aors.has('499@x'));
    assert.ok(!aors.has('7@x'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
