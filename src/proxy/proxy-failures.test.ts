// Failed calls and validation (Appendix E SC-15/16, RFC 3261 §16.3, §16.10, §9.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../sip';
import { ALICE, BOB1, CAROL, Kit } from './test-kit';

test('SC-15 486 relayed; sipd ACKs downstream hop by hop, absorbs the caller ACK, and retransmits the 486 until it', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sc15', callId: 'sc15' });
  const inv = k.lastRequestTo(BOB1);
  await k.reply(inv, 486, { toTag: 'busy' });
  // GW2 -> SPS 486, SPS -> GW2 ACK, SPS -> GW1 486
  const ack = k.lastRequestTo(BOB1, 'ACK');
  assert.equal(ack.topVia.params.get('branch'), inv.topVia.params.get('branch'));
  assert.equal(ack.toTag, 'busy');
  const res = k.sentTo(ALICE).find((m) => m.status === 486)!;
  assert.equal(res.vias.length, 1);
  assert.equal(res.toTag, 'busy');
  // No ACK from GW1 yet: Timer G retransmits the 486 upstream.
  await k.advance(500);
  assert.deepEqual(k.statusesTo(ALICE), [100, 486, 486]);
  // GW1 -> SPS ACK: same branch as the INVITE, absorbed by the server transaction.
  await k.send({ method: 'ACK', branch: 'z9hG4bK-sc15', callId: 'sc15', toTag: 'busy' });
  assert.deepEqual(k.requestsTo(BOB1), ['INVITE', 'ACK'], 'the caller ACK is not forwarded');
  await k.advance(10_000);
  assert.deepEqual(k.statusesTo(ALICE), [100, 486, 486], 'no more retransmissions after the ACK');
});

test('CANCEL from the caller: 200 for the CANCEL, CANCEL downstream, 487 upstream', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-cxl', callId: 'cxl' });
  const inv = k.lastRequestTo(BOB1);
  await k.reply(inv, 180, { toTag: 'b' });
  await k.send({ method: 'CANCEL', branch: 'z9hG4bK-cxl', callId: 'cxl', contact: null });
  const toAlice = k.sentTo(ALICE).filter((m) => m.cseq.method === 'CANCEL');
  assert.deepEqual(toAlice.map((m) => m.status), [200]);
  assert.ok(toAlice[0].toTag);
  const cancel = k.lastRequestTo(BOB1, 'CANCEL');
  assert.equal(cancel.topVia.params.get('branch'), inv.topVia.params.get('branch'));
  assert.equal(cancel.uri, inv.uri);
  assert.equal(cancel.get('to'), inv.get('to'));
  await k.reply(cancel, 200);
  await k.reply(inv, 487, { toTag: 'b' });
  assert.deepEqual(k.statusesTo(ALICE, 'INVITE'), [100, 180, 487]);
  assert.equal(k.lastRequestTo(BOB1, 'ACK').toTag, 'b');
});

test('CANCEL with no matching INVITE → 481', async () => {
  const k = new Kit();
  await k.send({ method: 'CANCEL', branch: 'z9hG4bK-nothing', contact: null });
  assert.deepEqual(k.statusesTo(ALICE), [481]);
});

test('Max-Forwards 0 → 483, but OPTIONS to sipd itself is still answered 200', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.send({ maxForwards: 0 });
  assert.deepEqual(k.statusesTo(ALICE), [100, 483]);
  assert.deepEqual(k.requestsTo(BOB1), []);
  await k.send({ method: 'OPTIONS', uri: 'sip:192.0.2.10', maxForwards: 0 });
  const ok = k.sentTo(ALICE).find((m) => m.cseq.method === 'OPTIONS')!;
  assert.equal(ok.status, 200);
  assert.match(ok.get('allow') ?? '', /INVITE/);
});

test('Max-Forwards 1 is forwarded as 0', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.send({ maxForwards: 1 });
  assert.equal(k.lastRequestTo(BOB1).get('max-forwards'), '0');
});

test('a loop (the request comes back with the same Request-URI) → 482; a spiral (new Request-URI) is forwarded', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.register('carol', CAROL);
  await k.send({ branch: 'z9hG4bK-loop', callId: 'loop' });
  const inv = k.lastRequestTo(BOB1);
  // BOB1 is a misconfigured proxy that sends the request back to sipd.
  const back = (uri: string, branch: string): Buffer => {
    const m = inv.clone();
    m.setRequestUri(uri);
    m.prepend('Via', `SIP/2.0/UDP 192.0.2.21:5060;branch=${branch}`);
    m.set('Max-Forwards', '68');
    return m.toBuffer();
  };
  await k.injectRaw(back('sip:bob@example.com', 'z9hG4bK-bob-l'), BOB1);
  assert.deepEqual(k.statusesTo(BOB1, 'INVITE'), [100, 482]);
  assert.deepEqual(k.requestsTo(BOB1), ['INVITE'], 'not forwarded again');

  await k.injectRaw(back('sip:carol@example.com', 'z9hG4bK-bob-s'), BOB1);
  const spiral = k.lastRequestTo(CAROL);
  assert.equal(spiral.uri, 'sip:carol@192.0.2.30:5060');
  assert.equal(spiral.vias.filter((v) => v.host === '192.0.2.10').length, 2, 'sipd is on the path twice');
  assert.equal(spiral.get('max-forwards'), '67');
});

test('Proxy-Require unknown → 420 with Unsupported; listed in ignoreProxyRequire → forwarded', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.send({ extra: ['Proxy-Require: foo, bar'] });
  const res = k.sentTo(ALICE).find((m) => m.status >= 200)!;
  assert.equal(res.status, 420);
  assert.equal(res.get('unsupported'), 'foo');
  assert.deepEqual(res.getAll('unsupported'), ['foo', 'bar']);
  assert.deepEqual(k.requestsTo(BOB1), []);

  const k2 = new Kit({ settings: { ignoreProxyRequire: new Set(['foo']) } });
  await k2.register('bob', BOB1);
  await k2.send({ extra: ['Proxy-Require: foo'] });
  assert.deepEqual(k2.statusesTo(ALICE), [100]);
  assert.equal(k2.lastRequestTo(BOB1).get('proxy-require'), 'foo');
});

test('strict-route compatibility: Request-URI = sipd RR URI and the real URI in the last Route', async () => {
  const k = new Kit();
  await k.send({
    method: 'BYE',
    uri: 'sip:192.0.2.10:5060;lr',
    toTag: 'bob-tag',
    extra: ['Route: <sip:bob@192.0.2.21:5060>'],
  });
  const bye = k.lastRequestTo(BOB1, 'BYE');
  assert.equal(bye.uri, 'sip:bob@192.0.2.21:5060');
  assert.equal(bye.has('route'), false);
});

test('loose routing: a Route to sipd is removed and the next Route decides the next hop', async () => {
  const k = new Kit();
  await k.send({
    method: 'BYE',
    uri: 'sip:bob@192.0.2.21:5060',
    toTag: 'bob-tag',
    extra: ['Route: <sip:192.0.2.10:5060;lr>, <sip:192.0.2.30:5060;lr>'],
  });
  const bye = k.lastRequestTo(CAROL, 'BYE');
  assert.equal(bye.uri, 'sip:bob@192.0.2.21:5060');
  assert.deepEqual(bye.getAll('route'), ['<sip:192.0.2.30:5060;lr>']);
});

test('SC-01 redirect mode → 302 with every contact and its q; the ACK is absorbed', async () => {
  const k = new Kit({ settings: { redirect: true } });
  await k.register('bob', BOB1, { q: 1 });
  await k.register('bob', CAROL, { q: 0.5 });
  await k.send({ branch: 'z9hG4bK-redir', callId: 'redir' });
  const res = k.sentTo(ALICE).find((m) => m.status >= 200)!;
  assert.equal(res.status, 302);
  assert.ok(res.toTag);
  assert.deepEqual(res.getAll('contact'), ['<sip:bob@192.0.2.21:5060>;q=1', '<sip:bob@192.0.2.30:5060>;q=0.5']);
  assert.deepEqual(k.requestsTo(BOB1), []);
  await k.send({ method: 'ACK', branch: 'z9hG4bK-redir', callId: 'redir', toTag: res.toTag });
  assert.deepEqual(k.requestsTo(BOB1), []);
  assert.deepEqual(k.requestsTo(CAROL), []);
});

test('stateless mode: no 100, the same branch for a retransmission, responses forwarded by Via', async () => {
  const k = new Kit({ settings: { stateful: false } });
  await k.register('bob', BOB1);
  const data = await k.send({ branch: 'z9hG4bK-sl' });
  assert.deepEqual(k.statusesTo(ALICE), [], 'no 100 Trying');
  await k.injectRaw(data);
  const invites = k.sentTo(BOB1).filter((m) => m.method === 'INVITE');
  assert.equal(invites.length, 2, 'the retransmission is forwarded too');
  assert.equal(invites[0].topVia.params.get('branch'), invites[1].topVia.params.get('branch'));
  assert.match(invites[0].topVia.params.get('branch') ?? '', /^z9hG4bK/);
  await k.reply(invites[0], 180, { toTag: 'b' });
  await k.reply(invites[0], 200, { toTag: 'b' });
  const up = k.sentTo(ALICE);
  assert.deepEqual(up.map((m) => m.status), [180, 200]);
  assert.equal(up[1].vias.length, 1);
  assert.equal(up[1].topVia.params.get('branch'), 'z9hG4bK-sl');
});

test('stateless mode: a response whose top Via is not sipd is dropped', async () => {
  const k = new Kit({ settings: { stateful: false } });
  const res = parseMessage(Buffer.from(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bK-x', 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-y', 'From: <sip:a@example.com>;tag=1', 'To: <sip:b@example.com>;tag=2', 'Call-ID: x', 'CSeq: 1 INVITE', 'Content-Length: 0', '', ''].join('\r\n')));
  k.proxy.onResponse(res);
  assert.deepEqual(k.sender.sent, []);
});

test('txngraceful drain=1 → 503 with Retry-After: 60; drain=2 → no response', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  k.proxy.drain = 1;
  await k.send({ branch: 'z9hG4bK-d1' });
  const res = k.sentTo(ALICE);
  assert.deepEqual(res.map((m) => m.status), [503]);
  assert.equal(res[0].get('retry-after'), '60');
  assert.deepEqual(k.requestsTo(BOB1), []);
  k.proxy.drain = 2;
  await k.send({ branch: 'z9hG4bK-d2' });
  assert.equal(k.sentTo(ALICE).length, 1, 'nothing more');
  assert.deepEqual(k.requestsTo(BOB1), []);
});

test('stateless mode: a CANCEL is forwarded with the branch of the INVITE it cancels', async () => {
  const k = new Kit({ settings: { stateful: false } });
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-slc', callId: 'slc' });
  await k.send({ method: 'CANCEL', branch: 'z9hG4bK-slc', callId: 'slc', contact: null });
  const inv = k.lastRequestTo(BOB1);
  const cancel = k.lastRequestTo(BOB1, 'CANCEL');
  assert.equal(cancel.topVia.params.get('branch'), inv.topVia.params.get('branch'));
  assert.deepEqual(k.statusesTo(ALICE), [], 'a stateless proxy does not answer the CANCEL itself');
});

test('stateless mode: the ACK of a non-2xx carries its INVITE branch though it has a To tag', async () => {
  const k = new Kit({ settings: { stateful: false } });
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-sla', callId: 'sla' });
  const inv = k.lastRequestTo(BOB1);
  await k.send({ method: 'ACK', branch: 'z9hG4bK-sla', callId: 'sla', toTag: 'busy', contact: null });
  const ack = k.lastRequestTo(BOB1, 'ACK');
  assert.equal(ack.topVia.params.get('branch'), inv.topVia.params.get('branch'));
});

test('stateless mode: the ACK of a response sipd made itself is not forwarded', async () => {
  const k = new Kit({ settings: { stateful: false } });
  await k.send({ uri: 'sip:nobody@example.com', branch: 'z9hG4bK-sl404', callId: 'sl404' });
  const [notFound] = k.sentTo(ALICE);
  assert.equal(notFound.status, 404);
  await k.send({ method: 'ACK', uri: 'sip:nobody@example.com', branch: 'z9hG4bK-sl404', callId: 'sl404', toTag: notFound.toTag, contact: null });
  assert.equal(k.sender.sent.filter((s) => s.msg.method === 'ACK').length, 0);
});

test('a From with a URI scheme sipd does not know is forwarded, not a crash (tags read from the header alone)', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  const data = k.build({ branch: 'z9hG4bK-http2', callId: 'http2' });
  const text = data.toString().replace(/^From: .*$/m, 'From: <http://x.example>;tag=odd');
  await k.injectRaw(Buffer.from(text));
  const inv = k.lastRequestTo(BOB1);
  assert.equal(inv.callId, 'http2');
  assert.equal(inv.fromTag, 'odd');
});

test('Expires: 0 on an INVITE does not switch Timer C off: the ringing branch is CANCELed after SipT3InMs', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.send({ branch: 'z9hG4bK-e0', callId: 'e0', extra: ['Expires: 0'] });
  const inv = k.lastRequestTo(BOB1);
  await k.reply(inv, 180, { toTag: 'b' });
  await k.advance(60_000);
  assert.equal(k.requestsTo(BOB1).filter((m) => m === 'CANCEL').length, 1);
});

test('a Request-URI naming sipd\'s domain without ;lr is not mistaken for a strict route (REGISTER via an outbound proxy)', async () => {
  const k = new Kit();
  await k.send({ method: 'REGISTER', uri: 'sip:example.com', to: '<sip:alice@example.com>', extra: ['Route: <sip:192.0.2.10:5060;lr>', 'Expires: 600'] });
  const ok = k.sentTo(ALICE).find((m) => m.status === 200);
  assert.ok(ok, 'the REGISTER reached the registrar');
  assert.equal(k.location.lookup('alice@example.com').length, 1);
});
