// The seed's "Registrar Server for Multiple Domains" example (004:1163-1215, SPEC VPH-3), call by call: CompanyA
// and CompanyB both have extensions 2000-7999 and DIDs 8000-8999 (+14085558xxx and +14086668xxx), served by one
// sipd whose ProxyDomain example.com is the E.164 domain. Each case names the seed's numbered case and note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteTable } from '../routing';
import { route } from '../routing/fixtures';
import type { Endpoint } from '../transport';
import { Kit, KitOptions, Sent, endpoint, tick } from './test-kit';
import { COMPANY_A, COMPANY_B, TWO_COMPANY_PLANS, VIRTUAL_HOSTS } from './two-companies.fixture';

interface Phone { user: string; domain: string; ep: Endpoint }

const phone = (user: string, domain: string, host: string): Phone => ({ user, domain, ep: endpoint(host) });

const A2000 = phone('2000', COMPANY_A, '10.0.1.20');
const A2001 = phone('2001', COMPANY_A, '10.0.1.21');
const A8000 = phone('8000', COMPANY_A, '10.0.1.80');
const A8001 = phone('8001', COMPANY_A, '10.0.1.81');
const B2000 = phone('2000', COMPANY_B, '10.0.2.20');
const B2001 = phone('2001', COMPANY_B, '10.0.2.21');
const B8000 = phone('8000', COMPANY_B, '10.0.2.80');
const B8001 = phone('8001', COMPANY_B, '10.0.2.81');
const PHONES = [A2000, A2001, A8000, A8001, B2000, B2001, B8000, B8001];
/** Case 6: an authorized user with neither company. */
const JOHN_DOE = phone('john.doe', 'example.net', '203.0.113.9');
/** Case 5: the gateway of the route every authenticated user shares for +1 numbers (notes [4] and [5]). */
const PSTN_GW = endpoint('192.0.2.99');

/** sipd serving both companies, with the PSTN route. */
function twoCompanySipd(o: KitOptions = {}): Kit {
  return new Kit({
    virtualHosts: VIRTUAL_HOSTS,
    numbers: { plans: TWO_COMPANY_PLANS },
    routes: new RouteTable([route('+1*', PSTN_GW.host, { port: PSTN_GW.port })], { lessSpecificSearch: false, random: () => 0 }),
    ...o,
  });
}

/** sipd with every phone of both companies registered under its own short number. */
async function twoCompanies(): Promise<Kit> {
  const k = twoCompanySipd();
  for (const p of PHONES) {
    const res = await k.register(p.user, p.ep, { domain: p.domain });
    assert.equal(res.status, 200, `${p.user}@${p.domain} registers`);
  }
  return k;
}

let callCount = 0;

/** `caller` sends an INVITE for `uri`; returns the one INVITE sipd forwarded (asserting there is exactly one). */
async function invite(k: Kit, caller: Phone, uri: string): Promise<Sent> {
  await k.send({ uri, from: caller.ep, fromUser: caller.user, fromDomain: caller.domain, callId: `vph-${++callCount}@${caller.ep.host}` });
  for (let i = 0; i < 3; i++) await tick(); // a route's next hop is resolved asynchronously
  const invites = k.take().filter((s) => s.msg.method === 'INVITE');
  assert.equal(invites.length, 1, `${caller.user}@${caller.domain} -> ${uri}: one INVITE forwarded, got ${invites.length}`);
  return invites[0];
}

/** `caller` calls `uri`; returns the registered phone it reached. */
async function call(k: Kit, caller: Phone, uri: string): Promise<Phone> {
  const { dest, msg } = await invite(k, caller, uri);
  const callee = PHONES.find((p) => p.ep.host === dest.host && p.ep.port === dest.port);
  assert.ok(callee, `${uri} went to ${dest.host}:${dest.port}, not a registered phone`);
  assert.equal(msg.uri, `sip:${callee.user}@${callee.ep.host}:${callee.ep.port}`, 'Request-URI is the registered contact');
  return callee;
}

/** Asserts each [caller, dialled URI, expected callee] row. */
async function expectCalls(k: Kit, rows: [Phone, string, Phone][]): Promise<void> {
  for (const [caller, uri, expected] of rows) {
    const callee = await call(k, caller, uri);
    assert.equal(`${callee.user}@${callee.domain}`, `${expected.user}@${expected.domain}`, `${caller.user}@${caller.domain} -> ${uri}`);
  }
}

test('registrations: 2xxx is one entry per company, 8xxx one shared E.164 entry under ProxyDomain', async () => {
  const k = await twoCompanies();
  const contactsOf = (aor: string) => k.location.lookup(aor).map((b) => b.contact);
  // "2xxx at CompanyA registers as 2xxx@companyA.com", "2xxx at CompanyB registers as 2xxx@companyB.com"
  assert.deepEqual(contactsOf('2000@companya.com'), ['sip:2000@10.0.1.20:5060']);
  assert.deepEqual(contactsOf('2000@companyb.com'), ['sip:2000@10.0.2.20:5060']);
  // "8xxx at CompanyA registers as +14085558xxx@companyA.com", at CompanyB as +14086668xxx: keyed under ProxyDomain.
  assert.deepEqual(contactsOf('+14085558000@example.com'), ['sip:8000@10.0.1.80:5060']);
  assert.deepEqual(contactsOf('+14086668001@example.com'), ['sip:8001@10.0.2.81:5060']);
  assert.equal(k.location.aorCount(), 8);

  // The same E.164 number registered through another domain, fully written, is the same single entry.
  const again = await k.register('+14086668000', B8000.ep, { domain: 'example.com', callId: 'reg-8000-again' });
  assert.equal(again.status, 200);
  assert.equal(k.location.aorCount(), 8, 'no new entry');
  assert.equal(k.location.lookup('+14086668000@example.com').length, 2, 'both contacts under the one entry');
});

test('case 1: 2001 calls 2000, in its own company [1] and in the other by full URL [2]', async () => {
  const k = await twoCompanies();
  await expectCalls(k, [
    [A2001, 'sip:2000@companyA.com', A2000],
    [A2001, 'sip:2000@companyB.com', B2000],
    [B2001, 'sip:2000@companyB.com', B2000],
    [B2001, 'sip:2000@companyA.com', A2000],
  ]);
});

test('case 2: 8001 calls 2000', async () => {
  const k = await twoCompanies();
  await expectCalls(k, [
    [A8001, 'sip:2000@companyA.com', A2000],
    [A8001, 'sip:2000@companyB.com', B2000],
    [B8001, 'sip:2000@companyB.com', B2000],
    [B8001, 'sip:2000@companyA.com', A2000],
  ]);
});

test('case 3: 2001 calls 8000, as the seed\'s phones send it [3][4] and as dialled, expanded by sipd\'s plans', async () => {
  const k = await twoCompanies();
  await expectCalls(k, [
    [A2001, 'sip:+14085558000@companyA.com', A8000],
    [A2001, 'sip:+14086668000@companyA.com', B8000],
    [B2001, 'sip:+14086668000@companyB.com', B8000],
    [B2001, 'sip:+14085558000@companyB.com', A8000],
    // The short forms: 8000 by the caller's company plan, seven digits by the global one.
    [A2001, 'sip:8000@companyA.com', A8000],
    [A2001, 'sip:6668000@companyA.com', B8000],
    [B2001, 'sip:8000@companyB.com', B8000],
    [B2001, 'sip:5558000@companyB.com', A8000],
  ]);
});

test('case 4: 8001 calls 8000', async () => {
  const k = await twoCompanies();
  await expectCalls(k, [
    [A8001, 'sip:+14085558000@companyA.com', A8000],
    [A8001, 'sip:+14086668000@companyA.com', B8000],
    [B8001, 'sip:+14086668000@companyB.com', B8000],
    [B8001, 'sip:+14085558000@companyB.com', A8000],
  ]);
});

test('case 5: 2000 and 8000 call 18183635839 through the route all companies share [5]', async () => {
  const k = await twoCompanies();
  const rows: [Phone, string][] = [
    [A2000, 'sip:+18183635839@companyA.com'],
    [A8000, 'sip:+18183635839@companyA.com'],
    [B2000, 'sip:+18183635839@companyB.com'],
    [B8000, 'sip:+18183635839@companyB.com'],
    // As dialled, expanded by sipd's global plan.
    [A2000, 'sip:18183635839@companyA.com'],
    [B8000, 'sip:1-818-363-5839@companyB.com'],
  ];
  for (const [caller, uri] of rows) {
    const { dest, msg } = await invite(k, caller, uri);
    assert.deepEqual([dest.host, dest.port], [PSTN_GW.host, PSTN_GW.port], `${caller.user}@${caller.domain} -> ${uri}`);
    assert.equal(msg.uri, 'sip:+18183635839@192.0.2.99:5060', `${caller.user}@${caller.domain} -> ${uri}`);
  }
});

test('case 6: John Doe, with neither company, calls 2000 by full URL [2] and 8000 in the E.164 domain [6]', async () => {
  const k = await twoCompanies();
  await expectCalls(k, [
    [JOHN_DOE, 'sip:2000@companyA.com', A2000],
    [JOHN_DOE, 'sip:2000@companyB.com', B2000],
    [JOHN_DOE, 'sip:+14085558000@example.com', A8000],
    [JOHN_DOE, 'sip:+14086668000@example.com', B8000],
  ]);
});

test('a company without its phone registered: 2000@companyA.com never reaches CompanyB\'s 2000', async () => {
  const k = twoCompanySipd();
  await k.register(B2000.user, B2000.ep, { domain: COMPANY_B });
  await k.send({ uri: 'sip:2000@companyA.com', from: A2001.ep, fromUser: A2001.user, fromDomain: COMPANY_A, callId: 'vph-unregistered' });
  assert.deepEqual(k.requestsTo(B2000.ep), []);
  assert.deepEqual(k.statusesTo(A2001.ep, 'INVITE').filter((s) => s >= 200), [404]);
});

test('Use_Virtual_Proxy_Host Off: 2000 at both companies is one entry holding both phones', async () => {
  const k = twoCompanySipd({ useVirtualProxyHost: false });
  await k.register(A2000.user, A2000.ep, { domain: COMPANY_A });
  await k.register(B2000.user, B2000.ep, { domain: COMPANY_B });
  assert.deepEqual(k.location.lookup('2000@example.com').map((b) => b.contact).sort(), ['sip:2000@10.0.1.20:5060', 'sip:2000@10.0.2.20:5060']);
  assert.equal(k.location.aorCount(), 1);
});
