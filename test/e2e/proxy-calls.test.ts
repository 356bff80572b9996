// Calls through the real sipd in proxy mode, after Appendix E (flow IDs from callflows.md).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sipd, explain, headerValues, killStrays, receivedRequests, receivedStatuses, runSipp, type SippResult } from './harness';
import { SIPP_AVAILABLE, answer, contactOf, dial, isSipdVia, newPeer, register, type Peer } from './peers';
import { branchOf, finalStatuses, responseTo, topVia } from './sip-assert';

const skip = !SIPP_AVAILABLE && 'sipp not installed';

async function registered(sipd: Sipd, user: string): Promise<Peer> {
  const peer = await newPeer(user);
  const res = await register(sipd, peer);
  assert.equal(res.code, 0, `register ${user}: ${explain(res)}`);
  return peer;
}

function assertOk(res: SippResult, who: string, sipd: Sipd): void {
  assert.equal(res.code, 0, `${who}: ${explain(res)}\n${sipd.diagnostics()}`);
}

describe('proxy with AddRecordRoute On', { skip }, () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({ AddRecordRoute: 'On' });
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('SC-02 call with Record-Route: ACK, BYE and its 200 cross sipd', async () => {
    const callee = await registered(sipd, 'bob');
    const uas = answer(callee, 'uas-answer.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'bob', 'uac-call.xml');
    const calleeLog = (await uas.done).messages;
    assertOk(caller, 'caller', sipd);

    const invite = receivedRequests(calleeLog, 'INVITE')[0];
    const rr = headerValues(invite, 'record-route').join(',');
    assert.match(rr, new RegExp(`sip:[^>]*${sipd.address.replace(/\./g, '\\.')}[^>]*;lr`), `Record-Route names sipd:\n${invite.text}`);
    assert.ok(isSipdVia(sipd, topVia(invite)), 'INVITE forwarded by sipd');
    const ok = responseTo(caller.messages, 'INVITE', 200);
    assert.ok(ok && headerValues(ok, 'record-route').some((v) => v.includes(sipd.address)), '200 to the caller keeps the Record-Route');
    for (const method of ['ACK', 'BYE']) {
      const req = receivedRequests(calleeLog, method)[0];
      assert.ok(req && isSipdVia(sipd, topVia(req)), `${method} reached the callee through sipd:\n${req?.text}`);
    }
    assert.deepEqual(receivedStatuses(caller.messages), [100, 180, 200, 200], 'G1: sipd sends 100 Trying');
  });
});

describe('proxy with AddRecordRoute Off', { skip }, () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({ AddRecordRoute: 'Off', MaxForks: 5 });
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('SC-03 call without Record-Route: ACK and BYE go end to end', async () => {
    const callee = await registered(sipd, 'carol');
    const uas = answer(callee, 'uas-answer.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'carol', 'uac-call-direct.xml', { pauseMs: 100 });
    const calleeLog = (await uas.done).messages;
    assertOk(caller, 'caller', sipd);

    const invite = receivedRequests(calleeLog, 'INVITE')[0];
    assert.ok(isSipdVia(sipd, topVia(invite)), 'INVITE forwarded by sipd');
    assert.deepEqual(headerValues(invite, 'record-route'), [], 'no Record-Route');
    for (const method of ['ACK', 'BYE']) {
      const vias = headerValues(receivedRequests(calleeLog, method)[0], 'via');
      assert.equal(vias.length, 1, `${method} carries only the caller's Via`);
      assert.ok(!isSipdVia(sipd, vias[0]), `${method} did not cross sipd`);
    }
  });

  test('fork (SC-17 note, TXN-13): one contact answers, the ringing one is CANCELled and answers 487', async () => {
    const winner = await registered(sipd, 'dave');
    const loser = await registered(sipd, 'dave');
    const winnerRun = answer(winner, 'uas-answer.xml', { pauseMs: 500 });
    const loserRun = answer(loser, 'uas-ring-cancel.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'dave', 'uac-call-direct.xml', { pauseMs: 100 });
    const [winnerRes, loserRes] = await Promise.all([winnerRun.done, loserRun.done]);
    assertOk(caller, 'caller', sipd);
    assertOk(winnerRes, 'answering contact', sipd);
    assertOk(loserRes, 'ringing contact', sipd);

    const cancel = receivedRequests(loserRes.messages, 'CANCEL')[0];
    assert.ok(cancel && isSipdVia(sipd, topVia(cancel)), 'sipd CANCELled the other branch');
    assert.equal(branchOf(topVia(cancel)), branchOf(topVia(receivedRequests(loserRes.messages, 'INVITE')[0])), 'CANCEL matches the INVITE branch');
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200], 'the caller sees one final response');
  });

  test('SC-15 busy: 486 relayed to the caller, the callee gets a hop-by-hop ACK from sipd', async () => {
    const callee = await registered(sipd, 'erin');
    const uas = answer(callee, 'uas-busy.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'erin', 'uac-call-refused.xml', { keys: { max_forwards: '70' } });
    const calleeRes = await uas.done;
    assertOk(caller, 'caller', sipd);
    assertOk(calleeRes, 'callee', sipd);

    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [486]);
    const inviteVia = topVia(receivedRequests(calleeRes.messages, 'INVITE')[0]);
    const ackVia = topVia(receivedRequests(calleeRes.messages, 'ACK')[0]);
    assert.ok(isSipdVia(sipd, ackVia), 'the ACK comes from sipd');
    assert.equal(branchOf(ackVia), branchOf(inviteVia), 'ACK for a non-2xx has the INVITE branch');
  });

  test('SC-13 (proxy) no answer: caller CANCEL gets 200, the INVITE 487, the callee a CANCEL', async () => {
    const callee = await registered(sipd, 'frank');
    const uas = answer(callee, 'uas-ring-cancel.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'frank', 'uac-call-cancel.xml', { pauseMs: 500 });
    const calleeRes = await uas.done;
    assertOk(caller, 'caller', sipd);
    assertOk(calleeRes, 'callee', sipd);

    assert.deepEqual(finalStatuses(caller.messages, 'CANCEL'), [200]);
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [487]);
    const cancel = receivedRequests(calleeRes.messages, 'CANCEL')[0];
    assert.ok(cancel && isSipdVia(sipd, topVia(cancel)), 'sipd forwarded the CANCEL');
  });

  test('SC-17 global error: a 603 on one branch CANCELs the other and reaches the caller', async () => {
    const decliner = await registered(sipd, 'gina');
    const ringer = await registered(sipd, 'gina');
    const declineRun = answer(decliner, 'uas-decline.xml', { pauseMs: 500 });
    const ringRun = answer(ringer, 'uas-ring-cancel.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'gina', 'uac-call-refused.xml', { keys: { max_forwards: '70' } });
    const [declineRes, ringRes] = await Promise.all([declineRun.done, ringRun.done]);
    assertOk(caller, 'caller', sipd);
    assertOk(declineRes, 'declining contact', sipd);
    assertOk(ringRes, 'ringing contact', sipd);

    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [603]);
    assert.equal(receivedRequests(ringRes.messages, 'CANCEL').length, 1, 'the other branch was CANCELled');
  });

  test('PRX-5/PRX-6 loop: a Request-URI that names sipd by another host name comes back unchanged: 482', async () => {
    // sipd does not know "localhost" as itself, so it forwards the INVITE to localhost:port, i.e. to
    // itself; the second visit carries sipd's Via and the same Request-URI, which is a loop.
    const caller = await dial(sipd, await newPeer('alice'), 'loop', 'uac-call-refused.xml', {
      keys: { max_forwards: '70', domain: `localhost:${sipd.port}` },
    });
    assertOk(caller, 'caller', sipd);
    assert.equal(finalStatuses(caller.messages, 'INVITE').at(-1), 482);
  });

  test('REG-5 the INVITE goes to the registered Contact even when the REGISTER came from another port', async () => {
    const device = await newPeer('kate');
    const registrant = await newPeer('kate');
    const reg = await register(sipd, registrant, { contact: contactOf(device) });
    assert.equal(reg.code, 0, explain(reg));
    const uas = answer(device, 'uas-answer.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'kate', 'uac-call-direct.xml', { pauseMs: 100, timeoutSec: 8 });
    const deviceRes = await uas.done;
    assertOk(caller, 'caller', sipd);
    assert.equal(receivedRequests(deviceRes.messages, 'INVITE').length, 1, 'the Contact received the INVITE');
  });

  test('PRX-19 Max-Forwards 0: 483 and nothing forwarded', async () => {
    const callee = await registered(sipd, 'hank');
    const uas = answer(callee, 'uas-answer.xml', { timeoutSec: 3 });
    const caller = await dial(sipd, await newPeer('alice'), 'hank', 'uac-call-refused.xml', { keys: { max_forwards: '0' } });
    const calleeRes = await uas.done;
    assertOk(caller, 'caller', sipd);
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [483]);
    assert.equal(receivedRequests(calleeRes.messages, 'INVITE').length, 0, 'the callee saw no INVITE');
  });

  test('PRX-20 unknown method: NEWMETHOD is forwarded to the registered contact', async () => {
    const callee = await registered(sipd, 'ivan');
    const uas = answer(callee, 'uas-newmethod.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'ivan', 'uac-newmethod.xml');
    const calleeRes = await uas.done;
    assertOk(caller, 'caller', sipd);
    const req = receivedRequests(calleeRes.messages, 'NEWMETHOD')[0];
    assert.ok(req && isSipdVia(sipd, topVia(req)), 'NEWMETHOD came through sipd');
  });

  test('CMP-2 OPTIONS addressed to sipd is answered 200 by sipd', async () => {
    const asker = await newPeer('alice');
    const res = await runSipp({
      scenario: 'options.xml', target: sipd.address, localPort: asker.port, traceMsg: true,
      keys: { user: asker.user, domain: 'bench.local' },
    });
    assertOk(res, 'OPTIONS', sipd);
    assert.deepEqual(receivedStatuses(res.messages), [200]);
  });
});

describe('ProxyAddressResolutionType A: sipd names itself by ServerName in Via and Record-Route', { skip }, () => {
  const NAME = 'proxy1.bench.local';
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({ AddRecordRoute: 'On', ServerName: NAME, ProxyAddressResolutionType: 'A' });
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('DNS-5 the forwarded INVITE carries Via and Record-Route with the server name and port, and the call completes', async () => {
    const callee = await registered(sipd, 'bob');
    const uas = answer(callee, 'uas-answer.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'bob', 'uac-call.xml');
    const invite = receivedRequests((await uas.done).messages, 'INVITE')[0];
    assertOk(caller, 'caller', sipd);
    assert.match(topVia(invite), new RegExp(`^SIP/2\\.0/UDP ${NAME.replace(/\./g, '\\.')}:${sipd.port};`), invite.text);
    assert.deepEqual(headerValues(invite, 'record-route'), [`<sip:${NAME}:${sipd.port};lr>`]);
  });
});
