// Server transactions, RFC 3261 §17.2 with the RFC 6026 Accepted state, on a fake clock and an in-memory wire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../sip';
import { FakeClock } from './clock';
import { TransactionLayer } from './transaction-layer';
import { T, TCP, UDP, Wire, request } from './tx-test-util';
import { Destination } from './types';

const CALLER: Destination = { transport: 'udp', host: '192.0.2.1', port: 5060 };

function setup(method = 'INVITE', replyTo: Destination = CALLER) {
  const clock = new FakeClock();
  const wire = new Wire();
  const layer = new TransactionLayer(wire, clock, T);
  const terminated: string[] = [];
  const req = request({ method, branch: 'z9hG4bK-srv1' });
  const tx = layer.createServer(req, replyTo, (t) => terminated.push(`${t.method}@${clock.now()}`));
  return { clock, wire, layer, req, tx, terminated };
}

/** Times at which a response with `status` went out while advancing to `until`. */
function resendTimes(s: ReturnType<typeof setup>, until: number, status: number): number[] {
  const times: number[] = [];
  const orig = s.wire.send.bind(s.wire);
  s.wire.send = (data, dest, onError) => {
    orig(data, dest, onError);
    if (s.wire.sent[s.wire.sent.length - 1].msg.status === status) times.push(s.clock.now());
  };
  s.clock.advance(until - s.clock.now());
  return times;
}

test('INVITE server: starts in Proceeding; a retransmitted INVITE gets the last provisional again', () => {
  const s = setup();
  assert.equal(s.tx.state, 'Proceeding');
  s.tx.onRetransmission();
  assert.deepEqual(s.wire.sent, [], 'nothing to repeat before any response');
  s.tx.respond(createResponse(s.req, 100));
  s.tx.respond(createResponse(s.req, 180, undefined, s.tx.toTag));
  s.wire.take();
  s.tx.onRetransmission();
  const [again] = s.wire.take();
  assert.equal(again.msg.status, 180, 'the latest provisional, not the 100');
  assert.deepEqual(again.dest, CALLER);
  assert.equal(again.msg.toTag, s.tx.toTag);
});

test('INVITE server, non-2xx: Timer G retransmits (T1 doubling, capped at T2) until the ACK; Confirmed; Timer I', () => {
  const s = setup();
  s.tx.respond(createResponse(s.req, 486, undefined, s.tx.toTag));
  assert.equal(s.tx.state, 'Completed');
  assert.equal(s.wire.take()[0].msg.status, 486);
  const times = resendTimes(s, 16_000, 486);
  assert.deepEqual(times, [500, 1500, 3500, 7500, 11500, 15500]);

  // A retransmitted INVITE in Completed gets the final response again.
  s.wire.take();
  s.tx.onRetransmission();
  assert.equal(s.wire.take()[0].msg.status, 486);

  s.layer.findServer(request({ method: 'ACK', branch: 'z9hG4bK-srv1' }))!.onAck();
  assert.equal(s.tx.state, 'Confirmed');
  assert.deepEqual(resendTimes(s, 20_999, 486), [], 'the ACK stopped Timer G');
  assert.equal(s.tx.state, 'Confirmed');
  s.clock.advance(1);
  assert.equal(s.tx.state, 'Terminated', 'Timer I = T4 after the ACK');
  assert.deepEqual(s.terminated, ['INVITE@21000']);
  assert.equal(s.layer.serverCount, 0);
});

test('INVITE server, non-2xx: Timer H ends the transaction when no ACK arrives', () => {
  const s = setup();
  s.tx.respond(createResponse(s.req, 503, undefined, s.tx.toTag));
  s.clock.advance(31_999);
  assert.equal(s.tx.state, 'Completed');
  s.clock.advance(1);
  assert.equal(s.tx.state, 'Terminated');
  s.wire.take();
  s.clock.advance(60_000);
  assert.deepEqual(s.wire.sent, [], 'Timer G stopped with Timer H');
});

test('INVITE server, 2xx: Accepted lets further 2xx through; the layer absorbs INVITE retransmissions until Timer L', () => {
  const s = setup();
  s.tx.respond(createResponse(s.req, 100));
  s.tx.respond(createResponse(s.req, 200, undefined, 'b'));
  assert.equal(s.tx.state, 'Accepted');
  assert.equal(s.layer.serverCount, 0, 'the layer keeps only a small record of an Accepted INVITE');
  s.wire.take();
  assert.equal(s.layer.absorbRetransmission(s.req, CALLER), true);
  assert.deepEqual(s.wire.sent, [], 'the INVITE retransmission is absorbed: the UAS core resends the 2xx');
  assert.equal(s.layer.recentlyAnswered(s.req, 'INVITE'), true);
  s.tx.onAck(); // an ACK for a 2xx is a different transaction; here it must not change anything
  assert.equal(s.tx.state, 'Accepted');
  s.clock.advance(4000);
  s.tx.respond(createResponse(s.req, 200, undefined, 'b'));
  assert.equal(s.wire.take()[0].msg.status, 200, 'a 2xx of another branch goes out');
  s.tx.respond(createResponse(s.req, 486, undefined, 'b'));
  assert.deepEqual(s.wire.sent, [], 'no non-2xx after a 2xx');
  s.clock.advance(27_999);
  assert.equal(s.layer.absorbRetransmission(s.req, CALLER), true, 'Timer L runs from the first 2xx');
  s.clock.advance(1);
  assert.equal(s.layer.absorbRetransmission(s.req, CALLER), false, 'after Timer L the INVITE would be new');
});

test('non-INVITE server: Trying absorbs retransmissions; provisional repeated in Proceeding; final repeated until Timer J', () => {
  const s = setup('OPTIONS');
  assert.equal(s.tx.state, 'Trying');
  assert.equal(s.layer.absorbRetransmission(s.req, CALLER), true);
  assert.deepEqual(s.wire.sent, []);
  s.tx.respond(createResponse(s.req, 100));
  assert.equal(s.tx.state, 'Proceeding');
  s.wire.take();
  s.layer.absorbRetransmission(s.req, CALLER);
  assert.equal(s.wire.take()[0].msg.status, 100);
  s.tx.respond(createResponse(s.req, 200, undefined, s.tx.toTag));
  assert.equal(s.tx.state, 'Terminated', 'the transaction object is done; the layer keeps the final answer');
  assert.deepEqual(s.terminated, ['OPTIONS@0']);
  s.wire.take();
  s.clock.advance(10_000);
  assert.deepEqual(s.wire.sent, [], 'non-INVITE finals are never retransmitted by a timer');
  assert.equal(s.layer.absorbRetransmission(s.req, CALLER), true);
  const again = s.wire.take();
  assert.equal(again[0].msg.status, 200);
  assert.deepEqual(again[0].dest, CALLER);
  s.tx.respond(createResponse(s.req, 404, undefined, s.tx.toTag));
  assert.deepEqual(s.wire.sent, [], 'one final response only');
  s.clock.advance(21_999);
  assert.equal(s.layer.absorbRetransmission(s.req, CALLER), true);
  s.wire.take();
  s.clock.advance(1);
  assert.equal(s.layer.absorbRetransmission(s.req, CALLER), false, 'Timer J = 64*T1');
  assert.deepEqual(s.wire.sent, []);
});

test('reliable transport: INVITE server over TCP sends the final once, ACK terminates at once (Timer I = 0)', () => {
  const s = setup('INVITE', TCP);
  s.tx.respond(createResponse(s.req, 486, undefined, s.tx.toTag));
  s.wire.take();
  s.clock.advance(16_000);
  assert.deepEqual(s.wire.sent, [], 'no Timer G on TCP');
  s.tx.onAck();
  assert.equal(s.tx.state, 'Terminated');
});

test('reliable transport: Timer H still applies over TCP', () => {
  const s = setup('INVITE', TCP);
  s.tx.respond(createResponse(s.req, 486, undefined, s.tx.toTag));
  s.clock.advance(32_000);
  assert.equal(s.tx.state, 'Terminated');
});

test('reliable transport: non-INVITE server over TCP terminates on the final (Timer J = 0)', () => {
  const s = setup('REGISTER', TCP);
  s.tx.respond(createResponse(s.req, 200, undefined, s.tx.toTag));
  assert.equal(s.tx.state, 'Terminated');
  assert.equal(s.layer.serverCount, 0);
});

test('responses go to the replyTo destination given at creation', () => {
  const s = setup('OPTIONS', UDP);
  s.tx.respond(createResponse(s.req, 200, undefined, s.tx.toTag));
  assert.deepEqual(s.wire.sent[0].dest, UDP);
});
