import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import fc from 'fast-check';
import { NumericAddress } from './address';
import { HostSet, HostSpecError, compileHostSpec } from './host-spec';

function matches(spec: string, host: string, names: string[] = []): boolean {
  const set = HostSet.compile([spec]);
  const a = new NumericAddress();
  a.parse(host);
  return set.matchesAddress(a) || set.matchesNames(names);
}

test('every address form of Allow/Deny from matches what the seed says and nothing next to it', () => {
  const cases: [spec: string, inside: string[], outside: string[]][] = [
    ['all', ['10.1.2.3', '2001:db8::1', '::ffff:192.0.2.1'], []],
    ['10.1.2.3', ['10.1.2.3', '::ffff:10.1.2.3', '::FFFF:10.1.2.3'], ['10.1.2.4', '10.1.2.30', '::10.1.2.3']],
    ['10.1', ['10.1.0.0', '10.1.255.255', '::ffff:10.1.9.9'], ['10.2.0.1', '10.10.0.1', '11.1.0.0']],
    ['10.1.', ['10.1.7.7'], ['10.2.7.7']],
    ['10.1.2', ['10.1.2.0', '10.1.2.255'], ['10.1.3.0']],
    ['10', ['10.200.3.4'], ['11.0.0.0']],
    ['10.1.0.0/255.255.0.0', ['10.1.44.1'], ['10.2.0.0']],
    ['10.1.0.0/16', ['10.1.0.1', '10.1.255.254'], ['10.0.255.255', '10.2.0.0']],
    ['192.0.2.128/25', ['192.0.2.128', '192.0.2.255'], ['192.0.2.127']],
    ['0.0.0.0/0', ['1.2.3.4', '::ffff:8.8.8.8'], ['2001:db8::1']],
    ['2001:db8::1', ['2001:db8::1', '2001:DB8:0:0:0:0:0:1', '2001:db8::1%eth0'], ['2001:db8::2', '10.1.2.3']],
    ['2001:db8::/32', ['2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'], ['2001:db9::', '2001:db7:ffff::1']],
    ['2001:db8:a::/48', ['2001:db8:a:1::9'], ['2001:db8:b::9']],
    ['fe80::/ffc0::', ['fe80::1', 'febf::1'], ['fec0::1']],
    ['::1', ['::1'], ['::2', '127.0.0.1']],
  ];
  for (const [spec, inside, outside] of cases) {
    for (const host of inside) assert.equal(matches(spec, host), true, `${spec} should match ${host}`);
    for (const host of outside) assert.equal(matches(spec, host), false, `${spec} should not match ${host}`);
  }
});

test('a partial domain name matches the domain and its subdomains by whole labels, ignoring case', () => {
  assert.equal(matches('company.com', '192.0.2.1', ['company.com']), true);
  assert.equal(matches('company.com', '192.0.2.1', ['gw.sales.company.com']), true);
  assert.equal(matches('Company.COM', '192.0.2.1', ['gw.company.com']), true);
  assert.equal(matches('.company.com', '192.0.2.1', ['gw.company.com']), true);
  assert.equal(matches('company.com', '192.0.2.1', ['badcompany.com']), false);
  assert.equal(matches('company.com', '192.0.2.1', ['company.com.evil.net']), false);
  assert.equal(matches('company.com', '192.0.2.1', []), false);
});

test('a network with host bits set means the network (10.1.2.3/16 = 10.1.0.0/16)', () => {
  assert.deepEqual(compileHostSpec('10.1.2.3/16'), { kind: 'v4', net: 0x0a010000, mask: 0xffff0000 });
  assert.equal(matches('10.1.2.3/16', '10.1.99.99'), true);
});

test('specs that are none of the forms are refused with the reason', () => {
  const refused: [string, RegExp][] = [
    ['300.1', /above 255/],
    ['10.0.0.0/33', /longer than 32 bits/],
    ['2001:db8::/129', /longer than 128 bits/],
    ['10.0.0.0/ffff::', /same family/],
    ['gw.company.com/16', /must start with an IP address/],
    ['2001:db8', /not an IPv6 address/],
    ['bad_host!', /not a host name/],
    ['a..b', /not a host name/],
  ];
  for (const [spec, reason] of refused) {
    assert.throws(() => compileHostSpec(spec), (e: unknown) => e instanceof HostSpecError && reason.test(e.message), spec);
  }
});

test('address parsing refuses what is not an IP literal', () => {
  const a = new NumericAddress();
  for (const bad of ['', 'gw.company.com', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', ':1', '1:', '1:::2',
    '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3']) {
    assert.equal(a.parse(bad), false, bad);
    assert.equal(a.family, 0, bad);
  }
  assert.equal(a.parse('::ffff:192.0.2.1'), true);
  assert.equal(a.lookupForm('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(a.parse('2001:db8::1'), true);
  assert.equal(a.hasV4, false);
});

test('IPv4 and IPv6 subnet matching agrees with node:net BlockList on random addresses and networks', () => {
  const scratch = new NumericAddress();
  fc.assert(fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (addr, net, prefix) => {
    const oracle = new BlockList();
    oracle.addSubnet(net, prefix, 'ipv4');
    scratch.parse(addr);
    return HostSet.compile([`${net}/${prefix}`]).matchesAddress(scratch) === oracle.check(addr, 'ipv4');
  }), { numRuns: 2000 });
  fc.assert(fc.property(fc.ipV6(), fc.ipV6(), fc.integer({ min: 0, max: 128 }), (addr, net, prefix) => {
    const oracle = new BlockList();
    oracle.addSubnet(net, prefix, 'ipv6');
    assert.equal(scratch.parse(addr), true, addr);
    return HostSet.compile([`${net}/${prefix}`]).matchesAddress(scratch) === oracle.check(addr, 'ipv6');
  }), { numRuns: 2000 });
});

test('a random address is inside its own /N network and outside it with one bit of the prefix flipped', () => {
  const scratch = new NumericAddress();
  fc.assert(fc.property(fc.ipV6(), fc.integer({ min: 1, max: 128 }), (addr, prefix) => {
    scratch.parse(addr);
    const words = Array.from(scratch.v6);
    const bit = prefix - 1;
    words[bit >> 5] ^= 1 << (31 - (bit & 31));
    const flipped = words.flatMap((w) => [(w >>> 16).toString(16), (w & 0xffff).toString(16)]).join(':');
    const set = HostSet.compile([`${addr}/${prefix}`]);
    const inside = set.matchesAddress(scratch);
    scratch.parse(flipped);
    return inside && !set.matchesAddress(scratch);
  }), { numRuns: 1000 });
});
