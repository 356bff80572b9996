// The CLIR call flows of callflows.md (CL-1..CL-8, CL-R1..CL-R5) against the real sipd, as CL-0 sets them up:
// three ATAs (SIPp phones on 127.0.0.2-4) that authenticate with digest and are trusted neither way, and a PSTN
// gateway (SIPp on 127.0.0.5) that matches "Allow from" and "Allow to", reached by a number route for 408*.
// Each test reads the INVITE the receiving party got, as src/privacy/clir.test.ts reads it at message level.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  Sipd, explain, freePort, headerValues, killStrays, receivedRequests, runSipp, startSipp,
  type SippOptions, type SippRun, type TracedMessage,
} from './harness';
import { SIPP_AVAILABLE } from './peers';
import { finalStatuses } from './sip-assert';

const skip = !SIPP_AVAILABLE && 'sipp not installed';

const DOMAIN = 'sps.example';
const PGW_IP = '127.0.0.5';
const P1 = '4081112222';
const P2 = '4085550199';

interface Ata {
  user: string;
  ip: string;
  port: number;
  password: string;
}

const ANONYMOUS_FROM = '"Anonymous" <sip:anonymous@sps.example>';
/** What the ATA caller claims on its own; R1 must remove all of it. */
const FORGED = {
  pai: `<sip:${P1}@${PGW_IP}>`,
  rpid: `<sip:${P1}@${PGW_IP}>;party=calling;screen=yes`,
  diversion: '<sip:4088888888@sps.example>;reason=unconditional;counter=1',
};
/** The network's identity of P1 as the trusted gateway passes it on (CL-5). */
const P1_IDENTITY = { pai: `<sip:${P1}@${PGW_IP}>`, rpid: `<sip:${P1}@${PGW_IP}>;party=calling;privacy=full`, privacy: 'id' };

const tmp = mkdtempSync(join(tmpdir(), 'sipd-clir-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** SIPp injection file with an ATA's digest credentials. */
function credentials(ata: Ata): string {
  const file = join(tmp, `${ata.user}.csv`);
  writeFileSync(file, `SEQUENTIAL\n[authentication username=${ata.user} password=${ata.password}];\n`);
  return file;
}

/** sipd as CL-0 describes it, three registered ATAs, and the gateway's UAS port behind the 408* route. */
class Sps {
  readonly atas = new Map<'A1' | 'A2' | 'A3', Ata>();

  private constructor(readonly sipd: Sipd, readonly pgwPort: number) {}

  static async start(privacy: 'On' | 'Off'): Promise<Sps> {
    const sipd = await Sipd.create({
      ProxyDomain: DOMAIN,
      Authentication: 'On',
      Satisfy: 'Any',
      Order: 'Deny,Allow',
      Allow: [`from ${PGW_IP}`, `to ${PGW_IP}`],
      Privacy: privacy,
      PrivacyWithPAI: privacy,
      PrivacyWithRPID: privacy,
      PrivacyWithDiversion: privacy,
      Recursive: 'On',
      CallForwardBusy: 'On',
      AddDiversionHeader: 'On',
      DiversionHeaderName: 'Diversion',
    });
    const sps = new Sps(sipd, await freePort());
    await sipd.start();
    const route = await sipd.command('regroute', 'add', '408*', '--next-hop', PGW_IP, '--port', String(sps.pgwPort));
    assert.equal(route.code, 0, route.stderr);
    for (const [name, user, ip] of [['A1', '5001', '127.0.0.2'], ['A2', '5002', '127.0.0.3'], ['A3', '5003', '127.0.0.4']] as const) {
      const ata: Ata = { user, ip, port: await freePort(), password: `${user}-secret` };
      const added = await sipd.command('subscriber', 'add', user, '--password', ata.password, '--redirect-privacy', 'on');
      assert.equal(added.code, 0, added.stderr);
      const reg = await runSipp({
        scenario: 'register-auth.xml', target: sipd.address, localIp: ip, localPort: ata.port, inf: credentials(ata),
        keys: { user, domain: DOMAIN, contact: `<sip:${user}@${ip}:${ata.port};transport=udp>`, expires: '3600' },
      });
      assert.equal(reg.code, 0, `register ${user}: ${explain(reg)}\n${sipd.diagnostics()}`);
      sps.atas.set(name, ata);
    }
    return sps;
  }

  ata(name: 'A1' | 'A2' | 'A3'): Ata {
    return this.atas.get(name)!;
  }

  /** Sets a subscriber's Call Forward Busy target and waits until the running sipd reads it. */
  async forwardBusy(user: string, target: string): Promise<void> {
    const set = await this.sipd.command('subscriber', 'set', user, '--forward-busy', target);
    assert.equal(set.code, 0, set.stderr);
    // The server rereads a changed subscriber database within 250 ms (SUBSCRIBER_CACHE_MS in src/server.ts).
    await new Promise((r) => setTimeout(r, 1000));
  }

  dispose(): Promise<void> {
    return this.sipd.dispose();
  }
}

type Callee = { at: Ata | 'PGW'; scenario: string; keys?: Record<string, string> };
/** An ATA that authenticates, or P1 through the gateway; `from` is the From name-addr it sends. */
type Caller = { ata: Ata; from: string } | { pgw: typeof P1_IDENTITY; from: string };

function listen(sps: Sps, callee: Callee): SippRun {
  const where = callee.at === 'PGW' ? { localIp: PGW_IP, localPort: sps.pgwPort } : { localIp: callee.at.ip, localPort: callee.at.port };
  const opts: SippOptions = { scenario: callee.scenario, ...where, keys: callee.keys, traceMsg: true, timeoutSec: 30, pauseMs: 200 };
  return startSipp(opts);
}

/**
 * One call through sipd: the callees listen, the caller (an ATA that authenticates, or P1 through the gateway)
 * dials `dialled`@sps.example, and every party must finish its scenario. Returns the INVITE each callee got.
 */
async function call(sps: Sps, caller: Caller, dialled: string, callees: Callee[]): Promise<TracedMessage[]> {
  return (await callWithCaller(sps, caller, dialled, callees)).invites;
}

/** As `call`, also with the final statuses the caller received for its INVITEs. */
async function callWithCaller(sps: Sps, caller: Caller, dialled: string, callees: Callee[]): Promise<{ invites: TracedMessage[]; callerFinals: number[] }> {
  const runs = callees.map((c) => listen(sps, c));
  const common = { target: sps.sipd.address, service: dialled, traceMsg: true, timeoutSec: 30, pauseMs: 200 };
  const res = 'ata' in caller
    ? await runSipp({
      ...common, scenario: 'clir-uac-auth.xml', localIp: caller.ata.ip, localPort: await freePort(), inf: credentials(caller.ata),
      keys: { domain: DOMAIN, from: caller.from, ...FORGED },
    })
    : await runSipp({
      ...common, scenario: 'clir-uac-gateway.xml', localIp: PGW_IP, localPort: await freePort(),
      keys: { domain: DOMAIN, from: caller.from, ...caller.pgw },
    });
  const received = await Promise.all(runs.map((r) => r.done));
  assert.equal(res.code, 0, `caller: ${explain(res)}\n${sps.sipd.diagnostics()}`);
  const invites = received.map((r, i) => {
    assert.equal(r.code, 0, `callee ${i + 1} (${callees[i].scenario}): ${explain(r)}`);
    const [invite] = receivedRequests(r.messages, 'INVITE');
    assert.ok(invite, `callee ${i + 1} got an INVITE`);
    return invite;
  });
  return { invites, callerFinals: finalStatuses(res.messages, 'INVITE') };
}

const answers = (at: Ata | 'PGW'): Callee => ({ at, scenario: 'uas-answer.xml' });
const busy = (at: Ata): Callee => ({ at, scenario: 'uas-busy.xml' });
const redirects = (at: Ata, contact: string, diversion: string): Callee => ({ at, scenario: 'clir-uas-redirect.xml', keys: { contact, diversion } });

/** The identity headers as a callee received them, to compare in one assertion. */
function identities(invite: TracedMessage): Record<string, string[]> {
  return {
    'P-Asserted-Identity': headerValues(invite, 'p-asserted-identity'),
    'Remote-Party-ID': headerValues(invite, 'remote-party-id'),
    Privacy: headerValues(invite, 'privacy'),
    Diversion: headerValues(invite, 'diversion'),
    From: headerValues(invite, 'from').map((f) => f.replace(/;tag=.*/, '')),
  };
}

/** The numbers must not appear as a number (a 5-digit port or pid containing one is not an identity). */
function assertNotNamed(invite: TracedMessage, numbers: string[]): void {
  const lines = invite.headers.filter((h) => h.name !== 'to').map((h) => `${h.name}: ${h.value}`);
  for (const n of numbers) {
    const named = lines.filter((l) => new RegExp(`(?<![0-9])${n}(?![0-9])`).test(l));
    assert.deepEqual(named, [], `${n} appears outside the To header:\n${invite.text}`);
  }
}

describe('CLIR with Privacy, PrivacyWithPAI, PrivacyWithRPID and PrivacyWithDiversion On', { skip }, () => {
  let sps: Sps;
  before(async () => {
    sps = await Sps.start('On');
  });
  after(async () => {
    await killStrays();
    await sps?.dispose();
  });

  const a1Anonymous = () => ({ ata: sps.ata('A1'), from: ANONYMOUS_FROM });
  const p1Anonymous = () => ({ pgw: P1_IDENTITY, from: ANONYMOUS_FROM });
  /** R4, R6: an anonymous caller toward an ATA: no PAI, no RPID, only an anonymised Diversion if any. */
  const nobody = (diversion?: string) => ({
    'P-Asserted-Identity': [], 'Remote-Party-ID': [], Privacy: ['id'], Diversion: diversion === undefined ? [] : [diversion], From: [ANONYMOUS_FROM],
  });
  /** R7: A1's identities as sipd asserted them (R2, R3), and the true Diversion. */
  const a1AtGateway = (diversion: string) => ({
    'P-Asserted-Identity': ['<sip:5001@sps.example>'], 'Remote-Party-ID': ['<sip:5001@sps.example>;privacy=full'],
    Privacy: ['id'], Diversion: [diversion], From: [ANONYMOUS_FROM],
  });
  /** R7: P1's identities as the trusted gateway sent them, and the true Diversion. */
  const p1AtGateway = (diversion: string) => ({
    'P-Asserted-Identity': [P1_IDENTITY.pai], 'Remote-Party-ID': [P1_IDENTITY.rpid], Privacy: ['id'], Diversion: [diversion], From: [ANONYMOUS_FROM],
  });

  test('CL-1: A1 calls A2, A2 redirects (302) to A3; A3 gets Diversion Anonymous@Anonymous and neither 5001 nor 5002', async () => {
    const { invites: [toA2, toA3], callerFinals } = await callWithCaller(sps, a1Anonymous(), '5002', [
      redirects(sps.ata('A2'), 'sip:5003@sps.example', '<sip:5002@sps.example>;privacy=full'),
      answers(sps.ata('A3')),
    ]);
    assert.deepEqual(callerFinals, [407, 200], 'sipd recursed on the 302 itself');
    assert.deepEqual(identities(toA2), nobody(), 'R1 removed the forged Diversion, R4 PAI and RPID');
    assertNotNamed(toA2, ['5001']);
    assert.deepEqual(identities(toA3), nobody('<sip:Anonymous@Anonymous>;privacy=full'));
    assertNotNamed(toA3, ['5001', '5002']);
  });

  test('CL-2: A1 calls A2, Call Forward Busy to A3; the user-busy Diversion reaches A3 anonymised', async () => {
    await sps.forwardBusy('5002', 'sip:5003@sps.example');
    const { invites: [, toA3], callerFinals } = await callWithCaller(sps, a1Anonymous(), '5002', [busy(sps.ata('A2')), answers(sps.ata('A3'))]);
    assert.deepEqual(callerFinals, [407, 200], 'the 486 never reaches A1');
    assert.deepEqual(identities(toA3), nobody('<sip:Anonymous@Anonymous>;reason=user-busy;counter=1;privacy=full'));
    assertNotNamed(toA3, ['5001', '5002']);
  });

  test('CL-3: A1 calls A2, A2 redirects (302) to P1; the PGW gets PAI, RPID and Diversion with the true identities', async () => {
    const [, toPgw] = await call(sps, a1Anonymous(), '5002', [
      redirects(sps.ata('A2'), `sip:${P1}@sps.example`, '<sip:5002@sps.example>;privacy=full'),
      answers('PGW'),
    ]);
    assert.match(toPgw.startLine, new RegExp(`^INVITE sip:${P1}@${PGW_IP.replace(/\./g, '\\.')}:${sps.pgwPort}[ ;]`));
    assert.deepEqual(identities(toPgw), a1AtGateway('<sip:5002@sps.example>;privacy=full'));
  });

  test('CL-4: A1 calls A2, Call Forward Busy to P1; the PGW gets the true identities and the user-busy Diversion', async () => {
    await sps.forwardBusy('5002', `sip:${P1}@sps.example`);
    const [, toPgw] = await call(sps, a1Anonymous(), '5002', [busy(sps.ata('A2')), answers('PGW')]);
    assert.deepEqual(identities(toPgw), a1AtGateway('<sip:5002@sps.example>;reason=user-busy;counter=1;privacy=full'));
  });

  test('CL-5: P1 calls A1, A1 redirects (302) to A2; neither ATA sees P1, A2 does not see 5001', async () => {
    const [toA1, toA2] = await call(sps, p1Anonymous(), '5001', [
      redirects(sps.ata('A1'), 'sip:5002@sps.example', '<sip:5001@sps.example>;privacy=full'),
      answers(sps.ata('A2')),
    ]);
    assert.deepEqual(identities(toA1), nobody());
    assertNotNamed(toA1, [P1]);
    assert.deepEqual(identities(toA2), nobody('<sip:Anonymous@Anonymous>;privacy=full'));
    assertNotNamed(toA2, [P1, '5001']);
  });

  test('CL-6: P1 calls A1, Call Forward Busy to A2; A2 gets the anonymised Diversion and no identity', async () => {
    await sps.forwardBusy('5001', 'sip:5002@sps.example');
    const [toA1, toA2] = await call(sps, p1Anonymous(), '5001', [busy(sps.ata('A1')), answers(sps.ata('A2'))]);
    assertNotNamed(toA1, [P1]);
    assert.deepEqual(identities(toA2), nobody('<sip:Anonymous@Anonymous>;reason=user-busy;counter=1;privacy=full'));
    assertNotNamed(toA2, [P1, '5001']);
  });

  test('CL-7: P1 calls A1, A1 redirects (302) to P2; the PGW gets P1\'s identities and Diversion 5001 as they are', async () => {
    const [, toPgw] = await call(sps, p1Anonymous(), '5001', [
      redirects(sps.ata('A1'), `sip:${P2}@sps.example`, '<sip:5001@sps.example>;privacy=full'),
      answers('PGW'),
    ]);
    assert.match(toPgw.startLine, new RegExp(`^INVITE sip:${P2}@`));
    assert.deepEqual(identities(toPgw), p1AtGateway('<sip:5001@sps.example>;privacy=full'));
  });

  test('CL-8: P1 calls A1, Call Forward Busy to P2; the PGW gets P1\'s identities and the true user-busy Diversion', async () => {
    await sps.forwardBusy('5001', `sip:${P2}@sps.example`);
    const [, toPgw] = await call(sps, p1Anonymous(), '5001', [busy(sps.ata('A1')), answers('PGW')]);
    assert.match(toPgw.startLine, new RegExp(`^INVITE sip:${P2}@`));
    assert.deepEqual(identities(toPgw), p1AtGateway('<sip:5001@sps.example>;reason=user-busy;counter=1;privacy=full'));
  });

  test('CL-R2: a caller who asks no privacy has the sipd-asserted PAI and RPID delivered to the untrusted A2', async () => {
    const [toA2] = await call(sps, { ata: sps.ata('A1'), from: '"Alice" <sip:5001@sps.example>' }, '5002', [answers(sps.ata('A2'))]);
    assert.deepEqual(identities(toA2), {
      'P-Asserted-Identity': ['<sip:5001@sps.example>'], 'Remote-Party-ID': ['<sip:5001@sps.example>'], Privacy: [], Diversion: [],
      From: ['"Alice" <sip:5001@sps.example>'],
    });
  });

  test('CL-R3: the From display name "anonymous" in lower case counts as Anonymous', async () => {
    const lower = '"anonymous" <sip:anonymous@sps.example>';
    const [toPgw] = await call(sps, { ata: sps.ata('A1'), from: lower }, P1, [answers('PGW')]);
    assert.deepEqual(headerValues(toPgw, 'privacy'), ['id'], 'R3 added Privacy: id');
    assert.deepEqual(headerValues(toPgw, 'remote-party-id'), ['<sip:5001@sps.example>;privacy=full'], 'R3 marked the RPID privacy=full');
    const [toA2] = await call(sps, { ata: sps.ata('A1'), from: lower }, '5002', [answers(sps.ata('A2'))]);
    assert.deepEqual(headerValues(toA2, 'p-asserted-identity'), []);
    assert.deepEqual(headerValues(toA2, 'remote-party-id'), []);
  });

  test('CL-R4: a PAI forged by an untrusted ATA is replaced by the identity the ATA authenticated as', async () => {
    const [toPgw] = await call(sps, { ata: sps.ata('A1'), from: '"Alice" <sip:5001@sps.example>' }, P1, [answers('PGW')]);
    assert.deepEqual(identities(toPgw), {
      'P-Asserted-Identity': ['<sip:5001@sps.example>'], 'Remote-Party-ID': ['<sip:5001@sps.example>'], Privacy: [], Diversion: [],
      From: ['"Alice" <sip:5001@sps.example>'],
    }, 'the trusted PGW sees exactly what sipd holds: the forged PAI, RPID and Diversion are gone');
  });

  test('CL-R5: a 302 from an untrusted ATA with a forged topmost Diversion has it rewritten to the upstream Request-URI', async () => {
    const [, toPgw] = await call(sps, a1Anonymous(), '5002', [
      redirects(sps.ata('A2'), `sip:${P1}@sps.example`, '<sip:4085550000@evil.example>;reason=unconditional;counter=1'),
      answers('PGW'),
    ]);
    assert.deepEqual(headerValues(toPgw, 'diversion'), ['<sip:5002@sps.example>;reason=unconditional;counter=1']);
  });
});

describe('CL-R1: with every privacy directive Off, PAI, RPID and Diversion pass untouched', { skip }, () => {
  let sps: Sps;
  before(async () => {
    sps = await Sps.start('Off');
  });
  after(async () => {
    await killStrays();
    await sps?.dispose();
  });

  const forgedAsSent = (diversion: string[]) => ({
    'P-Asserted-Identity': [FORGED.pai], 'Remote-Party-ID': [FORGED.rpid], Privacy: [], Diversion: diversion, From: [ANONYMOUS_FROM],
  });

  test('CL-R1 (CL-1 Off): A2 gets A1\'s headers as sent, A3 the 302\'s Diversion with 5002 in it', async () => {
    const [toA2, toA3] = await call(sps, { ata: sps.ata('A1'), from: ANONYMOUS_FROM }, '5002', [
      redirects(sps.ata('A2'), 'sip:5003@sps.example', '<sip:5002@sps.example>;privacy=full'),
      answers(sps.ata('A3')),
    ]);
    assert.deepEqual(identities(toA2), forgedAsSent([FORGED.diversion]));
    // Recursion sends the 3xx's Diversions on in place of the request's (RFC 5806); none is anonymised.
    assert.deepEqual(identities(toA3), forgedAsSent(['<sip:5002@sps.example>;privacy=full']));
  });

  test('CL-R1 (CL-2 Off): A3 gets the true user-busy Diversion above A1\'s own, and A1\'s PAI and RPID', async () => {
    await sps.forwardBusy('5002', 'sip:5003@sps.example');
    const [, toA3] = await call(sps, { ata: sps.ata('A1'), from: ANONYMOUS_FROM }, '5002', [busy(sps.ata('A2')), answers(sps.ata('A3'))]);
    assert.deepEqual(identities(toA3), forgedAsSent(['<sip:5002@sps.example>;reason=user-busy;counter=1;privacy=full', FORGED.diversion]));
  });

  test('CL-R1 (CL-5 Off): the gateway\'s identities reach A1 untouched', async () => {
    const [toA1] = await call(sps, { pgw: P1_IDENTITY, from: ANONYMOUS_FROM }, '5001', [answers(sps.ata('A1'))]);
    assert.deepEqual(identities(toA1), {
      'P-Asserted-Identity': [P1_IDENTITY.pai], 'Remote-Party-ID': [P1_IDENTITY.rpid], Privacy: ['id'], Diversion: [], From: [ANONYMOUS_FROM],
    });
  });
});
