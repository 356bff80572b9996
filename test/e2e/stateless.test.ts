// sipd as a stateless proxy (StatefulServer Off): it forwards without transactions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sipd, explain, killStrays, receivedRequests, receivedStatuses } from './harness';
import { SIPP_AVAILABLE, answer, dial, isSipdVia, newPeer, register } from './peers';
import { topVia } from './sip-assert';

describe('stateless proxy', { skip: !SIPP_AVAILABLE && 'sipp not installed' }, () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({ StatefulServer: 'Off', AddRecordRoute: 'Off' });
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('SC-03 stateless: the call goes through and sipd sends no 100 Trying of its own', async () => {
    const callee = await newPeer('bob');
    assert.equal((await register(sipd, callee)).code, 0);
    const uas = answer(callee, 'uas-answer.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'bob', 'uac-call-direct.xml', { pauseMs: 100 });
    const calleeRes = await uas.done;
    assert.equal(caller.code, 0, explain(caller) + sipd.diagnostics());
    assert.equal(calleeRes.code, 0, explain(calleeRes));

    assert.deepEqual(receivedStatuses(caller.messages), [180, 200, 200], 'first response is the callee 180');
    assert.ok(isSipdVia(sipd, topVia(receivedRequests(calleeRes.messages, 'INVITE')[0])), 'INVITE forwarded by sipd');
  });
});
