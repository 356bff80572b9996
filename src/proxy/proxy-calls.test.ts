// Successful calls through the stateful proxy: Appendix E SC-02 (record-route on) and SC-03 (off), RFC 3261 §16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALICE, BOB1, Kit, SIPD_RR } from './test-kit';

test('SC-02 REGISTER then INVITE via proxy, record-route ON: forwarded to the contact, 100 local only, 180/200 relayed, ACK and BYE through sipd', async () => {
  const k = new Kit({ settings: { recordRoute: true } });
  const reg = await k.register('bob', BOB1);
  assert.equal(reg.status, 200);

  // (2) GW1 -> SPS INVITE
  await k.send({ uri: 'sip:bob@example.com', branch: 'z9hG4bK-sc02', callId: 'sc02@192.0.2.1', maxForwards: 70 });
  const out = k.take();
  // (5) SPS -> GW1 100 Trying, at once, and (4) SPS -> GW2 INVITE
  const trying = out.filter((s) => s.msg.status === 100);
  assert.equal(trying.length, 1);
  assert.deepEqual(trying[0].dest, ALICE);
  assert.equal(trying[0].msg.topVia.params.get('branch'), 'z9hG4bK-sc02');
  const invite = k.lastRequestTo(BOB1);
  assert.equal(invite.uri, 'sip:bob@192.0.2.21:5060', 'Request-URI rewritten to the registered contact');
  assert.equal(invite.get('max-forwards'), '69');
  assert.equal(invite.vias.length, 2);
  assert.equal(invite.topVia.host, '192.0.2.10');
  assert.equal(invite.topVia.port, 5060);
  assert.match(invite.topVia.params.get('branch') ?? '', /^z9hG4bK/);
  assert.equal(invite.vias[1].params.get('branch'), 'z9hG4bK-sc02', "the caller's Via is kept below");
  assert.deepEqual(invite.getAll('record-route'), [SIPD_RR]);
  assert.equal(invite.callId, 'sc02@192.0.2.1');
  assert.equal(invite.get('to'), '<sip:bob@example.com>');
  assert.equal(invite.fromTag, 'alice-tag');
  assert.equal(invite.get('contact'), '<sip:alice@192.0.2.1:5060>');

  // (7) GW2 -> SPS 100 Trying: absorbed
  await k.reply(invite, 100);
  assert.deepEqual(k.take(), [], 'a downstream 100 never goes upstream');

  // (10) 180 Ringing, (11) relayed with the SPS Via removed
  await k.reply(invite, 180, { toTag: 'bob-tag' });
  const [ringing] = k.take();
  assert.equal(ringing.msg.status, 180);
  assert.deepEqual(ringing.dest, ALICE);
  assert.equal(ringing.msg.vias.length, 1);
  assert.equal(ringing.msg.topVia.params.get('branch'), 'z9hG4bK-sc02');

  // (14) 200 OK with the Record-Route, (15) relayed
  await k.reply(invite, 200, { toTag: 'bob-tag', contact: '<sip:bob@192.0.2.21:5060>' });
  const [ok] = k.take();
  assert.equal(ok.msg.status, 200);
  assert.deepEqual(ok.dest, ALICE);
  assert.equal(ok.msg.vias.length, 1);
  assert.deepEqual(ok.msg.getAll('record-route'), [SIPD_RR]);
  assert.equal(ok.msg.toTag, 'bob-tag');

  // (18) GW1 -> SPS ACK with Route to sipd, (19) SPS -> GW2 ACK; loose routing removes sipd's own Route.
  await k.send({ method: 'ACK', uri: 'sip:bob@192.0.2.21:5060', branch: 'z9hG4bK-sc02ack', callId: 'sc02@192.0.2.1', toTag: 'bob-tag', extra: [`Route: ${SIPD_RR}`] });
  const [ack] = k.take();
  assert.equal(ack.msg.method, 'ACK');
  assert.deepEqual(ack.dest, BOB1);
  assert.equal(ack.msg.uri, 'sip:bob@192.0.2.21:5060');
  assert.equal(ack.msg.has('route'), false, "sipd's Route removed");
  assert.equal(ack.msg.get('max-forwards'), '69');
  assert.equal(ack.msg.topVia.host, '192.0.2.10');
  assert.equal(ack.msg.vias.length, 2);

  // (22) GW2 -> SPS BYE, (23) SPS -> GW1 BYE; (27)/(28) the 200 back.
  await k.send({ method: 'BYE', from: BOB1, uri: 'sip:alice@192.0.2.1:5060', fromUser: 'bob', fromTag: 'bob-tag', to: '<sip:alice@example.com>', toTag: 'alice-tag', callId: 'sc02@192.0.2.1', cseq: 1, extra: [`Route: ${SIPD_RR}`] });
  const bye = k.lastRequestTo(ALICE, 'BYE');
  assert.equal(bye.has('route'), false);
  assert.equal(bye.vias.length, 2);
  assert.equal(bye.has('record-route'), false, 'no Record-Route on a mid-dialog request');
  k.take();
  await k.reply(bye, 200);
  const [byeOk] = k.take();
  assert.equal(byeOk.msg.status, 200);
  assert.equal(byeOk.msg.cseq.method, 'BYE');
  assert.deepEqual(byeOk.dest, BOB1);
  assert.equal(byeOk.msg.vias.length, 1);
});

test('SC-03 INVITE via proxy, record-route OFF: no Record-Route in the INVITE or the 200', async () => {
  const k = new Kit({ settings: { recordRoute: false } });
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc03' });
  const invite = k.lastRequestTo(BOB1);
  assert.equal(invite.has('record-route'), false);
  k.take();
  await k.reply(invite, 200, { toTag: 'b' });
  const [ok] = k.take();
  assert.equal(ok.msg.status, 200);
  assert.equal(ok.msg.has('record-route'), false);
});

test('SC-02 a retransmitted INVITE is answered with the last provisional and not forwarded again', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  const data = await k.send({ branch: 'z9hG4bK-rtx' });
  const invite = k.lastRequestTo(BOB1);
  await k.reply(invite, 180, { toTag: 'b' });
  k.take();
  await k.injectRaw(data);
  const again = k.take();
  assert.deepEqual(again.map((s) => s.msg.status), [180]);
  assert.deepEqual(again[0].dest, ALICE);
});

test('SC-02 a retransmitted 200 from downstream is relayed again (RFC 6026)', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-200rtx' });
  const invite = k.lastRequestTo(BOB1);
  await k.reply(invite, 200, { toTag: 'b' });
  await k.reply(invite, 200, { toTag: 'b' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 200, 200]);
});

test('INVITE for an unknown user of the domain gets 404', async () => {
  const k = new Kit();
  await k.send({ uri: 'sip:nobody@example.com' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 404]);
});

test('double record-route (RFC 5658): a UDP caller and a callee registered over TCP each get a Route entry for their own side', async () => {
  const k = new Kit({ settings: { recordRoute: true } });
  const bobTcp = { transport: 'tcp' as const, host: BOB1.host, port: 40000 };
  await k.register('bob', bobTcp);
  await k.send({ uri: 'sip:bob@example.com', branch: 'z9hG4bK-rr2', callId: 'rr2@192.0.2.1' });
  k.take();
  const invite = k.lastRequestTo(bobTcp);
  assert.equal(invite.topVia.transport, 'TCP');
  assert.deepEqual(invite.getAll('record-route'), ['<sip:192.0.2.10:5060;lr;transport=tcp>', SIPD_RR], 'callee side on top, caller side below');

  // Bob's BYE carries both entries as Route: sipd removes both and sends the BYE to Alice over UDP.
  await k.send({
    method: 'BYE', uri: 'sip:alice@192.0.2.1:5060', from: bobTcp, branch: 'z9hG4bK-rr2bye', callId: 'rr2@192.0.2.1', toTag: 'alice-tag',
    extra: ['Route: <sip:192.0.2.10:5060;lr;transport=tcp>', `Route: ${SIPD_RR}`],
  });
  const bye = k.lastRequestTo(ALICE, 'BYE');
  assert.equal(bye.method, 'BYE');
  assert.equal(bye.has('route'), false);
  assert.equal(bye.topVia.transport, 'UDP');
});
