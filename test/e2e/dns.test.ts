// RFC 3263 next-hop resolution and ENUM against a real DNS server: dnsmasq on a loopback port serving NAPTR, SRV,
// A and AAAA records written here (the seed's Appendix D layout: NAPTR per service, SRV per farm, A per farm).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { parseUri } from '../../src/sip';
import { DEFAULT_DNS_SETTINGS, DnsLookupError, DnsResolver } from '../../src/dns/resolver';
import { SipResolver, type SipResolverSettings, type SipTarget } from '../../src/dns/sip-resolver';
import { EnumTranslator } from '../../src/enum/enum';
import { Dnsmasq, type DnsZone } from './harness/dnsmasq';
import { freePort } from './harness/ports';
import { seededRandom } from '../../src/seeded-random';

const SIP_SETTINGS: SipResolverSettings = {
  allowNaptr: true, srvForFqdnOnly: false, transportPrefOrder: ['tls', 'tcp', 'udp'], tlsEnabled: true, addressFamilies: [4, 6],
};

const srv = (name: string, target: string, port: number, priority: number, weight = 1) => ({ name, target, port, priority, weight });

const ZONE: DnsZone = {
  domains: ['example.test', 'e164.arpa', 'enum.corp.test'],
  naptr: [
    { name: 'example.test', order: 50, preference: 50, flags: 's', service: 'SIPS+D2T', replacement: '_sips._tcp.example.test' },
    { name: 'example.test', order: 90, preference: 50, flags: 's', service: 'SIP+D2T', replacement: '_sip._tcp.example.test' },
    { name: 'example.test', order: 100, preference: 50, flags: 's', service: 'SIP+D2U', replacement: '_sip._udp.example.test' },
    // ENUM: a global number, and a private one through a non-terminal rule
    { name: '1.2.3.4.5.6.7.8.6.4.e164.arpa', order: 100, preference: 10, flags: 'u', service: 'E2U+sip', regexp: '!^\\+46(.*)$!sip:\\1@example.se!' },
    { name: '1.2.3.4.5.6.7.8.6.4.e164.arpa', order: 100, preference: 20, flags: 'u', service: 'E2U+mailto', regexp: '!^.*$!mailto:info@example.se!' },
    { name: '1.0.0.5.enum.corp.test', order: 10, preference: 10, flags: '', service: '', replacement: 'pbx-numbers.enum.corp.test' },
    { name: 'pbx-numbers.enum.corp.test', order: 10, preference: 10, flags: 'u', service: 'E2U+sip', regexp: '!^(.*)$!sip:\\1@pbx.corp.test!' },
  ],
  srv: [
    srv('_sips._tcp.example.test', 'farm1.example.test', 5061, 10), srv('_sips._tcp.example.test', 'farm2.example.test', 5061, 20),
    srv('_sip._tcp.example.test', 'farm1.example.test', 5060, 10), srv('_sip._tcp.example.test', 'farm2.example.test', 5060, 20),
    srv('_sip._udp.example.test', 'farm1.example.test', 5060, 10), srv('_sip._udp.example.test', 'farm2.example.test', 5060, 20),
    srv('_sip._udp.weighted.example.test', 'light.example.test', 5060, 10, 1),
    srv('_sip._udp.weighted.example.test', 'heavy.example.test', 5060, 10, 3),
    srv('_sip._udp.srvonly.example.test', 'gw.example.test', 5070, 10), srv('_sip._tcp.srvonly.example.test', 'gw.example.test', 5071, 10),
    srv('_sip._udp.failover.example.test', 'dead.example.test', 5060, 10), srv('_sip._udp.failover.example.test', 'alive.example.test', 5062, 20),
  ],
  hosts: [
    { name: 'farm1.example.test', addresses: ['10.0.0.11', '10.0.0.12'] },
    { name: 'farm2.example.test', addresses: ['10.0.0.21', 'fd00::21'] },
    { name: 'light.example.test', addresses: ['10.0.1.1'] },
    { name: 'heavy.example.test', addresses: ['10.0.1.3'] },
    { name: 'gw.example.test', addresses: ['10.0.4.1'] },
    { name: 'alive.example.test', addresses: ['10.0.3.1'] },
    { name: 'plain.example.test', addresses: ['10.0.2.1', 'fd00::2:1'] },
    { name: 'cached.example.test', addresses: ['10.0.5.1'] },
  ],
};

const brief = (targets: SipTarget[]) => targets.map((t) => `${t.transport}:${t.host}:${t.port}${t.tlsName ? ` ${t.tlsName}` : ''}`);

/** The farm each address belongs to: dnsmasq rotates the addresses of one name, so only the farm order is fixed. */
const FARM: Record<string, string> = { '10.0.0.11': 'farm1', '10.0.0.12': 'farm1', '10.0.0.21': 'farm2', 'fd00::21': 'farm2' };
const inFarms = (briefs: string[]) => briefs.map((b) => b.replace(/^(\w+):(.+):(\d+)/, (_, t: string, host: string, port: string) => `${t}:${FARM[host]}:${port}`));

/** The same targets as `expected`, the addresses of one farm in any order. */
function assertFarmOrder(targets: SipTarget[], expected: string[]): void {
  assert.deepEqual(inFarms(brief(targets)), inFarms(expected));
  assert.deepEqual(new Set(brief(targets)), new Set(expected));
}


describe('RFC 3263 and ENUM against dnsmasq', () => {
  let dnsmasq: Dnsmasq;
  const newDns = () => new DnsResolver({ ...DEFAULT_DNS_SETTINGS, servers: [dnsmasq.server] });
  const sipResolver = (settings: Partial<SipResolverSettings> = {}, random = seededRandom(7)) =>
    new SipResolver(newDns(), { ...SIP_SETTINGS, ...settings }, random);

  before(async () => {
    dnsmasq = await Dnsmasq.start(ZONE);
  });
  after(async () => {
    await dnsmasq?.stop();
  });

  it('NAPTR → SRV → A/AAAA: TLS, then TCP, then UDP; the primary farm before the backup; TLS names the domain', async () => {
    const targets = await sipResolver().resolve(parseUri('sip:bob@example.test'));
    assertFarmOrder(targets, [
      'tls:10.0.0.11:5061 example.test', 'tls:10.0.0.12:5061 example.test', 'tls:10.0.0.21:5061 example.test', 'tls:fd00::21:5061 example.test',
      'tcp:10.0.0.11:5060', 'tcp:10.0.0.12:5060', 'tcp:10.0.0.21:5060', 'tcp:fd00::21:5060',
      'udp:10.0.0.11:5060', 'udp:10.0.0.12:5060', 'udp:10.0.0.21:5060', 'udp:fd00::21:5060',
    ]);
  });

  it('without TLS the NAPTR TLS service is skipped; a sips URI then has no target, and with TLS only TLS ones', async () => {
    const noTls = await sipResolver({ tlsEnabled: false, transportPrefOrder: ['tcp', 'udp'] }).resolve(parseUri('sip:example.test'));
    assert.equal(noTls[0].transport, 'tcp');
    assert.ok(noTls.every((t) => t.transport !== 'tls'));
    assert.deepEqual(await sipResolver({ tlsEnabled: false }).resolve(parseUri('sips:example.test')), []);
    const sips = await sipResolver().resolve(parseUri('sips:alice@example.test'));
    assert.equal(sips.length, 4);
    assert.ok(sips.every((t) => t.transport === 'tls' && t.port === 5061 && t.tlsName === 'example.test'));
  });

  it('SRV priority, and weights among equal priorities (1:3, with a seeded random)', async () => {
    const resolver = sipResolver({}, seededRandom(2024));
    let heavyFirst = 0;
    const runs = 2000;
    for (let i = 0; i < runs; i++) {
      const [first, second] = await resolver.resolve(parseUri('sip:weighted.example.test'));
      assert.notEqual(first.host, second.host, 'both targets are always listed');
      if (first.host === '10.0.1.3') heavyFirst++;
    }
    // Weight 3 of 1+3: first in 75% of the orderings.
    assert.ok(heavyFirst / runs > 0.65 && heavyFirst / runs < 0.85, `heavy first in ${heavyFirst} of ${runs}`);
    assert.equal(dnsmasq.queries('SRV', '_sip._udp.weighted.example.test'), 1, 'the SRV set was asked once and then cached');
  });

  it('without NAPTR: SRV per transport in TransportPrefOrder; AllowNaptrLookup Off never asks NAPTR', async () => {
    assert.deepEqual(brief(await sipResolver({ transportPrefOrder: ['udp', 'tcp'] }).resolve(parseUri('sip:srvonly.example.test'))),
      ['udp:10.0.4.1:5070', 'tcp:10.0.4.1:5071']);
    assert.deepEqual(brief(await sipResolver({ transportPrefOrder: ['tcp', 'udp'] }).resolve(parseUri('sip:srvonly.example.test'))),
      ['tcp:10.0.4.1:5071', 'udp:10.0.4.1:5070']);
    const naptrBefore = dnsmasq.queries('NAPTR', 'example.test');
    const targets = await sipResolver({ allowNaptr: false, transportPrefOrder: ['udp', 'tcp'] }).resolve(parseUri('sip:example.test'));
    assert.equal(targets[0].transport, 'udp');
    assert.equal(dnsmasq.queries('NAPTR', 'example.test'), naptrBefore);
  });

  it('explicit port: A/AAAA only; explicit transport: SRV for it only; no SRV: A and AAAA on the default port', async () => {
    assert.deepEqual(brief(await sipResolver().resolve(parseUri('sip:plain.example.test:5099'))), ['udp:10.0.2.1:5099', 'udp:fd00::2:1:5099']);
    assert.equal(dnsmasq.queries('SRV', '_sip._udp.plain.example.test'), 0);
    assertFarmOrder(await sipResolver().resolve(parseUri('sip:example.test;transport=tcp')),
      ['tcp:10.0.0.11:5060', 'tcp:10.0.0.12:5060', 'tcp:10.0.0.21:5060', 'tcp:fd00::21:5060']);
    const plain = await sipResolver().resolve(parseUri('sip:plain.example.test'));
    assert.deepEqual(brief(plain), ['udp:10.0.2.1:5060', 'udp:fd00::2:1:5060']);
    assert.ok(plain.every((t) => t.defaultTransport));
    assert.deepEqual(brief(await sipResolver({ addressFamilies: [6] }).resolve(parseUri('sip:plain.example.test'))), ['udp:fd00::2:1:5060']);
  });

  it('failover order: the first SRV target does not resolve, so the list starts with the next one', async () => {
    const targets = await sipResolver().resolve(parseUri('sip:failover.example.test;transport=udp'));
    assert.deepEqual(brief(targets), ['udp:10.0.3.1:5062']);
    assert.equal(dnsmasq.queries('A', 'dead.example.test'), 1, 'the dead target was tried first');
  });

  it('a second resolution within the TTL does not reach the server (positive and negative answers cached)', async () => {
    const resolver = sipResolver();
    const first = await resolver.resolve(parseUri('sip:cached.example.test'));
    const second = await resolver.resolve(parseUri('sip:cached.example.test'));
    assert.deepEqual(brief(first), ['udp:10.0.5.1:5060']);
    assert.deepEqual(second, first);
    for (const [type, name] of [['NAPTR', 'cached.example.test'], ['SRV', '_sips._tcp.cached.example.test'], ['SRV', '_sip._udp.cached.example.test'],
      ['A', 'cached.example.test'], ['AAAA', 'cached.example.test']]) {
      assert.equal(dnsmasq.queries(type, name), 1, `${type} ${name}`);
    }
  });

  it('ENUM: a "+" number through e164.arpa, a private one through a non-terminal rule, an unknown one to undefined', async () => {
    const enumT = new EnumTranslator(newDns(), { globalDomain: 'e164.arpa', privateDomain: 'enum.corp.test', maxChain: 5 });
    assert.deepEqual(await enumT.lookup('+46 8 765 43 21'), ['sip:87654321@example.se']);
    assert.deepEqual(await enumT.lookup('5001'), ['sip:5001@pbx.corp.test']);
    assert.equal(await enumT.lookup('+4699999'), undefined);
    assert.equal(await enumT.lookup('5002'), undefined);
  });

  describe('a DNS server that never answers', () => {
    let mute: Socket;
    let port: number;
    before(async () => {
      port = await freePort();
      mute = createSocket('udp4');
      await new Promise<void>((resolve) => mute.bind(port, '127.0.0.1', resolve));
    });
    after(() => new Promise<void>((resolve) => mute.close(() => resolve())));

    it('times out with DnsLookupError; the SIP resolver reports it and finds no target', async () => {
      const dns = new DnsResolver({ ...DEFAULT_DNS_SETTINGS, servers: [`127.0.0.1:${port}`], timeoutMs: 300, tries: 1 });
      const err = await dns.a('anything.example.test').catch((e: unknown) => e);
      assert.ok(err instanceof DnsLookupError, String(err));
      assert.equal(err.code, 'ETIMEOUT');
      const failures: string[] = [];
      const sip = new SipResolver(dns, { ...SIP_SETTINGS, allowNaptr: false, transportPrefOrder: ['udp'] }, Math.random,
        (e) => failures.push(`${e.type} ${e.domain}`));
      assert.deepEqual(await sip.resolve(parseUri('sip:anything.example.test')), []);
      assert.deepEqual(failures, ['SRV _sip._udp.anything.example.test', 'A anything.example.test', 'AAAA anything.example.test']);
    });
  });
});
