// Busy lines (CUCM-12): the busy policy reading a dialog table that the test drives with the proxy's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipMessage } from '../sip';
import { DialogTable } from '../dialog';
import { answer, bye, request } from '../dialog/fixtures';
import { FakeClock } from '../transaction/clock';
import type { Device } from '../subscribers/types';
import { busyPolicy } from './busy-policy';
import { device, phoneLines, policyContext } from './fixtures';
import { callLines } from './lines';

const BUSY = { status: 486, reason: 'Busy Here' };

function setup(devices: Device[]) {
  const dialogs = new DialogTable(undefined, new FakeClock());
  const phones = phoneLines(devices);
  const policy = busyPolicy(dialogs, phones);
  let calls = 0;
  /** One INVITE through the chain and, when it passes, forwarded as the proxy core would. Returns the verdict. */
  const call = async (to: string, o: { from?: string; by?: Device } = {}) => {
    const invite = request({ to, from: o.from ?? '5555', callId: `call-${++calls}` });
    const ctx = policyContext(invite, { by: o.by });
    const verdict = await policy(ctx);
    if (verdict === undefined) {
      const lines = callLines(ctx, phones);
      dialogs.onInviteForwarded(invite, lines.callee, lines.caller);
    }
    return { verdict, invite };
  };
  const hangUp = (invite: SipMessage) => {
    dialogs.onResponse(answer(invite, 200, 'b1'));
    dialogs.onResponse(answer(bye(invite, 'b1'), 200));
  };
  return { dialogs, call, hangUp, phones };
}

test('a line at its busy trigger answers 486; the call ending frees it', async () => {
  const phone = device({ name: 'p1', numbers: ['1001'] });
  const { call, hangUp, dialogs } = setup([phone]);
  const first = await call('1001');
  assert.equal(first.verdict, undefined);
  dialogs.onResponse(answer(first.invite, 200, 'b1'));
  assert.equal((await call('1001')).verdict, undefined, 'one call up, busy trigger 2: a second call rings');
  assert.deepEqual((await call('1001')).verdict, BUSY);
  hangUp(first.invite);
  assert.equal(dialogs.activeCalls('1001'), 1);
  assert.equal((await call('1001')).verdict, undefined);
});

test('a ringing call counts, and an unanswered one stops counting at its final answer', async () => {
  const phone = device({ name: 'p1', lines: [{ number: '1001', maxCalls: 4, busyTrigger: 1 }], type: 'advanced' });
  const { call, dialogs } = setup([phone]);
  const ringing = await call('1001');
  assert.deepEqual((await call('1001')).verdict, BUSY);
  dialogs.onResponse(answer(ringing.invite, 487, 'b1'));
  assert.equal((await call('1001')).verdict, undefined);
});

test('outgoing calls from the device line count toward its busy trigger', async () => {
  const phone = device({ name: 'p1', numbers: ['1001'] });
  const { call } = setup([phone]);
  assert.equal((await call('7000', { from: '1001', by: phone })).verdict, undefined);
  assert.equal((await call('1001')).verdict, undefined);
  assert.deepEqual((await call('1001')).verdict, BUSY, 'one outgoing and one incoming call: 2');
});

test('a From naming a line of another device than the authenticated one is not counted', async () => {
  const victim = device({ name: 'victim', numbers: ['1001'] });
  const other = device({ name: 'other', numbers: ['2002'] });
  const { call, dialogs } = setup([victim, other]);
  await call('7000', { from: '1001', by: other });
  await call('7001', { from: '1001', by: other });
  assert.equal(dialogs.activeCalls('1001'), 0);
  await call('7002', { from: '1001' });
  assert.equal(dialogs.activeCalls('1001'), 1, 'with nobody authenticated, the From is all there is');
  await call('7003', { from: '1001', by: device({ name: 'none', digestUser: 'alice', lines: [] }) });
  assert.equal(dialogs.activeCalls('1001'), 1, 'an authenticated user is not a device line either');
});

test('the line maximum applies when it is below the busy trigger (upgraded device values)', async () => {
  const phone = device({ name: 'p1', type: 'advanced', lines: [{ number: '1001', maxCalls: 1, busyTrigger: 4 }] });
  const { call } = setup([phone]);
  await call('1001');
  assert.deepEqual((await call('1001')).verdict, BUSY);
});

test('basic device maximum 2 over its line even when the line would allow more', async () => {
  const phone = device({ name: 'p1', lines: [{ number: '1001', maxCalls: 4, busyTrigger: 4 }] });
  const { call } = setup([phone]);
  await call('1001');
  await call('1001');
  assert.deepEqual((await call('1001')).verdict, BUSY);
});

test('advanced device maximum 16 summed over its lines (6 lines x 4 = 24 configured, CUCM-12)', async () => {
  const numbers = ['2001', '2002', '2003', '2004', '2005', '2006'];
  const phone = device({ name: 'adv', type: 'advanced', lines: numbers.map((number) => ({ number, maxCalls: 4, busyTrigger: 4 })) });
  const { call, dialogs } = setup([phone]);
  for (let i = 0; i < 15; i++) assert.equal((await call(numbers[i % 6])).verdict, undefined, `call ${i + 1}`);
  assert.equal(dialogs.activeCalls('2004'), 2);
  assert.equal((await call('2004')).verdict, undefined, 'the 16th call');
  assert.deepEqual((await call('2005')).verdict, BUSY, 'line 2005 has 2 of 4 calls, but the device has 16');
});

test('only initial INVITEs to device lines of sipd\'s domains are checked', async () => {
  const phone = device({ name: 'p1', numbers: ['1001'] });
  const { call, dialogs, phones } = setup([phone]);
  await call('1001');
  await call('1001');
  assert.equal(dialogs.activeCalls('1001'), 2);
  const policy = busyPolicy(dialogs, phones);
  const reinvite = request({ to: '1001', toTag: 'b1', cseq: 2 });
  assert.equal(await policy(policyContext(reinvite)), undefined, 'a re-INVITE in a call on a busy line');
  const message = request({ method: 'MESSAGE', to: '1001' });
  assert.equal(await policy(policyContext(message)), undefined);
  const elsewhere = request({ to: '1001' });
  elsewhere.setRequestUri('sip:1001@other.example.net');
  assert.equal(await policy(policyContext(elsewhere)), undefined, 'user 1001 of another domain is not the line');
  assert.equal(await policy(policyContext(request({ to: '1002' }))), undefined, 'not a device line');
  assert.deepEqual(await policy(policyContext(request({ to: '1001' }))), BUSY);
});
