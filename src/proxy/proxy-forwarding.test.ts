// Call forwarding through the proxy core, after the Appendix E flows SC-04..SC-11 (CF-1..CF-10, D-6, PRV-6):
// Bob (registered at BOB1) forwards to Carol (sip:carol@192.0.2.30) unconditionally, on busy, on no answer and
// when unavailable; the recursive proxy calls Carol itself, the nonrecursive one answers 302.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallForwarding, type CallForwardSettings } from '../forwarding';
import type { Subscriber } from '../subscribers/types';
import { ALICE, BOB1, CAROL, Kit, tick } from './test-kit';

const CAROL_URI = `sip:carol@${CAROL.host}`;

const CF_OFF: CallForwardSettings = {
  unconditional: false, busy: false, noAnswer: false, unavailable: false, noAnswerMs: 24_000, unavailableMs: 24_000,
  addDiversion: true, headerName: 'CC-Diversion',
};

function bob(forward: Partial<Subscriber>): Subscriber {
  return { user: 'bob', domain: '', credentials: { kind: 'password', password: 'x' }, redirectPrivacy: false, ...forward };
}

function kit(settings: Partial<CallForwardSettings>, subscriber: Subscriber, recursive = true, stateful = true): Kit {
  const directory = { find: (user: string) => (user === subscriber.user ? subscriber : undefined) };
  return new Kit({ settings: { recursive, stateful, recordRoute: false }, forwarding: new CallForwarding({ ...CF_OFF, ...settings }, directory) });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

const diversionOf = (reason: string) => `<sip:bob@example.com>;reason=${reason};counter=1`;

test('SC-04 CFU, recursive: Carol gets the INVITE with CC-Diversion reason=unconditional; Bob\'s phone gets nothing', async () => {
  const k = kit({ unconditional: true }, bob({ forwardUnconditional: CAROL_URI }));
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc04', callId: 'sc04' });
  await settle();
  const inv = k.lastRequestTo(CAROL);
  assert.equal(inv.uri, CAROL_URI);
  assert.equal(inv.get('cc-diversion'), diversionOf('unconditional'));
  assert.deepEqual(k.requestsTo(BOB1), []);
  await k.reply(inv, 180, { toTag: 'c' });
  await k.reply(inv, 200, { toTag: 'c' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 180, 200]);
});

test('SC-05 CFU, nonrecursive: 302 with Contact Carol and CC-Diversion reason=unconditional, Bob not contacted', async () => {
  const k = kit({ unconditional: true }, bob({ forwardUnconditional: CAROL_URI }), false);
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc05', callId: 'sc05' });
  await settle();
  const [, moved] = k.sentTo(ALICE);
  assert.equal(moved.status, 302);
  assert.equal(moved.get('contact'), `<${CAROL_URI}>`);
  assert.equal(moved.get('cc-diversion'), diversionOf('unconditional'));
  assert.deepEqual(k.requestsTo(BOB1), []);
});

test('SC-06 CFB, recursive: Bob\'s 486 is ACKed by sipd, not relayed; Carol gets the INVITE with reason=user-busy', async () => {
  const k = kit({ busy: true }, bob({ forwardBusy: CAROL_URI }));
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc06', callId: 'sc06' });
  await settle();
  await k.reply(k.lastRequestTo(BOB1), 486, { toTag: 'b' });
  await settle();
  assert.deepEqual(k.requestsTo(BOB1), ['INVITE', 'ACK']);
  const inv = k.lastRequestTo(CAROL);
  assert.equal(inv.get('cc-diversion'), diversionOf('user-busy'));
  await k.reply(inv, 200, { toTag: 'c' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 200], 'the 486 never reaches Alice');
});

test('SC-07 CFB, nonrecursive: the 486 becomes a 302 to Carol with reason=user-busy; the Diversion names the Request-URI, not Bob\'s contact', async () => {
  const k = kit({ busy: true }, bob({ forwardBusy: CAROL_URI }), false);
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc07', callId: 'sc07' });
  await settle();
  await k.reply(k.lastRequestTo(BOB1), 486, { toTag: 'b' });
  await settle();
  const final = k.sentTo(ALICE).at(-1)!;
  assert.equal(final.status, 302);
  assert.equal(final.get('contact'), `<${CAROL_URI}>`);
  assert.equal(final.get('cc-diversion'), diversionOf('user-busy'));
});

test('SC-08 CFNA, recursive: after CallForwardNoAnswerTimer Bob\'s ringing branch is CANCELed and Carol is called (reason=no-answer)', async () => {
  const k = kit({ noAnswer: true, noAnswerMs: 10_000 }, bob({ forwardNoAnswer: CAROL_URI }));
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc08', callId: 'sc08' });
  await settle();
  await k.reply(k.lastRequestTo(BOB1), 180, { toTag: 'b' });
  await k.advance(9_000);
  assert.deepEqual(k.requestsTo(CAROL), [], 'not before the timer');
  await k.advance(1_000);
  await settle();
  assert.deepEqual(k.requestsTo(BOB1), ['INVITE', 'CANCEL']);
  const inv = k.lastRequestTo(CAROL);
  assert.equal(inv.get('cc-diversion'), diversionOf('no-answer'));
  await k.reply(k.lastRequestTo(BOB1, 'INVITE'), 487, { toTag: 'b' });
  await k.reply(inv, 200, { toTag: 'c' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 180, 200], 'Bob\'s 487 stays in sipd');
});

test('SC-09 CFNA, nonrecursive: the 302 (reason=no-answer) comes only after the timer, and Bob is CANCELed', async () => {
  const k = kit({ noAnswer: true, noAnswerMs: 10_000 }, bob({ forwardNoAnswer: CAROL_URI }), false);
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc09', callId: 'sc09' });
  await settle();
  await k.reply(k.lastRequestTo(BOB1), 180, { toTag: 'b' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 180]);
  await k.advance(10_000);
  await settle();
  const final = k.sentTo(ALICE).at(-1)!;
  assert.equal(final.status, 302);
  assert.equal(final.get('cc-diversion'), diversionOf('no-answer'));
  assert.deepEqual(k.requestsTo(BOB1), ['INVITE', 'CANCEL']);
});

test('SC-10 CFUNV, recursive (a): Bob\'s phone is silent; the INVITE is retransmitted, then after the timer Carol is called (reason=unavailable)', async () => {
  const k = kit({ unavailable: true, unavailableMs: 5_000 }, bob({ forwardUnavailable: CAROL_URI }));
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc10', callId: 'sc10' });
  await settle();
  await k.advance(500);
  await k.advance(1_000);
  assert.deepEqual(k.requestsTo(BOB1), ['INVITE', 'INVITE', 'INVITE'], 'retransmitted at T1 doubling');
  await k.advance(3_500);
  await settle();
  assert.equal(k.lastRequestTo(CAROL).get('cc-diversion'), diversionOf('unavailable'));
});

test('SC-10 CFUNV (b): Bob has no registration: Carol is called at once, Bob never', async () => {
  const k = kit({ unavailable: true }, bob({ forwardUnavailable: CAROL_URI }));
  await k.send({ branch: 'z9hG4bK-sc10b', callId: 'sc10b' });
  await settle();
  assert.equal(k.lastRequestTo(CAROL).get('cc-diversion'), diversionOf('unavailable'));
});

test('CFUNV does not fire when the phone answered with a provisional in time (that is no answer, not unavailable)', async () => {
  const k = kit({ unavailable: true, unavailableMs: 5_000 }, bob({ forwardUnavailable: CAROL_URI }));
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-cfu-ring', callId: 'cfu-ring' });
  await settle();
  await k.reply(k.lastRequestTo(BOB1), 180, { toTag: 'b' });
  await k.advance(6_000);
  assert.deepEqual(k.requestsTo(CAROL), []);
});

test('SC-11 CFUNV, nonrecursive: a silent phone leads to a 302 (reason=unavailable) before the INVITE transaction times out', async () => {
  const k = kit({ unavailable: true, unavailableMs: 5_000 }, bob({ forwardUnavailable: CAROL_URI }), false);
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc11', callId: 'sc11' });
  await settle();
  await k.advance(5_000);
  await settle();
  const final = k.sentTo(ALICE).at(-1)!;
  assert.equal(final.status, 302);
  assert.equal(final.get('cc-diversion'), diversionOf('unavailable'));
});

test('a call forwarded to another of sipd\'s users reaches that user\'s phone; RedirectDNPrivacy adds privacy=full (Diversion name)', async () => {
  const k = kit({ busy: true, headerName: 'Diversion' }, bob({ forwardBusy: 'sip:carol@example.com', redirectPrivacy: true }));
  await k.register('bob', BOB1);
  await k.register('carol', CAROL);
  await k.send({ branch: 'z9hG4bK-cfb-local', callId: 'cfb-local' });
  await settle();
  await k.reply(k.lastRequestTo(BOB1), 486, { toTag: 'b' });
  await settle();
  const inv = k.lastRequestTo(CAROL);
  assert.equal(inv.uri, `sip:carol@${CAROL.host}:${CAROL.port}`);
  assert.equal(inv.get('diversion'), '<sip:bob@example.com>;reason=user-busy;counter=1;privacy=full');
});

test('CFNA waits for ringing: a phone that only said 100 Trying is not "no answer", so Carol is not called', async () => {
  const k = kit({ noAnswer: true, noAnswerMs: 5_000 }, bob({ forwardNoAnswer: CAROL_URI }));
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-cfna-trying', callId: 'cfna-trying' });
  await settle();
  await k.reply(k.lastRequestTo(BOB1), 100);
  await k.advance(6_000);
  await settle();
  assert.deepEqual(k.requestsTo(CAROL), []);
  assert.deepEqual(k.requestsTo(BOB1), ['INVITE']);
});

test('a call forwarded unconditionally is not forwarded again when its target is busy: the 486 reaches the caller', async () => {
  const k = kit({ unconditional: true, busy: true }, bob({ forwardUnconditional: CAROL_URI, forwardBusy: 'sip:dave@192.0.2.40' }));
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-cfu-busy', callId: 'cfu-busy' });
  await settle();
  await k.reply(k.lastRequestTo(CAROL), 486, { toTag: 'c' });
  await settle();
  assert.deepEqual(k.statusesTo(ALICE), [100, 486]);
});

test('after a forwarding on no answer, the first leg\'s 487 does not count: the forwarded leg\'s 503 (sent as 500) is the answer', async () => {
  const k = kit({ noAnswer: true, noAnswerMs: 5_000 }, bob({ forwardNoAnswer: CAROL_URI }));
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-cfna-487', callId: 'cfna-487' });
  await settle();
  const toBob = k.lastRequestTo(BOB1);
  await k.reply(toBob, 180, { toTag: 'b' });
  await k.advance(5_000);
  await settle();
  await k.reply(toBob, 487, { toTag: 'b' });
  await k.reply(k.lastRequestTo(CAROL), 503, { toTag: 'c' });
  await settle();
  assert.deepEqual(k.statusesTo(ALICE), [100, 180, 500], 'not the 487 of the CANCELed first leg');
});

test('stateless: with CFU the INVITE and its CANCEL both go to Carol, not the CANCEL to Bob\'s phone', async () => {
  const k = kit({ unconditional: true }, bob({ forwardUnconditional: CAROL_URI }), true, false);
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sl-cfu', callId: 'sl-cfu' });
  await k.send({ method: 'CANCEL', branch: 'z9hG4bK-sl-cfu', callId: 'sl-cfu', contact: null });
  await settle();
  assert.deepEqual(k.requestsTo(CAROL), ['INVITE', 'CANCEL']);
  assert.deepEqual(k.requestsTo(BOB1), []);
});
