// Translation and next-hop routing through the proxy core (SPEC PRX-3, PRX-4, RTE-*, DNS-1): number and domain
// routes, failover to the next hop, RFC 3263 targets, ENUM, and recursion onto sipd's own users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DNS_SETTINGS, DnsResolver } from '../dns';
import { FakeDns } from '../dns/fake-dns';
import { EnumTranslator } from '../enum';
import { RouteTable } from '../routing';
import { route } from '../routing/fixtures';
import type { Route } from '../routing/route';
import { enumStep } from '../translation';
import { ALICE, CAROL, Kit, KitOptions, endpoint, tick } from './test-kit';

const GW1 = endpoint('192.0.2.41');
const GW2 = endpoint('192.0.2.42');

function withRoutes(routes: Route[], opts: KitOptions = {}): Kit {
  return new Kit({ ...opts, routes: new RouteTable(routes, { lessSpecificSearch: false, random: () => 0 }) });
}

/** Lets the DNS lookups and the failover promise chain run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

test('PRX-4 a number of ours with no registration goes to its number route, the Request-URI rewritten to number@next-hop', async () => {
  const k = withRoutes([route('555....', '192.0.2.41', { port: 5060 })]);
  await k.send({ uri: 'sip:5551234@example.com;user=phone', branch: 'z9hG4bK-rt1', callId: 'rt1' });
  await settle();
  const inv = k.lastRequestTo(GW1);
  assert.equal(inv.uri, 'sip:5551234@192.0.2.41:5060;user=phone');
  assert.equal(inv.to.uri.host, 'example.com', 'To is not rewritten');
});

test('RTE-13 failover: the first route answers 503, the next one by priority gets the INVITE and its 200 reaches the caller', async () => {
  const k = withRoutes([route('555*', '192.0.2.41', { port: 5060, priority: 1 }), route('555*', '192.0.2.42', { port: 5060, priority: 2 })]);
  await k.send({ uri: 'sip:5551234@example.com', branch: 'z9hG4bK-rt2', callId: 'rt2' });
  await settle();
  await k.reply(k.lastRequestTo(GW1), 503, { toTag: 'gw1' });
  await settle();
  assert.deepEqual(k.requestsTo(GW1), ['INVITE', 'ACK'], 'the 503 is ACKed hop by hop');
  const second = k.lastRequestTo(GW2);
  assert.equal(second.uri, 'sip:5551234@192.0.2.42:5060');
  await k.reply(second, 200, { toTag: 'gw2' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 200], 'the 503 of the first route never reaches the caller');
});

test('failover on timeout: a route that never answers is left after Timer B for the next one', async () => {
  const k = withRoutes([route('555*', '192.0.2.41', { port: 5060, priority: 1 }), route('555*', '192.0.2.42', { port: 5060, priority: 2 })]);
  await k.send({ uri: 'sip:5551234@example.com', branch: 'z9hG4bK-rt3', callId: 'rt3' });
  await settle();
  assert.deepEqual(k.requestsTo(GW2), []);
  await k.advance(32_000);
  await settle();
  assert.deepEqual(k.requestsTo(GW2), ['INVITE']);
  await k.reply(k.lastRequestTo(GW2), 486, { toTag: 'gw2' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 486]);
});

test('the last route\'s 503 is the answer when every route failed (a lone 503 becomes 500, Forward503 Off)', async () => {
  const k = withRoutes([route('555*', '192.0.2.41', { port: 5060 })]);
  await k.send({ uri: 'sip:5551234@example.com', branch: 'z9hG4bK-rt4', callId: 'rt4' });
  await settle();
  await k.reply(k.lastRequestTo(GW1), 503, { toTag: 'gw1' });
  await settle();
  assert.deepEqual(k.statusesTo(ALICE), [100, 500]);
});

test('a number no route matches gets 404; a blocking route gets 403; a registered user still beats a route', async () => {
  const k = withRoutes([route('900*', '', { block: true }), route('5*', '192.0.2.41', { port: 5060 })]);
  await k.send({ uri: 'sip:4441234@example.com', branch: 'z9hG4bK-rt5', callId: 'rt5' });
  await k.send({ uri: 'sip:9001234@example.com', branch: 'z9hG4bK-rt6', callId: 'rt6' });
  await settle();
  assert.deepEqual(k.statusesTo(ALICE), [100, 404, 100, 403]);
  await k.register('5000', CAROL);
  await k.send({ uri: 'sip:5000@example.com', branch: 'z9hG4bK-rt7', callId: 'rt7' });
  await settle();
  assert.deepEqual(k.requestsTo(CAROL), ['INVITE'], 'translation (the registry) comes before routing (PRX-3)');
  assert.deepEqual(k.requestsTo(GW1), []);
});

test('tech prefix include and number expansion: 8000 dialled goes out as 001#+14085558000 (NEX-9, 004:6990)', async () => {
  const k = withRoutes([route('+1408*', '192.0.2.41', { port: 5060, techPrefixAction: 'include', techPrefix: '001#' })], {
    numbers: { plans: { global: [{ pattern: '8...', replacement: '+14085558...' }] } },
  });
  await k.send({ uri: 'sip:8000@example.com', branch: 'z9hG4bK-rt8', callId: 'rt8' });
  await settle();
  assert.equal(k.lastRequestTo(GW1).uri, 'sip:001%23+14085558000@192.0.2.41:5060');
});

test('RTE-10 domain routing: a host matching a domain route is sent to its next hop with the Request-URI unchanged', async () => {
  const k = withRoutes([route('.carrier.test', '192.0.2.42', { port: 5060 })], { nextHop: { domainRouting: true } });
  await k.send({ uri: 'sip:someone@pbx.carrier.test', branch: 'z9hG4bK-rt9', callId: 'rt9' });
  await settle();
  assert.equal(k.lastRequestTo(GW2).uri, 'sip:someone@pbx.carrier.test');
});

test('RFC 3263 failover: the first SRV target answers 503, the second gets the request', async () => {
  const k = new Kit();
  k.dns.srv('_sip._udp.far.test', [10, 1, 5060, 'a.far.test'], [20, 1, 5060, 'b.far.test']).host('a.far.test', ['192.0.2.41']).host('b.far.test', ['192.0.2.42']);
  await k.send({ uri: 'sip:bob@far.test', branch: 'z9hG4bK-rt10', callId: 'rt10' });
  await settle();
  assert.equal(k.lastRequestTo(GW1).uri, 'sip:bob@far.test');
  await k.reply(k.lastRequestTo(GW1), 503, { toTag: 'a' });
  await settle();
  await k.reply(k.lastRequestTo(GW2), 200, { toTag: 'b' });
  assert.deepEqual(k.statusesTo(ALICE), [100, 200]);
});

test('ENUM after the registry: an unregistered number is translated by its NAPTR record', async () => {
  const dns = new FakeDns().naptr('4.3.2.1.5.5.5.1.e164.arpa', [100, 10, 'u', 'E2U+sip', '!^\\+(.*)$!sip:\\1@192.0.2.42!']);
  const enumTranslator = new EnumTranslator(new DnsResolver(DEFAULT_DNS_SETTINGS, dns), { globalDomain: 'e164.arpa', maxChain: 5 });
  const k = new Kit({ enum: enumStep(enumTranslator) });
  await k.send({ uri: 'sip:+15551234@example.com;user=phone', branch: 'z9hG4bK-rt11', callId: 'rt11' });
  await settle();
  assert.equal(k.lastRequestTo(GW2).uri, 'sip:15551234@192.0.2.42');
});

test('recursion on a 302 naming one of sipd\'s users reaches that user\'s registered phone', async () => {
  const k = new Kit();
  await k.register('bob', GW1);
  await k.register('carol', CAROL);
  await k.send({ branch: 'z9hG4bK-rt12', callId: 'rt12' });
  await k.reply(k.lastRequestTo(GW1), 302, { toTag: 'b', contact: '<sip:carol@example.com>' });
  await settle();
  const inv = k.lastRequestTo(CAROL);
  assert.equal(inv.uri, `sip:carol@${CAROL.host}:${CAROL.port}`);
});

test('a CANCEL that comes while a translation step is still looking up (ENUM) stops the INVITE from going anywhere', async () => {
  let answer: (targets: { uri: string }[]) => void = () => {};
  const slowEnum = { name: 'enum', translate: () => new Promise<{ uri: string }[]>((resolve) => (answer = resolve)) };
  const k = new Kit({ enum: slowEnum });
  await k.send({ uri: 'sip:+15551234@example.com;user=phone', branch: 'z9hG4bK-rt13', callId: 'rt13' });
  await k.send({ method: 'CANCEL', uri: 'sip:+15551234@example.com;user=phone', branch: 'z9hG4bK-rt13', callId: 'rt13', contact: null });
  answer([{ uri: 'sip:15551234@192.0.2.42' }]);
  await settle();
  assert.deepEqual(k.requestsTo(GW2), [], 'nothing is sent for a CANCELed call');
  assert.deepEqual(k.statusesTo(ALICE, 'INVITE'), [100, 487]);
  assert.deepEqual(k.statusesTo(ALICE, 'CANCEL'), [200]);
});

test('a tel: target (here a 3xx Contact) is routed by its number: sip:number@next-hop;user=phone', async () => {
  const k = withRoutes([route('+1408*', '192.0.2.42', { port: 5060 })]);
  await k.register('bob', GW1);
  await k.send({ branch: 'z9hG4bK-rt14', callId: 'rt14' });
  await k.reply(k.lastRequestTo(GW1), 302, { toTag: 'b', contact: '<tel:+1-408-555-0100>' });
  await settle();
  assert.equal(k.lastRequestTo(GW2).uri, 'sip:+14085550100@192.0.2.42:5060;user=phone');
});

test('stateless: a retransmitted INVITE and its CANCEL take the route the INVITE took among equal routes; calls still spread', async () => {
  const k = new Kit({
    settings: { stateful: false },
    routes: new RouteTable([route('555*', '192.0.2.41', { port: 5060 }), route('555*', '192.0.2.42', { port: 5060 })], { lessSpecificSearch: false }),
  });
  const reached = new Set<string>();
  for (let call = 0; call < 12; call++) {
    const o = { uri: 'sip:5551234@example.com', branch: `z9hG4bK-sl-${call}`, callId: `sl-${call}` };
    for (const method of ['INVITE', 'INVITE', 'CANCEL']) await k.send({ ...o, method, contact: method === 'CANCEL' ? null : undefined });
    await settle();
    const sent = k.take().filter((s) => s.msg.isRequest && s.msg.callId === o.callId);
    assert.deepEqual(sent.map((s) => s.msg.method), ['INVITE', 'INVITE', 'CANCEL']);
    const hosts = new Set(sent.map((s) => s.dest.host));
    assert.equal(hosts.size, 1, `call ${call}: every message to one gateway, not ${[...hosts].join(' and ')}`);
    reached.add([...hosts][0]);
  }
  assert.deepEqual([...reached].sort(), ['192.0.2.41', '192.0.2.42'], 'the weighted choice still varies from call to call');
});
