// Forking and the response context (RFC 3261 §16.7): parallel and sequential search, best response, CANCEL of branches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALICE, BOB1, BOB2, CAROL, Kit } from './test-kit';

async function twoContacts(k: Kit, q1?: number, q2?: number): Promise<void> {
  await k.register('bob', BOB1, { q: q1 });
  await k.register('bob', BOB2, { q: q2 });
}

test('parallel fork to 2 contacts: first 200 wins, the other branch gets CANCEL only once it sent a provisional (§9.1)', async () => {
  const k = new Kit();
  await twoContacts(k);
  await k.send({ branch: 'z9hG4bK-fork' });
  const inv1 = k.lastRequestTo(BOB1);
  const inv2 = k.lastRequestTo(BOB2);
  assert.notEqual(inv1.topVia.params.get('branch'), inv2.topVia.params.get('branch'), 'one branch id per fork');
  await k.reply(inv1, 180, { toTag: 'b1' });
  await k.reply(inv1, 200, { toTag: 'b1' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 180, 200]);
  assert.deepEqual(k.requestsTo(BOB2), ['INVITE'], 'no CANCEL before BOB2 said anything');

  await k.reply(inv2, 180, { toTag: 'b2' });
  const cancels = k.sentTo(BOB2).filter((m) => m.method === 'CANCEL');
  assert.equal(cancels.length, 1, 'CANCEL sent when the provisional arrives');
  assert.equal(cancels[0].topVia.params.get('branch'), inv2.topVia.params.get('branch'), 'CANCEL has the branch of the INVITE it cancels');
  assert.equal(cancels[0].uri, inv2.uri);
  assert.deepEqual(cancels[0].cseq, { seq: inv2.cseq.seq, method: 'CANCEL' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 180, 200], "BOB2's 180 after the answer is not relayed");

  await k.reply(cancels[0], 200);
  await k.reply(inv2, 487, { toTag: 'b2' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 180, 200], 'the 487 of the losing branch stays in sipd');
  const ack = k.lastRequestTo(BOB2, 'ACK');
  assert.equal(ack.toTag, 'b2', 'sipd ACKs the 487 hop by hop');
  assert.deepEqual(k.requestsTo(BOB1), ['INVITE'], 'the winner gets neither CANCEL nor ACK from the proxy');
});

test('parallel fork: a branch already ringing is CANCELed at once when the other answers, and only once', async () => {
  const k = new Kit();
  await twoContacts(k);
  await k.send({ branch: 'z9hG4bK-fork2' });
  const inv1 = k.lastRequestTo(BOB1);
  const inv2 = k.lastRequestTo(BOB2);
  await k.reply(inv2, 180, { toTag: 'b2' });
  await k.reply(inv1, 200, { toTag: 'b1' });
  assert.equal(k.sentTo(BOB2).filter((m) => m.method === 'CANCEL').length, 1);
  // BOB2 sends another provisional (or retransmits its 180) before it sees the CANCEL.
  await k.reply(inv2, 183, { toTag: 'b2' });
  await k.reply(inv2, 180, { toTag: 'b2' });
  assert.equal(k.sentTo(BOB2).filter((m) => m.method === 'CANCEL').length, 1, 'one CANCEL per branch');
});

test('sequential fork by q: the q=1.0 contact first, the q=0.5 one after 486; the best response (486 over 408) goes upstream', async () => {
  const k = new Kit();
  await twoContacts(k, 1.0, 0.5);
  await k.send({ branch: 'z9hG4bK-seq' });
  const inv1 = k.lastRequestTo(BOB1);
  assert.deepEqual(k.requestsTo(BOB2), [], 'the q=0.5 contact waits');
  await k.reply(inv1, 486, { toTag: 'b1' });
  assert.equal(k.lastRequestTo(BOB1, 'ACK').toTag, 'b1');
  const inv2 = k.lastRequestTo(BOB2);
  assert.equal(inv2.uri, 'sip:bob@192.0.2.22:5060');
  assert.deepEqual(k.statusesTo(ALICE), [100], 'nothing final upstream yet');
  // BOB2 never answers: Timer B gives its branch a 408, which says less than the 486.
  await k.advance(32_000);
  assert.deepEqual(k.statusesTo(ALICE), [100, 486]);
});

test('sequential fork by q: the q=0.5 contact answers 200 after the first said 486', async () => {
  const k = new Kit();
  await twoContacts(k, 1.0, 0.5);
  await k.send({ branch: 'z9hG4bK-seq2' });
  await k.reply(k.lastRequestTo(BOB1), 486);
  await k.reply(k.lastRequestTo(BOB2), 200);
  assert.deepEqual(k.statusesTo(ALICE), [100, 200]);
});

test('MaxForks limits the parallel branches; the rest are tried after', async () => {
  const k = new Kit({ settings: { maxForks: 1 } });
  await twoContacts(k);
  await k.send({ branch: 'z9hG4bK-maxforks' });
  const first = k.take().filter((s) => s.msg.method === 'INVITE');
  assert.equal(first.length, 1, 'one branch at a time');
  const other = first[0].dest.host === BOB1.host ? BOB2 : BOB1;
  await k.reply(first[0].msg, 480);
  assert.deepEqual(k.statusesTo(ALICE), [100], 'no final answer while a contact is left');
  assert.equal(k.sentTo(other).filter((m) => m.method === 'INVITE').length, 1, 'the second contact after the first failed');
});

test('SC-17 6xx cancels the other branches and is the final answer', async () => {
  const k = new Kit();
  await twoContacts(k);
  await k.send({ branch: 'z9hG4bK-6xx' });
  const inv1 = k.lastRequestTo(BOB1);
  const inv2 = k.lastRequestTo(BOB2);
  await k.reply(inv1, 180, { toTag: 'b1' });
  await k.reply(inv2, 180, { toTag: 'b2' });
  await k.reply(inv1, 603, { toTag: 'b1' });
  assert.equal(k.sentTo(BOB2).filter((m) => m.method === 'CANCEL').length, 1);
  assert.equal(k.lastRequestTo(BOB1, 'ACK').toTag, 'b1');
  await k.reply(inv2, 487, { toTag: 'b2' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 180, 180, 603], 'the 6xx, not the 487, goes upstream');
});

test('all branches time out: 408 upstream, with a To tag', async () => {
  const k = new Kit();
  await twoContacts(k);
  await k.send({ branch: 'z9hG4bK-timeout' });
  await k.advance(31_999);
  assert.deepEqual(k.statusesTo(ALICE), [100]);
  await k.advance(1);
  assert.deepEqual(k.statusesTo(ALICE), [100, 408]);
  const res = k.sentTo(ALICE).find((m) => m.status === 408)!;
  assert.ok(res.toTag, 'a final response sipd makes itself carries a To tag (§8.2.6.2)');
  assert.equal(res.vias.length, 1);
});

test('SC-16 a lone 503 best response becomes 500 unless forward503', async () => {
  for (const [forward503, expected] of [[false, 500], [true, 503]] as const) {
    const k = new Kit({ settings: { forward503 } });
    await k.register('bob', BOB1);
    await k.send({ branch: `z9hG4bK-503-${forward503}` });
    await k.reply(k.lastRequestTo(BOB1), 503, { toTag: 'b1' });
    assert.deepEqual(k.statusesTo(ALICE), [100, expected], `forward503=${forward503}`);
    assert.equal(k.lastRequestTo(BOB1, 'ACK').toTag, 'b1');
  }
});

test('SC-04/SC-06 recursion on 302 (Recursive on): the contacts of the 302 are tried', async () => {
  const k = new Kit({ settings: { recursive: true } });
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-rec' });
  await k.reply(k.lastRequestTo(BOB1), 302, { toTag: 'b1', contact: '<sip:carol@192.0.2.30:5060>' });
  assert.equal(k.lastRequestTo(BOB1, 'ACK').toTag, 'b1', 'the 302 is ACKed hop by hop');
  const inv = k.lastRequestTo(CAROL);
  assert.equal(inv.uri, 'sip:carol@192.0.2.30:5060');
  assert.deepEqual(k.statusesTo(ALICE), [100], 'the 302 itself is not relayed');
  await k.reply(inv, 200, { toTag: 'c' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 200]);
});

test('SC-05/SC-07 Recursive off: the 302 is relayed with its Contact', async () => {
  const k = new Kit({ settings: { recursive: false } });
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-norec' });
  await k.reply(k.lastRequestTo(BOB1), 302, { toTag: 'b1', contact: '<sip:carol@192.0.2.30:5060>' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 302]);
  const res = k.sentTo(ALICE).find((m) => m.status === 302)!;
  assert.equal(res.get('contact'), '<sip:carol@192.0.2.30:5060>');
  assert.deepEqual(k.requestsTo(CAROL), []);
});

test('SC-09 Timer C: no final answer within T3 after the 180 → CANCEL of the branch, 487 upstream', async () => {
  const k = new Kit({ settings: { t3: 20_000 } });
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-timerc' });
  const inv = k.lastRequestTo(BOB1);
  await k.advance(1000);
  await k.reply(inv, 180, { toTag: 'b1' });
  await k.advance(19_999);
  assert.equal(k.sentTo(BOB1).filter((m) => m.method === 'CANCEL').length, 0);
  await k.advance(1);
  const cancel = k.lastRequestTo(BOB1, 'CANCEL');
  assert.equal(cancel.topVia.params.get('branch'), inv.topVia.params.get('branch'));
  await k.reply(cancel, 200);
  await k.reply(inv, 487, { toTag: 'b1' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 180, 487]);
});

test('Timer C follows the INVITE Expires, capped by maxT3', async () => {
  const k = new Kit({ settings: { t3: 60_000, maxT3: 15_000 } });
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-expires', extra: ['Expires: 300'] });
  await k.reply(k.lastRequestTo(BOB1), 180);
  await k.advance(15_000);
  assert.equal(k.sentTo(BOB1).filter((m) => m.method === 'CANCEL').length, 1);
});
