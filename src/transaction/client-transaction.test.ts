// Client transactions, RFC 3261 §17.1 with the RFC 6026 Accepted state, on a fake clock and an in-memory wire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipMessage } from '../sip';
import { FakeClock } from './clock';
import { ClientEvents, ClientTransaction } from './client-transaction';
import { TransactionLayer } from './transaction-layer';
import { T, TCP, UDP, Wire, request, response } from './tx-test-util';
import { Destination } from './types';
import { TimerConfig } from './timers';

class Recorder implements ClientEvents {
  responses: number[] = [];
  timeouts: { timer: string; at: number }[] = [];
  errors: string[] = [];
  constructor(private readonly clock: FakeClock) {}
  onResponse(_tx: ClientTransaction, res: SipMessage): void {
    this.responses.push(res.status);
  }
  onTimeout(_tx: ClientTransaction, timer: 'B' | 'F' | 'C'): void {
    this.timeouts.push({ timer, at: this.clock.now() });
  }
  onTransportError(_tx: ClientTransaction, err: Error): void {
    this.errors.push(err.message);
  }
}

function setup(opts: { method?: string; dest?: Destination; timers?: Partial<TimerConfig>; timerC?: number } = {}) {
  const clock = new FakeClock();
  const wire = new Wire();
  const layer = new TransactionLayer(wire, clock, { ...T, ...opts.timers });
  const ev = new Recorder(clock);
  const req = request({ method: opts.method ?? 'INVITE', branch: 'z9hG4bK-client1' });
  const tx = layer.createClient(req, opts.dest ?? UDP, ev, opts.timerC ?? 0);
  return { clock, wire, layer, ev, req, tx };
}

/** The clock times at which the request itself went out while advancing to `until`. */
function sendTimes(s: ReturnType<typeof setup>, until: number, method: string): number[] {
  const times: number[] = [];
  const origSend = s.wire.send.bind(s.wire);
  s.wire.send = (data, dest, onError) => {
    origSend(data, dest, onError);
    if (s.wire.sent[s.wire.sent.length - 1].msg.method === method) times.push(s.clock.now());
  };
  s.clock.advance(until - s.clock.now());
  return times;
}

test('INVITE client, Calling: Timer A doubles from T1, capped by maxInviteRetx; Timer B fires onTimeout(B) at 64*T1', () => {
  const s = setup();
  assert.equal(s.tx.state, 'Calling');
  assert.equal(s.wire.sent.length, 1, 'INVITE sent at once');
  assert.deepEqual(s.wire.sent[0].dest, UDP);
  const times = sendTimes(s, 31_999, 'INVITE');
  // 500, 1000, 2000, 4000, 8000, 16000 ms apart: six retransmissions (maxInviteRetx = 6).
  assert.deepEqual(times, [500, 1500, 3500, 7500, 15500, 31500]);
  assert.deepEqual(s.ev.timeouts, []);
  s.clock.advance(1);
  assert.deepEqual(s.ev.timeouts, [{ timer: 'B', at: 32_000 }]);
  assert.equal(s.tx.state, 'Terminated');
  assert.equal(s.layer.clientCount, 0, 'the transaction left the table');
  s.clock.advance(100_000);
  assert.equal(s.wire.sent.length, 7, 'nothing after Timer B');
});

test('INVITE client: maxInviteRetx = 2 stops Timer A after two retransmissions', () => {
  const s = setup({ timers: { maxInviteRetx: 2 } });
  const times = sendTimes(s, 40_000, 'INVITE');
  assert.deepEqual(times, [500, 1500]);
  assert.equal(s.ev.timeouts[0].timer, 'B');
});

test('INVITE client: a provisional stops Timer A and Timer B (Proceeding)', () => {
  const s = setup();
  s.clock.advance(600); // one retransmission at 500
  s.tx.onResponse(response(s.req, 100));
  assert.equal(s.tx.state, 'Proceeding');
  assert.deepEqual(s.ev.responses, [100], '100 passed to the TU');
  const times = sendTimes(s, 200_000, 'INVITE');
  assert.deepEqual(times, [], 'no retransmission after a provisional');
  assert.deepEqual(s.ev.timeouts, [], 'Timer B cancelled; Timer C disabled (0)');
  assert.equal(s.tx.state, 'Proceeding');
});

test('INVITE client: Timer C is restarted by each provisional > 100, not by 100, and fires onTimeout(C) then B', () => {
  const s = setup({ timerC: 60_000, timers: { t1: 5000 } }); // Timer B = 320 s so that C is seen first
  s.clock.advance(1000);
  s.tx.onResponse(response(s.req, 180)); // C → 61 000
  s.clock.advance(49_000);
  s.tx.onResponse(response(s.req, 100)); // does not restart C
  s.clock.advance(10_999);
  assert.equal(s.ev.timeouts.length, 0, 'C not yet: it was restarted by the 180 at 1 s');
  s.clock.advance(1);
  assert.deepEqual(s.ev.timeouts, [{ timer: 'C', at: 61_000 }]);
  assert.equal(s.tx.state, 'Proceeding', 'after Timer C the branch waits for the 487 of its CANCEL');
  s.clock.advance(320_000);
  assert.deepEqual(s.ev.timeouts.map((t) => t.timer), ['C', 'B'], 'no 487 in 64*T1: B ends it');
  assert.equal(s.tx.state, 'Terminated');
});

test('INVITE client: a second 183 restarts Timer C again', () => {
  const s = setup({ timerC: 10_000 });
  s.tx.onResponse(response(s.req, 180));
  s.clock.advance(9000);
  s.tx.onResponse(response(s.req, 183));
  s.clock.advance(9999);
  assert.deepEqual(s.ev.timeouts, []);
  s.clock.advance(1);
  assert.deepEqual(s.ev.timeouts, [{ timer: 'C', at: 19_000 }]);
});

test('INVITE client: a final response cancels Timer C', () => {
  const s = setup({ timerC: 10_000 });
  s.tx.onResponse(response(s.req, 180));
  s.tx.onResponse(response(s.req, 200));
  s.clock.advance(100_000);
  assert.deepEqual(s.ev.timeouts, []);
});

test('INVITE client, non-2xx: ACK with the To tag of the response and the same branch, Completed; Timer D absorbs retransmissions', () => {
  const s = setup();
  s.tx.onResponse(response(s.req, 180, 'bob-tag'));
  s.wire.take();
  s.tx.onResponse(response(s.req, 486, 'bob-tag'));
  assert.equal(s.tx.state, 'Completed');
  assert.deepEqual(s.ev.responses, [180, 486]);
  const [ack] = s.wire.take();
  assert.equal(ack.msg.method, 'ACK');
  assert.equal(ack.msg.uri, s.req.uri, 'same Request-URI as the INVITE');
  assert.deepEqual(ack.dest, UDP, 'to where the INVITE went');
  assert.equal(ack.msg.topVia.params.get('branch'), 'z9hG4bK-client1', 'same branch as the INVITE');
  assert.equal(ack.msg.vias.length, 1, 'only the top Via');
  assert.equal(ack.msg.toTag, 'bob-tag');
  assert.equal(ack.msg.fromTag, 'ft1');
  assert.equal(ack.msg.callId, s.req.callId);
  assert.deepEqual(ack.msg.cseq, { seq: 1, method: 'ACK' });
  assert.equal(ack.msg.get('max-forwards'), '70');

  // 486 retransmitted by the UAS while Timer D runs: the ACK is sent again, the TU hears nothing more.
  s.clock.advance(10_000);
  s.tx.onResponse(response(s.req, 486, 'bob-tag'));
  const again = s.wire.take();
  assert.equal(again.length, 1);
  assert.equal(again[0].msg.method, 'ACK');
  assert.deepEqual(s.ev.responses, [180, 486]);
  assert.equal(s.wire.sent.filter((x) => x.msg.method === 'INVITE').length, 0, 'no INVITE retransmission in Completed');

  s.clock.advance(21_999);
  assert.equal(s.tx.state, 'Completed');
  s.clock.advance(1);
  assert.equal(s.tx.state, 'Terminated', 'Timer D = 32 s on UDP');
  assert.equal(s.layer.matchResponse(response(s.req, 486, 'bob-tag')), undefined);
});

test('INVITE client, ACK copies the INVITE Route set', () => {
  const clock = new FakeClock();
  const wire = new Wire();
  const layer = new TransactionLayer(wire, clock, T);
  const req = request({ branch: 'z9hG4bK-r', extra: ['Route: <sip:p1.example.com;lr>', 'Route: <sip:p2.example.com;lr>'] });
  const tx = layer.createClient(req, UDP, new Recorder(clock));
  wire.take();
  tx.onResponse(response(req, 603));
  const [ack] = wire.take();
  assert.deepEqual(ack.msg.getAll('route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
});

test('INVITE client, 2xx: Accepted (RFC 6026), retransmitted 2xx passed up, no ACK from the transaction, Timer M', () => {
  const s = setup();
  s.wire.take();
  s.tx.onResponse(response(s.req, 200));
  assert.equal(s.tx.state, 'Accepted');
  s.clock.advance(1000);
  s.tx.onResponse(response(s.req, 200));
  s.tx.onResponse(response(s.req, 486)); // a stray non-2xx is not for the TU
  assert.deepEqual(s.ev.responses, [200, 200]);
  assert.deepEqual(s.wire.sent, [], 'the ACK for a 2xx is the TU business, and no INVITE retransmission');
  s.clock.advance(30_999);
  assert.equal(s.tx.state, 'Accepted');
  s.clock.advance(1);
  assert.equal(s.tx.state, 'Terminated', 'Timer M = 64*T1 after the first 2xx');
  assert.deepEqual(s.ev.timeouts, []);
});

test('non-INVITE client, Trying: Timer E doubles from T1 capped at T2, maxNonInviteRetx, Timer F', () => {
  const s = setup({ method: 'OPTIONS' });
  assert.equal(s.tx.state, 'Trying');
  const times = sendTimes(s, 31_999, 'OPTIONS');
  assert.deepEqual(times, [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.deepEqual(s.ev.timeouts, []);
  s.clock.advance(1);
  assert.deepEqual(s.ev.timeouts, [{ timer: 'F', at: 32_000 }]);
  assert.equal(s.tx.state, 'Terminated');
});

test('non-INVITE client: maxNonInviteRetx = 3 limits Timer E', () => {
  const s = setup({ method: 'BYE', timers: { maxNonInviteRetx: 3 } });
  assert.deepEqual(sendTimes(s, 40_000, 'BYE'), [500, 1500, 3500]);
});

test('non-INVITE client, Proceeding: retransmissions every T2, Timer F still runs', () => {
  const s = setup({ method: 'OPTIONS' });
  s.clock.advance(100);
  s.tx.onResponse(response(s.req, 100));
  assert.equal(s.tx.state, 'Proceeding');
  const times = sendTimes(s, 12_600, 'OPTIONS');
  // Timer E was already set for 500 ms; when it fires in Proceeding it is reset to T2.
  assert.deepEqual(times, [500, 4500, 8500, 12500]);
  s.clock.advance(32_000 - 12_600);
  assert.deepEqual(s.ev.timeouts, [{ timer: 'F', at: 32_000 }], 'Timer F is not stopped by a provisional');
});

test('non-INVITE client, Completed: final stops Timer E, retransmitted finals absorbed, Timer K = T4', () => {
  const s = setup({ method: 'OPTIONS' });
  s.clock.advance(700);
  s.tx.onResponse(response(s.req, 200));
  assert.equal(s.tx.state, 'Completed');
  s.wire.take();
  s.tx.onResponse(response(s.req, 200));
  assert.deepEqual(s.ev.responses, [200], 'retransmission absorbed');
  s.clock.advance(4999);
  assert.deepEqual(s.wire.sent, [], 'no more Timer E');
  assert.equal(s.tx.state, 'Completed');
  s.clock.advance(1);
  assert.equal(s.tx.state, 'Terminated');
  s.clock.advance(40_000);
  assert.deepEqual(s.ev.timeouts, [], 'Timer F was cancelled');
});

test('reliable transport: INVITE over TCP is never retransmitted, Timer B still applies', () => {
  const s = setup({ dest: TCP });
  const times = sendTimes(s, 31_999, 'INVITE');
  assert.deepEqual(times, []);
  s.clock.advance(1);
  assert.deepEqual(s.ev.timeouts, [{ timer: 'B', at: 32_000 }]);
});

test('reliable transport: non-2xx on TCP is ACKed and Timer D is zero', () => {
  const s = setup({ dest: TCP });
  s.wire.take();
  s.tx.onResponse(response(s.req, 404));
  assert.equal(s.wire.take()[0].msg.method, 'ACK');
  assert.equal(s.tx.state, 'Terminated');
  assert.equal(s.layer.clientCount, 0);
});

test('reliable transport: non-INVITE over TCP, no Timer E, Timer K is zero', () => {
  const s = setup({ method: 'OPTIONS', dest: TCP });
  assert.deepEqual(sendTimes(s, 10_000, 'OPTIONS'), []);
  s.tx.onResponse(response(s.req, 200));
  assert.equal(s.tx.state, 'Terminated');
});

test('transport error on the first send: onTransportError, Terminated, no timers left', () => {
  const clock = new FakeClock();
  const wire = new Wire();
  wire.failWith = new Error('ECONNREFUSED');
  const layer = new TransactionLayer(wire, clock, T);
  const ev = new Recorder(clock);
  const tx = layer.createClient(request(), TCP, ev);
  assert.deepEqual(ev.errors, ['ECONNREFUSED']);
  assert.equal(tx.state, 'Terminated');
  assert.equal(layer.clientCount, 0);
  clock.advance(100_000);
  assert.deepEqual(ev.timeouts, []);
});

test('transport error reported after a final response is ignored', () => {
  const s = setup();
  s.tx.onResponse(response(s.req, 200));
  s.wire.sent[0].onError?.(new Error('late'));
  assert.deepEqual(s.ev.errors, []);
  assert.equal(s.tx.state, 'Accepted');
});

test('transport error on a retransmission (Timer A) ends the transaction', () => {
  const s = setup();
  s.wire.failWith = new Error('EHOSTUNREACH');
  s.clock.advance(500);
  assert.deepEqual(s.ev.errors, ['EHOSTUNREACH']);
  assert.equal(s.tx.state, 'Terminated');
  s.clock.advance(100_000);
  assert.deepEqual(s.ev.timeouts, []);
});

test('INVITE client: Timer C firing in Calling must not let the old Timer B cut short the wait for the 487', () => {
  const s = setup({ timerC: 10_000 }); // e.g. INVITE with Expires: 10
  s.clock.advance(10_000);
  assert.deepEqual(s.ev.timeouts, [{ timer: 'C', at: 10_000 }], 'Timer C fired while Calling');
  s.clock.advance(21_000);
  s.tx.onResponse(response(s.req, 180)); // at 31 s: the proxy sends its CANCEL now and waits for the 487
  s.clock.advance(1000);
  assert.deepEqual(s.ev.timeouts.map((t) => t.timer), ['C'], 'no Timer B at 32 s, one second after the CANCEL');
  assert.equal(s.tx.state, 'Proceeding');
  s.clock.advance(100_000);
  assert.equal(s.ev.timeouts.at(-1)?.timer, 'B', 'the branch still ends if no 487 ever comes');
  assert.equal(s.tx.state, 'Terminated');
});

test('INVITE client: after Timer C fired in Proceeding, a later 100 does not stop the wait for the 487', () => {
  const s = setup({ timerC: 10_000 });
  s.tx.onResponse(response(s.req, 180));
  s.clock.advance(10_000); // C fires: CANCEL, 64*T1 for its 487
  s.clock.advance(5000);
  s.tx.onResponse(response(s.req, 100));
  s.clock.advance(27_000);
  assert.deepEqual(s.ev.timeouts.map((t) => `${t.timer}@${t.at}`), ['C@10000', 'B@42000']);
  assert.equal(s.tx.state, 'Terminated', 'the transaction does not stay forever');
});
