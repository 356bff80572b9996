// Transaction matching (RFC 3261 §17.1.3, §17.2.3) and the RFC 2543 fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock';
import { TransactionLayer } from './transaction-layer';
import { T, UDP, Wire, request, response } from './tx-test-util';

const CALLER = { transport: 'udp' as const, host: '192.0.2.1', port: 5060 };
const noEvents = { onResponse() {}, onTimeout() {}, onTransportError() {} };

function layer() {
  return new TransactionLayer(new Wire(), new FakeClock(), T);
}

test('FakeClock fires due timers in time order, then in creation order, and skips cancelled ones', () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  clock.after(200, () => fired.push('b'));
  clock.after(100, () => {
    fired.push('a');
    clock.after(50, () => fired.push('a+50'));
  });
  clock.after(200, () => fired.push('c'));
  const x = clock.after(150, () => fired.push('cancelled'));
  x.cancel();
  clock.advance(199);
  assert.deepEqual(fired, ['a', 'a+50']);
  assert.equal(clock.now(), 199);
  clock.advance(1);
  assert.deepEqual(fired, ['a', 'a+50', 'b', 'c']);
});

test('server matching: branch + sent-by + method', () => {
  const l = layer();
  const tx = l.createServer(request({ branch: 'z9hG4bK-m1' }), CALLER);
  assert.equal(l.findServer(request({ branch: 'z9hG4bK-m1' })), tx, 'a retransmission matches');
  assert.equal(l.findServer(request({ branch: 'z9hG4bK-m2' })), undefined, 'another branch does not');
  assert.equal(l.findServer(request({ branch: 'z9hG4bK-m1', sentBy: '192.0.2.99:5060' })), undefined, 'another sent-by does not');
  assert.equal(l.findServer(request({ branch: 'z9hG4bK-m1', sentBy: '192.0.2.1:5070' })), undefined, 'another port does not');
  // A CANCEL has the INVITE's branch but is its own transaction; the ACK for a non-2xx finds its INVITE.
  assert.equal(l.findServer(request({ method: 'CANCEL', branch: 'z9hG4bK-m1' })), undefined);
  assert.equal(l.findServer(request({ method: 'ACK', branch: 'z9hG4bK-m1', toTag: 'x' })), tx);
  assert.equal(l.findServer(request({ method: 'CANCEL', branch: 'z9hG4bK-m1' }), 'INVITE'), tx, 'a CANCEL can look up the INVITE it cancels');
  const cancelTx = l.createServer(request({ method: 'CANCEL', branch: 'z9hG4bK-m1' }), CALLER);
  assert.notEqual(cancelTx, tx);
  assert.equal(l.findServer(request({ method: 'CANCEL', branch: 'z9hG4bK-m1' })), cancelTx);
  assert.equal(l.findServer(request({ branch: 'z9hG4bK-m1' })), tx, 'the INVITE is still its own');
  assert.equal(l.serverCount, 2);
});

test('server matching, RFC 2543 fallback (no z9hG4bK branch): Request-URI, From tag, Call-ID, CSeq, top Via', () => {
  const l = layer();
  const tx = l.createServer(request({ branch: '' }), CALLER);
  assert.equal(l.findServer(request({ branch: '' })), tx, 'the retransmission matches by its fields');
  assert.equal(l.findServer(request({ branch: '', cseq: 2 })), undefined, 'a new CSeq is a new transaction');
  assert.equal(l.findServer(request({ branch: '', callId: 'other' })), undefined);
  assert.equal(l.findServer(request({ branch: '', fromTag: 'other' })), undefined);
  assert.equal(l.findServer(request({ branch: '', uri: 'sip:carol@192.0.2.30' })), undefined);
  assert.equal(l.findServer(request({ branch: '', sentBy: '192.0.2.5:5060' })), undefined);
  assert.equal(l.findServer(request({ method: 'ACK', branch: '', toTag: 'sipd' })), tx, 'the ACK for a non-2xx finds its INVITE');

  // An old-style branch without the magic cookie is not trusted as unique either.
  const old = l.createServer(request({ branch: '1234', callId: 'c2' }), CALLER);
  assert.equal(l.findServer(request({ branch: '1234', callId: 'c2' })), old);
  assert.equal(l.findServer(request({ branch: '1234', callId: 'c3' })), undefined, 'same old branch, other call');
});

test('client matching: branch of the top Via and CSeq method; CANCEL has its own transaction', () => {
  const l = layer();
  const inv = request({ branch: 'z9hG4bK-c1' });
  const invTx = l.createClient(inv, UDP, noEvents);
  const cancel = request({ method: 'CANCEL', branch: 'z9hG4bK-c1' });
  const cancelTx = l.createClient(cancel, UDP, noEvents);
  assert.equal(l.clientCount, 2);
  assert.equal(l.matchResponse(response(inv, 180)), invTx);
  assert.equal(l.matchResponse(response(cancel, 200)), cancelTx);
  assert.equal(l.matchResponse(response(inv, 487)), invTx);
  assert.equal(l.matchResponse(response(request({ branch: 'z9hG4bK-c9' }), 200)), undefined, 'unknown branch');
  assert.equal(l.matchResponse(response(request({ branch: '' }), 200)), undefined, 'no branch at all');
});

test('retired transactions of a burst are forgotten after their linger time even when no request follows', () => {
  const clock = new FakeClock();
  const l = new TransactionLayer(new Wire(), clock, T);
  const answer = (branch: string) => {
    const req = request({ method: 'OPTIONS', branch });
    l.createServer(req, CALLER).respond(response(req, 200));
  };
  answer('z9hG4bK-r1');
  clock.advance(20_000);
  answer('z9hG4bK-r2');
  clock.advance(1_000); // a UDP non-INVITE transaction retires after Timer J (64×T1)
  const linger = 64 * T.t1;
  clock.advance(linger);
  assert.equal(l.retiredCount, 1, 'the first is gone, the second still lingers');
  clock.advance(linger);
  assert.equal(l.retiredCount, 0, 'the last of the burst goes without any new request');
});
