// Real softphones (baresip) registering and calling each other through sipd over UDP, TCP and TLS.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  BARESIP_AVAILABLE, Baresip, DOMAIN, HOST, Sipd, createTestPki, freePort, headerValues, killStrays, methodOf,
  type AccountOptions, type BaresipOptions, type Directives, type SipTransport, type TestPki,
} from './harness';

const skip = !BARESIP_AVAILABLE && 'baresip not installed';
const TEST_TIMEOUT_MS = 120_000;
const LOG_WAIT_MS = 15_000;

/** Access log lines sipd writes in these tests: transport:host:port, method, final status, Call-ID. */
const ACCESS_LOG = { CustomLog: 'logs/access_log "%a %m %>s %{Call-ID}i"' };

interface AccessEntry {
  transport: string;
  method: string;
  status: number;
  callId: string;
}

function accessEntries(sipd: Sipd): AccessEntry[] {
  let text = '';
  try {
    text = readFileSync(join(sipd.root, 'logs', 'access_log'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => {
    const [source, method, status, callId] = line.split(' ');
    return { transport: source.split(':')[0], method, status: Number(status), callId };
  });
}

/** The access log is written as sipd answers; wait for the line instead of racing the write. */
async function accessEntry(sipd: Sipd, method: string, callId: string, status?: number): Promise<AccessEntry> {
  const deadline = Date.now() + LOG_WAIT_MS;
  for (;;) {
    const found = accessEntries(sipd).find((e) => e.method === method && e.callId === callId && (status === undefined || e.status === status));
    if (found) return found;
    if (Date.now() > deadline) {
      assert.fail(`no ${method} for Call-ID ${callId} in the access log:\n${JSON.stringify(accessEntries(sipd), null, 1)}\n${sipd.diagnostics()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Phones started by a describe block, all quit in its after() hook. */
class Phones {
  private readonly started: Baresip[] = [];

  async launch(name: string, opts: BaresipOptions = {}): Promise<Baresip> {
    const phone = await Baresip.launch({ name, sipTrace: true, ...opts });
    this.started.push(phone);
    return phone;
  }

  async registered(account: AccountOptions, opts: BaresipOptions = {}): Promise<Baresip> {
    const phone = await this.launch(account.user, opts);
    const reg = await phone.register(account);
    assert.equal(reg.status, 200, `${account.user} registers over ${account.transport ?? 'udp'}: ${reg.reason}\n${phone.diagnostics()}`);
    return phone;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.started.map((p) => p.dispose()));
  }
}

/** The REGISTERs sipd answered for a phone's registration, as its access log shows them. */
function registerEntries(sipd: Sipd, phone: Baresip): AccessEntry[] {
  const callIds = registerCallIds(phone);
  return accessEntries(sipd).filter((e) => e.method === 'REGISTER' && callIds.has(e.callId));
}

function registerCallIds(phone: Baresip): Set<string> {
  return new Set(phone.sipTrace().filter((m) => methodOf(m) === 'REGISTER').flatMap((m) => headerValues(m, 'call-id')));
}

/** registerEntries of a phone that registered, once the access log holds its 200 (written just after it was sent). */
async function registeredEntries(sipd: Sipd, phone: Baresip): Promise<AccessEntry[]> {
  for (const callId of registerCallIds(phone)) await accessEntry(sipd, 'REGISTER', callId, 200);
  return registerEntries(sipd, phone);
}

/**
 * Caller dials the callee's AOR, both ends report the call established, the caller hangs up and both
 * report it closed; sipd must have answered the INVITE and, being on the route, the BYE.
 */
async function callAndHangUp(sipd: Sipd, caller: Baresip, callee: Baresip, calleeUser: string): Promise<{ callId: string }> {
  const callerMark = caller.mark();
  const calleeMark = callee.mark();
  await caller.dial(`sip:${calleeUser}@${DOMAIN}`);
  const established = await caller.waitForCall('CALL_ESTABLISHED', { since: callerMark });
  const callId = established.id ?? assert.fail('CALL_ESTABLISHED without a call id');
  await callee.waitForCall('CALL_ESTABLISHED', { id: callId, since: calleeMark });

  await caller.hangup();
  await caller.waitForCallEnd({ id: callId, since: callerMark });
  const calleeEnd = await callee.waitForCallEnd({ id: callId, since: calleeMark });
  // baresip reports a BYE from the other end as ECONNRESET's text.
  assert.equal(calleeEnd.reason, 'Connection reset by peer', `the callee's call ended by the caller's BYE\n${callee.diagnostics()}`);
  await accessEntry(sipd, 'INVITE', callId, 200); // sipd relayed the 200 to the INVITE
  assert.equal((await accessEntry(sipd, 'BYE', callId)).status, 200, 'the BYE crossed sipd (Record-Route)');
  return { callId };
}

/** The requests of a call the callee received from sipd's address, with their Record-Route/Via checks. */
function assertCalleeReachedThroughSipd(callee: Baresip, callId: string, sipdAddress: string, transport: SipTransport): void {
  const fromSipd = callee.sipTrace().filter((m) => m.direction === 'received' && headerValues(m, 'call-id').includes(callId));
  const invite = fromSipd.find((m) => methodOf(m) === 'INVITE');
  assert.ok(invite, `the callee got the INVITE from sipd:\n${callee.diagnostics()}`);
  assert.equal(invite.transport, transport, `INVITE delivered over ${transport}`);
  assert.ok(headerValues(invite, 'record-route').some((rr) => rr.includes(`${sipdAddress};lr`)), `sipd record-routed the call:\n${invite.text}`);
  const bye = fromSipd.find((m) => methodOf(m) === 'BYE');
  assert.ok(bye, `the callee got the BYE from sipd:\n${callee.diagnostics()}`);
  assert.equal(bye.transport, transport, `BYE delivered over ${transport}`);
}

for (const transport of ['udp', 'tcp'] as const) {
  describe(`softphones over ${transport.toUpperCase()}`, { skip, timeout: TEST_TIMEOUT_MS * 2 }, () => {
    let sipd: Sipd;
    const phones = new Phones();
    before(async () => {
      sipd = await Sipd.launch({ AddRecordRoute: 'On', ...ACCESS_LOG });
    });
    after(async () => {
      await phones.dispose();
      await killStrays();
      await sipd?.dispose();
    });

    test(`two phones register over ${transport}, one calls the other through sipd, the call is set up and hung up`, { timeout: TEST_TIMEOUT_MS }, async () => {
      const alice = await phones.registered({ user: 'alice', proxy: sipd.address, transport });
      const bob = await phones.registered({ user: 'bob', proxy: sipd.address, transport, autoAnswer: true });
      for (const phone of [alice, bob]) {
        const entries = await registeredEntries(sipd, phone);
        assert.ok(entries.length > 0 && entries.every((e) => e.status === 200 && e.transport === transport),
          `sipd answered ${phone.name}'s REGISTER with 200 over ${transport}: ${JSON.stringify(entries)}`);
      }

      const { callId } = await callAndHangUp(sipd, alice, bob, 'bob');
      assertCalleeReachedThroughSipd(bob, callId, sipd.address, transport);
      for (const method of ['INVITE', 'BYE']) {
        assert.equal((await accessEntry(sipd, method, callId)).transport, transport, `${method} reached sipd over ${transport}`);
      }
    });
  });
}

/** sipd with its TLS listener on a free port and the test PKI's server certificate. */
async function launchTlsSipd(pki: TestPki, extra: Directives = {}): Promise<{ sipd: Sipd; tlsAddress: string }> {
  const tlsPort = await freePort();
  const sipd = await Sipd.launch({
    AddRecordRoute: 'On', ...ACCESS_LOG,
    SipTlsEnable: 'On', SipTlsPort: tlsPort,
    SipTlsCertificateFile: pki.server.cert, SipTlsCertificateKeyFile: pki.server.key, SipTlsCACertificateFile: pki.caFile,
    ...extra,
  });
  return { sipd, tlsAddress: `${HOST}:${tlsPort}` };
}

describe('softphones over TLS', { skip, timeout: TEST_TIMEOUT_MS * 2 }, () => {
  let sipd: Sipd;
  let pki: TestPki;
  let tlsAddress: string;
  const phones = new Phones();
  before(async () => {
    pki = createTestPki();
    ({ sipd, tlsAddress } = await launchTlsSipd(pki));
  });
  after(async () => {
    await phones.dispose();
    await killStrays();
    await sipd?.dispose();
    pki?.dispose();
  });

  test('a phone trusting the test CA registers over TLS', { timeout: TEST_TIMEOUT_MS }, async () => {
    const carol = await phones.registered({ user: 'carol', proxy: tlsAddress, transport: 'tls' }, { caFile: pki.caFile });
    const entries = await registeredEntries(sipd, carol);
    assert.ok(entries.length > 0 && entries.every((e) => e.status === 200 && e.transport === 'tls'),
      `sipd answered the REGISTER with 200 on its TLS listener: ${JSON.stringify(entries)}`);
    assert.ok(carol.sipTrace().every((m) => m.transport === 'tls'), 'every SIP message of the phone went over TLS');
  });

  test('a TCP caller reaches a callee registered over TLS: INVITE and BYE go down its TLS connection', { timeout: TEST_TIMEOUT_MS }, async () => {
    const dave = await phones.registered({ user: 'dave', proxy: sipd.address, transport: 'tcp' });
    const erin = await phones.registered({ user: 'erin', proxy: tlsAddress, transport: 'tls', autoAnswer: true }, { caFile: pki.caFile });
    const { callId } = await callAndHangUp(sipd, dave, erin, 'erin');
    assertCalleeReachedThroughSipd(erin, callId, tlsAddress, 'tls');
    assert.equal((await accessEntry(sipd, 'BYE', callId)).transport, 'tcp', 'the caller sent its BYE over TCP');
  });

  test('two phones registered over TLS call each other: a sip: request over TLS is record-routed with sip:…;transport=tls', { timeout: TEST_TIMEOUT_MS }, async () => {
    const frank = await phones.registered({ user: 'frank', proxy: tlsAddress, transport: 'tls' }, { caFile: pki.caFile });
    const grace = await phones.registered({ user: 'grace', proxy: tlsAddress, transport: 'tls', autoAnswer: true }, { caFile: pki.caFile });
    const { callId } = await callAndHangUp(sipd, frank, grace, 'grace');
    assertCalleeReachedThroughSipd(grace, callId, tlsAddress, 'tls');
    assert.equal((await accessEntry(sipd, 'BYE', callId)).transport, 'tls', 'the caller sent its BYE over TLS');
  });
});

describe('softphones over mutual TLS', { skip, timeout: TEST_TIMEOUT_MS * 3 }, () => {
  let sipd: Sipd;
  let pki: TestPki;
  let tlsAddress: string;
  const phones = new Phones();
  before(async () => {
    pki = createTestPki();
    ({ sipd, tlsAddress } = await launchTlsSipd(pki, { SipTlsMutualAuthentication: 'On' }));
  });
  after(async () => {
    await phones.dispose();
    await killStrays();
    await sipd?.dispose();
    pki?.dispose();
  });

  test('phones presenting client certificates from the trusted CA register and call', { timeout: TEST_TIMEOUT_MS }, async () => {
    const withCert = (user: string): BaresipOptions => ({ caFile: pki.caFile, certificate: pki.client(user).combined });
    const frank = await phones.registered({ user: 'frank', proxy: tlsAddress, transport: 'tls' }, withCert('frank'));
    const grace = await phones.registered({ user: 'grace', proxy: tlsAddress, transport: 'tls', autoAnswer: true }, withCert('grace'));
    const { callId } = await callAndHangUp(sipd, frank, grace, 'grace');
    assertCalleeReachedThroughSipd(grace, callId, tlsAddress, 'tls');
  });

  test('a phone without a client certificate is not registered', { timeout: TEST_TIMEOUT_MS }, async () => {
    const mallory = await phones.launch('mallory', { caFile: pki.caFile });
    const reg = await mallory.register({ user: 'mallory', proxy: tlsAddress, transport: 'tls' });
    assert.equal(reg.ok, false, `registration refused: ${reg.reason}\n${mallory.diagnostics()}`);
    assert.deepEqual(registerEntries(sipd, mallory).filter((e) => e.status === 200), [], 'sipd answered no REGISTER with 200');
  });
});

describe('softphones with digest authentication', { skip, timeout: TEST_TIMEOUT_MS * 2 }, () => {
  let sipd: Sipd;
  const phones = new Phones();
  before(async () => {
    sipd = await Sipd.launch({ AddRecordRoute: 'On', Authentication: 'On', ...ACCESS_LOG });
    for (const [user, password] of [['heidi', 'heidi-pw'], ['ivan', 'ivan-pw']]) {
      const r = await sipd.command('subscriber', 'add', user, '--password', password);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await phones.dispose();
    await killStrays();
    await sipd?.dispose();
  });

  test('phones answer the 401 and 407 challenges with their passwords, register and call', { timeout: TEST_TIMEOUT_MS }, async () => {
    const heidi = await phones.registered({ user: 'heidi', proxy: sipd.address, transport: 'udp', authUser: 'heidi', authPass: 'heidi-pw' });
    const ivan = await phones.registered({ user: 'ivan', proxy: sipd.address, transport: 'udp', autoAnswer: true, authUser: 'ivan', authPass: 'ivan-pw' });
    const statuses = (await registeredEntries(sipd, heidi)).map((e) => e.status);
    assert.ok(statuses.includes(401) && statuses.at(-1) === 200, `challenged, then registered: ${statuses.join(',')}`);
    const { callId } = await callAndHangUp(sipd, heidi, ivan, 'ivan');
    assertCalleeReachedThroughSipd(ivan, callId, sipd.address, 'udp');
    const invites = accessEntries(sipd).filter((e) => e.method === 'INVITE' && e.callId === callId).map((e) => e.status);
    assert.deepEqual(invites, [407, 200], 'the INVITE was challenged once, then connected');
  });

  test('a phone with a wrong password is not registered', { timeout: TEST_TIMEOUT_MS }, async () => {
    const judy = await phones.launch('judy');
    const reg = await judy.register({ user: 'heidi', proxy: sipd.address, transport: 'udp', authUser: 'heidi', authPass: 'wrong' });
    assert.equal(reg.ok, false, reg.reason);
    assert.deepEqual(registerEntries(sipd, judy).filter((e) => e.status === 200), []);
  });
});
