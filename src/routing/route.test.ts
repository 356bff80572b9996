import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvisioningError } from '../subscribers/errors';
import { route } from './fixtures';
import {
  checkNextHop,
  checkRoute,
  normaliseHost,
  normaliseNumber,
  parseDomainPattern,
  parsePhonePattern,
  routeKey,
  userForNextHop,
} from './route';

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof ProvisioningError && message.test(err.message));
}

test('phone pattern steps: digits, # and + literal, . one digit, trailing * the rest, \\* and inner * literal stars', () => {
  assert.deepEqual(parsePhonePattern('+1.#*'), [
    { kind: 'literal', char: '+' },
    { kind: 'literal', char: '1' },
    { kind: 'digit' },
    { kind: 'literal', char: '#' },
    { kind: 'rest' },
  ]);
  assert.deepEqual(parsePhonePattern('*69'), [
    { kind: 'literal', char: '*' },
    { kind: 'literal', char: '6' },
    { kind: 'literal', char: '9' },
  ]);
  assert.deepEqual(parsePhonePattern('12\\*'), [
    { kind: 'literal', char: '1' },
    { kind: 'literal', char: '2' },
    { kind: 'literal', char: '*' },
  ]);
  assert.deepEqual(parsePhonePattern('*'), [{ kind: 'rest' }]);
});

test('bad phone patterns are refused with the reason', () => {
  refused(() => parsePhonePattern(''), /empty/);
  refused(() => parsePhonePattern('21091878[1-8]'), /ranges are not supported/);
  refused(() => parsePhonePattern('1-408'), /"-" is not allowed/);
  refused(() => parsePhonePattern('12\\3'), /backslash may only escape a star/);
  refused(() => parsePhonePattern('1'.repeat(65)), /longer than 64/);
});

test('numbers lose their visual separators; anything else is not a number', () => {
  assert.equal(normaliseNumber('+1 (408) 555-01.22'), '+14085550122');
  assert.equal(normaliseNumber('*69'), '*69');
  assert.equal(normaliseNumber('001#5000'), '001#5000');
  assert.equal(normaliseNumber('alice'), undefined);
  assert.equal(normaliseNumber('()'), undefined);
});

test('domain patterns: exact, *.domain, .domain, *, and the seed reversed form', () => {
  assert.deepEqual(parseDomainPattern('Example.COM.'), { text: 'example.com', parsed: { kind: 'exact', host: 'example.com' } });
  assert.deepEqual(parseDomainPattern('*.example.com').parsed, { kind: 'suffix', suffix: 'example.com', includesSelf: false });
  assert.deepEqual(parseDomainPattern('.example.com').parsed, { kind: 'suffix', suffix: 'example.com', includesSelf: true });
  assert.deepEqual(parseDomainPattern('*').parsed, { kind: 'any' });
  assert.equal(parseDomainPattern('.com.ibm.*').text, '.ibm.com');
  refused(() => parseDomainPattern('10.0.0.1'), /IP addresses are not routed by domain/);
  refused(() => parseDomainPattern('[::1]'), /invalid domain pattern/);
  refused(() => parseDomainPattern('*.'), /invalid domain pattern/);
  refused(() => parseDomainPattern('a..b'), /invalid domain pattern/);
});

test('hosts: IP addresses are not domain-routed', () => {
  assert.equal(normaliseHost('Us.IBM.com.'), 'us.ibm.com');
  assert.equal(normaliseHost('192.0.2.1'), undefined);
  assert.equal(normaliseHost('[2001:db8::1]'), undefined);
  assert.equal(normaliseHost('2001:db8::1'), undefined);
});

test('next hops: host names and addresses, IPv6 bracketed', () => {
  assert.equal(checkNextHop(' GW1.Example.com '), 'gw1.example.com');
  assert.equal(checkNextHop('2001:db8::5'), '[2001:db8::5]');
  assert.equal(checkNextHop('[2001:db8::5]'), '[2001:db8::5]');
  refused(() => checkNextHop('gw 1'), /invalid next hop "gw 1"/);
});

test('checkRoute: a next hop unless blocking, tech prefix with its action only, phone only', () => {
  assert.equal(checkRoute(route('1900*', '', { block: true })).nextHop, '');
  refused(() => checkRoute(route('1900*', '')), /needs a next hop/);
  refused(() => checkRoute(route('1900*', '', { block: true, port: 5060 })), /a port needs a next hop/);
  refused(() => checkRoute(route('1*', 'gw', { techPrefix: '001#' })), /needs the action strip or include/);
  refused(() => checkRoute(route('1*', 'gw', { techPrefixAction: 'strip' })), /needs a tech prefix/);
  refused(() => checkRoute(route('1*', 'gw', { techPrefixAction: 'strip', techPrefix: '0001#' })), /invalid tech prefix/);
  refused(() => checkRoute(route('a.com', 'gw', { techPrefixAction: 'strip', techPrefix: '001#' })), /phone routes only/);
  refused(() => checkRoute(route('1*', 'gw', { label: 'a\nb' })), /one line/);
  assert.equal(checkRoute(route('*.A.com', 'GW')).pattern, '*.a.com');
});

test('a route is named by type, pattern, next hop and port; port 0 and a blocking route show no port', () => {
  assert.equal(routeKey(route('5552*', '127.0.0.1', { port: 4001 })), 'phone route 5552* via 127.0.0.1:4001');
  assert.equal(routeKey(route('5552*', '127.0.0.1')), 'phone route 5552* via 127.0.0.1');
  assert.equal(routeKey(route('.example.com', '[2001:db8::1]', { port: 5070 })), 'domain route .example.com via [2001:db8::1]:5070');
  assert.equal(routeKey(route('1900*', '', { block: true })), 'phone route 1900*');
  assert.notEqual(routeKey(route('5552*', 'gw', { port: 4001 })), routeKey(route('5552*', 'gw', { port: 4002 })));
});

test('the tech prefix is put in front, taken off, or left alone', () => {
  const include = route('1*', 'gw', { techPrefixAction: 'include', techPrefix: '001#' });
  const strip = route('1*', 'gw', { techPrefixAction: 'strip', techPrefix: '002#' });
  assert.equal(userForNextHop(include, '19193650002'), '001#19193650002');
  assert.equal(userForNextHop(include, '001#19193650002'), '001#19193650002');
  assert.equal(userForNextHop(strip, '002#19193650002'), '19193650002');
  assert.equal(userForNextHop(strip, '19193650002'), '19193650002');
  assert.equal(userForNextHop(route('1*', 'gw'), '002#1'), '002#1');
});
