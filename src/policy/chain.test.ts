import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPolicies } from './chain';
import type { PolicyRequest, RequestPolicy } from './types';

const ctx = {} as PolicyRequest;

test('the first verdict ends the chain; later policies do not run', () => {
  const ran: string[] = [];
  const chain: RequestPolicy[] = [
    () => { ran.push('a'); return undefined; },
    () => { ran.push('b'); return { status: 403 }; },
    () => { ran.push('c'); return 'drop'; },
  ];
  assert.deepEqual(runPolicies(chain, ctx), { status: 403 });
  assert.deepEqual(ran, ['a', 'b']);
});

test('synchronous policies give a synchronous answer; an asynchronous one makes the rest wait for it', async () => {
  assert.equal(runPolicies([() => undefined], ctx), undefined);
  const ran: string[] = [];
  const pending = runPolicies([
    async () => { ran.push('lookup'); return undefined; },
    () => { ran.push('after'); return { status: 486 }; },
  ], ctx);
  assert.ok(pending instanceof Promise);
  assert.deepEqual(await pending, { status: 486 });
  assert.deepEqual(ran, ['lookup', 'after']);
});
