// Next-hop routing in the real sipd (SPEC PRX-4, RTE-*, DNS-1..4): number routes from routes.db with failover on
// 503 and on timeout, 404 and 403, RFC 3263 and ENUM against dnsmasq (DnsServers), and domain routes. SIPp plays
// the caller and the gateways GW1 and GW2 on loopback ports.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { HOST, Sipd, explain, freePort, killStrays, receivedRequests, type Directives, type SippResult, type TracedMessage } from './harness';
import { Dnsmasq } from './harness/dnsmasq';
import { SIPP_AVAILABLE, answer, dial, isSipdVia, newPeer, type Peer } from './peers';
import { finalStatuses, topVia } from './sip-assert';

const skip = !SIPP_AVAILABLE && 'sipp not installed';

/** Timer B is 64 × T1: 6.4 s, so a gateway that never answers is left quickly. */
const SHORT_T1: Directives = { SipT1InMs: 100 };
const GW2_NAME = 'gw2.route.test';

function assertOk(res: SippResult, who: string, sipd: Sipd): void {
  assert.equal(res.code, 0, `${who}: ${explain(res)}\n${sipd.diagnostics()}`);
}

async function regroute(sipd: Sipd, ...args: string[]): Promise<void> {
  const res = await sipd.command('regroute', 'add', ...args);
  assert.equal(res.code, 0, `regroute add ${args.join(' ')}: ${res.stderr}`);
}

function onlyInvite(log: string, who: string): TracedMessage {
  const invites = receivedRequests(log, 'INVITE');
  assert.equal(invites.length, 1, `${who} got one INVITE:\n${log}`);
  return invites[0];
}

function requestUriOf(msg: TracedMessage): string {
  return msg.startLine.split(' ')[1];
}

/** A gateway answering every call (180, 200, then ACK and BYE). */
function answering(peer: Peer) {
  return answer(peer, 'uas-answer.xml', { timeoutSec: 30 });
}

/** A gateway refusing the call with 503 after a 100 Trying. */
function overloaded(peer: Peer) {
  return answer(peer, 'uas-reject.xml', { keys: { status_line: 'SIP/2.0 503 Service Unavailable' }, timeoutSec: 30 });
}

/** A call from a fresh caller to user@domain through sipd that ends with the caller's BYE. */
async function call(sipd: Sipd, user: string, domain?: string): Promise<SippResult> {
  return dial(sipd, await newPeer('caller'), user, 'uac-call-direct.xml', { timeoutSec: 30, keys: domain ? { domain } : {} });
}

async function refusedCall(sipd: Sipd, user: string): Promise<SippResult> {
  return dial(sipd, await newPeer('caller'), user, 'uac-call-refused.xml', { keys: { max_forwards: '70' } });
}

/** A UDP port that takes every datagram and never answers: a gateway that is down without refusing. */
class SilentGateway {
  readonly received: string[] = [];
  private constructor(private readonly socket: Socket, readonly port: number) {
    socket.on('message', (data) => this.received.push(data.toString('latin1')));
  }

  static async bind(): Promise<SilentGateway> {
    const port = await freePort();
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(port, HOST, resolve));
    return new SilentGateway(socket, port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

describe('number routes from routes.db', { skip }, () => {
  let sipd: Sipd;
  let dnsmasq: Dnsmasq;
  let gw1: Peer;
  let gw2: Peer;
  let silent: SilentGateway;

  before(async () => {
    gw1 = await newPeer('gw1');
    gw2 = await newPeer('gw2');
    silent = await SilentGateway.bind();
    // GW2 is named, not given by address: its route's next hop is resolved through DnsServers (dnsmasq).
    dnsmasq = await Dnsmasq.start({ domains: ['route.test'], hosts: [{ name: GW2_NAME, addresses: [HOST] }] });
    sipd = await Sipd.create({ ...SHORT_T1, DnsServers: dnsmasq.server });
    // Written before the start; a running sipd's reading of changes is checked by the last test.
    await regroute(sipd, '5551*', '--next-hop', HOST, '--port', String(gw1.port), '--tech-prefix-action', 'include', '--tech-prefix', '001#');
    await regroute(sipd, '5552*', '--next-hop', HOST, '--port', String(gw1.port), '--priority', '1');
    await regroute(sipd, '5552*', '--next-hop', GW2_NAME, '--port', String(gw2.port), '--priority', '2');
    await regroute(sipd, '5553*', '--next-hop', HOST, '--port', String(silent.port), '--priority', '1');
    await regroute(sipd, '5553*', '--next-hop', GW2_NAME, '--port', String(gw2.port), '--priority', '2');
    await regroute(sipd, '900*', '--block', 'on');
    await sipd.start();
  });
  after(async () => {
    await killStrays();
    await silent?.close();
    await dnsmasq?.stop();
    await sipd?.dispose();
  });

  test('RTE: an unregistered number of ours reaches GW1 by its route, the Request-URI rewritten to 001#number@GW1', async () => {
    const gw = answering(gw1);
    const caller = await call(sipd, '5551234');
    const gwRes = await gw.done;
    assertOk(caller, 'caller', sipd);
    assertOk(gwRes, 'GW1', sipd);
    const invite = onlyInvite(gwRes.messages, 'GW1');
    assert.ok(isSipdVia(sipd, topVia(invite)), 'the INVITE came through sipd');
    assert.match(requestUriOf(invite), new RegExp(`^sip:001(%23|#)5551234@${HOST.replace(/\./g, '\\.')}:${gw1.port}$`), invite.startLine);
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200]);
  });

  test('failover on 503: GW1 refuses, GW2 (next priority) gets the INVITE for number@GW2 and the caller gets its 200', async () => {
    const first = overloaded(gw1);
    const second = answering(gw2);
    const caller = await call(sipd, '5552000');
    const [firstRes, secondRes] = await Promise.all([first.done, second.done]);
    assertOk(caller, 'caller', sipd);
    assertOk(firstRes, 'GW1 (503)', sipd);
    assertOk(secondRes, 'GW2', sipd);
    assert.equal(receivedRequests(firstRes.messages, 'ACK').length, 1, "sipd ACKed GW1's 503");
    assert.equal(requestUriOf(onlyInvite(secondRes.messages, 'GW2')), `sip:5552000@${GW2_NAME}:${gw2.port}`);
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200], 'the 503 of GW1 never reaches the caller');
  });

  test('failover on timeout: GW1 never answers, after Timer B GW2 gets the INVITE and the call completes', async () => {
    const second = answering(gw2);
    const caller = await call(sipd, '5553000');
    const secondRes = await second.done;
    assertOk(caller, 'caller', sipd);
    assertOk(secondRes, 'GW2', sipd);
    const atSilent = silent.received.filter((m) => m.startsWith('INVITE '));
    assert.ok(atSilent.length >= 1, 'the silent gateway was tried first');
    assert.ok(atSilent.every((m) => m.startsWith(`INVITE sip:5553000@${HOST}:${silent.port} `)), atSilent[0]);
    assert.equal(requestUriOf(onlyInvite(secondRes.messages, 'GW2')), `sip:5553000@${GW2_NAME}:${gw2.port}`);
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200]);
  });

  test('404 for a number of ours that no route matches, 403 for a number under a blocking route', async () => {
    const unrouted = await refusedCall(sipd, '4441234');
    assertOk(unrouted, 'caller of 4441234', sipd);
    assert.deepEqual(finalStatuses(unrouted.messages, 'INVITE'), [404]);
    const blocked = await refusedCall(sipd, '9001234');
    assertOk(blocked, 'caller of 9001234', sipd);
    assert.deepEqual(finalStatuses(blocked.messages, 'INVITE'), [403]);
  });

  test('a route added by `sipd regroute` while sipd runs is used without a restart', async () => {
    const first = await refusedCall(sipd, '7771234');
    assert.deepEqual(finalStatuses(first.messages, 'INVITE'), [404]);
    await regroute(sipd, '777*', '--block', 'on');
    // sipd polls the file four times a second; allow a loaded machine plenty of time.
    const deadline = Date.now() + 15_000;
    let statuses: number[] = [];
    do {
      await new Promise((r) => setTimeout(r, 300));
      statuses = finalStatuses((await refusedCall(sipd, '7771234')).messages, 'INVITE');
    } while (statuses[0] === 404 && Date.now() < deadline);
    assert.deepEqual(statuses, [403], sipd.diagnostics());
  });
});

describe('RFC 3263 and ENUM through the DnsServers directive (dnsmasq)', { skip }, () => {
  let sipd: Sipd;
  let dnsmasq: Dnsmasq;
  let dead: Peer;
  let gw2: Peer;
  let silent: SilentGateway;

  before(async () => {
    dead = await newPeer('dead');
    gw2 = await newPeer('gw2');
    silent = await SilentGateway.bind();
    dnsmasq = await Dnsmasq.start({
      domains: ['example.test', 'e164.arpa'],
      srv: [
        { name: '_sip._udp.gw.example.test', target: 'dead.example.test', port: dead.port, priority: 10, weight: 1 },
        { name: '_sip._udp.gw.example.test', target: 'alive.example.test', port: gw2.port, priority: 20, weight: 1 },
        { name: '_sip._udp.quiet.example.test', target: 'dead.example.test', port: silent.port, priority: 10, weight: 1 },
        { name: '_sip._udp.quiet.example.test', target: 'alive.example.test', port: gw2.port, priority: 20, weight: 1 },
      ],
      hosts: [
        { name: 'dead.example.test', addresses: [HOST] },
        { name: 'alive.example.test', addresses: [HOST] },
      ],
      naptr: [{
        name: '6.7.8.9.5.5.5.1.e164.arpa', order: 100, preference: 10, flags: 'u', service: 'E2U+sip',
        regexp: `!^\\+(.*)$!sip:\\1@${HOST}:${gw2.port}!`,
      }],
    });
    sipd = await Sipd.launch({ ...SHORT_T1, DnsServers: dnsmasq.server, Cisco_Enum: 'On' });
  });
  after(async () => {
    await killStrays();
    await dnsmasq?.stop();
    await silent?.close();
    await sipd?.dispose();
  });

  test('SRV: the first target never answers; after Timer B the second gets the INVITE and the call completes', async () => {
    const second = answering(gw2);
    const caller = await call(sipd, 'user', 'quiet.example.test');
    const secondRes = await second.done;
    assertOk(caller, 'caller', sipd);
    assertOk(secondRes, 'second SRV target', sipd);
    assert.ok(silent.received.some((m) => m.startsWith('INVITE sip:user@quiet.example.test ')), 'the first SRV target was tried first');
    assert.equal(requestUriOf(onlyInvite(secondRes.messages, 'second SRV target')), 'sip:user@quiet.example.test');
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200]);
  });

  test('SRV: the first target (priority 10) answers 503, the second (priority 20) completes the call, Request-URI kept', async () => {
    const first = overloaded(dead);
    const second = answering(gw2);
    const caller = await call(sipd, 'user', 'gw.example.test');
    const [firstRes, secondRes] = await Promise.all([first.done, second.done]);
    assertOk(caller, 'caller', sipd);
    assertOk(firstRes, 'first SRV target (503)', sipd);
    assertOk(secondRes, 'second SRV target', sipd);
    assert.equal(requestUriOf(onlyInvite(firstRes.messages, 'first SRV target')), 'sip:user@gw.example.test');
    assert.equal(requestUriOf(onlyInvite(secondRes.messages, 'second SRV target')), 'sip:user@gw.example.test');
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200]);
    assert.ok(dnsmasq.queries('SRV', '_sip._udp.gw.example.test') >= 1, dnsmasq.output);
  });

  test('ENUM: an unregistered +number of ours is translated by its NAPTR record and the INVITE reaches GW2', async () => {
    const gw = answering(gw2);
    const caller = await call(sipd, '+15559876');
    const gwRes = await gw.done;
    assertOk(caller, 'caller', sipd);
    assertOk(gwRes, 'GW2', sipd);
    assert.equal(requestUriOf(onlyInvite(gwRes.messages, 'GW2')), `sip:15559876@${HOST}:${gw2.port}`);
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200]);
    assert.ok(dnsmasq.queries('NAPTR', '6.7.8.9.5.5.5.1.e164.arpa') >= 1, `the ENUM query went to DnsServers:\n${dnsmasq.output}`);
  });
});

describe('domain routes (Cisco_Routing_Use_Domain_Routing On)', { skip }, () => {
  let sipd: Sipd;
  let gw1: Peer;

  before(async () => {
    gw1 = await newPeer('gw1');
    sipd = await Sipd.create({ Cisco_Routing_Use_Domain_Routing: 'On' });
    await regroute(sipd, '.carrier.test', '--next-hop', HOST, '--port', String(gw1.port));
    await sipd.start();
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  test('a host under .carrier.test goes to the route\'s next hop with the Request-URI unchanged', async () => {
    const gw = answering(gw1);
    const caller = await call(sipd, 'x', 'pbx.carrier.test');
    const gwRes = await gw.done;
    assertOk(caller, 'caller', sipd);
    assertOk(gwRes, 'GW1', sipd);
    const invite = onlyInvite(gwRes.messages, 'GW1');
    assert.ok(isSipdVia(sipd, topVia(invite)), 'the INVITE came through sipd');
    assert.equal(requestUriOf(invite), 'sip:x@pbx.carrier.test');
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [200]);
  });
});
