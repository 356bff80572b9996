// The authentication policy, request by request: the client side (hashes) is computed here with node:crypto alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SipMessage, parseMessage } from '../sip';
import type { PolicyRequest, PolicyVerdict } from '../policy/types';
import type { Device, DeviceDirectory, Subscriber, SubscriberDirectory } from '../subscribers/types';
import { AuthSettings, createAuthPolicy } from './auth-policy';

const T0 = 1_700_000_000_000;
const REALM = 'sipd.test';
const hashOf = (alg: string, s: string | Buffer) => createHash(/sha-256/i.test(alg) ? 'sha256' : 'md5').update(s).digest('hex');

function subscriber(user: string, credentials: Subscriber['credentials'], domain = ''): Subscriber {
  return { user, domain, credentials, redirectPrivacy: false };
}

const SUBSCRIBERS: Subscriber[] = [
  subscriber('alice', { kind: 'password', password: 'alice-pw' }),
  subscriber('bob', { kind: 'ha1', realm: REALM, md5: hashOf('MD5', `bob:${REALM}:bob-pw`), sha256: hashOf('SHA-256', `bob:${REALM}:bob-pw`) }),
  subscriber('dave', { kind: 'password', password: 'dave-pw' }),
  subscriber('erin', { kind: 'password', password: 'erin-pw' }),
  subscriber('+14085551000', { kind: 'password', password: 'num-pw' }, 'a.example'),
];

function device(name: string, digestUser: string, digestMode: Device['digestMode']): Device {
  return {
    name, type: 'basic', digestUser, lines: [{ number: '1000', maxCalls: 2, busyTrigger: 2 }], trusted: false,
    securityProfile: 'non-secure', digestMode,
  };
}

const DEVICES: DeviceDirectory = {
  byDigestUser: (user) => (user === 'dave' ? device('SEP-dave', 'dave', 'identify') : user === 'erin' ? device('SEP-erin', 'erin', 'verify') : undefined),
  byLine: () => undefined,
};

function setup(over: Partial<AuthSettings> = {}, opts: { async?: boolean } = {}) {
  let now = T0;
  const logs: string[] = [];
  const find = (user: string, domain: string) =>
    SUBSCRIBERS.find((s) => s.user === user && s.domain === domain) ?? SUBSCRIBERS.find((s) => s.user === user && s.domain === '');
  const directory: SubscriberDirectory = { find: opts.async ? (u, d) => Promise.resolve(find(u, d)) : find };
  const settings: AuthSettings = {
    realm: REALM, scheme: 'Digest', qop: 'auth', algorithm: 'MD5', offerSha256: true, nonceLifetimeSec: 30,
    nonceSecret: 'test-secret', consumeProxyAuth: true, allow3rdPartyRegistration: false, allow3rdPartyInvite: true,
    satisfyAny: false, keyDomain: () => '', failureLimit: 3, failureWindowSec: 60, lockoutSec: 300,
    log: (m) => logs.push(m), ...over,
  };
  const policy = createAuthPolicy(settings, directory, DEVICES, () => now);
  const run = async (req: SipMessage, o: { source?: string; trusted?: boolean } = {}) => {
    const ctx: PolicyRequest = { req, source: { transport: 'udp', host: o.source ?? '192.0.2.10', port: 5060 }, trustedSource: o.trusted };
    const verdict = await policy(ctx);
    return { verdict, ctx };
  };
  return { run, logs, advance: (sec: number) => (now += sec * 1000) };
}

interface RequestOptions {
  method?: string;
  from?: string;
  to?: string;
  toTag?: string;
  fromHost?: string;
  headers?: string[];
  body?: string;
}

const URI = 'sip:sipd.test';

function request(o: RequestOptions = {}): SipMessage {
  const method = o.method ?? 'REGISTER';
  const from = o.from ?? 'alice';
  const to = method === 'REGISTER' ? o.to ?? from : o.to ?? 'carol';
  const body = o.body ?? '';
  const lines = [
    `${method} ${URI} SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-auth',
    'Max-Forwards: 70',
    `From: <sip:${from}@${o.fromHost ?? 'sipd.test'}>;tag=f1`,
    `To: <sip:${to}@sipd.test>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    'Call-ID: auth-call-1',
    `CSeq: 1 ${method}`,
    ...(o.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  return parseMessage(Buffer.from(lines.join('\r\n')));
}

interface Answer {
  user: string;
  password: string;
  method?: string;
  algorithm?: string;
  qop?: string | null;
  nc?: string;
  realm?: string;
  body?: string;
  /** Spelling of the response, e.g. to send a wrong one. */
  response?: string;
}

/** What a phone sends back for a challenge (RFC 2617 §3.2.2, RFC 7616 §3.4.1), hashed here independently. */
function answer(challenge: string, a: Answer): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1];
  const algorithm = a.algorithm ?? /algorithm=([^,\s]+)/.exec(challenge)![1];
  const realm = a.realm ?? REALM;
  const qop = a.qop === undefined ? 'auth' : a.qop;
  const method = a.method ?? 'REGISTER';
  const nc = a.nc ?? '00000001';
  const cnonce = 'c0ffee';
  const h = (s: string | Buffer) => hashOf(algorithm, s);
  let ha1 = h(`${a.user}:${realm}:${a.password}`);
  if (/-sess$/i.test(algorithm)) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = h(qop === 'auth-int' ? `${method}:${URI}:${h(Buffer.from(a.body ?? ''))}` : `${method}:${URI}`);
  const response = a.response ?? (qop === null ? h(`${ha1}:${nonce}:${ha2}`) : h(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`));
  const qopPart = qop === null ? '' : `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
  return `Digest username="${a.user}", realm="${realm}", nonce="${nonce}", uri="${URI}", response="${response}", algorithm=${algorithm}${qopPart}`;
}

function statusOf(v: PolicyVerdict): number | undefined {
  return typeof v === 'object' ? v.status : undefined;
}

function challenges(v: PolicyVerdict, name: string): string[] {
  assert.ok(typeof v === 'object', 'expected a response verdict');
  return (v.headers ?? []).filter(([n]) => n === name).map(([, value]) => value);
}

/** Challenges a REGISTER (or another method) and sends the answer built from the first (MD5) or a chosen challenge. */
async function authenticate(
  s: ReturnType<typeof setup>, a: Answer, o: RequestOptions & { pick?: number; source?: string } = {},
) {
  const method = o.method ?? 'REGISTER';
  const [authenticate, authorization] = method === 'REGISTER' ? ['WWW-Authenticate', 'Authorization'] : ['Proxy-Authenticate', 'Proxy-Authorization'];
  const first = await s.run(request({ ...o, method }), { source: o.source });
  const challenge = challenges(first.verdict, authenticate)[o.pick ?? 0];
  const header = `${authorization}: ${answer(challenge, { method, ...a })}`;
  const second = await s.run(request({ ...o, method, headers: [...(o.headers ?? []), header] }), { source: o.source });
  return { ...second, header, challenge };
}

test('REGISTER without credentials: 401 with an MD5 then a SHA-256 challenge sharing one nonce', async () => {
  const { run } = setup();
  const { verdict } = await run(request());
  assert.equal(statusOf(verdict), 401);
  const values = challenges(verdict, 'WWW-Authenticate');
  assert.equal(values.length, 2);
  assert.match(values[0], /^Digest realm="sipd\.test", nonce="[A-Za-z0-9_-]+", algorithm=MD5, qop="auth"$/);
  assert.match(values[1], /algorithm=SHA-256, qop="auth"$/);
  assert.equal(/nonce="([^"]+)"/.exec(values[0])![1], /nonce="([^"]+)"/.exec(values[1])![1]);
});

test('INVITE without credentials: 407 with Proxy-Authenticate; no SHA-256 when not offered', async () => {
  const { run } = setup({ offerSha256: false, qop: 'both' });
  const { verdict } = await run(request({ method: 'INVITE' }));
  assert.equal(statusOf(verdict), 407);
  assert.deepEqual(challenges(verdict, 'WWW-Authenticate'), []);
  const values = challenges(verdict, 'Proxy-Authenticate');
  assert.equal(values.length, 1);
  assert.match(values[0], /algorithm=MD5, qop="auth,auth-int"$/);
});

test('a right MD5 answer from a clear-password subscriber passes and names the identity', async () => {
  const s = setup();
  const { verdict, ctx } = await authenticate(s, { user: 'alice', password: 'alice-pw' });
  assert.equal(verdict, undefined);
  assert.deepEqual(ctx.identity, { user: 'alice', domain: '' });
});

test('a right SHA-256 answer against a stored HA1 passes', async () => {
  const s = setup();
  const { verdict, ctx } = await authenticate(s, { user: 'bob', password: 'bob-pw' }, { from: 'bob', pick: 1 });
  assert.equal(verdict, undefined);
  assert.equal(ctx.identity?.user, 'bob');
});

test('MD5-sess is offered with SHA-256-sess and a right MD5-sess answer passes', async () => {
  const s = setup({ algorithm: 'MD5-sess' });
  const first = await s.run(request());
  const values = challenges(first.verdict, 'WWW-Authenticate');
  assert.match(values[0], /algorithm=MD5-sess/);
  assert.match(values[1], /algorithm=SHA-256-sess/);
  const { verdict } = await authenticate(s, { user: 'bob', password: 'bob-pw' }, { from: 'bob' });
  assert.equal(verdict, undefined);
});

test('a subscriber directory answering asynchronously works the same', async () => {
  const s = setup({}, { async: true });
  assert.equal((await authenticate(s, { user: 'alice', password: 'alice-pw' })).verdict, undefined);
  assert.equal(statusOf((await authenticate(s, { user: 'alice', password: 'nope' })).verdict), 401);
});

test('ACK and CANCEL are never challenged', async () => {
  const { run } = setup();
  assert.equal((await run(request({ method: 'ACK' }))).verdict, undefined);
  assert.equal((await run(request({ method: 'CANCEL' }))).verdict, undefined);
});

test('in-dialog requests (To tag) are not challenged, but a REGISTER with a To tag is', async () => {
  const { run } = setup();
  assert.equal((await run(request({ method: 'BYE', toTag: 'dlg1' }))).verdict, undefined);
  assert.equal((await run(request({ method: 'INVITE', toTag: 'dlg1' }))).verdict, undefined);
  assert.equal(statusOf((await run(request({ method: 'REGISTER', toTag: 'x' }))).verdict), 401);
});

test('Satisfy Any: a source the ACL trusts is not challenged; under Satisfy All it is', async () => {
  const any = setup({ satisfyAny: true });
  assert.equal((await any.run(request({ method: 'INVITE' }), { trusted: true })).verdict, undefined);
  assert.equal(statusOf((await any.run(request({ method: 'INVITE' }), { trusted: false })).verdict), 407);
  const all = setup({ satisfyAny: false });
  assert.equal(statusOf((await all.run(request({ method: 'INVITE' }), { trusted: true })).verdict), 407);
});

test('an expired nonce with a right answer gets a new challenge with stale=TRUE; with a wrong answer no stale', async () => {
  const s = setup();
  const first = await s.run(request());
  const challenge = challenges(first.verdict, 'WWW-Authenticate')[0];
  s.advance(31);
  const right = await s.run(request({ headers: [`Authorization: ${answer(challenge, { user: 'alice', password: 'alice-pw' })}`] }));
  assert.equal(statusOf(right.verdict), 401);
  const fresh = challenges(right.verdict, 'WWW-Authenticate');
  assert.ok(fresh.every((c) => c.endsWith('stale=TRUE')));
  assert.notEqual(/nonce="([^"]+)"/.exec(fresh[0])![1], /nonce="([^"]+)"/.exec(challenge)![1]);
  const wrong = await s.run(request({ headers: [`Authorization: ${answer(challenge, { user: 'alice', password: 'bad' })}`] }));
  assert.equal(statusOf(wrong.verdict), 401);
  assert.ok(challenges(wrong.verdict, 'WWW-Authenticate').every((c) => !c.includes('stale')));
});

test('a nonce signed under another secret (before a restart) with a right answer gets stale=TRUE', async () => {
  const before = setup({ nonceSecret: 'old-secret' });
  const challenge = challenges((await before.run(request())).verdict, 'WWW-Authenticate')[0];
  const after = setup({ nonceSecret: 'new-secret' });
  const { verdict } = await after.run(request({ headers: [`Authorization: ${answer(challenge, { user: 'alice', password: 'alice-pw' })}`] }));
  assert.equal(statusOf(verdict), 401);
  assert.match(challenges(verdict, 'WWW-Authenticate')[0], /stale=TRUE/);
});

test('a replayed Authorization (same nonce and nc) is refused; a higher nc on the same nonce passes', async () => {
  const s = setup();
  const ok = await authenticate(s, { user: 'alice', password: 'alice-pw' });
  assert.equal(ok.verdict, undefined);
  const replay = await s.run(request({ headers: [ok.header] }));
  assert.equal(statusOf(replay.verdict), 401);
  assert.equal(replay.ctx.identity, undefined);
  const next = await s.run(request({ headers: [`Authorization: ${answer(ok.challenge, { user: 'alice', password: 'alice-pw', nc: '00000002' })}`] }));
  assert.equal(next.verdict, undefined);
});

test('an answer without qop (RFC 2069) passes once; its nonce cannot be used again', async () => {
  const s = setup();
  const ok = await authenticate(s, { user: 'alice', password: 'alice-pw', qop: null });
  assert.equal(ok.verdict, undefined);
  assert.equal(statusOf((await s.run(request({ headers: [ok.header] }))).verdict), 401);
});

test('a wrong password and an unknown user get the same plain challenge', async () => {
  const s = setup({ failureLimit: 0 });
  const wrong = await authenticate(s, { user: 'alice', password: 'wrong' });
  const unknown = await authenticate(s, { user: 'mallory', password: 'x' }, { from: 'mallory' });
  for (const r of [wrong, unknown]) {
    assert.equal(statusOf(r.verdict), 401);
    const values = challenges(r.verdict, 'WWW-Authenticate');
    assert.equal(values.length, 2);
    assert.ok(values.every((v) => !v.includes('stale')));
    assert.equal(r.ctx.identity, undefined);
  }
});

test('malformed credentials get 400 naming the problem', async () => {
  const { run } = setup();
  const { verdict } = await run(request({ method: 'INVITE', headers: [`Proxy-Authorization: Digest username="a", username="b"`] }));
  assert.equal(statusOf(verdict), 400);
  assert.match(typeof verdict === 'object' ? verdict.reason ?? '' : '', /malformed Proxy-Authorization: duplicate parameter username/);
});

test('credentials for another realm are ignored (challenged) and forwarded; ours are consumed once verified', async () => {
  const s = setup();
  const foreign = `Proxy-Authorization: Digest username="alice", realm="upstream.example", nonce="n", uri="${URI}", response="${'0'.repeat(32)}"`;
  const onlyForeign = await s.run(request({ method: 'INVITE', headers: [foreign] }));
  assert.equal(statusOf(onlyForeign.verdict), 407);
  const ok = await authenticate(s, { user: 'alice', password: 'alice-pw' }, { method: 'INVITE', headers: [foreign] });
  assert.equal(ok.verdict, undefined);
  assert.deepEqual(ok.ctx.req.getAll('proxy-authorization'), [foreign.slice('Proxy-Authorization: '.length)]);
});

test('AuthConsumeProxyAuth Off leaves our Proxy-Authorization in the request', async () => {
  const s = setup({ consumeProxyAuth: false });
  const ok = await authenticate(s, { user: 'alice', password: 'alice-pw' }, { method: 'INVITE' });
  assert.equal(ok.verdict, undefined);
  assert.equal(ok.ctx.req.getAll('proxy-authorization').length, 1);
});

test('third-party REGISTER: refused with 403 when Off, allowed when On', async () => {
  const off = await authenticate(setup(), { user: 'alice', password: 'alice-pw' }, { to: 'bob' });
  assert.deepEqual(off.verdict, { status: 403, reason: 'Forbidden (To user differs from the authenticated user)' });
  const on = await authenticate(setup({ allow3rdPartyRegistration: true }), { user: 'alice', password: 'alice-pw' }, { to: 'bob' });
  assert.equal(on.verdict, undefined);
});

test('third-party INVITE: with AuthAllow3rdPartyInvite Off the From user must be the authenticated one', async () => {
  const s = setup({ allow3rdPartyInvite: false });
  const other = await authenticate(s, { user: 'alice', password: 'alice-pw' }, { method: 'INVITE', from: 'bob' });
  assert.deepEqual(other.verdict, { status: 403, reason: 'Forbidden (From user differs from the authenticated user)' });
  const own = await authenticate(s, { user: 'alice', password: 'alice-pw' }, { method: 'INVITE', from: 'alice' });
  assert.equal(own.verdict, undefined);
  const allowed = await authenticate(setup(), { user: 'alice', password: 'alice-pw' }, { method: 'INVITE', from: 'bob' });
  assert.equal(allowed.verdict, undefined);
});

test('a device\'s digest user speaks for its lines: REGISTER of any line is left to the device rules, INVITE from its line passes', async () => {
  const s = setup({ allow3rdPartyInvite: false });
  const register = await authenticate(s, { user: 'erin', password: 'erin-pw' }, { to: '1999' });
  assert.equal(register.verdict, undefined, 'the line check (phones/line-policy) decides, with its own reason');
  assert.equal(register.ctx.identity?.device?.name, 'SEP-erin');
  const fromLine = await authenticate(s, { user: 'erin', password: 'erin-pw' }, { method: 'INVITE', from: '1000' });
  assert.equal(fromLine.verdict, undefined);
  const fromOther = await authenticate(s, { user: 'erin', password: 'erin-pw' }, { method: 'INVITE', from: '1999' });
  assert.equal(statusOf(fromOther.verdict), 403);
});

test('number expansion and the lookup domain: "1000" is found as +14085551000 in the From domain, by that domain\'s plan', async () => {
  const s = setup({
    expandUser: (u, domain) => (/^\d{4}$/.test(u) && domain === 'a.example' ? `+1408555${u}` : u),
    keyDomain: (req) => req.from.uri.host,
  });
  const ok = await authenticate(s, { user: '1000', password: 'num-pw' }, { from: '1000', fromHost: 'a.example' });
  assert.equal(ok.verdict, undefined);
  assert.deepEqual(ok.ctx.identity, { user: '+14085551000', domain: 'a.example' });
});

test('identify-mode device: the digest user is enough, the hash is not checked', async () => {
  const s = setup();
  const ok = await authenticate(s, { user: 'dave', password: 'anything' }, { from: 'dave' });
  assert.equal(ok.verdict, undefined);
  assert.equal(ok.ctx.identity?.device?.name, 'SEP-dave');
  assert.equal(ok.ctx.identity?.user, 'dave');
});

test('verify-mode device: the hash is checked', async () => {
  const s = setup();
  assert.equal(statusOf((await authenticate(s, { user: 'erin', password: 'wrong' }, { from: 'erin' })).verdict), 401);
  const ok = await authenticate(s, { user: 'erin', password: 'erin-pw' }, { from: 'erin' });
  assert.equal(ok.verdict, undefined);
  assert.equal(ok.ctx.identity?.device?.name, 'SEP-erin');
});

test('auth-int: a qop=auth answer is not accepted, a qop=auth-int one over the body is, and a changed body fails', async () => {
  const s = setup({ qop: 'auth-int', failureLimit: 0 });
  const body = 'v=0\r\n';
  assert.match(challenges((await s.run(request({ method: 'INVITE', body }))).verdict, 'Proxy-Authenticate')[0], /qop="auth-int"/);
  const plain = await authenticate(s, { user: 'alice', password: 'alice-pw', qop: 'auth' }, { method: 'INVITE', body });
  assert.equal(statusOf(plain.verdict), 407);
  const ok = await authenticate(s, { user: 'alice', password: 'alice-pw', qop: 'auth-int', body }, { method: 'INVITE', body });
  assert.equal(ok.verdict, undefined);
  const tampered = await authenticate(s, { user: 'alice', password: 'alice-pw', qop: 'auth-int', body }, { method: 'INVITE', body: 'v=1\r\n' });
  assert.equal(statusOf(tampered.verdict), 407);
});

test('an algorithm that was not offered is not accepted', async () => {
  const s = setup({ offerSha256: false });
  const r = await authenticate(s, { user: 'alice', password: 'alice-pw', algorithm: 'SHA-256' });
  assert.equal(statusOf(r.verdict), 401);
});

test('Basic scheme: Basic challenge, right password passes (against a clear password and a stored HA1), wrong one is challenged', async () => {
  const s = setup({ scheme: 'Basic' });
  const first = await s.run(request({ method: 'INVITE' }));
  assert.deepEqual(challenges(first.verdict, 'Proxy-Authenticate'), [`Basic realm="${REALM}"`]);
  const basic = (user: string, pw: string) => `Proxy-Authorization: Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
  assert.equal((await s.run(request({ method: 'INVITE', headers: [basic('alice', 'alice-pw')] }))).verdict, undefined);
  assert.equal((await s.run(request({ method: 'INVITE', from: 'bob', headers: [basic('bob', 'bob-pw')] }))).verdict, undefined);
  assert.equal(statusOf((await s.run(request({ method: 'INVITE', headers: [basic('alice', 'nope')] }))).verdict), 407);
});

const LOCKED = { status: 403, reason: 'Forbidden (too many failed authentications)' };

test('lockout per user: the third wrong answer locks the user, even the right password, until the lockout ends', async () => {
  const s = setup();
  assert.equal(statusOf((await authenticate(s, { user: 'alice', password: 'w1' })).verdict), 401);
  assert.equal(statusOf((await authenticate(s, { user: 'alice', password: 'w2' }, { source: '192.0.2.11' })).verdict), 401);
  assert.deepEqual((await authenticate(s, { user: 'alice', password: 'w3' }, { source: '192.0.2.12' })).verdict, LOCKED);
  assert.deepEqual((await authenticate(s, { user: 'alice', password: 'alice-pw' }, { source: '192.0.2.13' })).verdict, LOCKED);
  assert.equal(s.logs.filter((l) => l.includes('user "alice@"')).length, 1);
  assert.match(s.logs[0], /192\.0\.2\.12/);
  // Another user from a fourth address is unaffected.
  assert.equal((await authenticate(s, { user: 'bob', password: 'bob-pw' }, { from: 'bob', source: '192.0.2.14' })).verdict, undefined);
  s.advance(301);
  assert.equal((await authenticate(s, { user: 'alice', password: 'alice-pw' }, { source: '192.0.2.13' })).verdict, undefined);
});

test('lockout per source: failures for several users (unknown ones too) lock the address out, other sources are served', async () => {
  const s = setup();
  await authenticate(s, { user: 'alice', password: 'w' }, { source: '198.51.100.7' });
  await authenticate(s, { user: 'mallory', password: 'w' }, { from: 'mallory', source: '198.51.100.7' });
  assert.deepEqual((await authenticate(s, { user: 'bob', password: 'w' }, { from: 'bob', source: '198.51.100.7' })).verdict, LOCKED);
  // Locked sources are refused before any challenge.
  assert.deepEqual((await s.run(request({ method: 'INVITE' }), { source: '198.51.100.7' })).verdict, LOCKED);
  assert.ok(s.logs.some((l) => /source 198\.51\.100\.7 locked/.test(l)));
  assert.equal((await authenticate(s, { user: 'bob', password: 'bob-pw' }, { from: 'bob', source: '192.0.2.50' })).verdict, undefined);
  s.advance(301);
  assert.equal(statusOf((await s.run(request({ method: 'INVITE' }), { source: '198.51.100.7' })).verdict), 407);
});

test('a request without credentials is not a failure', async () => {
  const s = setup({ failureLimit: 1 });
  for (let i = 0; i < 3; i++) assert.equal(statusOf((await s.run(request())).verdict), 401);
  assert.equal((await authenticate(s, { user: 'alice', password: 'alice-pw' })).verdict, undefined);
});
