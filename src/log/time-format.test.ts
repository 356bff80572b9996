import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessLogTime, errorLogTime } from './time-format';

test('error-log and access-log times follow the seed shapes with zero padding', () => {
  process.env.TZ = 'UTC';
  const d = new Date(Date.UTC(2001, 3, 6, 1, 2, 3));
  assert.equal(errorLogTime(d), 'Fri Apr 06 01:02:03 2001');
  assert.equal(accessLogTime(d), '06/Apr/2001:01:02:03 +0000');
});

test('access-log time shows the local offset', () => {
  process.env.TZ = 'Asia/Kolkata';
  try {
    assert.equal(accessLogTime(new Date(Date.UTC(2001, 3, 20, 21, 44, 51))), '21/Apr/2001:03:14:51 +0530');
  } finally {
    process.env.TZ = 'UTC';
  }
});
