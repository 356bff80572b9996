import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoadMonitor } from './load-monitor';

test('timers firing late for a while mean overload; on-time timers bring it back', () => {
  let t = 0;
  const m = new LoadMonitor(100, () => t);
  for (let i = 0; i < 10; i++) { t += 50; m.tick(); }
  assert.equal(m.overloaded, false);
  for (let i = 0; i < 10; i++) { t += 50 + 400; m.tick(); }
  assert.equal(m.overloaded, true, 'timers 400 ms late');
  for (let i = 0; i < 30; i++) { t += 50; m.tick(); }
  assert.equal(m.overloaded, false, 'recovered');
});

test('one late timer (a GC pause) is not overload; a threshold of 0 never sheds', () => {
  let t = 0;
  const m = new LoadMonitor(100, () => t);
  t += 50 + 300;
  m.tick();
  assert.equal(m.overloaded, false);
  const off = new LoadMonitor(0, () => t);
  for (let i = 0; i < 10; i++) { t += 1000; off.tick(); }
  assert.equal(off.overloaded, false);
});
