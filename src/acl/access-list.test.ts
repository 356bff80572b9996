import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessDecision, AccessLists, AccessOrder, AccessRuleSpec } from './access-list';
import { ReverseNames } from './reverse-names';

/** Reverse DNS from a table; counts the lookups asked. */
class FakeDns {
  calls: string[] = [];
  constructor(private readonly table: Record<string, string[]> = {}) {}
  readonly lookup = async (ip: string): Promise<string[]> => {
    this.calls.push(ip);
    const names = this.table[ip];
    if (names === undefined) throw new Error(`ENOTFOUND ${ip}`);
    return names;
  };
}

const DNS_TABLE: Record<string, string[]> = {
  '192.0.2.10': ['gw.company.com.'],
  '192.0.2.20': ['pbx.foo.company.com'],
  '192.0.2.30': ['mail.other.net'],
  '192.0.2.40': [],
};

function rules(text: string): AccessRuleSpec[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const [action, direction, ...specs] = line.split(/\s+/);
    return specs.map((spec) => ({ action: action.toLowerCase() as 'allow' | 'deny', direction: direction as 'from' | 'to', spec }));
  }).flat();
}

function lists(order: AccessOrder, text: string, dns = new FakeDns(DNS_TABLE), now = () => 0): AccessLists {
  return AccessLists.compile(order, rules(text), new ReverseNames({ lookup: dns.lookup, now }));
}

async function verdict(l: AccessLists, host: string): Promise<'trusted' | 'allowed' | 'denied'> {
  const d: AccessDecision = await l.from.check(host);
  return d.trusted ? 'trusted' : d.allowed ? 'allowed' : 'denied';
}

test('ACL-2 first example: Order Deny,Allow, Deny from all, Allow from company.com admits only company.com hosts', async () => {
  const l = lists('Deny,Allow', 'Deny from all\nAllow from company.com');
  assert.equal(await verdict(l, '192.0.2.10'), 'trusted');
  assert.equal(await verdict(l, '192.0.2.20'), 'trusted');
  assert.equal(await verdict(l, '192.0.2.30'), 'denied');
  assert.equal(await verdict(l, '192.0.2.40'), 'denied', 'no PTR name');
  assert.equal(await verdict(l, '192.0.2.99'), 'denied', 'reverse lookup failed');
});

test('ACL-2 second example: Order Allow,Deny, Allow from company.com, Deny from foo.company.com; swapped, everyone is allowed', async () => {
  const text = 'Allow from company.com\nDeny from foo.company.com';
  const l = lists('Allow,Deny', text);
  assert.equal(await verdict(l, '192.0.2.10'), 'trusted');
  assert.equal(await verdict(l, '192.0.2.20'), 'denied', 'foo.company.com is carved out');
  assert.equal(await verdict(l, '192.0.2.30'), 'denied', 'outside company.com: denied by default');
  const swapped = lists('Deny,Allow', text);
  for (const host of ['192.0.2.10', '192.0.2.20', '192.0.2.30', '192.0.2.99']) {
    assert.notEqual(await verdict(swapped, host), 'denied', host);
  }
  assert.equal(await verdict(swapped, '192.0.2.20'), 'trusted', 'Allow from company.com is evaluated last and wins');
  assert.equal(await verdict(swapped, '192.0.2.30'), 'allowed', 'allowed by default, not trusted');
});

// Each address form with an address inside it and one outside it.
const FORMS: [name: string, spec: string, inside: string, outside: string][] = [
  ['all', 'all', '203.0.113.5', ''],
  ['domain suffix', 'company.com', '192.0.2.10', '192.0.2.30'],
  ['full IPv4', '10.1.2.3', '10.1.2.3', '10.1.2.4'],
  ['partial IPv4', '10.1', '10.1.200.7', '10.2.0.1'],
  ['net/mask', '10.1.0.0/255.255.0.0', '10.1.3.4', '10.3.0.1'],
  ['CIDR IPv4', '10.1.0.0/16', '10.1.3.4', '10.0.255.255'],
  ['full IPv6', '2001:db8::5', '2001:db8:0::5', '2001:db8::6'],
  ['CIDR IPv6', '2001:db8::/32', '2001:db8:1::1', '2001:db9::1'],
  ['IPv4 rule, mapped IPv6 source', '10.1.0.0/16', '::ffff:10.1.3.4', '::ffff:10.9.3.4'],
];

test('ACL matrix: every address form under Order Deny,Allow and Order Allow,Deny', async () => {
  for (const [name, spec, inside, outside] of FORMS) {
    const cases: [AccessOrder, string, inside: string, outside: string][] = [
      ['Deny,Allow', `Deny from all\nAllow from ${spec}`, 'trusted', 'denied'],
      ['Deny,Allow', `Deny from ${spec}`, 'denied', 'allowed'],
      ['Allow,Deny', `Allow from ${spec}`, 'trusted', 'denied'],
      ['Allow,Deny', `Allow from all\nDeny from ${spec}`, 'denied', 'trusted'],
    ];
    for (const [order, text, expectInside, expectOutside] of cases) {
      const l = lists(order, text);
      const what = `${name}: Order ${order} / ${text.replace('\n', ' / ')}`;
      assert.equal(await verdict(l, inside), expectInside, `${what}: ${inside}`);
      if (outside) assert.equal(await verdict(l, outside), expectOutside, `${what}: ${outside}`);
    }
  }
});

test('without domain rules the decision is synchronous and DNS is never asked', () => {
  const dns = new FakeDns(DNS_TABLE);
  const l = lists('Allow,Deny', 'Allow from 10.1 2001:db8::/32\nDeny from 10.1.9.9', dns);
  assert.deepEqual(l.from.check('10.1.0.1'), { allowed: true, trusted: true });
  assert.deepEqual(l.from.check('10.1.9.9'), { allowed: false, trusted: false });
  assert.deepEqual(l.from.check('192.0.2.10'), { allowed: false, trusted: false });
  assert.deepEqual(dns.calls, []);
});

test('DNS is asked only when a domain rule could change the decision', () => {
  const dns = new FakeDns(DNS_TABLE);
  const l = lists('Deny,Allow', 'Deny from all\nAllow from 10.1 company.com', dns);
  assert.deepEqual(l.from.check('10.1.0.1'), { allowed: true, trusted: true }, 'an address Allow already wins');
  assert.deepEqual(dns.calls, []);
  const pending = l.from.check('192.0.2.10');
  assert.ok(pending instanceof Promise);
  assert.deepEqual(dns.calls, ['192.0.2.10']);
  const allowDeny = lists('Allow,Deny', 'Allow from company.com\nDeny from 192.0.2.0/24', dns);
  assert.deepEqual(allowDeny.from.check('192.0.2.10'), { allowed: false, trusted: false }, 'an address Deny already loses');
  assert.deepEqual(dns.calls, ['192.0.2.10']);
});

test('reverse names are cached for the TTL, failures too, and concurrent checks share one lookup', async () => {
  const dns = new FakeDns(DNS_TABLE);
  let now = 0;
  const l = lists('Allow,Deny', 'Allow from company.com', dns, () => now);
  const [a, b] = await Promise.all([l.from.check('192.0.2.10'), l.from.check('192.0.2.10')]);
  assert.equal(a.trusted && b.trusted, true);
  assert.deepEqual(dns.calls, ['192.0.2.10'], 'one lookup for two concurrent requests');
  assert.deepEqual(l.from.check('192.0.2.10'), { allowed: true, trusted: true }, 'cached: answered synchronously');
  assert.equal((await l.from.check('192.0.2.99')).allowed, false);
  assert.equal((l.from.check('192.0.2.99') as AccessDecision).allowed, false, 'the failure is cached');
  assert.deepEqual(dns.calls, ['192.0.2.10', '192.0.2.99']);
  now = 5 * 60_000;
  assert.ok(l.from.check('192.0.2.10') instanceof Promise, 'expired after five minutes');
  assert.deepEqual(dns.calls, ['192.0.2.10', '192.0.2.99', '192.0.2.10']);
});

test('a slow reverse lookup holds up only the requests from that address', async () => {
  let release: (names: string[]) => void = () => undefined;
  const slow = new Promise<string[]>((resolve) => { release = resolve; });
  const calls: string[] = [];
  const names = new ReverseNames({ lookup: (ip) => { calls.push(ip); return ip === '192.0.2.10' ? slow : Promise.resolve([]); } });
  const l = AccessLists.compile('Deny,Allow', rules('Deny from all\nAllow from company.com 10.1'), names);
  const waiting = l.from.check('192.0.2.10');
  assert.ok(waiting instanceof Promise);
  assert.deepEqual(l.from.check('10.1.0.1'), { allowed: true, trusted: true }, 'decided at once meanwhile');
  assert.equal((await l.from.check('198.51.100.1')).allowed, false, 'another address is looked up and decided meanwhile');
  release(['gw.company.com']);
  assert.equal((await waiting).trusted, true);
  assert.deepEqual(calls, ['192.0.2.10', '198.51.100.1']);
});

test('an IPv4-mapped source is looked up by its IPv4 address', async () => {
  const dns = new FakeDns(DNS_TABLE);
  const l = lists('Allow,Deny', 'Allow from company.com', dns);
  assert.equal((await l.from.check('::ffff:192.0.2.10')).trusted, true);
  assert.deepEqual(dns.calls, ['192.0.2.10']);
});

test('downstream trust: Allow to / Deny to decide isTrustedNextHop, independently of the from list', async () => {
  const dns = new FakeDns(DNS_TABLE);
  const l = lists('Allow,Deny', 'Allow from all\nAllow to 10.1 company.com\nDeny to 10.1.9.9 foo.company.com', dns);
  assert.equal(l.isTrustedNextHop('10.1.9.9'), false, 'an address Deny decides at once');
  assert.equal(await l.isTrustedNextHop('10.1.0.1'), true, 'no name of it is in foo.company.com');
  assert.equal(await l.isTrustedNextHop('10.2.0.1'), false);
  assert.equal(await l.isTrustedNextHop('192.0.2.10'), true, 'gw.company.com by reverse DNS');
  assert.equal(await l.isTrustedNextHop('192.0.2.20'), false, 'foo.company.com is denied');
  assert.deepEqual(dns.calls, ['10.1.0.1', '10.2.0.1', '192.0.2.10', '192.0.2.20']);
  assert.equal(l.isTrustedNextHop('gw.company.com'), true, 'a next hop given by name needs no DNS');
  assert.equal(l.isTrustedNextHop('pbx.foo.company.com'), false);
  assert.equal(dns.calls.length, 4);
  assert.deepEqual(l.from.check('10.1.9.9'), { allowed: true, trusted: true }, 'Deny to does not touch access');

  const noTo = lists('Deny,Allow', 'Allow from 10.1');
  assert.equal(noTo.isTrustedNextHop('10.1.0.1'), false, 'without "to" rules no next hop is trusted');
  const defaultAllow = lists('Deny,Allow', 'Deny to 10.9.0.0/16');
  assert.equal(defaultAllow.isTrustedNextHop('10.1.0.1'), false, 'allowed by default is not trusted');
  assert.deepEqual(defaultAllow.from.check('10.9.0.1'), { allowed: true, trusted: false }, 'to rules do not touch access');
});

test('trustedWithoutWaiting answers at once: untrusted while the names are being looked up, trusted once cached', async () => {
  const dns = new FakeDns(DNS_TABLE);
  const l = lists('Deny,Allow', 'Allow from 10.1 company.com', dns);
  assert.equal(l.from.trustedWithoutWaiting('10.1.0.1'), true);
  assert.equal(l.from.trustedWithoutWaiting('10.2.0.1'), false);
  assert.equal(l.from.trustedWithoutWaiting('192.0.2.10'), false, 'not known yet');
  await l.from.check('192.0.2.10');
  assert.equal(l.from.trustedWithoutWaiting('192.0.2.10'), true);
  assert.deepEqual(dns.calls, ['10.2.0.1', '192.0.2.10']);
});
