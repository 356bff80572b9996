import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config';
import { DEFAULT_DNS_SETTINGS, DnsResolver } from '../dns/resolver';
import { FakeDns } from '../dns/fake-dns';
import { EnumTranslator, enumKey, enumSettings, isSipService, type EnumSettings } from './enum';

const SETTINGS: EnumSettings = { globalDomain: 'e164.arpa', privateDomain: 'enum.corp.example', maxChain: 5 };

function translator(dns: FakeDns, settings: Partial<EnumSettings> = {}, errors: string[] = []): EnumTranslator {
  return new EnumTranslator(new DnsResolver(DEFAULT_DNS_SETTINGS, dns), { ...SETTINGS, ...settings }, (e) => errors.push(e.message));
}

test('"+" numbers go under the global domain, others under the private one (or the global one without it)', () => {
  assert.deepEqual(enumKey('+46-8-765 43 21', SETTINGS), { aus: '+4687654321', domain: '1.2.3.4.5.6.7.8.6.4.e164.arpa' });
  assert.deepEqual(enumKey('(408) 555.1212', SETTINGS), { aus: '4085551212', domain: '2.1.2.1.5.5.5.8.0.4.enum.corp.example' });
  assert.deepEqual(enumKey('5001', { globalDomain: 'e164.arpa.' }), { aus: '5001', domain: '1.0.0.5.e164.arpa' });
  assert.equal(enumKey('alice', SETTINGS), undefined);
  assert.equal(enumKey('+', SETTINGS), undefined);
  assert.equal(enumKey('12+3', SETTINGS), undefined);
});

test('SIP enumservices in every spelling, and nothing else', () => {
  for (const s of ['E2U+sip', 'e2u+SIP', 'E2U+voice:tel+sip', 'sip+E2U']) assert.equal(isSipService(s), true, s);
  for (const s of ['E2U+mailto', 'E2U+pstn:tel', 'SIP+D2U', 'E2U', '']) assert.equal(isSipService(s), false, s);
});

test('a terminal E2U+sip record rewrites the number to a SIP URI; other services are passed over', async () => {
  const dns = new FakeDns().naptr('1.2.3.4.5.6.7.8.6.4.e164.arpa',
    [100, 10, 'u', 'E2U+mailto', '!^.*$!mailto:info@example.se!'],
    [100, 20, 'u', 'E2U+sip', '!^\\+46(.*)$!sip:\\1@example.se!']);
  assert.deepEqual(await translator(dns).lookup('+4687654321'), ['sip:87654321@example.se']);
});

test('order, then preference: the lowest order that yields a URI is the whole answer', async () => {
  const dns = new FakeDns().naptr('1.0.0.5.enum.corp.example',
    [20, 10, 'u', 'E2U+sip', '!^.*$!sip:late@example.com!'],
    [10, 50, 'u', 'E2U+sip', '!^.*$!sip:second@example.com!'],
    [10, 10, 'u', 'E2U+sip', '!^.*$!sip:first@example.com!'],
    [5, 10, 'u', 'E2U+sip', '!^\\+(.*)$!sip:\\1@never.example!']);
  assert.deepEqual(await translator(dns).lookup('5001'), ['sip:first@example.com', 'sip:second@example.com']);
});

test('non-terminal records are followed to the domain they name, and chains are bounded', async () => {
  const dns = new FakeDns()
    .naptr('1.0.0.5.enum.corp.example', [10, 10, '', '', '', 'next.corp.example'])
    .naptr('next.corp.example', [10, 10, '', 'E2U+sip', '!^(.*)$!\\1.final.corp.example!'])
    .naptr('5001.final.corp.example', [10, 10, 'u', 'E2U+sip', '!^(.*)$!sip:\\1@pbx.corp.example!']);
  assert.deepEqual(await translator(dns).lookup('5001'), ['sip:5001@pbx.corp.example']);
  assert.equal(await translator(dns, { maxChain: 1 }).lookup('5001'), undefined);
  const loop = new FakeDns().naptr('1.0.0.5.enum.corp.example', [10, 10, '', '', '', 'a.corp.example'])
    .naptr('a.corp.example', [10, 10, '', '', '', '1.0.0.5.enum.corp.example']);
  assert.equal(await translator(loop).lookup('5001'), undefined);
  assert.deepEqual(loop.asked, ['NAPTR 1.0.0.5.enum.corp.example', 'NAPTR a.corp.example']);
});

test('no records, no matching rule, no number, or a failing DNS: undefined (and the failure is reported)', async () => {
  const dns = new FakeDns().naptr('1.e164.arpa', [10, 10, 'u', 'E2U+sip', '!^\\+2(.*)$!sip:\\1@x!']);
  const errors: string[] = [];
  assert.equal(await translator(dns).lookup('+9'), undefined);
  assert.equal(await translator(dns).lookup('+1'), undefined);
  assert.equal(await translator(dns).lookup('bob'), undefined);
  dns.failing.set('2.e164.arpa', 'ESERVFAIL');
  assert.equal(await translator(dns, {}, errors).lookup('+2'), undefined);
  assert.deepEqual(errors, ['DNS NAPTR lookup of 2.e164.arpa failed: ESERVFAIL']);
});

test('answers come from the resolver cache the second time', async () => {
  const dns = new FakeDns().naptr('1.e164.arpa', [10, 10, 'u', 'E2U+sip', '!^.*$!sip:one@x.example!']);
  const t = translator(dns);
  assert.deepEqual(await t.lookup('+1'), ['sip:one@x.example']);
  assert.deepEqual(await t.lookup('+1'), ['sip:one@x.example']);
  assert.equal(dns.asked.length, 1);
});

test('settings from the directives: an empty private domain counts as none', () => {
  const config = { ...defaultConfig('/tmp'), Cisco_Enum_Domain: '', Cisco_Enum_Global_Domain: 'e164.example' };
  assert.deepEqual(enumSettings(config), { privateDomain: undefined, globalDomain: 'e164.example', maxChain: 5 });
});
