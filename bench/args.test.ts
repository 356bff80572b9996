import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLookupTest, parseBenchArgs } from './args';

test('a plain `npm run bench` includes the route and registry lookups at the sizes of issue 4', () => {
  const args = parseBenchArgs([]);
  assert.deepEqual(args.tests.filter(isLookupTest), ['routes', 'registry']);
  assert.equal(args.routes, 100_000);
  assert.equal(args.bindings, 1_000_000);
});

test('--tests picks lookups alone, with their sizes', () => {
  const args = parseBenchArgs(['--tests', 'routes,registry', '--routes', '5000', '--bindings', '20000', '--lookups', '1000']);
  assert.deepEqual(args.tests, ['routes', 'registry']);
  assert.deepEqual([args.routes, args.bindings, args.lookups], [5000, 20_000, 1000]);
});

test('bad sizes and unknown tests are refused with the reason', () => {
  assert.throws(() => parseBenchArgs(['--bindings', '2.5']), /--bindings needs a whole number/);
  assert.throws(() => parseBenchArgs(['--routes', '0']), /--routes needs a positive number/);
  assert.throws(() => parseBenchArgs(['--tests', 'routes,lookup']), /unknown test lookup/);
});
