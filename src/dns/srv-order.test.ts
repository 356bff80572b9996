import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SrvRecord } from './resolver';
import { orderSrv } from './srv-order';
import { seededRandom } from '../seeded-random';

const rec = (priority: number, weight: number, name: string): SrvRecord => ({ priority, weight, port: 5060, name });


test('lower priority always comes first, whatever the weights', () => {
  const records = [rec(20, 100, 'backup'), rec(10, 1, 'primary'), rec(30, 0, 'last'), rec(10, 1, 'primary2')];
  const random = seededRandom(1);
  for (let i = 0; i < 200; i++) {
    const names = orderSrv(records, random).map((r) => r.name);
    assert.deepEqual(names.slice(2), ['backup', 'last']);
    assert.deepEqual(new Set(names.slice(0, 2)), new Set(['primary', 'primary2']));
  }
});

test('within a priority the first pick follows the weights exactly', () => {
  const records = [rec(10, 10, 'light'), rec(10, 30, 'heavy'), rec(10, 60, 'heaviest'), rec(10, 0, 'none')];
  const firsts = new Map<string, number>();
  const random = seededRandom(42);
  const runs = 20000;
  for (let i = 0; i < runs; i++) {
    const first = orderSrv(records, random)[0].name;
    firsts.set(first, (firsts.get(first) ?? 0) + 1);
  }
  assert.ok(Math.abs((firsts.get('light') ?? 0) / runs - 0.1) < 0.015, `light ${firsts.get('light')}`);
  assert.ok(Math.abs((firsts.get('heavy') ?? 0) / runs - 0.3) < 0.015, `heavy ${firsts.get('heavy')}`);
  assert.ok(Math.abs((firsts.get('heaviest') ?? 0) / runs - 0.6) < 0.015, `heaviest ${firsts.get('heaviest')}`);
  assert.equal(firsts.get('none'), undefined, 'a zero weight is never first while weighted records remain');
});

test('the running-sum selection picks the record whose share contains the random number', () => {
  const records = [rec(10, 0, 'zero'), rec(10, 1, 'one'), rec(10, 3, 'three')];
  // total 4: [0, 1) is "one", [1, 4) is "three"; the zero-weight record comes last.
  assert.deepEqual(orderSrv(records, () => 0).map((r) => r.name), ['one', 'three', 'zero']);
  assert.deepEqual(orderSrv(records, () => 0.24).map((r) => r.name), ['one', 'three', 'zero']);
  assert.deepEqual(orderSrv(records, () => 0.25).map((r) => r.name), ['three', 'one', 'zero']);
  assert.deepEqual(orderSrv(records, () => 0.999).map((r) => r.name), ['three', 'one', 'zero']);
});

test('zero-weight records alone are all returned', () => {
  const names = orderSrv([rec(1, 0, 'a'), rec(1, 0, 'b')], seededRandom(3)).map((r) => r.name);
  assert.deepEqual(new Set(names), new Set(['a', 'b']));
  assert.equal(names.length, 2);
});
