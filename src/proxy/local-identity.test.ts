// What is ours and under which key an AOR is registered, with and without virtual proxy hosts (SPEC VPH-2, VPH-6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUri } from '../sip';
import type { Endpoint } from '../transport';
import { LocalIdentity, RegistryKeying, virtualProxyHosts } from './local-identity';
import { twoCompanyKeying } from './two-companies.fixture';

const BOUND: Endpoint[] = [{ transport: 'udp', host: '192.0.2.10', port: 5060 }];

function identity(keying?: RegistryKeying): LocalIdentity {
  return new LocalIdentity(['example.com', 'sip.example.com'], BOUND, undefined, keying);
}

const keyOf = (me: LocalIdentity, uri: string) => me.aorKey(parseUri(uri));

test('virtual domains and server names are local on any port, virtual addresses on the listening ports only', () => {
  const me = identity(twoCompanyKeying());
  for (const uri of ['sip:companya.com', 'sip:2000@CompanyB.com:5080', 'sip:pbx.companya.com', 'sip:2000@198.51.100.1', 'sip:example.com']) {
    assert.equal(me.isLocalDomain(parseUri(uri)), true, uri);
    assert.equal(me.isLocalUri(parseUri(uri)), true, uri);
  }
  for (const uri of ['sip:2000@198.51.100.1:5070', 'sip:companyc.com', 'sip:2000@198.51.100.3', 'tel:+14085558000']) {
    assert.equal(me.isLocalDomain(parseUri(uri)), false, uri);
  }
  assert.equal(me.isLocal('pbx.companyB.com', 5999), true);
  assert.equal(identity().isLocal('companya.com', 5060), false, 'no virtual hosts without keying');
});

test('Use_Virtual_Proxy_Host On: a private user is one entry per domain', () => {
  const me = identity(twoCompanyKeying());
  assert.equal(keyOf(me, 'sip:2000@companyA.com'), '2000@companya.com');
  assert.equal(keyOf(me, 'sip:2000@companyB.com'), '2000@companyb.com');
  assert.equal(keyOf(me, 'sip:2000@example.com'), '2000@example.com');
  assert.equal(keyOf(me, 'sip:alice@companyb.com;transport=tcp'), 'alice@companyb.com');
});

test('Use_Virtual_Proxy_Host On: an E.164 number is one entry under ProxyDomain, whichever domain it came with', () => {
  const me = identity(twoCompanyKeying());
  for (const uri of ['sip:+14085558000@companyA.com', 'sip:+14085558000@companyB.com', 'sip:+14085558000@example.com',
    'sip:+1-408-555-8000@companyb.com', 'sip:+14085558000@sip.example.com', 'sip:+14085558000@192.0.2.10']) {
    assert.equal(keyOf(me, uri), '+14085558000@example.com', uri);
  }
});

test('numbers are expanded by the plan of their own domain before the E.164 test', () => {
  const me = identity(twoCompanyKeying());
  assert.equal(keyOf(me, 'sip:8000@companyA.com'), '+14085558000@example.com');
  assert.equal(keyOf(me, 'sip:8000@companyB.com'), '+14086668000@example.com');
  assert.equal(keyOf(me, 'sip:8000@example.com'), '8000@example.com', 'no 8xxx plan outside the companies');
  assert.equal(keyOf(me, 'sip:6668000@companyA.com'), '+14086668000@example.com', 'a global plan applies everywhere');
  assert.equal(keyOf(me, 'sip:18183635839@companyb.com'), '+18183635839@example.com');
});

test('a virtual host named by its server name or address is its domain, with its number plan', () => {
  const me = identity(twoCompanyKeying());
  assert.equal(keyOf(me, 'sip:2000@pbx.companyA.com'), '2000@companya.com');
  assert.equal(keyOf(me, 'sip:2000@198.51.100.2'), '2000@companyb.com');
  assert.equal(keyOf(me, 'sip:8000@198.51.100.2:5060'), '+14086668000@example.com');
  assert.equal(keyOf(me, 'sip:8000@pbx.companya.com'), '+14085558000@example.com');
});

test('virtualDomain maps a virtual domain, server name or address to the domain, and nothing else', () => {
  const me = identity(twoCompanyKeying());
  assert.equal(me.virtualDomain('CompanyA.com'), 'companya.com');
  assert.equal(me.virtualDomain('PBX.companyB.com'), 'companyb.com');
  assert.equal(me.virtualDomain('198.51.100.1'), 'companya.com');
  assert.equal(me.virtualDomain('example.com'), undefined);
  assert.equal(me.virtualDomain('192.0.2.10'), undefined);
});

test("sipd's own names key under themselves and its addresses under ProxyDomain, in both modes", () => {
  for (const on of [true, false]) {
    const me = identity(twoCompanyKeying(on));
    assert.equal(keyOf(me, 'sip:alice@sip.example.com'), 'alice@sip.example.com');
    assert.equal(keyOf(me, 'sip:alice@192.0.2.10'), 'alice@example.com');
  }
});

test('Use_Virtual_Proxy_Host Off: every virtual host keys under the primary domain; numbers are still expanded', () => {
  const me = identity(twoCompanyKeying(false));
  assert.equal(keyOf(me, 'sip:2000@companyA.com'), '2000@example.com');
  assert.equal(keyOf(me, 'sip:2000@companyB.com'), '2000@example.com');
  assert.equal(keyOf(me, 'sip:2000@198.51.100.2'), '2000@example.com');
  assert.equal(keyOf(me, 'sip:8000@companyb.com'), '+14086668000@example.com');
});

test('setRegistryKeying replaces the virtual hosts and the rules (graceful restart)', () => {
  const me = identity();
  assert.equal(me.isLocal('companya.com', 5060), false);
  me.setRegistryKeying(twoCompanyKeying());
  assert.equal(me.isLocal('companya.com', 5060), true);
  assert.equal(keyOf(me, 'sip:2000@198.51.100.2'), '2000@companyb.com');
  me.setRegistryKeying({ ...twoCompanyKeying(), virtualHosts: [] });
  assert.equal(me.isLocal('companya.com', 5060), false);
  assert.equal(me.isLocal('198.51.100.2', 5060), false);
  assert.equal(me.isLocal('192.0.2.10', 5060), true, 'own addresses stay');
});

test('without keying settings the user is kept as written', () => {
  assert.equal(keyOf(identity(), 'sip:408-555-8000@example.com'), '408-555-8000@example.com');
  assert.equal(keyOf(identity(), 'sip:bob@192.0.2.10'), 'bob@example.com');
});

test('virtualProxyHosts reads the config blocks', () => {
  assert.deepEqual(virtualProxyHosts({
    '1.1': { Virtual_Proxy_Domain: 'foo.bar', Virtual_Proxy_Server_Name: 'usa.foo.bar', Virtual_Proxy_Server_IP: '61.12.1.1' },
    2: { Virtual_Proxy_Domain: 'b.com' },
  }), [
    { domain: 'b.com', serverName: undefined, serverIp: undefined },
    { domain: 'foo.bar', serverName: 'usa.foo.bar', serverIp: '61.12.1.1' },
  ]);
});

test('ProxyAddressResolutionType: IP writes addresses; A the server name with its port; SRV the domain, without a port in Record-Route', () => {
  const me = identity();
  const peer: Endpoint = { transport: 'udp', host: '192.0.2.1', port: 5060 };
  assert.equal(me.viaSentBy(peer), '192.0.2.10:5060');
  assert.equal(me.recordRoute(peer, false, false), '<sip:192.0.2.10:5060;lr>');
  me.advertiseName('proxy1.example.com');
  assert.equal(me.viaSentBy(peer), 'proxy1.example.com:5060');
  assert.equal(me.recordRoute(peer, false, false), '<sip:proxy1.example.com:5060;lr>');
  assert.ok(me.isLocal('proxy1.example.com', 5070), 'the advertised name is ours, so a request coming back to it is ours too');
  me.advertiseName('example.com', true);
  assert.equal(me.viaSentBy(peer), 'example.com:5060');
  assert.equal(me.recordRoute({ ...peer, transport: 'tcp' }, false, false), '<sip:example.com;lr;transport=tcp>');
  me.advertiseName(undefined);
  assert.equal(me.viaSentBy(peer), '192.0.2.10:5060');
});
