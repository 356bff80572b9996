import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadCache } from './read-cache';

test('an answer, absent ones included, is reused until its time is up, then read again', () => {
  let t = 0;
  let reads = 0;
  const cache = new ReadCache<string>(1000, 10, () => t);
  const load = (value: string | undefined) => () => { reads++; return value; };
  assert.equal(cache.get('a', load('one')), 'one');
  assert.equal(cache.get('a', load('two')), 'one');
  assert.equal(cache.get('x', load(undefined)), undefined);
  assert.equal(cache.get('x', load('late')), undefined);
  assert.equal(reads, 2);
  t = 1000;
  assert.equal(cache.get('a', load('two')), 'two');
  assert.equal(cache.get('x', load('late')), 'late');
  assert.equal(reads, 4);
});

test('a ttl of 0 reads every time; the entry count stays bounded', () => {
  let reads = 0;
  const direct = new ReadCache<number>(0, 10, () => 0);
  direct.get('k', () => ++reads);
  direct.get('k', () => ++reads);
  assert.equal(reads, 2);
  const small = new ReadCache<number>(1000, 2, () => 0);
  for (let i = 0; i < 5; i++) small.get(`k${i}`, () => i);
  let reloaded = false;
  small.get('k0', () => { reloaded = true; return 0; });
  assert.ok(reloaded, 'old entries were dropped to stay within the bound');
});
