// The dialog table driven by the events the proxy core reports, on a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../transaction/clock';
import { SipMessage } from '../sip';
import { DialogTable, DialogTableSettings } from './dialog-table';
import { answer, bye, request } from './fixtures';

const SETTINGS: DialogTableSettings = { earlyTimeoutMs: 300_000, confirmedTimeoutMs: 3_600_000, sweepIntervalMs: 1_000 };

function setup() {
  const clock = new FakeClock();
  const table = new DialogTable(SETTINGS, clock);
  /** The table as the proxy sees it: lines are the Request-URI and From users. */
  const forward = (invite: SipMessage) => table.onInviteForwarded(invite, invite.requestUri.user, invite.from.uri.user);
  const calls = () => ({ callee: table.activeCalls('1001'), caller: table.activeCalls('1000') });
  return { clock, table, forward, calls };
}

test('a forwarded INVITE is an early call on both lines; provisional answers change nothing', () => {
  const { table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
  table.onResponse(answer(invite, 100));
  table.onResponse(answer(invite, 180, 'b1'));
  assert.deepEqual(table.stats(), { early: 1, confirmed: 0, expired: 0 });
  assert.equal(table.activeCalls('1002'), 0);
});

test('2xx confirms; the caller\'s BYE answered 200 ends the call', () => {
  const { table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  table.onResponse(answer(invite, 200, 'b1'));
  assert.deepEqual(table.stats(), { early: 0, confirmed: 1, expired: 0 });
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
  const byeReq = bye(invite, 'b1');
  table.onResponse(answer(byeReq, 100));
  assert.deepEqual(calls(), { callee: 1, caller: 1 }, 'a provisional to the BYE ends nothing');
  table.onResponse(answer(byeReq, 200));
  assert.deepEqual(calls(), { callee: 0, caller: 0 });
  assert.deepEqual(table.stats(), { early: 0, confirmed: 0, expired: 0 });
});

test("the callee's BYE ends the call on any final answer, even 481 or sipd's own 408", () => {
  for (const status of [481, 408]) {
    const { table, forward, calls } = setup();
    const invite = request();
    forward(invite);
    table.onResponse(answer(invite, 200, 'b1'));
    table.onResponse(answer(bye(invite, 'b1', 'callee'), status));
    assert.deepEqual(calls(), { callee: 0, caller: 0 }, `BYE answered ${status}`);
  }
});

test('a non-2xx final answer to the INVITE ends the early call', () => {
  for (const status of [486, 404, 503, 603, 302]) {
    const { table, forward, calls } = setup();
    const invite = request();
    forward(invite);
    table.onResponse(answer(invite, 180, 'b1'));
    table.onResponse(answer(invite, status, 'b1'));
    assert.deepEqual(calls(), { callee: 0, caller: 0 }, `INVITE answered ${status}`);
    assert.equal(table.stats().early, 0);
  }
});

test('CANCEL: the 487 that follows it ends the early call', () => {
  const { table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  table.onResponse(answer(invite, 180, 'b1'));
  const cancel = request({ method: 'CANCEL' });
  table.onResponse(answer(cancel, 200, 'b1'));
  assert.deepEqual(calls(), { callee: 1, caller: 1 }, 'the 200 to the CANCEL itself ends nothing');
  table.onResponse(answer(invite, 487, 'b1'));
  assert.deepEqual(calls(), { callee: 0, caller: 0 });
});

test('after a 2xx, a non-2xx final of another branch does not end the call', () => {
  const { table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  table.onResponse(answer(invite, 200, 'b1'));
  table.onResponse(answer(invite, 487, 'b2'));
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
  assert.equal(table.stats().confirmed, 1);
});

test('forking: two 2xx with different To tags are one call until each leg got its BYE', () => {
  const { table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  table.onResponse(answer(invite, 200, 'b1'));
  table.onResponse(answer(invite, 200, 'b2'));
  table.onResponse(answer(invite, 200, 'b2')); // retransmission
  assert.deepEqual(calls(), { callee: 1, caller: 1 }, 'one INVITE transaction, one call');
  table.onResponse(answer(bye(invite, 'b2'), 200));
  assert.deepEqual(calls(), { callee: 1, caller: 1 }, 'the caller dropped the second answer, the first call goes on');
  table.onResponse(answer(bye(invite, 'b2'), 200));
  assert.deepEqual(calls(), { callee: 1, caller: 1 }, 'a repeated BYE answer on a leg already gone ends nothing');
  table.onResponse(answer(bye(invite, 'b1', 'callee'), 200));
  assert.deepEqual(calls(), { callee: 0, caller: 0 });
});

test('a BYE on an unknown leg, or without a To tag, ends nothing', () => {
  const { table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  table.onResponse(answer(invite, 200, 'b1'));
  table.onResponse(answer(bye(invite, 'zz'), 200));
  table.onResponse(answer(request({ method: 'BYE' }), 200));
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
});

test('a BYE answered while the call is still early ends nothing: the INVITE\'s final answer does', () => {
  const { table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  table.onResponse(answer(invite, 180, 'b1'));
  table.onResponse(answer(bye(invite, 'b1'), 200));
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
  table.onResponse(answer(invite, 487, 'b1'));
  assert.deepEqual(calls(), { callee: 0, caller: 0 });
});

test('re-INVITE in the dialog is not counted twice, and its failure (491) does not end the call', () => {
  const { table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  table.onResponse(answer(invite, 200, 'b1'));
  const reinvite = request({ toTag: 'b1', cseq: 2 });
  forward(reinvite);
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
  table.onResponse(answer(reinvite, 491));
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
  const fromCallee = request({ to: '1000', from: '1001', fromTag: 'b1', toTag: 'caller', cseq: 9 });
  forward(fromCallee);
  table.onResponse(answer(fromCallee, 488));
  assert.deepEqual(calls(), { callee: 1, caller: 1 }, "the callee's re-INVITE neither");
  assert.deepEqual(table.stats(), { early: 0, confirmed: 1, expired: 0 });
});

test('a retransmitted or spiralled INVITE is not counted twice', () => {
  const { table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  forward(request());
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
  assert.equal(table.stats().early, 1);
});

test('a new INVITE after a 3xx with the same Call-ID and From tag is a new call (redirect, CFL-1)', () => {
  const { table, forward, calls } = setup();
  const first = request();
  forward(first);
  table.onResponse(answer(first, 302, 'r1'));
  const second = request({ cseq: 2 });
  forward(second);
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
  table.onResponse(answer(first, 200, 'late')); // an answer to the old transaction
  assert.equal(table.stats().early, 1, 'only the answer to its own CSeq confirms it');
  table.onResponse(answer(second, 200, 'b1'));
  assert.equal(table.stats().confirmed, 1);
});

test('calls are counted per line, in both directions, and lines may be left uncounted', () => {
  const { table, forward } = setup();
  forward(request({ callId: 'a', to: '1001', from: '1000' }));
  forward(request({ callId: 'b', to: '1001', from: '2000' }));
  forward(request({ callId: 'c', to: '3000', from: '1001' }));
  table.onInviteForwarded(request({ callId: 'd', to: '1001', from: '1000' }), undefined, undefined);
  assert.equal(table.activeCalls('1001'), 3);
  assert.equal(table.activeCalls('1000'), 1);
  assert.equal(table.activeCalls('2000'), 1);
  assert.equal(table.stats().early, 4);
});

test('an early call never answered is removed by the early timeout, not before', () => {
  const { clock, table, forward, calls } = setup();
  forward(request());
  clock.advance(SETTINGS.earlyTimeoutMs - SETTINGS.sweepIntervalMs);
  assert.deepEqual(calls(), { callee: 1, caller: 1 });
  clock.advance(2 * SETTINGS.sweepIntervalMs);
  assert.deepEqual(calls(), { callee: 0, caller: 0 });
  assert.deepEqual(table.stats(), { early: 0, confirmed: 0, expired: 1 });
});

test('a confirmed call never ended is removed by the confirmed timeout; a re-INVITE restarts it', () => {
  const { clock, table, forward, calls } = setup();
  const invite = request();
  forward(invite);
  clock.advance(SETTINGS.earlyTimeoutMs / 2);
  table.onResponse(answer(invite, 200, 'b1'));
  clock.advance(SETTINGS.earlyTimeoutMs);
  assert.deepEqual(calls(), { callee: 1, caller: 1 }, 'confirmed calls outlive the early timeout');
  forward(request({ toTag: 'b1', cseq: 2 }));
  clock.advance(SETTINGS.confirmedTimeoutMs - SETTINGS.sweepIntervalMs);
  assert.deepEqual(calls(), { callee: 1, caller: 1 }, 'the re-INVITE gave it a new period');
  clock.advance(2 * SETTINGS.sweepIntervalMs);
  assert.deepEqual(calls(), { callee: 0, caller: 0 });
  assert.equal(table.stats().expired, 1);
});

test('expiry removes only what is due, oldest first', () => {
  const { clock, table, forward } = setup();
  forward(request({ callId: 'old' }));
  clock.advance(SETTINGS.earlyTimeoutMs / 2);
  forward(request({ callId: 'new' }));
  clock.advance(SETTINGS.earlyTimeoutMs / 2 + SETTINGS.sweepIntervalMs);
  assert.deepEqual(table.stats(), { early: 1, confirmed: 0, expired: 1 });
  assert.equal(table.activeCalls('1001'), 1);
  clock.advance(SETTINGS.earlyTimeoutMs);
  assert.deepEqual(table.stats(), { early: 0, confirmed: 0, expired: 2 });
});

test('a closed table sweeps no more; messages it cannot read are ignored', () => {
  const { clock, table, forward } = setup();
  forward(request());
  table.close();
  clock.advance(SETTINGS.earlyTimeoutMs * 2);
  assert.equal(table.stats().early, 1);
  const noCallId = request();
  noCallId.remove('call-id');
  table.onInviteForwarded(noCallId, '1001', '1000');
  const badCSeq = answer(request(), 200, 'b1');
  badCSeq.set('CSeq', 'one INVITE');
  table.onResponse(badCSeq);
  assert.equal(table.activeCalls('1001'), 1);
  assert.equal(table.stats().confirmed, 0);
});
