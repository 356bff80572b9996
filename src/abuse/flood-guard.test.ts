import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FloodGuard, FloodGuardSettings } from './flood-guard';
import { AccessLists } from '../acl/access-list';

const FLOODER = '198.51.100.66';
const NEIGHBOUR = '198.51.100.7';

function guard(extra: Partial<FloodGuardSettings> = {}): { g: FloodGuard; logs: string[] } {
  const logs: string[] = [];
  const g = new FloodGuard({ maxRequests: 10, windowSec: 2, banTimeSec: 60, log: (m) => logs.push(m), ...extra });
  return { g, logs };
}

/** Sends n messages from host spread evenly over [from, from + spanMs); how many were admitted. */
function send(g: FloodGuard, host: string, n: number, from: number, spanMs = 0): number {
  let admitted = 0;
  for (let i = 0; i < n; i++) if (g.admit(host, from + Math.floor((i * spanMs) / n))) admitted++;
  return admitted;
}

test('a flood from one source is banned while a second source under its rate is still admitted', () => {
  const { g, logs } = guard();
  assert.equal(send(g, FLOODER, 10, 0, 500), 10, 'up to the limit is fine');
  assert.equal(g.admit(FLOODER, 600), false, 'the 11th message in the window starts the ban');
  assert.equal(send(g, FLOODER, 500, 700, 30_000), 0, 'everything during the ban is ignored');
  assert.equal(send(g, NEIGHBOUR, 4, 0, 1500), 4);
  assert.equal(send(g, NEIGHBOUR, 4, 2000, 1500), 4, 'the neighbour keeps sending under its rate');
  assert.equal(logs.length, 1, 'logged once, not per dropped message');
  assert.match(logs[0], /^flood from 198\.51\.100\.66: 11 messages in the last 2 s \(limit 10\), ignoring it for 60 s$/);
});

test('the ban ends after RateLimitBanTime and is logged once more, with what was ignored', () => {
  const { g, logs } = guard();
  send(g, FLOODER, 11, 0);
  send(g, FLOODER, 5, 1000, 50_000);
  assert.equal(g.admit(FLOODER, 59_999), false);
  assert.equal(g.admit(FLOODER, 60_000), true, 'the ban has lapsed');
  assert.deepEqual(logs.slice(1), ['flood ban of 198.51.100.66 ended, 6 messages ignored']);
  assert.equal(send(g, FLOODER, 9, 60_001, 1000), 9, 'a fresh count after the ban');
});

test('sweep() logs the end of a ban for a source that went quiet', () => {
  const { g, logs } = guard();
  send(g, FLOODER, 11, 0);
  g.sweep(59_000);
  assert.equal(logs.length, 1);
  g.sweep(61_000);
  assert.equal(logs.length, 2);
  assert.match(logs[1], /ban of 198\.51\.100\.66 ended, 0 messages ignored/);
  assert.deepEqual(g.size, { sources: 0, bans: 0 });
});

test('the rate is counted over a sliding window: a burst split across a window boundary is still caught', () => {
  const { g } = guard();
  assert.equal(send(g, FLOODER, 8, 1000, 900), 8, 'late in the first window');
  assert.equal(send(g, FLOODER, 8, 2000, 100), 2, 'early in the next window: 16 in about one second');
  // A steady rate just under the limit is never banned.
  const { g: steady } = guard();
  assert.equal(send(steady, NEIGHBOUR, 80, 0, 20_000), 80, '8 per 2 s for 20 s');
});

test('an exempt source (a trusted gateway) may send at any rate', () => {
  const trusted = AccessLists.compile('Deny,Allow', [{ action: 'allow', direction: 'from', spec: '10.1.0.0/16' }]);
  const { g, logs } = guard({ exempt: (host) => trusted.from.trustedWithoutWaiting(host) });
  assert.equal(send(g, '10.1.2.3', 1000, 0, 1000), 1000);
  assert.equal(send(g, FLOODER, 1000, 0, 1000), 10);
  assert.equal(logs.length, 1);
});

test('memory is bounded: beyond maxSources the least recently active source is forgotten, bans beyond maxBans lifted soonest-ending first', () => {
  const { g, logs } = guard({ maxSources: 3, maxBans: 2 });
  send(g, '192.0.2.1', 9, 0);
  send(g, '192.0.2.2', 1, 10);
  send(g, '192.0.2.3', 1, 20);
  send(g, '192.0.2.4', 1, 30);
  assert.deepEqual(g.size, { sources: 3, bans: 0 });
  assert.equal(send(g, '192.0.2.1', 9, 40), 9, '192.0.2.1 was evicted first, so its count started over');

  // A spoofed flood of new addresses never grows the table past the cap.
  for (let i = 0; i < 10_000; i++) g.admit(`203.0.113.${i % 250}:${i}`, 100);
  assert.equal(g.size.sources, 3);

  send(g, '198.51.100.1', 11, 200);
  send(g, '198.51.100.2', 11, 300);
  send(g, '198.51.100.3', 11, 400);
  assert.equal(g.size.bans, 2);
  assert.equal(g.admit('198.51.100.1', 500), true, 'the ban ending soonest was lifted to make room');
  assert.equal(g.admit('198.51.100.2', 500), false);
  assert.equal(g.admit('198.51.100.3', 500), false);
  assert.deepEqual(logs.filter((l) => l.includes('ended')), ['flood ban of 198.51.100.1 ended early to make room for a new ban, 0 messages ignored']);
});

test('idle sources are forgotten after two windows without traffic', () => {
  const { g } = guard();
  send(g, '192.0.2.1', 3, 0);
  send(g, '192.0.2.2', 3, 3000);
  assert.equal(g.size.sources, 2);
  g.admit('192.0.2.3', 4500);
  assert.equal(g.size.sources, 2, '192.0.2.1 has been idle for over 4 s');
});

test('new settings on a graceful restart keep the bans in progress and apply the new limit', () => {
  const { g, logs } = guard();
  send(g, FLOODER, 11, 0);
  g.settings = { maxRequests: 3, windowSec: 2, banTimeSec: 60, log: (m) => logs.push(m) };
  assert.equal(g.admit(FLOODER, 1000), false, 'still banned');
  assert.equal(send(g, NEIGHBOUR, 4, 1000), 3, 'the new limit of 3');
});

test('RateLimitRequests 0 disables the guard', () => {
  const { g, logs } = guard({ maxRequests: 0 });
  assert.equal(g.enabled, false);
  assert.equal(send(g, FLOODER, 100_000, 0), 100_000);
  assert.deepEqual(g.size, { sources: 0, bans: 0 });
  assert.deepEqual(logs, []);
});
