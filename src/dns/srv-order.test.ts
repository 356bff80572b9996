import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SrvRecord } from './resolver';
import { orderSrv } from './srv-order';

const rec = (priority: number, weight: number, name: string): SrvRecord => ({ priority, weight, port: 5060, name });

/** A seeded generator (mulberry32), so the statistics are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('lower priority always comes first, whatever the weights', () => {
  const records = [rec(20, 100, 'backup'), rec(10, 1, 'primary'), rec(30, 0, 'last'), rec(10, 1, 'primary2')];
  const random = seeded(1);
  for (let i = 0; i < 200; i++) {
    const names = orderSrv(records, random).map((r) => r.name);
    assert.deepEqual(names.slice(2), ['backup', 'last']);
    assert.deepEqual(new Set(names.slice(0, 2)), new Set(['primary', 'primary2']));
  }
});

test('within a priority the first pick follows the weights (RFC 2782)', () => {
  const records = [rec(10, 10, 'light'), rec(10, 30, 'heavy'), rec(10, 60, 'heaviest')];
  const firsts = new Map<string, number>();
  const random = seeded(42);
  const runs = 20000;
  for (let i = 0; i < runs; i++) {
    const first = orderSrv(records, random)[0].name;
    firsts.set(first, (firsts.get(first) ?? 0) + 1);
  }
  // Expected shares 10/100, 30/100, 60/100 (the inclusive range [0, 100] moves them by under 1%).
  assert.ok(Math.abs((firsts.get('light') ?? 0) / runs - 0.1) < 0.02, `light ${firsts.get('light')}`);
  assert.ok(Math.abs((firsts.get('heavy') ?? 0) / runs - 0.3) < 0.02, `heavy ${firsts.get('heavy')}`);
  assert.ok(Math.abs((firsts.get('heaviest') ?? 0) / runs - 0.6) < 0.02, `heaviest ${firsts.get('heaviest')}`);
});

test('the running-sum selection picks exactly as the RFC describes for a given random number', () => {
  const records = [rec(10, 0, 'zero'), rec(10, 2, 'two'), rec(10, 3, 'three')];
  // total 5: random 0 → pick 0 → the zero-weight record (placed first) is taken.
  assert.deepEqual(orderSrv(records, () => 0).map((r) => r.name), ['zero', 'two', 'three']);
  // pick = floor(0.99 * 6) = 5 → running sums 0, 2, 5: "three"; then total 2, pick 2 → "two"; then "zero".
  assert.deepEqual(orderSrv(records, () => 0.99).map((r) => r.name), ['three', 'two', 'zero']);
  // pick = floor(0.4 * 6) = 2 → "two" (running sum 2 >= 2).
  assert.equal(orderSrv(records, () => 0.4)[0].name, 'two');
});

test('zero-weight records alone are all returned', () => {
  const names = orderSrv([rec(1, 0, 'a'), rec(1, 0, 'b')], seeded(3)).map((r) => r.name);
  assert.deepEqual(new Set(names), new Set(['a', 'b']));
  assert.equal(names.length, 2);
});
