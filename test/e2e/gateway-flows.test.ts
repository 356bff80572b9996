// Gateway-to-gateway failed calls of Appendix E (SC-12, SC-13, SC-14, SC-16 in callflows.md): SIPp plays GW1,
// the caller, and GW2, the gateway of the called user, registered at sipd under the called number.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sipd, explain, headerValues, killStrays, parseTrace, receivedRequests, statusOf, type SippResult, type TracedMessage } from './harness';
import { SIPP_AVAILABLE, answer, dial, isSipdVia, newPeer, register, type Peer } from './peers';
import { branchOf, finalStatuses, responseTo, topVia } from './sip-assert';

const skip = !SIPP_AVAILABLE && 'sipp not installed';

async function gateway(sipd: Sipd, number: string): Promise<Peer> {
  const peer = await newPeer(number);
  const res = await register(sipd, peer);
  assert.equal(res.code, 0, `register ${number}: ${explain(res)}`);
  return peer;
}

function assertOk(res: SippResult, who: string, sipd: Sipd): void {
  assert.equal(res.code, 0, `${who}: ${explain(res)}\n${sipd.diagnostics()}`);
}

/** GW2 refusing every call with this final status (after a 100 Trying). */
function refusing(peer: Peer, status: number, reason: string) {
  return answer(peer, 'uas-reject.xml', { keys: { status_line: `SIP/2.0 ${status} ${reason}` } });
}

function only(messages: TracedMessage[], what: string): TracedMessage {
  assert.equal(messages.length, 1, `exactly one ${what}:\n${messages.map((m) => m.text).join('\n---\n')}`);
  return messages[0];
}

function header(msg: TracedMessage, name: string): string {
  return headerValues(msg, name)[0] ?? '';
}

function toTag(msg: TracedMessage): string | null {
  return /;\s*tag=([^;\s>]+)/i.exec(header(msg, 'to'))?.[1] ?? null;
}

/** Statuses of the responses the peer received for the request with this exact CSeq ("1 INVITE"). */
function statusesFor(log: string, cseq: string): number[] {
  return parseTrace(log)
    .filter((m) => m.direction === 'received' && header(m, 'cseq') === cseq)
    .map(statusOf)
    .filter((s): s is number => s !== null);
}

/** The INVITE GW1 sent to sipd, the first of its call. */
function firstInviteSent(log: string): TracedMessage {
  const sent = parseTrace(log).find((m) => m.direction === 'sent' && m.startLine.startsWith('INVITE'));
  assert.ok(sent, `GW1 sent an INVITE:\n${log}`);
  return sent;
}

/**
 * G8 and the redirect server's part of SC-12/13/14: sipd answered the first INVITE with one 302 naming GW2 and
 * nothing else (the ACK for the 302 absorbed: no 302 retransmission), and every request GW2 saw came from GW1
 * directly, the INVITE with the first INVITE's Call-ID and CSeq 2.
 */
function assertRedirectedDirectly(sipd: Sipd, gw1Log: string, gw2: Peer, gw2Log: string): void {
  const fromSipd = statusesFor(gw1Log, '1 INVITE').filter((s) => s !== 100);
  assert.deepEqual(fromSipd, [302], 'sipd sends one 302 and nothing after the ACK');
  const contact = header(responseTo(gw1Log, 'INVITE', 302)!, 'contact');
  assert.ok(contact.includes(`:${gw2.port}`), `the 302 names GW2: ${contact}`);

  const invite = only(receivedRequests(gw2Log, 'INVITE'), 'INVITE at GW2');
  assert.equal(header(invite, 'cseq'), '2 INVITE', 'the new INVITE has a higher CSeq');
  assert.equal(header(invite, 'call-id'), header(firstInviteSent(gw1Log), 'call-id'), 'the new INVITE keeps the Call-ID');
  for (const req of parseTrace(gw2Log).filter((m) => m.direction === 'received' && statusOf(m) === null)) {
    assert.equal(headerValues(req, 'via').length, 1, `${req.startLine} came from GW1 without crossing sipd:\n${req.text}`);
    assert.ok(!isSipdVia(sipd, topVia(req)), `${req.startLine} did not cross sipd`);
  }
}

/** G5: the gateway's non-2xx was ACKed by sipd itself, on the INVITE's branch. */
function assertAckedBySipd(sipd: Sipd, gwLog: string): void {
  const inviteVia = topVia(only(receivedRequests(gwLog, 'INVITE'), 'INVITE at the gateway'));
  const ackVia = topVia(only(receivedRequests(gwLog, 'ACK'), 'ACK at the gateway'));
  assert.ok(isSipdVia(sipd, ackVia), `the ACK comes from sipd: ${ackVia}`);
  assert.equal(branchOf(ackVia), branchOf(inviteVia), 'ACK for a non-2xx has the INVITE branch');
}

describe('gateways through the redirect server', { skip }, () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({ ServerType: 'Redirect' });
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('SC-12 called user busy: 302, ACK absorbed, GW1 INVITEs GW2 (same Call-ID, CSeq 2), 486, ACK', async () => {
    const gw2 = await gateway(sipd, '5550002');
    // GW2 rings a while before the 486, so a 302 retransmitted by sipd would reach GW1 meanwhile.
    const gw2Run = answer(gw2, 'uas-busy.xml', { pauseMs: 1500 });
    const gw1 = await dial(sipd, await newPeer('5550001'), '5550002', 'uac-redirect-refused.xml');
    const gw2Res = await gw2Run.done;
    assertOk(gw1, 'GW1', sipd);
    assertOk(gw2Res, 'GW2', sipd);

    assert.deepEqual(finalStatuses(gw1.messages, 'INVITE'), [302, 486]);
    assert.deepEqual(statusesFor(gw1.messages, '2 INVITE').filter((s) => s >= 200), [486], 'the 486 comes for the new INVITE');
    assertRedirectedDirectly(sipd, gw1.messages, gw2, gw2Res.messages);
    const ack = only(receivedRequests(gw2Res.messages, 'ACK'), 'ACK at GW2');
    assert.equal(header(ack, 'cseq'), '2 ACK');
  });

  test('SC-13 no answer: 302, then GW1 CANCELs the ringing GW2: 200 for the CANCEL, 487, ACK', async () => {
    const gw2 = await gateway(sipd, '5550012');
    const gw2Run = answer(gw2, 'uas-ring-cancel.xml');
    const gw1 = await dial(sipd, await newPeer('5550011'), '5550012', 'uac-redirect-cancel.xml', { pauseMs: 1500 });
    const gw2Res = await gw2Run.done;
    assertOk(gw1, 'GW1', sipd);
    assertOk(gw2Res, 'GW2', sipd);

    assert.deepEqual(finalStatuses(gw1.messages, 'INVITE'), [302, 487]);
    assert.deepEqual(finalStatuses(gw1.messages, 'CANCEL'), [200]);
    assertRedirectedDirectly(sipd, gw1.messages, gw2, gw2Res.messages);
    const cancel = only(receivedRequests(gw2Res.messages, 'CANCEL'), 'CANCEL at GW2');
    assert.equal(header(cancel, 'cseq'), '2 CANCEL');
    assert.equal(branchOf(topVia(cancel)), branchOf(topVia(receivedRequests(gw2Res.messages, 'INVITE')[0])), 'CANCEL matches the INVITE');
    assert.equal(header(only(receivedRequests(gw2Res.messages, 'ACK'), 'ACK at GW2'), 'cseq'), '2 ACK');
  });

  test('SC-14 redirect then client error: 302, GW1 INVITEs GW2, 404, ACK', async () => {
    const gw2 = await gateway(sipd, '5550022');
    const gw2Run = refusing(gw2, 404, 'Not Found');
    const gw1 = await dial(sipd, await newPeer('5550021'), '5550022', 'uac-redirect-refused.xml');
    const gw2Res = await gw2Run.done;
    assertOk(gw1, 'GW1', sipd);
    assertOk(gw2Res, 'GW2', sipd);

    assert.deepEqual(finalStatuses(gw1.messages, 'INVITE'), [302, 404]);
    assertRedirectedDirectly(sipd, gw1.messages, gw2, gw2Res.messages);
    assert.equal(header(only(receivedRequests(gw2Res.messages, 'ACK'), 'ACK at GW2'), 'cseq'), '2 ACK');
  });
});

describe('gateways through the proxy, Forward503 at its default (Off)', { skip }, () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch();
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('SC-14 (proxy) 404 on the only branch: relayed to GW1, GW2 ACKed by sipd', async () => {
    const gw2 = await gateway(sipd, '5550032');
    const gw2Run = refusing(gw2, 404, 'Not Found');
    const gw1 = await dial(sipd, await newPeer('5550031'), '5550032', 'uac-call-refused.xml', { keys: { max_forwards: '70' } });
    const gw2Res = await gw2Run.done;
    assertOk(gw1, 'GW1', sipd);
    assertOk(gw2Res, 'GW2', sipd);

    assert.deepEqual(finalStatuses(gw1.messages, 'INVITE'), [404]);
    const sent = parseTrace(gw2Res.messages).find((m) => m.direction === 'sent' && statusOf(m) === 404)!;
    assert.equal(toTag(responseTo(gw1.messages, 'INVITE', 404)!), toTag(sent), "GW1 gets GW2's 404, not one of sipd's");
    assertAckedBySipd(sipd, gw2Res.messages);
  });

  test('SC-14 (proxy) G9: two contacts of equal q answer 503 and 404: GW1 gets the 404, both are ACKed', async () => {
    const overloaded = await gateway(sipd, '5550042');
    const unknown = await gateway(sipd, '5550042');
    const overloadedRun = refusing(overloaded, 503, 'Service Unavailable');
    const unknownRun = refusing(unknown, 404, 'Not Found');
    const gw1 = await dial(sipd, await newPeer('5550041'), '5550042', 'uac-call-refused.xml', { keys: { max_forwards: '70' } });
    const [overloadedRes, unknownRes] = await Promise.all([overloadedRun.done, unknownRun.done]);
    assertOk(gw1, 'GW1', sipd);
    assertOk(overloadedRes, 'the gateway answering 503', sipd);
    assertOk(unknownRes, 'the gateway answering 404', sipd);

    assert.deepEqual(finalStatuses(gw1.messages, 'INVITE'), [404], 'a 4xx ranks before a 5xx');
    assertAckedBySipd(sipd, overloadedRes.messages);
    assertAckedBySipd(sipd, unknownRes.messages);
  });

  test('SC-16 GW2 answers 503: a lone 503 reaches GW1 as 500 (D-8), GW2 gets an ACK from sipd', async () => {
    const gw2 = await gateway(sipd, '5550052');
    const gw2Run = refusing(gw2, 503, 'Service Unavailable');
    const gw1 = await dial(sipd, await newPeer('5550051'), '5550052', 'uac-call-refused.xml', { keys: { max_forwards: '70' } });
    const gw2Res = await gw2Run.done;
    assertOk(gw1, 'GW1', sipd);
    assertOk(gw2Res, 'GW2', sipd);

    assert.deepEqual(finalStatuses(gw1.messages, 'INVITE'), [500]);
    assertAckedBySipd(sipd, gw2Res.messages);
  });
});

describe('gateways through the proxy, Forward503 On', { skip }, () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({ Forward503: 'On' });
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('SC-16 GW2 answers 503: relayed to GW1 as 503 (the seed behaviour), GW2 gets an ACK from sipd', async () => {
    const gw2 = await gateway(sipd, '5550062');
    const gw2Run = refusing(gw2, 503, 'Service Unavailable');
    const gw1 = await dial(sipd, await newPeer('5550061'), '5550062', 'uac-call-refused.xml', { keys: { max_forwards: '70' } });
    const gw2Res = await gw2Run.done;
    assertOk(gw1, 'GW1', sipd);
    assertOk(gw2Res, 'GW2', sipd);

    assert.deepEqual(finalStatuses(gw1.messages, 'INVITE'), [503]);
    const sent = parseTrace(gw2Res.messages).find((m) => m.direction === 'sent' && statusOf(m) === 503)!;
    assert.equal(toTag(responseTo(gw1.messages, 'INVITE', 503)!), toTag(sent), "GW1 gets GW2's 503");
    assertAckedBySipd(sipd, gw2Res.messages);
  });
});
