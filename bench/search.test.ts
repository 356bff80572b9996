import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchTopRate } from './search';

/** A fake proxy that sustains every rate up to `limit` except on the steps numbered in `flukes`. */
function proxyUpTo(limit: number, flukes: number[] = []): { tried: number[]; step: (r: number) => Promise<boolean> } {
  const tried: number[] = [];
  return {
    tried,
    step: async (rate) => {
      tried.push(rate);
      return rate <= limit && !flukes.includes(tried.length - 1);
    },
  };
}

test('climbs the ladder, bisects, and confirms the top rate with a second pass', async () => {
  const proxy = proxyUpTo(2600);
  const out = await searchTopRate({ ladder: [1000, 2000, 4000], refine: 3 }, proxy.step);
  assert.deepEqual(proxy.tried, [1000, 2000, 4000, 3000, 2500, 2700, 2500]);
  assert.deepEqual(out, { top: 2500, firstFail: 2700 });
});

test('steps 10 % down when the confirmation run fails', async () => {
  const proxy = proxyUpTo(2000, [3]);
  const out = await searchTopRate({ ladder: [1000, 2000, 4000], refine: 0 }, proxy.step);
  assert.deepEqual(proxy.tried, [1000, 2000, 4000, 2000, 1800, 1800]);
  assert.equal(out.top, 1800);
});

test('halves below the first rung when it fails', async () => {
  const proxy = proxyUpTo(300);
  const out = await searchTopRate({ ladder: [1000, 2000], refine: 0 }, proxy.step);
  assert.deepEqual(proxy.tried, [1000, 500, 250, 250]);
  assert.equal(out.top, 250);
});
