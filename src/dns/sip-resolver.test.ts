import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUri } from '../sip';
import { defaultConfig } from '../config';
import { DEFAULT_DNS_SETTINGS, DnsResolver } from './resolver';
import { FakeDns } from './fake-dns';
import { SipResolver, parseTransportPrefOrder, sipResolverSettings, type SipResolverSettings, type SipTarget } from './sip-resolver';

const SETTINGS: SipResolverSettings = {
  allowNaptr: true, srvForFqdnOnly: false, transportPrefOrder: ['udp', 'tcp', 'tls'], tlsEnabled: true, addressFamilies: [4, 6],
};

function resolverFor(dns: FakeDns, settings: Partial<SipResolverSettings> = {}, random = () => 0): SipResolver {
  return new SipResolver(new DnsResolver(DEFAULT_DNS_SETTINGS, dns), { ...SETTINGS, ...settings }, random);
}

const brief = (targets: SipTarget[]) => targets.map((t) => `${t.transport}:${t.host}:${t.port}${t.tlsName ? ` ${t.tlsName}` : ''}`);

/** The seed's Appendix D zone: NAPTR per service, SRV to two farms, A records per farm. */
function ciscoZone(): FakeDns {
  return new FakeDns()
    .naptr('cisco.test', [50, 50, 's', 'SIPS+D2T', '', '_sips._tcp.cisco.test'], [90, 50, 's', 'SIP+D2T', '', '_sip._tcp.cisco.test'],
      [100, 50, 's', 'SIP+D2U', '', '_sip._udp.cisco.test'])
    .srv('_sips._tcp.cisco.test', [10, 1, 5061, 'farm1.cisco.test'], [20, 1, 5061, 'farm2.cisco.test'])
    .srv('_sip._tcp.cisco.test', [10, 1, 5060, 'farm1.cisco.test'], [20, 1, 5060, 'farm2.cisco.test'])
    .srv('_sip._udp.cisco.test', [20, 1, 5060, 'farm2.cisco.test'], [10, 1, 5060, 'farm1.cisco.test'])
    .host('farm1.cisco.test', ['10.4.175.126', '10.4.175.127']).host('farm2.cisco.test', ['10.4.175.129']);
}

test('the seed zone: NAPTR order, then SRV priority, then each farm address; TLS names the URI domain', async () => {
  const targets = await resolverFor(ciscoZone()).resolve(parseUri('sip:bob@cisco.test'));
  assert.deepEqual(brief(targets), [
    'tls:10.4.175.126:5061 cisco.test', 'tls:10.4.175.127:5061 cisco.test', 'tls:10.4.175.129:5061 cisco.test',
    'tcp:10.4.175.126:5060', 'tcp:10.4.175.127:5060', 'tcp:10.4.175.129:5060',
    'udp:10.4.175.126:5060', 'udp:10.4.175.127:5060', 'udp:10.4.175.129:5060',
  ]);
  assert.ok(targets.every((t) => !t.defaultTransport));
});

test('NAPTR services sipd cannot use are skipped: TLS when disabled, unknown services, non-"s" flags', async () => {
  const dns = ciscoZone();
  dns.naptr('cisco.test', [10, 10, 's', 'SIP+D2S', '', '_sip._sctp.cisco.test'], [20, 10, 'a', 'SIP+D2U', '', 'farm1.cisco.test'],
    [50, 50, 's', 'SIPS+D2T', '', '_sips._tcp.cisco.test'], [100, 50, 's', 'SIP+D2U', '', '_sip._udp.cisco.test']);
  const targets = await resolverFor(dns, { tlsEnabled: false, transportPrefOrder: ['udp', 'tcp'] }).resolve(parseUri('sip:cisco.test'));
  assert.deepEqual(brief(targets), ['udp:10.4.175.126:5060', 'udp:10.4.175.127:5060', 'udp:10.4.175.129:5060']);
  assert.ok(!dns.asked.includes('SRV _sip._sctp.cisco.test'));
});

test('a sips URI only takes TLS targets, from NAPTR or from SRV', async () => {
  const viaNaptr = await resolverFor(ciscoZone()).resolve(parseUri('sips:bob@cisco.test'));
  assert.ok(viaNaptr.length === 3 && viaNaptr.every((t) => t.transport === 'tls' && t.port === 5061));
  const noNaptr = await resolverFor(ciscoZone(), { allowNaptr: false, transportPrefOrder: ['udp', 'tcp', 'tls'] })
    .resolve(parseUri('sips:bob@cisco.test'));
  assert.deepEqual(brief(noNaptr).slice(0, 1), ['tls:10.4.175.126:5061 cisco.test']);
  assert.ok(noNaptr.every((t) => t.transport === 'tls'));
  assert.deepEqual(await resolverFor(ciscoZone(), { tlsEnabled: false }).resolve(parseUri('sips:bob@cisco.test')), []);
});

test('AllowNaptrLookup Off: SRV per transport in TransportPrefOrder, NAPTR never asked', async () => {
  const dns = ciscoZone();
  const targets = await resolverFor(dns, { allowNaptr: false, transportPrefOrder: ['tcp', 'udp'] }).resolve(parseUri('sip:cisco.test'));
  assert.deepEqual(brief(targets).map((t) => t.split(':')[0]), ['tcp', 'tcp', 'tcp', 'udp', 'udp', 'udp']);
  assert.ok(!dns.asked.some((q) => q.startsWith('NAPTR')));
  assert.ok(!dns.asked.includes('SRV _sips._tcp.cisco.test'), 'TLS is not in the order');
});

test('no NAPTR and no SRV: A and AAAA with the default port over UDP (sip) or TLS (sips)', async () => {
  const dns = new FakeDns().host('plain.test', ['192.0.2.5', '2001:db8::5']);
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sip:plain.test'))), ['udp:192.0.2.5:5060', 'udp:2001:db8::5:5060']);
  const [first] = await resolverFor(dns).resolve(parseUri('sip:plain.test'));
  assert.equal(first.defaultTransport, true);
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sips:plain.test'))), ['tls:192.0.2.5:5061 plain.test', 'tls:2001:db8::5:5061 plain.test']);
  assert.deepEqual(brief(await resolverFor(dns, { transportPrefOrder: ['tcp'] }).resolve(parseUri('sip:plain.test')))[0], 'tcp:192.0.2.5:5060');
  assert.deepEqual(brief(await resolverFor(dns, { addressFamilies: [6] }).resolve(parseUri('sip:plain.test'))), ['udp:2001:db8::5:5060']);
});

test('an explicit port means A/AAAA only; an explicit transport means SRV for that transport only', async () => {
  const dns = ciscoZone().host('cisco.test', ['10.9.9.9']);
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sip:bob@cisco.test:5080'))), ['udp:10.9.9.9:5080']);
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sip:bob@cisco.test:5080;transport=tcp'))), ['tcp:10.9.9.9:5080']);
  assert.ok(!dns.asked.some((q) => q.startsWith('NAPTR') || q.startsWith('SRV')));
  const tcp = await resolverFor(dns).resolve(parseUri('sip:bob@cisco.test;transport=TCP'));
  assert.deepEqual(brief(tcp), ['tcp:10.4.175.126:5060', 'tcp:10.4.175.127:5060', 'tcp:10.4.175.129:5060']);
  assert.ok(!dns.asked.some((q) => q.startsWith('NAPTR')));
  const sipsTcp = await resolverFor(dns).resolve(parseUri('sips:bob@cisco.test;transport=tcp'));
  assert.ok(sipsTcp.every((t) => t.transport === 'tls' && t.port === 5061));
  assert.deepEqual(await resolverFor(dns).resolve(parseUri('sip:bob@cisco.test;transport=sctp')), []);
  // transport given, no SRV for it: A with the default port of that transport.
  assert.deepEqual(brief(await resolverFor(new FakeDns().host('x.test', ['192.0.2.7'])).resolve(parseUri('sip:x.test;transport=tls'))),
    ['tls:192.0.2.7:5061 x.test']);
});

test('numeric hosts are used as they are, with no DNS query', async () => {
  const dns = new FakeDns();
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sip:bob@192.0.2.1'))), ['udp:192.0.2.1:5060']);
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sip:bob@[2001:db8::1]:5070;transport=tcp'))), ['tcp:2001:db8::1:5070']);
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sips:bob@192.0.2.1'))), ['tls:192.0.2.1:5061']);
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sip:bob@cisco.test;maddr=192.0.2.9'))), ['udp:192.0.2.9:5060']);
  assert.deepEqual(dns.asked, []);
});

test('SrvForFqdnOnly: a dotless host gets only A/AAAA, a dotted one NAPTR and SRV', async () => {
  const dns = new FakeDns().srv('_sip._udp.gw', [10, 1, 5070, 'gw']).host('gw', ['192.0.2.3']);
  assert.deepEqual(brief(await resolverFor(dns, { srvForFqdnOnly: false }).resolve(parseUri('sip:gw'))), ['udp:192.0.2.3:5070']);
  const only = new FakeDns().srv('_sip._udp.gw', [10, 1, 5070, 'gw']).host('gw', ['192.0.2.3']);
  assert.deepEqual(brief(await resolverFor(only, { srvForFqdnOnly: true }).resolve(parseUri('sip:gw'))), ['udp:192.0.2.3:5060']);
  assert.deepEqual(only.asked, ['A gw', 'AAAA gw']);
  assert.equal((await resolverFor(ciscoZone(), { srvForFqdnOnly: true }).resolve(parseUri('sip:cisco.test'))).length, 9);
});

test('a target that does not resolve, or fails, is left out and the next one follows', async () => {
  const dns = new FakeDns().srv('_sip._udp.f.test', [10, 1, 5060, 'gone.f.test'], [20, 1, 5060, 'slow.f.test'], [30, 1, 5062, 'ok.f.test'])
    .host('ok.f.test', ['192.0.2.30']);
  dns.failing.set('slow.f.test', 'ETIMEOUT');
  const errors: string[] = [];
  const sip = new SipResolver(new DnsResolver(DEFAULT_DNS_SETTINGS, dns), { ...SETTINGS, allowNaptr: false }, () => 0,
    (err) => errors.push(err.message));
  assert.deepEqual(brief(await sip.resolve(parseUri('sip:f.test'))), ['udp:192.0.2.30:5062']);
  assert.deepEqual(errors, ['DNS A lookup of slow.f.test failed: ETIMEOUT', 'DNS AAAA lookup of slow.f.test failed: ETIMEOUT']);
});

test('an SRV target of "." means no service; the same address reached twice is listed once', async () => {
  const dns = new FakeDns().srv('_sip._udp.n.test', [0, 0, 0, '.'])
    .srv('_sip._tcp.d.test', [10, 1, 5060, 'a.d.test'], [20, 1, 5060, 'b.d.test']).host('a.d.test', ['192.0.2.1']).host('b.d.test', ['192.0.2.1']);
  assert.deepEqual(await resolverFor(dns, { allowNaptr: false, transportPrefOrder: ['udp'] }).resolve(parseUri('sip:n.test')), []);
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sip:d.test;transport=tcp'))), ['tcp:192.0.2.1:5060']);
});

test('targets are produced lazily: the second SRV target is not looked up before it is asked for', async () => {
  const dns = ciscoZone();
  const it = resolverFor(dns).targets(parseUri('sip:cisco.test;transport=udp'));
  const first = await it.next();
  assert.equal((first.value as SipTarget).host, '10.4.175.126');
  assert.ok(!dns.asked.includes('A farm2.cisco.test'));
  await it.return(undefined);
});

test('settings come from the directives; TransportPrefOrder drops TLS when TLS is off', () => {
  assert.deepEqual(parseTransportPrefOrder('TLS_TCP_UDP', true), ['tls', 'tcp', 'udp']);
  assert.deepEqual(parseTransportPrefOrder('TLS_TCP_UDP', false), ['tcp', 'udp']);
  assert.deepEqual(parseTransportPrefOrder('UDP', false), ['udp']);
  assert.throws(() => parseTransportPrefOrder('UDP_SCTP', true), /unknown transport "SCTP"/);
  const s = sipResolverSettings({ ...defaultConfig('/tmp'), AllowNaptrLookup: false, SrvForFqdnOnly: true, TransportPrefOrder: 'UDP_TCP' });
  assert.equal(s.allowNaptr, false);
  assert.equal(s.srvForFqdnOnly, true);
  assert.deepEqual(s.transportPrefOrder, ['udp', 'tcp']);
});

test('transportIfAbsent (a Route hop and SipRouteHeaderTransportType) acts as a transport parameter, sip URIs only', async () => {
  const dns = ciscoZone();
  const tcp = await resolverFor(dns).resolve(parseUri('sip:cisco.test;lr'), { transportIfAbsent: 'tcp' });
  assert.deepEqual(brief(tcp), ['tcp:10.4.175.126:5060', 'tcp:10.4.175.127:5060', 'tcp:10.4.175.129:5060']);
  assert.ok(!dns.asked.some((q) => q.startsWith('NAPTR')));
  const [numeric] = await resolverFor(dns).resolve(parseUri('sip:192.0.2.1;lr'), { transportIfAbsent: 'tcp' });
  assert.deepEqual(brief([numeric]), ['tcp:192.0.2.1:5060']);
  assert.equal(numeric.defaultTransport, true, 'not written in the URI');
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sip:192.0.2.1;transport=udp'), { transportIfAbsent: 'tcp' })), ['udp:192.0.2.1:5060']);
  assert.deepEqual(brief(await resolverFor(dns).resolve(parseUri('sips:192.0.2.1'), { transportIfAbsent: 'udp' })), ['tls:192.0.2.1:5061']);
});
