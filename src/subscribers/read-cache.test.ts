import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadCache } from './read-cache';

function setup(checkMs = 250, maxEntries = 10) {
  const clock = { t: 0, version: 1, reads: 0 };
  const cache = new ReadCache<string>(checkMs, maxEntries, () => clock.t, () => clock.version);
  const load = (value: string | undefined) => () => { clock.reads++; return value; };
  return { clock, cache, load };
}

test('answers, absent ones included, are reused while the database does not change', () => {
  const { clock, cache, load } = setup();
  assert.equal(cache.get('a', load('one')), 'one');
  assert.equal(cache.get('x', load(undefined)), undefined);
  clock.t = 10_000;
  assert.equal(cache.get('a', load('two')), 'one');
  assert.equal(cache.get('x', load('late')), undefined);
  assert.equal(clock.reads, 2);
});

test('a change of the database version empties the cache at the next check, not before', () => {
  const { clock, cache, load } = setup();
  cache.get('a', load('one'));
  clock.version = 2;
  clock.t = 100;
  assert.equal(cache.get('a', load('two')), 'one', 'checked at most every 250 ms');
  clock.t = 250;
  assert.equal(cache.get('a', load('two')), 'two');
});

test('a check interval of 0 reads every time; the entry count stays bounded', () => {
  const direct = setup(0);
  direct.cache.get('k', direct.load('v'));
  direct.cache.get('k', direct.load('v'));
  assert.equal(direct.clock.reads, 2);
  const small = setup(250, 2);
  for (let i = 0; i < 5; i++) small.cache.get(`k${i}`, small.load(String(i)));
  const before = small.clock.reads;
  small.cache.get('k0', small.load('0'));
  assert.equal(small.clock.reads, before + 1, 'old entries were dropped to stay within the bound');
});
