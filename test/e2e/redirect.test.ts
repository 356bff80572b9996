// sipd as a redirect server (ServerType Redirect), after Appendix E SC-01.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sipd, explain, headerValues, killStrays, parseTrace, receivedRequests } from './harness';
import { SIPP_AVAILABLE, answer, contactOf, dial, isSipdVia, newPeer, register } from './peers';
import { contactsOf, finalStatuses, responseTo, topVia } from './sip-assert';

describe('redirect server', { skip: !SIPP_AVAILABLE && 'sipp not installed' }, () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({ ServerType: 'Redirect' });
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('SC-01 INVITE for a registered user: 302 lists every contact with its q-value', async () => {
    const near = await newPeer('bob');
    const far = await newPeer('bob');
    for (const [peer, q] of [[near, '0.9'], [far, '0.5']] as const) {
      const reg = await register(sipd, peer, { contact: `${contactOf(peer)};q=${q}` });
      assert.equal(reg.code, 0, explain(reg));
    }
    const caller = await dial(sipd, await newPeer('alice'), 'bob', 'uac-call-refused.xml', { keys: { max_forwards: '70' } });
    assert.equal(caller.code, 0, explain(caller) + sipd.diagnostics());
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [302]);
    const contacts = contactsOf(responseTo(caller.messages, 'INVITE', 302)!);
    for (const [peer, q] of [[near, 0.9], [far, 0.5]] as const) {
      const entry = contacts.find((c) => c.includes(`127.0.0.1:${peer.port}`));
      assert.ok(entry, `302 lists the contact at port ${peer.port}: ${contacts.join(' | ')}`);
      assert.equal(Number(/;\s*q=([0-9.]+)/.exec(entry)?.[1]), q, `q-value of ${entry}`);
    }
  });

  test('SC-01 the caller ACKs the 302 and reaches the callee directly with CSeq 2', async () => {
    const callee = await newPeer('carl');
    assert.equal((await register(sipd, callee)).code, 0);
    const uas = answer(callee, 'uas-answer.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'carl', 'uac-redirect-follow.xml');
    const calleeRes = await uas.done;
    assert.equal(caller.code, 0, explain(caller) + sipd.diagnostics());
    assert.equal(calleeRes.code, 0, explain(calleeRes));

    const sentToSipd = parseTrace(caller.messages).find((m) => m.direction === 'sent' && m.startLine.startsWith('INVITE'))!;
    const invite = receivedRequests(calleeRes.messages, 'INVITE')[0];
    assert.match(headerValues(invite, 'cseq')[0], /^2 INVITE$/);
    assert.equal(headerValues(invite, 'call-id')[0], headerValues(sentToSipd, 'call-id')[0], 'same Call-ID as the redirected INVITE');
    assert.ok(!isSipdVia(sipd, topVia(invite)), 'the new INVITE did not cross sipd');
  });
});
