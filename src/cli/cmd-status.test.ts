import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration } from './cmd-status';

test('uptime is shown in days, hours, minutes and seconds', () => {
  assert.equal(formatDuration(42_900), '42s');
  assert.equal(formatDuration(3_723_000), '1h 2m 3s');
  assert.equal(formatDuration(90_061_000), '1d 1h 1m 1s');
});
