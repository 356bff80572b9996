import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../sip';
import type { PolicyRequest } from '../policy/types';
import { createTransactionLimitPolicy } from './transaction-limit';

function request(method: string): PolicyRequest {
  const text = [`${method} sip:bob@example.com SIP/2.0`, 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-tl', 'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=1', 'To: <sip:bob@example.com>', 'Call-ID: tl', `CSeq: 1 ${method}`, 'Content-Length: 0', '', ''].join('\r\n');
  return { req: parseMessage(Buffer.from(text)), source: { transport: 'udp', host: '192.0.2.1', port: 5060 } };
}

test('beyond MaxTransactionsInFlight new requests get 503 with Retry-After; ACK and CANCEL pass; logged once per episode', () => {
  let inFlight = 3;
  const logs: string[] = [];
  const policy = createTransactionLimitPolicy({ max: 3, inFlight: () => inFlight, log: (m) => logs.push(m) });
  assert.equal(policy(request('INVITE')), undefined, 'at the limit');
  inFlight = 4;
  for (let i = 0; i < 100; i++) {
    assert.deepEqual(policy(request('INVITE')), { status: 503, reason: 'Service Unavailable (overloaded)', headers: [['Retry-After', '5']] });
  }
  assert.equal(policy(request('CANCEL')), undefined);
  assert.equal(policy(request('ACK')), undefined);
  inFlight = 2;
  assert.equal(policy(request('REGISTER')), undefined);
  assert.deepEqual(logs, [
    '4 transactions in flight, over MaxTransactionsInFlight 3: new requests get 503',
    'transactions in flight back to 2 (MaxTransactionsInFlight 3): accepting requests again',
  ]);
});

test('MaxTransactionsInFlight 0 is no limit', () => {
  const policy = createTransactionLimitPolicy({ max: 0, inFlight: () => 1e9, log: () => assert.fail('nothing to log') });
  assert.equal(policy(request('INVITE')), undefined);
});
