import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlRequest, serveControl, type ControlRequest } from './protocol';

function socketPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'sipd-ctl-')), 'sipd.ctl');
}

function rawExchange(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path, () => s.write(line));
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\n')) {
        s.destroy();
        resolve(data);
      }
    });
    s.on('error', reject);
  });
}

test('a request reaches the handler and its reply comes back; the socket is owner-only', async () => {
  const path = socketPath();
  const seen: ControlRequest[] = [];
  const server = await serveControl(path, async (req) => {
    seen.push(req);
    return { ok: true, warnings: ['w'] };
  });
  try {
    const reply = await controlRequest(path, { cmd: 'txngraceful', seconds: 45, behaviour: 2 }, 1000);
    assert.deepEqual(reply, { ok: true, warnings: ['w'] });
    assert.deepEqual(seen, [{ cmd: 'txngraceful', seconds: 45, behaviour: 2 }]);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  } finally {
    server.close();
  }
});

test('malformed and unknown requests are answered with an error, never handed on', async () => {
  const path = socketPath();
  let calls = 0;
  const server = await serveControl(path, async () => {
    calls++;
    return { ok: true };
  });
  try {
    assert.deepEqual(JSON.parse(await rawExchange(path, 'not json\n')), { ok: false, errors: ['request is not JSON'] });
    const bad = '{"cmd":"txngraceful","seconds":0,"behaviour":1}\n';
    assert.deepEqual(JSON.parse(await rawExchange(path, bad)), { ok: false, errors: ['unknown request'] });
    assert.equal(calls, 0);
  } finally {
    server.close();
  }
});

test('a handler failure becomes an error reply', async () => {
  const path = socketPath();
  const server = await serveControl(path, async () => {
    throw new Error('reload failed');
  });
  try {
    assert.deepEqual(await controlRequest(path, { cmd: 'graceful' }, 1000), { ok: false, errors: ['reload failed'] });
  } finally {
    server.close();
  }
});

test('a client gives up when nobody listens', async () => {
  await assert.rejects(controlRequest(socketPath(), { cmd: 'status' }, 1000), /ENOENT/);
});
