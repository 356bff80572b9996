// The hop of a plan that needs no DNS is available at once; everything else goes through the resolver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DNS_SETTINGS, DnsResolver, SipResolver } from '../dns';
import { FakeDns } from '../dns/fake-dns';
import { parseUri } from '../sip';
import { NextHopRouter } from './next-hop-router';

function router(dns: FakeDns): NextHopRouter {
  const resolver = new SipResolver(new DnsResolver(DEFAULT_DNS_SETTINGS, dns), {
    allowNaptr: true, srvForFqdnOnly: false, transportPrefOrder: ['udp', 'tcp'], tlsEnabled: false, addressFamilies: [4, 6],
  });
  return new NextHopRouter({ routing: true, domainRouting: false, routeHeaderTransport: 'tcp' }, resolver, { isLocal: () => false, numberOf: () => undefined });
}

test('immediateHop: an IP address in a Route is the hop at once (its transport from SipRouteHeaderTransportType); a name is not', () => {
  const dns = new FakeDns();
  const r = router(dns);
  const route = r.plan(parseUri('sip:bob@far.test'), parseUri('sip:192.0.2.7:5070;lr'));
  assert.ok(Array.isArray(route));
  assert.deepEqual(r.immediateHop(route, 500), { dest: { transport: 'tcp', host: '192.0.2.7', port: 5070 } });
  const named = r.plan(parseUri('sip:bob@far.test'), undefined);
  assert.ok(Array.isArray(named));
  assert.equal(r.immediateHop(named, 500), undefined);
  assert.deepEqual(dns.asked, [], 'no lookup for either');
});

test('immediateHop: a request too large for UDP to an address whose transport nothing chose goes over TCP', () => {
  const r = router(new FakeDns());
  const plan = r.plan(parseUri('sip:bob@192.0.2.8'), undefined);
  assert.ok(Array.isArray(plan));
  assert.equal(r.immediateHop(plan, 500)?.dest.transport, 'udp');
  assert.equal(r.immediateHop(plan, 2000)?.dest.transport, 'tcp');
});
