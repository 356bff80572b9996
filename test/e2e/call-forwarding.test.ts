// Call forwarding through the real sipd, after the Appendix E flows SC-04..SC-11 (callflows.md; unit-level twins in
// src/proxy/proxy-forwarding.test.ts). Bob is a subscriber whose forwarding target is Carol's SIPp phone; Alice
// calls bob@DOMAIN. A recursive sipd calls Carol itself; a nonrecursive one answers 302 and Alice calls Carol.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  DOMAIN, HOST, Sipd, explain, headerValues, killStrays, methodOf, parseTrace, receivedRequests, receivedStatuses,
  type SippResult, type SippRun, type TracedMessage,
} from './harness';
import { SIPP_AVAILABLE, answer, dial, isSipdVia, newPeer, register, type Peer } from './peers';
import { branchOf, finalStatuses, responseTo, topVia } from './sip-assert';

type Kind = 'unconditional' | 'busy' | 'noAnswer' | 'unavailable';

/** The directive that turns each kind on, the `sipd subscriber` option that sets its target, its Diversion reason. */
const KINDS: Record<Kind, { directive: string; option: string; reason: string }> = {
  unconditional: { directive: 'CallForwardUnconditional', option: '--forward-unconditional', reason: 'unconditional' },
  busy: { directive: 'CallForwardBusy', option: '--forward-busy', reason: 'user-busy' },
  noAnswer: { directive: 'CallForwardNoAnswer', option: '--forward-no-answer', reason: 'no-answer' },
  unavailable: { directive: 'CallForwardUnavailable', option: '--forward-unavailable', reason: 'unavailable' },
};

const diversionFor = (kind: Kind) => `<sip:bob@${DOMAIN}>;reason=${KINDS[kind].reason};counter=1`;

interface Setup {
  sipd: Sipd;
  /** Bob's phone, registered as bob unless told otherwise. */
  bob: Peer;
  carol: Peer;
  /** Bob's forwarding target: Carol's phone. */
  carolUri: string;
}

let running: Sipd | undefined;

/** A sipd with only `kind` of forwarding on (timers 3 s, CC-Diversion, no Record-Route) and subscriber bob. */
async function forwardingProxy(kind: Kind, recursive: boolean, bobRegistered = true): Promise<Setup> {
  const sipd = await Sipd.create({
    ServerType: 'Proxy',
    Recursive: recursive ? 'On' : 'Off',
    [KINDS[kind].directive]: 'On',
    CallForwardNoAnswerTimer: 3000,
    CallForwardUnavailableTimer: 3000,
    AddDiversionHeader: 'On',
    DiversionHeaderName: 'CC-Diversion',
    AddRecordRoute: 'Off',
  });
  running = sipd;
  const carol = await newPeer('carol');
  const carolUri = `sip:carol@${HOST}:${carol.port}`;
  const added = await sipd.command('subscriber', 'add', 'bob', '--password', 'bob-pw', KINDS[kind].option, carolUri);
  assert.equal(added.code, 0, added.stderr);
  await sipd.start();
  const bob = await newPeer('bob');
  if (bobRegistered) {
    const reg = await register(sipd, bob);
    assert.equal(reg.code, 0, `register bob: ${explain(reg)}`);
  }
  return { sipd, bob, carol, carolUri };
}

function assertOk(res: SippResult, who: string, sipd: Sipd): void {
  assert.equal(res.code, 0, `${who}: ${explain(res)}\n${sipd.diagnostics()}`);
}

/** Methods of the requests a phone received, in order (retransmissions included). */
function requestsReceived(log: string): string[] {
  return parseTrace(log).filter((m) => m.direction === 'received').map((m) => methodOf(m) ?? `response ${m.startLine}`);
}

/** Ends a phone that waits for the test (uas-silent.xml) and returns its log. */
async function stopped(run: SippRun): Promise<SippResult> {
  run.stop();
  return run.done;
}

/** The flows' central check: the forwarded INVITE (or the 302) carries exactly this CC-Diversion. */
function assertDiversion(msg: TracedMessage, kind: Kind): void {
  assert.deepEqual(headerValues(msg, 'cc-diversion'), [diversionFor(kind)], `CC-Diversion in:\n${msg.text}`);
}

/**
 * Recursive proxy (SC-04/06/08/10): Alice's call ends with Carol's 200 only; sipd sent Carol the INVITE for her
 * URI with the Diversion; ACK goes end to end (RR off). Returns Carol's INVITE.
 */
async function assertForwardedBySipd(s: Setup, kind: Kind, alice: SippResult, carolRun: SippRun): Promise<TracedMessage> {
  const carolRes = await carolRun.done;
  assertOk(alice, 'alice', s.sipd);
  assertOk(carolRes, 'carol', s.sipd);
  assert.equal(receivedStatuses(alice.messages)[0], 100, 'G1: sipd answers Alice 100 Trying first');
  assert.deepEqual(finalStatuses(alice.messages, 'INVITE'), [200], 'Alice sees Carol\'s 200 and no other final response');
  const invite = receivedRequests(carolRes.messages, 'INVITE')[0];
  assert.ok(invite, `Carol got no INVITE:\n${explain(carolRes)}`);
  assert.equal(invite.startLine, `INVITE ${s.carolUri} SIP/2.0`, 'Request-URI = Bob\'s forwarding target');
  assert.ok(isSipdVia(s.sipd, topVia(invite)), 'sipd sent Carol the INVITE');
  assertDiversion(invite, kind);
  const ackVias = headerValues(receivedRequests(carolRes.messages, 'ACK')[0], 'via');
  assert.equal(ackVias.length, 1, 'the ACK for the 200 goes from Alice to Carol directly (RR off)');
  return invite;
}

/**
 * Nonrecursive proxy (SC-05/07/09/11): sipd answers Alice 302 (Contact Carol, Diversion), takes her ACK (one 302,
 * no retransmission); Alice's new INVITE (same Call-ID, CSeq 2, the Diversion copied) reaches Carol directly.
 */
async function assertRedirectedToCarol(s: Setup, kind: Kind, alice: SippResult, carolRun: SippRun): Promise<void> {
  const carolRes = await carolRun.done;
  assertOk(alice, 'alice', s.sipd);
  assertOk(carolRes, 'carol', s.sipd);
  assert.equal(receivedStatuses(alice.messages)[0], 100, 'G1: sipd answers Alice 100 Trying first');
  assert.deepEqual(finalStatuses(alice.messages, 'INVITE'), [302, 200], 'Alice gets the 302, then Carol\'s 200');
  const moved = responseTo(alice.messages, 'INVITE', 302)!;
  assert.deepEqual(headerValues(moved, 'contact'), [`<${s.carolUri}>`], '302 Contact = Bob\'s forwarding target');
  assertDiversion(moved, kind);
  assert.equal(receivedStatuses(alice.messages).filter((c) => c === 302).length, 1, 'sipd took the ACK for its 302 (no retransmission)');

  const firstInvite = parseTrace(alice.messages).find((m) => m.direction === 'sent' && methodOf(m) === 'INVITE')!;
  const invite = receivedRequests(carolRes.messages, 'INVITE')[0];
  assert.ok(invite, `Carol got no INVITE:\n${explain(carolRes)}`);
  assert.equal(headerValues(invite, 'via').length, 1, 'Alice calls Carol directly, not through sipd');
  assert.deepEqual(headerValues(invite, 'call-id'), headerValues(firstInvite, 'call-id'), 'G8: same Call-ID');
  assert.deepEqual(headerValues(invite, 'cseq'), ['2 INVITE'], 'G8: higher CSeq');
  assertDiversion(invite, kind);
}

describe('call forwarding (Appendix E SC-04..SC-11)', { skip: !SIPP_AVAILABLE && 'sipp not installed' }, () => {
  afterEach(async () => {
    await killStrays();
    await running?.dispose();
    running = undefined;
  });

  // Alice holds the call 1 s: long enough to see sipd retransmit its 302 (T1 500 ms) had it missed her ACK.
  const callBob = (s: Setup, scenario: string) =>
    newPeer('alice').then((alice) => dial(s.sipd, alice, 'bob', scenario, { pauseMs: 1000, timeoutSec: 30 }));

  test('SC-04 CFU, recursive: Carol gets the INVITE with CC-Diversion reason=unconditional, Bob\'s phone nothing', async () => {
    const s = await forwardingProxy('unconditional', true);
    const bobRun = answer(s.bob, 'uas-silent.xml', { timeoutSec: 60 });
    const carolRun = answer(s.carol, 'uas-answer.xml');
    const alice = await callBob(s, 'uac-call-direct.xml');
    await assertForwardedBySipd(s, 'unconditional', alice, carolRun);
    assert.deepEqual(requestsReceived((await stopped(bobRun)).messages), [], 'Bob\'s phone is never contacted');
  });

  test('SC-05 CFU, nonrecursive: 302 to Carol with CC-Diversion reason=unconditional; Alice calls Carol; Bob gets nothing', async () => {
    const s = await forwardingProxy('unconditional', false);
    const bobRun = answer(s.bob, 'uas-silent.xml', { timeoutSec: 60 });
    const carolRun = answer(s.carol, 'uas-answer.xml');
    const alice = await callBob(s, 'uac-forwarded-follow.xml');
    await assertRedirectedToCarol(s, 'unconditional', alice, carolRun);
    assert.deepEqual(requestsReceived((await stopped(bobRun)).messages), [], 'Bob\'s phone is never contacted');
  });

  /** Bob got sipd's INVITE and sipd's hop-by-hop ACK for his 486 (G5). */
  function assertBusyBobAcked(s: Setup, bobRes: SippResult): void {
    assertOk(bobRes, 'bob', s.sipd);
    assert.deepEqual(requestsReceived(bobRes.messages), ['INVITE', 'ACK']);
    const [invite] = receivedRequests(bobRes.messages, 'INVITE');
    const [ack] = receivedRequests(bobRes.messages, 'ACK');
    assert.ok(isSipdVia(s.sipd, topVia(ack)), 'sipd ACKs the 486');
    assert.equal(branchOf(topVia(ack)), branchOf(topVia(invite)), 'the ACK for a non-2xx has the INVITE branch');
  }

  test('SC-06 CFB, recursive: Bob\'s 486 is ACKed by sipd and not relayed; Carol gets the INVITE with reason=user-busy', async () => {
    const s = await forwardingProxy('busy', true);
    const bobRun = answer(s.bob, 'uas-busy.xml', { pauseMs: 200 });
    const carolRun = answer(s.carol, 'uas-answer.xml');
    const alice = await callBob(s, 'uac-call-direct.xml');
    await assertForwardedBySipd(s, 'busy', alice, carolRun);
    assertBusyBobAcked(s, await bobRun.done);
    assert.ok(!receivedStatuses(alice.messages).includes(486), 'the 486 never reaches Alice');
  });

  test('SC-07 CFB, nonrecursive: Bob\'s 486 becomes a 302 to Carol with reason=user-busy (Diversion = Request-URI, not Bob\'s contact)', async () => {
    const s = await forwardingProxy('busy', false);
    const bobRun = answer(s.bob, 'uas-busy.xml', { pauseMs: 200 });
    const carolRun = answer(s.carol, 'uas-answer.xml');
    const alice = await callBob(s, 'uac-forwarded-follow.xml');
    await assertRedirectedToCarol(s, 'busy', alice, carolRun);
    assertBusyBobAcked(s, await bobRun.done);
    assert.ok(!receivedStatuses(alice.messages).includes(486), 'the 486 never reaches Alice');
  });

  /** Bob rang (his 180 reached Alice), then sipd CANCELled his branch and ACKed his 487. */
  function assertRingingBobCancelled(s: Setup, bobRes: SippResult, alice: SippResult): void {
    assertOk(bobRes, 'bob', s.sipd);
    assert.deepEqual(requestsReceived(bobRes.messages), ['INVITE', 'CANCEL', 'ACK']);
    const inviteBranch = branchOf(topVia(receivedRequests(bobRes.messages, 'INVITE')[0]));
    for (const method of ['CANCEL', 'ACK']) {
      const via = topVia(receivedRequests(bobRes.messages, method)[0]);
      assert.ok(isSipdVia(s.sipd, via) && branchOf(via) === inviteBranch, `sipd's ${method} matches Bob's INVITE branch`);
    }
    assert.equal(receivedStatuses(alice.messages).find((c) => c !== 100), 180, 'Bob\'s 180 was relayed to Alice first');
    assert.ok(!receivedStatuses(alice.messages).includes(487), 'Bob\'s 487 stays in sipd');
  }

  test('SC-08 CFNA, recursive: after CallForwardNoAnswerTimer Bob\'s ringing branch is CANCELled and Carol is called (reason=no-answer)', async () => {
    const s = await forwardingProxy('noAnswer', true);
    const bobRun = answer(s.bob, 'uas-ring-cancel.xml');
    const carolRun = answer(s.carol, 'uas-answer.xml');
    const alice = await callBob(s, 'uac-call-direct.xml');
    await assertForwardedBySipd(s, 'noAnswer', alice, carolRun);
    assertRingingBobCancelled(s, await bobRun.done, alice);
  });

  test('SC-09 CFNA, nonrecursive: after the timer Bob is CANCELled and Alice gets a 302 to Carol with reason=no-answer', async () => {
    const s = await forwardingProxy('noAnswer', false);
    const bobRun = answer(s.bob, 'uas-ring-cancel.xml');
    const carolRun = answer(s.carol, 'uas-answer.xml');
    const alice = await callBob(s, 'uac-forwarded-follow.xml');
    await assertRedirectedToCarol(s, 'noAnswer', alice, carolRun);
    assertRingingBobCancelled(s, await bobRun.done, alice);
  });

  /** Bob's silent phone got sipd's INVITE retransmitted (UDP, T1 doubling), one transaction, and nothing else. */
  function assertSilentBobRetried(s: Setup, bobRes: SippResult): void {
    const received = requestsReceived(bobRes.messages);
    assert.ok(received.length >= 2 && received.every((m) => m === 'INVITE'), `retransmitted INVITEs only, got ${received.join(', ')}\n${explain(bobRes)}`);
    const branches = new Set(receivedRequests(bobRes.messages, 'INVITE').map((m) => branchOf(topVia(m))));
    assert.equal(branches.size, 1, 'retransmissions of one INVITE');
    assert.ok(isSipdVia(s.sipd, topVia(receivedRequests(bobRes.messages, 'INVITE')[0])), 'sent by sipd');
  }

  test('SC-10 CFUNV, recursive (a): Bob\'s phone is silent; the INVITE is retransmitted, then Carol is called (reason=unavailable)', async () => {
    const s = await forwardingProxy('unavailable', true);
    const bobRun = answer(s.bob, 'uas-silent.xml', { timeoutSec: 60 });
    const carolRun = answer(s.carol, 'uas-answer.xml');
    const alice = await callBob(s, 'uac-call-direct.xml');
    await assertForwardedBySipd(s, 'unavailable', alice, carolRun);
    assertSilentBobRetried(s, await stopped(bobRun));
  });

  test('SC-10 CFUNV, recursive (b): Bob is a subscriber with no registration: Carol is called at once (reason=unavailable)', async () => {
    const s = await forwardingProxy('unavailable', true, false);
    const carolRun = answer(s.carol, 'uas-answer.xml');
    const alice = await callBob(s, 'uac-call-direct.xml');
    await assertForwardedBySipd(s, 'unavailable', alice, carolRun);
  });

  test('SC-11 CFUNV, nonrecursive: Bob\'s silent phone gets retransmitted INVITEs, then Alice a 302 to Carol with reason=unavailable', async () => {
    const s = await forwardingProxy('unavailable', false);
    const bobRun = answer(s.bob, 'uas-silent.xml', { timeoutSec: 60 });
    const carolRun = answer(s.carol, 'uas-answer.xml');
    const alice = await callBob(s, 'uac-forwarded-follow.xml');
    await assertRedirectedToCarol(s, 'unavailable', alice, carolRun);
    assertSilentBobRetried(s, await stopped(bobRun));
  });
});
