// Failed-authentication lockout per user and per source, on a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthLockout } from './lockout';

function setup(failureLimit = 3) {
  let now = 1_700_000_000_000;
  const logs: string[] = [];
  const lockout = new AuthLockout({ failureLimit, failureWindowSec: 60, lockoutSec: 300 }, (m) => logs.push(m), () => now);
  return { lockout, logs, advance: (sec: number) => (now += sec * 1000) };
}

test('the limit within the window locks the user and the source, logged once each, until the lockout time passes', () => {
  const { lockout, logs, advance } = setup();
  lockout.recordFailure('bob@', '192.0.2.1');
  lockout.recordFailure('bob@', '192.0.2.1');
  assert.ok(!lockout.isUserLocked('bob@'));
  lockout.recordFailure('bob@', '192.0.2.1');
  assert.ok(lockout.isUserLocked('bob@'));
  assert.ok(lockout.isSourceLocked('192.0.2.1'));
  lockout.recordFailure('bob@', '192.0.2.1');
  assert.equal(logs.length, 2);
  assert.match(logs[0], /user "bob@" locked for 300 s .* from 192\.0\.2\.1/);
  assert.match(logs[1], /source 192\.0\.2\.1 locked/);
  advance(299);
  assert.ok(lockout.isUserLocked('bob@'));
  advance(2);
  assert.ok(!lockout.isUserLocked('bob@'));
  assert.ok(!lockout.isSourceLocked('192.0.2.1'));
});

test('failures spread over more than the window do not add up', () => {
  const { lockout, advance } = setup();
  lockout.recordFailure('bob@', '192.0.2.1');
  lockout.recordFailure('bob@', '192.0.2.1');
  advance(61);
  lockout.recordFailure('bob@', '192.0.2.1');
  assert.ok(!lockout.isUserLocked('bob@'));
});

test('a success clears the user count but not the source count', () => {
  const { lockout } = setup();
  lockout.recordFailure('bob@', '192.0.2.1');
  lockout.recordFailure('bob@', '192.0.2.1');
  lockout.recordSuccess('bob@');
  lockout.recordFailure('bob@', '192.0.2.1');
  assert.ok(!lockout.isUserLocked('bob@'));
  assert.ok(lockout.isSourceLocked('192.0.2.1'));
});

test('limit 0 turns lockout off', () => {
  const { lockout, logs } = setup(0);
  for (let i = 0; i < 10; i++) lockout.recordFailure('bob@', '192.0.2.1');
  assert.ok(!lockout.isUserLocked('bob@'));
  assert.ok(!lockout.isSourceLocked('192.0.2.1'));
  assert.equal(logs.length, 0);
});
