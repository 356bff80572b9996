// The CLIR call flows of callflows.md (CL-1..CL-8, CL-R1..CL-R5) at message level. The environment is CL-0:
// ATAs A1..A3 untrusted both ways and authenticated by digest, the PSTN gateway PGW trusted both ways
// ("Allow from" and "Allow to"). `Sps` plays what the proxy does around this module: the policy chain
// (access control, authentication, privacy), one copy per next hop, and recursion or call forwarding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessLists } from '../acl/access-list';
import { createAccessPolicy } from '../acl/access-policy';
import { ReverseNames } from '../acl/reverse-names';
import { runPolicies } from '../policy/chain';
import type { PolicyRequest, RequestPolicy } from '../policy/types';
import { SipMessage, parseMessage } from '../sip';
import { addDiversion, carryDiversions, makeDiversion } from './diversion';
import { PrivacyHandling, PrivacySettings, createPrivacyHandling } from './privacy';

const A1 = '192.0.2.1';
const A2 = '192.0.2.2';
const A3 = '192.0.2.3';
const PGW = '198.51.100.10';
const P1 = '4081112222';
const P2 = '4085550199';

const ALL_ON: PrivacySettings = { privacy: true, withPai: true, withRpid: true, withDiversion: true };
const ALL_OFF: PrivacySettings = { privacy: false, withPai: false, withRpid: false, withDiversion: false };

const acl = AccessLists.compile('Deny,Allow', [
  { action: 'allow', direction: 'from', spec: PGW },
  { action: 'allow', direction: 'to', spec: PGW },
], new ReverseNames({ lookup: () => Promise.reject(new Error('DNS must not be asked')) }));

class Sps {
  readonly privacy: PrivacyHandling;
  private readonly chain: RequestPolicy[];

  constructor(settings: PrivacySettings) {
    this.privacy = createPrivacyHandling(settings);
    // Digest authentication as the auth policy leaves it: the ATAs prove themselves, the trusted PGW is waived.
    const authenticate: RequestPolicy = (ctx) => {
      const user = ATA_USERS.get(ctx.source.host);
      if (user !== undefined) ctx.identity = { user, domain: 'sps.example' };
      return undefined;
    };
    this.chain = [createAccessPolicy({ lists: acl, satisfy: 'Any', authEnabled: true }), authenticate, this.privacy.policy];
  }

  /** The request as sipd holds it after its policy chain. */
  receive(req: SipMessage, fromHost: string): SipMessage {
    const ctx: PolicyRequest = { req, source: { transport: 'udp', host: fromHost, port: 5060 } };
    assert.equal(runPolicies(this.chain, ctx), undefined, 'privacy never rejects');
    return req;
  }

  /** The copy sent to one next hop. */
  forward(req: SipMessage, target: string, hopHost: string): SipMessage {
    const copy = req.clone();
    copy.setRequestUri(target);
    this.privacy.prepareOutgoing(copy, trustedNextHop(hopHost));
    return copy;
  }

  /** A 3xx comes back from fromHost: checked (R5), then the request recursed to its Contact. */
  recurse(req: SipMessage, redirect: SipMessage, fromHost: string, target: string, hopHost: string): SipMessage {
    this.privacy.checkRedirect(redirect, req.requestUri, acl.from.trustedWithoutWaiting(fromHost));
    const next = req.clone();
    carryDiversions(redirect, next);
    return this.forward(next, target, hopHost);
  }

  /** Call Forward Busy for the called subscriber, RedirectDNPrivacy=yes, DiversionHeaderName Diversion (PRV-6). */
  forwardOnBusy(req: SipMessage, target: string, hopHost: string): SipMessage {
    const next = req.clone();
    addDiversion(next, 'Diversion', makeDiversion(req.requestUri, { reason: 'user-busy', privacy: 'full' }));
    return this.forward(next, target, hopHost);
  }
}

const ATA_USERS = new Map([[A1, '5001'], [A2, '5002'], [A3, '5003']]);

function trustedNextHop(host: string): boolean {
  const t = acl.isTrustedNextHop(host);
  assert.equal(typeof t, 'boolean', 'addresses are answered without DNS');
  return t as boolean;
}

function invite(uri: string, viaHost: string, from: string, ...headers: string[]): SipMessage {
  return parseMessage(Buffer.from([
    `INVITE ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${viaHost}:5060;branch=z9hG4bK-${viaHost}`,
    'Max-Forwards: 70',
    `From: ${from};tag=caller`,
    `To: <${uri}>`,
    'Call-ID: clir@test',
    'CSeq: 1 INVITE',
    `Contact: <sip:${viaHost}:5060>`,
    ...headers,
    'Content-Length: 0',
    '', '',
  ].join('\r\n')));
}

function redirect(contact: string, ...headers: string[]): SipMessage {
  return parseMessage(Buffer.from([
    'SIP/2.0 302 Moved Temporarily',
    'Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-sps',
    'From: "Anonymous" <sip:anonymous@sps.example>;tag=caller',
    'To: <sip:x@sps.example>;tag=callee',
    'Call-ID: clir@test',
    'CSeq: 1 INVITE',
    `Contact: <${contact}>`,
    ...headers,
    'Content-Length: 0',
    '', '',
  ].join('\r\n')));
}

const ANONYMOUS_FROM = '"Anonymous" <sip:anonymous@sps.example>';

/** Every header line except To, which a proxy never changes and which names the first callee by design. */
function headersBesideTo(m: SipMessage): string {
  return m.headers.filter((h) => h.key !== 'to').map((h) => `${h.name}: ${h.value}`).join('\n');
}

function assertNoIdentity(m: SipMessage): void {
  assert.equal(m.get('P-Asserted-Identity'), undefined);
  assert.equal(m.get('Remote-Party-ID'), undefined);
  assert.equal(m.get('From'), `${ANONYMOUS_FROM};tag=caller`, 'From is passed on as the caller wrote it');
}

// --- A1 (5001) calls A2 (5002) anonymously ---

/** CL-1/CL-2 steps 1-3: A1's INVITE with forged identities, through sipd, to A2. */
function a1CallsA2(sps: Sps): { req: SipMessage; toA2: SipMessage } {
  const req = sps.receive(invite('sip:5002@sps.example', A1, ANONYMOUS_FROM,
    'P-Asserted-Identity: <sip:4089999999@sps.example>',
    'Remote-Party-ID: <sip:4089999999@sps.example>;party=calling',
    'Diversion: <sip:4088888888@sps.example>;reason=unconditional;counter=1'), A1);
  return { req, toA2: sps.forward(req, `sip:5002@${A2}`, A2) };
}

function assertA1Asserted(req: SipMessage): void {
  // R1 (forged values gone), R2 (sipd's own), R3 (Privacy: id, privacy=full).
  assert.deepEqual(req.getAll('P-Asserted-Identity'), ['<sip:5001@sps.example>']);
  assert.deepEqual(req.getAll('Remote-Party-ID'), ['<sip:5001@sps.example>;privacy=full']);
  assert.equal(req.get('Privacy'), 'id');
  assert.equal(req.get('Diversion'), undefined);
}

test('CL-1: A1 calls A2, A2 redirects (302) to A3; A3 sees neither 5001 nor 5002 in any identity', () => {
  const sps = new Sps(ALL_ON);
  const { req, toA2 } = a1CallsA2(sps);
  assertA1Asserted(req);
  assertNoIdentity(toA2);
  assert.equal(toA2.get('Diversion'), undefined);
  assert.ok(!headersBesideTo(toA2).includes('5001'), 'A2 does not learn the caller');

  const moved = redirect(`sip:5003@${A3}`, 'Diversion: <sip:5002@sps.example>;reason=unconditional;counter=1;privacy=full');
  const toA3 = sps.recurse(req, moved, A2, `sip:5003@${A3}`, A3);
  assert.equal(moved.get('Diversion'), '<sip:5002@sps.example>;reason=unconditional;counter=1;privacy=full', 'R5: it named the upstream Request-URI already');
  assertNoIdentity(toA3);
  assert.deepEqual(toA3.getAll('Diversion'), ['<sip:Anonymous@Anonymous>;reason=unconditional;counter=1;privacy=full']);
  const seen = headersBesideTo(toA3);
  assert.ok(!seen.includes('5001') && !seen.includes('5002'), seen);
});

test('CL-2: A1 calls A2, Call Forward Busy to A3; the added Diversion reaches A3 anonymised', () => {
  const sps = new Sps(ALL_ON);
  const { req } = a1CallsA2(sps);
  const toA3 = sps.forwardOnBusy(req, `sip:5003@${A3}`, A3);
  assertNoIdentity(toA3);
  assert.deepEqual(toA3.getAll('Diversion'), ['<sip:Anonymous@Anonymous>;reason=user-busy;counter=1;privacy=full']);
  const seen = headersBesideTo(toA3);
  assert.ok(!seen.includes('5001') && !seen.includes('5002'), seen);
});

/** R7: the trusted PGW gets the true identities of A1 and A2 with their privacy markers. */
function assertPgwSeesA1DivertedBy5002(toPgw: SipMessage, diversion: string): void {
  assert.deepEqual(toPgw.getAll('P-Asserted-Identity'), ['<sip:5001@sps.example>']);
  assert.equal(toPgw.get('Privacy'), 'id');
  assert.deepEqual(toPgw.getAll('Remote-Party-ID'), ['<sip:5001@sps.example>;privacy=full']);
  assert.deepEqual(toPgw.getAll('Diversion'), [diversion]);
  assert.equal(toPgw.get('From'), `${ANONYMOUS_FROM};tag=caller`);
}

test('CL-3: A1 calls A2, A2 redirects (302) to P1; the trusted PGW gets PAI, RPID and Diversion with the true identities', () => {
  const sps = new Sps(ALL_ON);
  const { req } = a1CallsA2(sps);
  const moved = redirect(`sip:${P1}@sps.example`, 'Diversion: <sip:5002@sps.example>;privacy=full');
  const toPgw = sps.recurse(req, moved, A2, `sip:${P1}@${PGW}`, PGW);
  assertPgwSeesA1DivertedBy5002(toPgw, '<sip:5002@sps.example>;privacy=full');
});

test('CL-4: A1 calls A2, Call Forward Busy to P1; the PGW gets the true identities and the user-busy Diversion', () => {
  const sps = new Sps(ALL_ON);
  const { req } = a1CallsA2(sps);
  const toPgw = sps.forwardOnBusy(req, `sip:${P1}@${PGW}`, PGW);
  assertPgwSeesA1DivertedBy5002(toPgw, '<sip:5002@sps.example>;reason=user-busy;counter=1;privacy=full');
});

// --- P1 calls A1 (5001) anonymously through the trusted PGW ---

const P1_PAI = `<sip:${P1}@${PGW}>`;
const P1_RPID = `<sip:${P1}@${PGW}>;party=calling;privacy=full`;

/** CL-5/CL-6 steps 1-2. */
function p1CallsA1(sps: Sps): { req: SipMessage; toA1: SipMessage } {
  const req = sps.receive(invite('sip:5001@sps.example', PGW, ANONYMOUS_FROM,
    `P-Asserted-Identity: ${P1_PAI}`, `Remote-Party-ID: ${P1_RPID}`, 'Privacy: id'), PGW);
  return { req, toA1: sps.forward(req, `sip:5001@${A1}`, A1) };
}

function assertA2SeesNobody(toA2: SipMessage, diversion: string): void {
  assertNoIdentity(toA2);
  assert.deepEqual(toA2.getAll('Diversion'), [diversion]);
  const seen = headersBesideTo(toA2);
  assert.ok(!seen.includes(P1) && !seen.includes('5001'), seen);
}

test('CL-5: P1 calls A1, A1 redirects (302) to A2; neither ATA sees P1, A2 does not see 5001', () => {
  const sps = new Sps(ALL_ON);
  const { req, toA1 } = p1CallsA1(sps);
  // The trusted PGW's identities are accepted as they came (R1 does not apply, nothing authenticated to add).
  assert.deepEqual(req.getAll('P-Asserted-Identity'), [P1_PAI]);
  assert.deepEqual(req.getAll('Remote-Party-ID'), [P1_RPID]);
  assertNoIdentity(toA1);
  assert.ok(!headersBesideTo(toA1).includes(P1));

  // A1 names itself by its own address; R5 rewrites that to the Request-URI sipd received.
  const moved = redirect(`sip:5002@${A2}`, `Diversion: <sip:5001@${A1}>;reason=unconditional;counter=1;privacy=full`);
  const toA2 = sps.recurse(req, moved, A1, `sip:5002@${A2}`, A2);
  assert.equal(moved.get('Diversion'), '<sip:5001@sps.example>;reason=unconditional;counter=1;privacy=full');
  assertA2SeesNobody(toA2, '<sip:Anonymous@Anonymous>;reason=unconditional;counter=1;privacy=full');
});

test('CL-6: P1 calls A1, Call Forward Busy to A2; A2 gets the anonymised Diversion and no identity', () => {
  const sps = new Sps(ALL_ON);
  const { req } = p1CallsA1(sps);
  const toA2 = sps.forwardOnBusy(req, `sip:5002@${A2}`, A2);
  assertA2SeesNobody(toA2, '<sip:Anonymous@Anonymous>;reason=user-busy;counter=1;privacy=full');
});

function assertPgwSeesP1DivertedBy5001(toPgw: SipMessage, diversion: string): void {
  assert.deepEqual(toPgw.getAll('P-Asserted-Identity'), [P1_PAI]);
  assert.deepEqual(toPgw.getAll('Remote-Party-ID'), [P1_RPID]);
  assert.equal(toPgw.get('Privacy'), 'id');
  assert.deepEqual(toPgw.getAll('Diversion'), [diversion]);
}

test('CL-7: P1 calls A1, A1 redirects (302) to P2; the PGW gets P1\'s identities and Diversion 5001 as they are', () => {
  const sps = new Sps(ALL_ON);
  const { req } = p1CallsA1(sps);
  const moved = redirect(`sip:${P2}@sps.example`, 'Diversion: <sip:5001@sps.example>;privacy=full');
  const toPgw = sps.recurse(req, moved, A1, `sip:${P2}@${PGW}`, PGW);
  assertPgwSeesP1DivertedBy5001(toPgw, '<sip:5001@sps.example>;privacy=full');
});

test('CL-8: P1 calls A1, Call Forward Busy to P2; the PGW gets P1\'s identities and the true user-busy Diversion', () => {
  const sps = new Sps(ALL_ON);
  const { req } = p1CallsA1(sps);
  const toPgw = sps.forwardOnBusy(req, `sip:${P2}@${PGW}`, PGW);
  assertPgwSeesP1DivertedBy5001(toPgw, '<sip:5001@sps.example>;reason=user-busy;counter=1;privacy=full');
});

// --- Regression and edge cases ---

test('CL-R1: with every privacy directive Off, PAI, RPID and Diversion pass untouched both ways and on the 302', () => {
  for (const settings of [
    ALL_OFF,
    { ...ALL_OFF, privacy: true }, // the master switch alone handles nothing
    { ...ALL_ON, privacy: false }, // nor do the three without the master switch
  ]) {
    const sps = new Sps(settings);
    assert.equal(sps.privacy.active, false);
    const { req, toA2 } = a1CallsA2(sps);
    for (const m of [req, toA2]) {
      assert.deepEqual(m.getAll('P-Asserted-Identity'), ['<sip:4089999999@sps.example>']);
      assert.deepEqual(m.getAll('Remote-Party-ID'), ['<sip:4089999999@sps.example>;party=calling']);
      assert.deepEqual(m.getAll('Diversion'), ['<sip:4088888888@sps.example>;reason=unconditional;counter=1']);
      assert.equal(m.get('Privacy'), undefined);
    }
    const forged = '<sip:4085550000@evil.example>;reason=unconditional;counter=1;privacy=full';
    const moved = redirect(`sip:5003@${A3}`, `Diversion: ${forged}`);
    const toA3 = sps.recurse(req, moved, A2, `sip:5003@${A3}`, A3);
    assert.deepEqual(toA3.getAll('Diversion'), [forged]);
    assert.deepEqual(toA3.getAll('P-Asserted-Identity'), ['<sip:4089999999@sps.example>']);

    const fromPgw = sps.forward(sps.receive(invite('sip:5001@sps.example', PGW, ANONYMOUS_FROM,
      `P-Asserted-Identity: ${P1_PAI}`, `Remote-Party-ID: ${P1_RPID}`, 'Privacy: id'), PGW), `sip:5001@${A1}`, A1);
    assert.deepEqual(fromPgw.getAll('P-Asserted-Identity'), [P1_PAI]);
    assert.deepEqual(fromPgw.getAll('Remote-Party-ID'), [P1_RPID]);
  }
});

test('CL-R2: a caller who asks no privacy has the sipd-asserted PAI and RPID delivered to the untrusted A2', () => {
  const sps = new Sps(ALL_ON);
  const req = sps.receive(invite('sip:5002@sps.example', A1, '"Alice" <sip:5001@sps.example>'), A1);
  const toA2 = sps.forward(req, `sip:5002@${A2}`, A2);
  assert.deepEqual(toA2.getAll('P-Asserted-Identity'), ['<sip:5001@sps.example>']);
  assert.deepEqual(toA2.getAll('Remote-Party-ID'), ['<sip:5001@sps.example>']);
  assert.equal(toA2.get('Privacy'), undefined);
});

test('CL-R2: a non-anonymous caller who still sends Privacy: id keeps PAI from A2, and an RPID with privacy=full is removed', () => {
  const sps = new Sps(ALL_ON);
  const req = sps.receive(invite('sip:5001@sps.example', PGW, '"P1" <sip:4081112222@198.51.100.10>',
    `P-Asserted-Identity: ${P1_PAI}`, `Remote-Party-ID: ${P1_RPID}`, 'Privacy: id'), PGW);
  const toA1 = sps.forward(req, `sip:5001@${A1}`, A1);
  assert.equal(toA1.get('P-Asserted-Identity'), undefined, 'Privacy: id');
  assert.equal(toA1.get('Remote-Party-ID'), undefined, 'privacy=full');
  const open = sps.forward(sps.receive(invite('sip:5001@sps.example', PGW, '"P1" <sip:4081112222@198.51.100.10>',
    `P-Asserted-Identity: ${P1_PAI}`, `Remote-Party-ID: <sip:${P1}@${PGW}>;privacy=off`), PGW), `sip:5001@${A1}`, A1);
  assert.deepEqual(open.getAll('P-Asserted-Identity'), [P1_PAI]);
  assert.deepEqual(open.getAll('Remote-Party-ID'), [`<sip:${P1}@${PGW}>;privacy=off`]);
});

test('CL-R3: the display name "anonymous" counts in any case', () => {
  for (const from of ['"anonymous" <sip:x@sps.example>', 'ANONYMOUS <sip:x@sps.example>', '" Anonymous " <sip:x@sps.example>']) {
    const sps = new Sps(ALL_ON);
    const req = sps.receive(invite('sip:5002@sps.example', A1, from), A1);
    assert.equal(req.get('Privacy'), 'id', from);
    assert.deepEqual(req.getAll('Remote-Party-ID'), ['<sip:5001@sps.example>;privacy=full'], from);
    const toA2 = sps.forward(req, `sip:5002@${A2}`, A2);
    assert.equal(toA2.get('P-Asserted-Identity'), undefined, from);
    assert.equal(toA2.get('Remote-Party-ID'), undefined, from);
  }
  // "Anonymously Yours" is not Anonymous.
  const sps = new Sps(ALL_ON);
  const req = sps.receive(invite('sip:5002@sps.example', A1, '"Anonymously Yours" <sip:x@sps.example>'), A1);
  assert.equal(req.get('Privacy'), undefined);
});

test('CL-R4: a PAI forged by an untrusted ATA is replaced by the identity the ATA authenticated as', () => {
  const sps = new Sps(ALL_ON);
  const req = sps.receive(invite('sip:5002@sps.example', A1, '"Alice" <sip:5001@sps.example>',
    `P-Asserted-Identity: <sip:${P1}@${PGW}>`, `P-Asserted-Identity: <tel:+1${P1}>`, `Remote-Party-ID: <sip:${P1}@${PGW}>;screen=yes`), A1);
  assert.deepEqual(req.getAll('P-Asserted-Identity'), ['<sip:5001@sps.example>']);
  assert.deepEqual(req.getAll('Remote-Party-ID'), ['<sip:5001@sps.example>']);
  // An untrusted sender that did not authenticate loses the forgery and gets nothing in its place.
  const stranger = sps.receive(invite('sip:5002@sps.example', '203.0.113.99', '"Mallory" <sip:m@evil.example>',
    `P-Asserted-Identity: <sip:${P1}@${PGW}>`, `Remote-Party-ID: <sip:${P1}@${PGW}>`, 'CC-Diversion: <sip:5001@sps.example>'), '203.0.113.99');
  assert.equal(stranger.get('P-Asserted-Identity'), undefined);
  assert.equal(stranger.get('Remote-Party-ID'), undefined);
  assert.equal(stranger.get('CC-Diversion'), undefined);
});

test('CL-R5: a 302 from an untrusted ATA with a forged topmost Diversion has it rewritten to the upstream Request-URI', () => {
  const sps = new Sps(ALL_ON);
  const { req } = a1CallsA2(sps);
  const moved = redirect(`sip:5003@${A3}`,
    'CC-Diversion: "Boss" <sip:4085550000@evil.example>;reason=unconditional;counter=1;privacy=full, <sip:4085551111@evil.example>;reason=no-answer');
  sps.privacy.checkRedirect(moved, req.requestUri, false);
  assert.deepEqual(moved.getAll('CC-Diversion'), [
    '<sip:5002@sps.example>;reason=unconditional;counter=1;privacy=full', '<sip:4085551111@evil.example>;reason=no-answer',
  ], 'only the topmost is checked; its parameters stay');
  // D-13: the same 302 from a trusted sender is believed.
  const fromTrusted = redirect(`sip:${P2}@${PGW}`, 'Diversion: <sip:4085550000@evil.example>;reason=unconditional');
  sps.privacy.checkRedirect(fromTrusted, req.requestUri, true);
  assert.equal(fromTrusted.get('Diversion'), '<sip:4085550000@evil.example>;reason=unconditional');
});
