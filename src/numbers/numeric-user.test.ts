import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUri } from '../sip';
import {
  NumericUserRule, NumericUsernameInterpretation, declaredUserType, interpretationOrder, splitUser, stripSeparators,
} from './numeric-user';

test('the default character set: digits, "+" and the visual separators', () => {
  const rule = new NumericUserRule('+0123456789.-()');
  for (const user of ['4085550100', '+14085550100', '+1-408-555-0100', '(408)555.0100', '0']) assert.equal(rule.isNumeric(user), true, user);
  for (const user of ['alice', '*69', '2001#', '12a', '', '+', '()-', '408 555', '٣٣']) assert.equal(rule.isNumeric(user), false, user);
});

test('a configured set replaces the default; digits always count', () => {
  const stars = new NumericUserRule('*#');
  assert.equal(stars.isNumeric('*69'), true);
  assert.equal(stars.isNumeric('2001#'), true);
  assert.equal(stars.isNumeric('+14085550100'), false, '"+" is not in this set');
  assert.equal(stars.isNumeric('408-555'), false, '"-" is not in this set');
  assert.equal(new NumericUserRule('').isNumeric('2001'), true);
  assert.equal(new NumericUserRule('').isNumeric('*'), false);
});

test('visual separators ( ) . - are removed, nothing else', () => {
  assert.equal(stripSeparators('(408)555.0100'), '4085550100');
  assert.equal(stripSeparators('+1-408-555-0100'), '+14085550100');
  assert.equal(stripSeparators('*69#'), '*69#');
  assert.equal(stripSeparators('-'), '');
});

test('user parameters are split off the number', () => {
  assert.deepEqual(splitUser('2001;isub=12;postd=pp22'), { number: '2001', params: ';isub=12;postd=pp22' });
  assert.deepEqual(splitUser('2001'), { number: '2001', params: '' });
});

test('user=phone, user=ip and tel: declare the user type; other values do not', () => {
  assert.equal(declaredUserType(parseUri('sip:2001@example.com;user=phone')), 'phone');
  assert.equal(declaredUserType(parseUri('sip:2001@example.com;user=PHONE')), 'phone');
  assert.equal(declaredUserType(parseUri('sip:2001@example.com;user=ip')), 'ip');
  assert.equal(declaredUserType(parseUri('tel:+1-408-555-0100')), 'phone');
  assert.equal(declaredUserType(parseUri('sip:2001@example.com')), undefined);
  assert.equal(declaredUserType(parseUri('sip:2001@example.com;user=dialstring')), undefined);
});

test('NumericUsernameInterpretation orders a numeric user of ours without user=', () => {
  const expected: Record<NumericUsernameInterpretation, string[]> = {
    IP_164: ['url', 'e164'], E164_IP: ['e164', 'url'], IP: ['url'], E164: ['e164'],
  };
  for (const [setting, order] of Object.entries(expected)) {
    assert.deepEqual(interpretationOrder(setting as NumericUsernameInterpretation, true, undefined, true), order, setting);
  }
});

test('user=phone, user=ip, names and other hosts are not subject to the setting', () => {
  for (const setting of ['IP_164', 'E164_IP', 'IP', 'E164'] as const) {
    assert.deepEqual(interpretationOrder(setting, false, 'phone', true), ['e164'], `${setting} user=phone`);
    assert.deepEqual(interpretationOrder(setting, true, 'ip', true), ['url'], `${setting} user=ip`);
    assert.deepEqual(interpretationOrder(setting, false, undefined, true), ['url'], `${setting} name`);
    assert.deepEqual(interpretationOrder(setting, true, undefined, false), ['url'], `${setting} other host`);
    assert.deepEqual(interpretationOrder(setting, false, 'phone', false), ['url'], `${setting} user=phone at another host`);
  }
});
