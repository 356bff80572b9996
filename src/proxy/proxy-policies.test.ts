// The request policy chain as the proxy core runs it, and the overload limit on server transactions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALICE, BOB1, Kit, endpoint } from './test-kit';
import type { PolicyRequest } from '../policy/types';

test('a policy verdict is answered with its status, reason and headers, and nothing is forwarded', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  k.proxy.policies = [() => ({ status: 407, reason: 'Proxy Authentication Required', headers: [['Proxy-Authenticate', 'Digest realm="example.com"']] })];
  await k.send({ callId: 'challenged@192.0.2.1' });
  const res = k.sentTo(ALICE).find((m) => m.status === 407);
  assert.ok(res, 'the caller got the 407');
  assert.equal(res.get('proxy-authenticate'), 'Digest realm="example.com"');
  assert.deepEqual(k.requestsTo(BOB1), []);
});

test('policies see the source and run in order; an asynchronous policy delays forwarding until it answers', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  const seen: string[] = [];
  k.proxy.policies = [
    (ctx: PolicyRequest) => { seen.push(`${ctx.source.host}:${ctx.req.method}`); return undefined; },
    async () => { seen.push('lookup'); return undefined; },
  ];
  await k.send({ callId: 'allowed@192.0.2.1' });
  assert.deepEqual(seen, ['192.0.2.1:INVITE', 'lookup']);
  assert.deepEqual(k.requestsTo(BOB1), ['INVITE']);
});

test('a dropped request gets no answer, and its retransmission is absorbed without running the policies again', async () => {
  const k = new Kit();
  let runs = 0;
  k.proxy.policies = [() => { runs++; return 'drop'; }];
  const data = await k.send({ method: 'OPTIONS', uri: 'sip:bob@example.com', callId: 'scan@192.0.2.1' });
  await k.injectRaw(data);
  assert.deepEqual(k.statusesTo(ALICE), []);
  assert.equal(runs, 1);
});

test('MaxTransactionsInFlight: beyond the limit new requests get 503 with Retry-After, retransmissions still absorbed', async () => {
  const k = new Kit({ settings: { maxServerTransactions: 1 } });
  await k.register('bob', BOB1);
  const first = await k.send({ callId: 'one@192.0.2.1' });
  await k.send({ callId: 'two@192.0.2.1' });
  const overload = k.sentTo(ALICE).find((m) => m.status === 503);
  assert.ok(overload, 'the second INVITE was refused');
  assert.equal(overload.callId, 'two@192.0.2.1');
  assert.equal(overload.get('retry-after'), '5');
  await k.injectRaw(first);
  assert.equal(k.sentTo(ALICE).filter((m) => m.status === 503).length, 1, 'the retransmission of the first was not refused');
});

test('a sips request reaches only contacts over TLS; AllowSipTlsConversionToSip lets it end on a plain one', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.send({ uri: 'sips:bob@example.com', callId: 'sips-1@192.0.2.1' });
  const refused = k.sentTo(ALICE).find((m) => m.status === 480);
  assert.ok(refused, 'a sips INVITE to a UDP contact is refused');
  assert.match(refused.reason, /TLS/);
  assert.deepEqual(k.requestsTo(BOB1), []);

  const tlsBob = endpoint('192.0.2.23', 5061, 'tls');
  await k.register('bob', tlsBob);
  await k.send({ uri: 'sips:bob@example.com', callId: 'sips-2@192.0.2.1' });
  assert.deepEqual(k.requestsTo(tlsBob), ['INVITE'], 'the contact registered over TLS is called');
  assert.deepEqual(k.requestsTo(BOB1), [], 'the UDP contact is left out');

  const open = new Kit({ settings: { sipsToSip: true } });
  await open.register('bob', BOB1);
  await open.send({ uri: 'sips:bob@example.com', callId: 'sips-3@192.0.2.1' });
  assert.deepEqual(open.requestsTo(BOB1), ['INVITE']);
});

test('Record-Route is sips only for a sips request; a sip request to a TLS contact gets transport=tls', async () => {
  const k = new Kit();
  const tlsBob = endpoint('192.0.2.23', 5061, 'tls');
  await k.register('bob', tlsBob);
  await k.send({ uri: 'sip:bob@example.com', callId: 'rr-sip@192.0.2.1' });
  assert.match(k.lastRequestTo(tlsBob).get('record-route') ?? '', /^<sip:192\.0\.2\.10:5060;lr;transport=tls>/);
  await k.send({ uri: 'sips:bob@example.com', callId: 'rr-sips@192.0.2.1' });
  assert.match(k.lastRequestTo(tlsBob).get('record-route') ?? '', /^<sips:/);
});

test('while the event loop lags, new calls get 503 but a BYE inside a dialog still passes', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  k.proxy.load = { overloaded: true };
  await k.send({ callId: 'shed@192.0.2.1' });
  assert.ok(k.sentTo(ALICE).some((m) => m.status === 503 && m.callId === 'shed@192.0.2.1'));
  await k.send({ method: 'BYE', uri: 'sip:bob@192.0.2.21:5060', toTag: 'bob-tag', callId: 'ongoing@192.0.2.1' });
  assert.deepEqual(k.requestsTo(BOB1), ['BYE']);
});
