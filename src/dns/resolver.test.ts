import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DNS_SETTINGS, DnsLookupError, DnsResolver } from './resolver';
import { FakeDns } from './fake-dns';
import { parseHosts } from './hosts-file';

function setup(settings = DEFAULT_DNS_SETTINGS) {
  const dns = new FakeDns();
  let clock = 1_000_000;
  const resolver = new DnsResolver(settings, dns, () => clock);
  return { dns, resolver, advance: (sec: number) => { clock += sec * 1000; } };
}

test('A and AAAA answers are kept for their lowest TTL, then asked again', async () => {
  const { dns, resolver, advance } = setup();
  dns.host('h.example', ['192.0.2.1'], 120).host('h.example', ['192.0.2.2'], 60).host('h.example', ['2001:db8::1'], 30);
  assert.deepEqual(await resolver.a('h.example'), ['192.0.2.1', '192.0.2.2']);
  assert.deepEqual(await resolver.aaaa('h.example'), ['2001:db8::1']);
  advance(29);
  await resolver.a('h.example');
  await resolver.aaaa('H.Example.');
  assert.deepEqual(dns.asked, ['A h.example', 'AAAA h.example'], 'within the TTL (any case, trailing dot) nothing is asked');
  advance(2);
  await resolver.aaaa('h.example');
  await resolver.a('h.example');
  assert.deepEqual(dns.asked.slice(2), ['AAAA h.example'], 'AAAA expired after 30 s, A (60 s) not yet');
  advance(30);
  await resolver.a('h.example');
  assert.deepEqual(dns.asked.slice(3), ['A h.example']);
});

test('TTLs above maxTtlSec are capped, TTL 0 is not cached', async () => {
  const { dns, resolver, advance } = setup({ ...DEFAULT_DNS_SETTINGS, maxTtlSec: 10 });
  dns.host('long.example', ['192.0.2.1'], 86400).host('zero.example', ['192.0.2.2'], 0);
  await resolver.a('long.example');
  advance(11);
  await resolver.a('long.example');
  await resolver.a('zero.example');
  await resolver.a('zero.example');
  assert.deepEqual(dns.asked, ['A long.example', 'A long.example', 'A zero.example', 'A zero.example']);
});

test('NAPTR and SRV sets are kept for recordCacheSec (Node gives no TTL for them)', async () => {
  const { dns, resolver, advance } = setup({ ...DEFAULT_DNS_SETTINGS, recordCacheSec: 60 });
  dns.srv('_sip._udp.example', [10, 1, 5060, 'h.example']).naptr('example', [10, 10, 's', 'SIP+D2U', '', '_sip._udp.example']);
  assert.equal((await resolver.srv('_sip._udp.example'))[0].name, 'h.example');
  assert.equal((await resolver.naptr('example'))[0].service, 'SIP+D2U');
  advance(59);
  await resolver.srv('_sip._udp.example');
  await resolver.naptr('example');
  assert.equal(dns.asked.length, 2);
  advance(2);
  await resolver.srv('_sip._udp.example');
  assert.deepEqual(dns.asked.slice(2), ['SRV _sip._udp.example']);
});

test('no such name and no such record are empty answers, cached for negativeCacheSec', async () => {
  const { dns, resolver, advance } = setup({ ...DEFAULT_DNS_SETTINGS, negativeCacheSec: 30 });
  dns.host('h.example', ['192.0.2.1']);
  assert.deepEqual(await resolver.srv('nothing.example'), []);
  assert.deepEqual(await resolver.aaaa('h.example'), [], 'ENODATA');
  advance(29);
  await resolver.srv('nothing.example');
  await resolver.aaaa('h.example');
  assert.equal(dns.asked.length, 2);
  advance(2);
  await resolver.srv('nothing.example');
  assert.equal(dns.asked.length, 3);
});

test('a timeout rejects with DnsLookupError and is remembered for failureCacheSec only', async () => {
  const { dns, resolver, advance } = setup({ ...DEFAULT_DNS_SETTINGS, failureCacheSec: 5 });
  dns.failing.set('slow.example', 'ETIMEOUT');
  const err = await resolver.a('slow.example').catch((e: unknown) => e);
  assert.ok(err instanceof DnsLookupError);
  assert.equal(err.code, 'ETIMEOUT');
  assert.match(err.message, /A lookup of slow.example failed: ETIMEOUT/);
  await assert.rejects(resolver.a('slow.example'), DnsLookupError);
  assert.equal(dns.asked.length, 1);
  advance(6);
  dns.failing.delete('slow.example');
  dns.host('slow.example', ['192.0.2.9']);
  assert.deepEqual(await resolver.a('slow.example'), ['192.0.2.9']);
});

test('concurrent lookups of one name share a single query', async () => {
  const { dns, resolver } = setup();
  dns.host('h.example', ['192.0.2.1']);
  const answers = await Promise.all([resolver.a('h.example'), resolver.a('h.example'), resolver.a('H.EXAMPLE')]);
  assert.deepEqual(answers, [['192.0.2.1'], ['192.0.2.1'], ['192.0.2.1']]);
  assert.deepEqual(dns.asked, ['A h.example']);
  assert.equal(resolver.queries, 1);
});

test('the cache holds at most maxEntries sets, dropping the oldest', async () => {
  const { dns, resolver } = setup({ ...DEFAULT_DNS_SETTINGS, maxEntries: 2 });
  for (const n of ['a', 'b', 'c']) dns.host(`${n}.example`, ['192.0.2.1']);
  await resolver.a('a.example');
  await resolver.a('b.example');
  await resolver.a('c.example');
  assert.equal(resolver.size, 2);
  await resolver.a('c.example');
  await resolver.a('a.example');
  assert.deepEqual(dns.asked, ['A a.example', 'A b.example', 'A c.example', 'A a.example']);
});

test('names in the hosts file are answered from it without asking DNS; other names still go to DNS', async () => {
  const dns = new FakeDns().host('gw.example.test', ['192.0.2.9']);
  const hosts = parseHosts('127.0.0.1 localhost\n# comment\n::1 localhost ip6-localhost\n192.0.2.50 pstn-gw pstn-gw.example.test # trailing\n');
  const r = new DnsResolver({ ...DEFAULT_DNS_SETTINGS, hosts }, dns);
  assert.deepEqual(await r.a('localhost'), ['127.0.0.1']);
  assert.deepEqual(await r.aaaa('LOCALHOST'), ['::1']);
  assert.deepEqual(await r.a('pstn-gw.example.test.'), ['192.0.2.50']);
  assert.deepEqual(await r.aaaa('pstn-gw'), [], 'listed without an IPv6 address: no AAAA, and DNS is not asked');
  assert.deepEqual(dns.asked, []);
  assert.deepEqual(await r.a('gw.example.test'), ['192.0.2.9']);
  assert.deepEqual(dns.asked, ['A gw.example.test']);
});
