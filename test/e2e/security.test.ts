// Digest authentication, access control and abuse resistance of the real sipd, with SIPp phones and a scripted
// UDP user agent (SPEC AUTH-*, ACL-*; issue 3 "How it is shown").
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOMAIN, HOST, Sipd, UdpUa, digestAuthorization, explain, killStrays, type UaResponse } from './harness';
import { SIPP_AVAILABLE, answer, dial, newPeer, register } from './peers';
import { receivedRequests } from './harness';

const tmp = mkdtempSync(join(tmpdir(), 'sipd-sec-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** SIPp injection file carrying the credentials (SIPp cannot put [fieldN] inside [authentication]). */
function credentials(user: string, password: string): string {
  const file = join(tmp, `${user}-${password}.csv`);
  writeFileSync(file, `SEQUENTIAL\n[authentication username=${user} password=${password}];\n`);
  return file;
}

async function provision(sipd: Sipd, user: string, password: string): Promise<void> {
  const r = await sipd.command('subscriber', 'add', user, '--password', password);
  assert.equal(r.code, 0, r.stderr);
}

let calls = 0;

/** A REGISTER for `user` from `ua`, optionally with an Authorization header. */
function registerFrom(ua: UdpUa, sipd: Sipd, user: string, o: { callId?: string; cseq?: number; authorization?: string; userAgent?: string } = {}): Promise<UaResponse | null> {
  const headers = [`Contact: <sip:${user}@${ua.host}:${ua.port}>`, 'Expires: 600'];
  if (o.authorization) headers.push(`Authorization: ${o.authorization}`);
  if (o.userAgent) headers.push(`User-Agent: ${o.userAgent}`);
  return ua.send({ host: HOST, port: sipd.port }, {
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
    from: `<sip:${user}@${DOMAIN}>;tag=t${++calls}`,
    to: `<sip:${user}@${DOMAIN}>`,
    callId: o.callId ?? `sec-${calls}@${ua.host}`,
    cseq: o.cseq ?? 1,
    headers,
  });
}

describe('digest authentication', { skip: !SIPP_AVAILABLE && 'sipp not installed' }, () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({ Authentication: 'On', AddRecordRoute: 'On', AuthFailureLimit: 3, AuthLockoutTime: 600 });
    await provision(sipd, 'alice', 'alice-secret');
    await provision(sipd, 'bob', 'bob-secret');
  });
  after(async () => {
    await killStrays();
    await sipd?.dispose();
  });

  for (const transport of ['u1', 't1'] as const) {
    test(`REGISTER is challenged with 401 and accepted with the right password (${transport === 'u1' ? 'UDP' : 'TCP'})`, async () => {
      const peer = await newPeer('alice');
      const res = await register(sipd, peer, { transport, scenario: 'register-auth.xml', inf: credentials('alice', 'alice-secret') });
      assert.equal(res.code, 0, explain(res) + sipd.diagnostics());
      assert.match(res.messages, /WWW-Authenticate: Digest realm="bench\.local"/);
    });
  }

  test('a wrong password is challenged again, never registered', async () => {
    const peer = await newPeer('bob');
    const res = await register(sipd, peer, { scenario: 'register-auth-refused.xml', inf: credentials('bob', 'wrong') });
    assert.equal(res.code, 0, explain(res) + sipd.diagnostics());
  });

  test('an INVITE is challenged with 407, then reaches the callee without the Proxy-Authorization', async () => {
    const bob = await newPeer('bob');
    const reg = await register(sipd, bob, { scenario: 'register-auth.xml', inf: credentials('bob', 'bob-secret') });
    assert.equal(reg.code, 0, explain(reg));
    const callee = answer(bob, 'uas-answer-rr.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'bob', 'uac-call-auth.xml', { inf: credentials('alice', 'alice-secret') });
    const answered = await callee.done;
    assert.equal(caller.code, 0, explain(caller) + sipd.diagnostics());
    assert.equal(answered.code, 0, explain(answered));
    assert.match(caller.messages, /Proxy-Authenticate: Digest/);
    const invite = receivedRequests(answered.messages, 'INVITE')[0];
    assert.ok(invite, 'the callee got the INVITE');
    assert.doesNotMatch(invite.text, /Proxy-Authorization/i, 'AuthConsumeProxyAuth removed the credentials');
  });

  test('a replayed Authorization (same nonce and nc) is refused', async () => {
    const ua = await UdpUa.open();
    try {
      const challenge = await registerFrom(ua, sipd, 'alice', { callId: 'replay@test', cseq: 1 });
      assert.equal(challenge?.status, 401);
      const authorization = digestAuthorization(challenge!.header('www-authenticate')!, { user: 'alice', password: 'alice-secret', method: 'REGISTER', uri: `sip:${DOMAIN}` });
      const first = await registerFrom(ua, sipd, 'alice', { callId: 'replay@test', cseq: 2, authorization });
      assert.equal(first?.status, 200, first?.text);
      const replay = await registerFrom(ua, sipd, 'alice', { callId: 'replay@test', cseq: 3, authorization });
      assert.equal(replay?.status, 401, `the replay must be challenged, got ${replay?.text}`);
    } finally {
      ua.close();
    }
  });

  test('wrong passwords lock the user and the source out with 403', async () => {
    const ua = await UdpUa.open('127.0.0.8');
    const elsewhere = await UdpUa.open('127.0.0.9');
    try {
      await provision(sipd, 'carol', 'carol-secret');
      const attempt = async (from: UdpUa, password: string): Promise<UaResponse | null> => {
        const challenge = await registerFrom(from, sipd, 'carol');
        if (challenge?.status !== 401) return challenge;
        const authorization = digestAuthorization(challenge.header('www-authenticate')!, { user: 'carol', password, method: 'REGISTER', uri: `sip:${DOMAIN}` });
        return registerFrom(from, sipd, 'carol', { authorization });
      };
      const statuses: (number | undefined)[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await attempt(ua, 'guess'))?.status);
      assert.deepEqual(statuses, [401, 401, 403], 'the third failure locks out');
      const fromSameSource = await registerFrom(ua, sipd, 'carol');
      assert.equal(fromSameSource?.status, 403, 'the source is locked out');
      const right = await attempt(elsewhere, 'carol-secret');
      assert.equal(right?.status, 403, 'the user is locked out: even the right password from another source is refused');
      assert.match(right!.reason, /too many failed authentications/);
    } finally {
      ua.close();
      elsewhere.close();
    }
  });
});

describe('access control and abuse resistance', () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({
      Authentication: 'On',
      Order: 'Allow,Deny',
      Allow: ['from 127.0.0.1', 'from 127.0.0.2'],
      Deny: 'from 127.0.0.3',
      Satisfy: 'Any',
      RateLimitRequests: 40,
      RateLimitWindow: 2,
      RateLimitBanTime: 600,
      RejectUserAgent: 'friendly-scanner',
    });
    await provision(sipd, 'dave', 'dave-secret');
  });
  after(async () => {
    await sipd?.dispose();
  });

  test('Satisfy Any: a source matching Allow from is served without a challenge', async () => {
    const ua = await UdpUa.open('127.0.0.2');
    try {
      assert.equal((await registerFrom(ua, sipd, 'dave'))?.status, 200);
    } finally {
      ua.close();
    }
  });

  test('Satisfy Any: a source that matches no Allow must authenticate', async () => {
    const ua = await UdpUa.open('127.0.0.4');
    try {
      const res = await registerFrom(ua, sipd, 'dave');
      assert.equal(res?.status, 401, 'Satisfy Any: a source the ACL does not allow may still authenticate');
      const authorization = digestAuthorization(res!.header('www-authenticate')!, { user: 'dave', password: 'dave-secret', method: 'REGISTER', uri: `sip:${DOMAIN}` });
      assert.equal((await registerFrom(ua, sipd, 'dave', { authorization }))?.status, 200);
    } finally {
      ua.close();
    }
  });

  test('a scanner User-Agent gets no answer at all', async () => {
    const ua = await UdpUa.open('127.0.0.5');
    try {
      assert.equal(await registerFrom(ua, sipd, 'dave', { userAgent: 'friendly-scanner 1.0' }), null);
      assert.equal((await registerFrom(ua, sipd, 'dave'))?.status, 401, 'the same source without the scanner name is answered');
    } finally {
      ua.close();
    }
  });

  test('a flood from one source is banned while a second source is still served', async () => {
    const flooder = await UdpUa.open('127.0.0.6');
    const other = await UdpUa.open('127.0.0.7');
    try {
      const answers = await Promise.all(Array.from({ length: 120 }, () => registerFrom(flooder, sipd, 'dave', {})));
      const answered = answers.filter((r) => r !== null).length;
      assert.ok(answered < 120, `the flood was cut off (${answered} of 120 answered)`);
      assert.equal(await registerFrom(flooder, sipd, 'dave'), null, 'the flooder stays banned');
      assert.equal((await registerFrom(other, sipd, 'dave'))?.status, 401, 'another source is still answered');
      await waitForLog(sipd, /127\.0\.0\.6/);
    } finally {
      flooder.close();
      other.close();
    }
  });
});

describe('access control with Satisfy All', () => {
  let sipd: Sipd;
  before(async () => {
    sipd = await Sipd.launch({ Authentication: 'On', Order: 'Deny,Allow', Deny: 'from 127.0.0.3', Satisfy: 'All' });
    await provision(sipd, 'erin', 'erin-secret');
  });
  after(async () => {
    await sipd?.dispose();
  });

  test('a denied source gets 403 before any challenge; others must still authenticate', async () => {
    const denied = await UdpUa.open('127.0.0.3');
    const allowed = await UdpUa.open('127.0.0.1');
    try {
      const refused = await registerFrom(denied, sipd, 'erin');
      assert.equal(refused?.status, 403);
      assert.match(refused!.reason, /access denied/);
      assert.equal((await registerFrom(allowed, sipd, 'erin'))?.status, 401);
    } finally {
      denied.close();
      allowed.close();
    }
  });
});

async function waitForLog(sipd: Sipd, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (pattern.test(sipd.diagnostics())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the error log never showed ${pattern}:\n${sipd.diagnostics()}`);
}
