import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubstExprError, parseSubstExpr, rewrite } from './naptr-regexp';

test('the usual ENUM expressions rewrite the whole number', () => {
  assert.equal(rewrite('!^.*$!sip:info@example.com!', '+4687654321'), 'sip:info@example.com');
  assert.equal(rewrite('!^\\+46(.*)$!sip:\\1@example.se!', '+4687654321'), 'sip:87654321@example.se');
  assert.equal(rewrite('!^\\+(1)(408)(.*)$!sip:\\3@gw\\2.example.com;country=\\1!', '+14085551212'),
    'sip:5551212@gw408.example.com;country=1');
  assert.equal(rewrite('!^(.*)$!sip:\\1@example.com;user=phone!', '+14085551212'), 'sip:+14085551212@example.com;user=phone');
});

test('no match gives undefined; an unanchored match replaces only the matched part, like sed', () => {
  assert.equal(rewrite('!^\\+44(.*)$!sip:\\1@uk.example!', '+4687654321'), undefined);
  assert.equal(rewrite('/555/777/', '14085551212'), '14087771212');
});

test('the i flag makes the match case-insensitive', () => {
  assert.equal(rewrite('!^abc$!sip:x@y!', 'ABC'), undefined);
  assert.equal(rewrite('!^abc$!sip:x@y!i', 'ABC'), 'sip:x@y');
});

test('other delimiters, escaped delimiters, escaped backslashes and missing groups', () => {
  assert.equal(rewrite('#^\\+1(.*)$#sip:\\1@a.example#', '+12125550000'), 'sip:2125550000@a.example');
  assert.equal(rewrite('!^(.*)$!sip:x\\!y@\\\\z!', '1'), 'sip:x!y@\\z');
  assert.equal(rewrite('!^\\+1(a)?(.*)$!sip:\\1\\2\\9@b!', '+1555'), 'sip:555@b');
});

test('POSIX bracket classes are understood', () => {
  assert.equal(rewrite('!^\\+([[:digit:]]+)$!sip:\\1@d.example!', '+123'), 'sip:123@d.example');
});

test('malformed expressions are refused with a reason, and rewrite() turns them into undefined', () => {
  assert.throws(() => parseSubstExpr('!^.*$!sip:x@y'), SubstExprError);
  assert.throws(() => parseSubstExpr('!^.*$!sip:x@y!g'), /unknown flags "g"/);
  assert.throws(() => parseSubstExpr('1^.*1x1'), /bad delimiter/);
  assert.throws(() => parseSubstExpr('!^(.*$!x!'), /bad regular expression/);
  assert.throws(() => parseSubstExpr(''), SubstExprError);
  assert.equal(rewrite('!^(.*$!x!', '1'), undefined);
  assert.equal(rewrite('!a!b!c!d!', '1'), undefined);
});
