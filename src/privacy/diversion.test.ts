import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipMessage, SipParseError, parseMessage, parseUri } from '../sip';
import {
  addDiversion, anonymiseDiversion, carryDiversions, diversionCounter, diversionReason, formatDiversion,
  isPrivateDiversion, makeDiversion, parseDiversion, topDiversion,
} from './diversion';

function message(startLine: string, ...headers: string[]): SipMessage {
  const text = [
    startLine,
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-div',
    'From: <sip:alice@sps.example>;tag=1',
    'To: <sip:5002@sps.example>',
    'Call-ID: diversion-test',
    'CSeq: 1 INVITE',
    ...headers,
    'Content-Length: 0',
    '', '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text));
}

test('makeDiversion writes the RFC 5806 form of D-6: the original Request-URI, reason, counter, privacy', () => {
  assert.equal(makeDiversion('sip:5002@sps.example', { reason: 'unconditional' }), '<sip:5002@sps.example>;reason=unconditional;counter=1');
  assert.equal(
    makeDiversion(parseUri('sip:5002@sps.example'), { reason: 'user-busy', counter: 2, privacy: 'full' }),
    '<sip:5002@sps.example>;reason=user-busy;counter=2;privacy=full',
  );
  // A reason that is not a token is quoted, as the seed's CC-Diversion examples show reasons.
  assert.equal(makeDiversion('sip:5002@sps.example', { reason: 'on hold' }), '<sip:5002@sps.example>;reason="on hold";counter=1');
});

test('makeDiversion refuses a counter outside 1..99, an empty reason and a bad URI with clear errors', () => {
  assert.throws(() => makeDiversion('sip:5002@sps.example', { reason: 'no-answer', counter: 0 }), /counter must be 1\.\.99, got 0/);
  assert.throws(() => makeDiversion('sip:5002@sps.example', { reason: 'no-answer', counter: 100 }), /counter must be 1\.\.99/);
  assert.throws(() => makeDiversion('sip:5002@sps.example', { reason: 'no-answer', counter: 1.5 }), /counter must be 1\.\.99/);
  assert.throws(() => makeDiversion('sip:5002@sps.example', { reason: '' }), /reason must not be empty/);
  assert.throws(() => makeDiversion('5002', { reason: 'no-answer' }), SipParseError);
});

test('parseDiversion reads the party and its parameters; reason and privacy are read unquoted and in any case', () => {
  const d = parseDiversion('"Bob" <sip:5002@sps.example>;reason="User-Busy";counter=3;privacy=Full;screen=no');
  assert.equal(d.displayName, 'Bob');
  assert.equal(d.uri.user, '5002');
  assert.equal(diversionReason(d), 'user-busy');
  assert.equal(diversionCounter(d), 3);
  assert.equal(isPrivateDiversion(d), true);
  assert.equal(d.params.get('screen'), 'no');
  assert.equal(isPrivateDiversion(parseDiversion('<sip:5002@sps.example>;privacy=off')), false);
  assert.equal(isPrivateDiversion(parseDiversion('<sip:5002@sps.example>')), false);
  assert.equal(diversionCounter(parseDiversion('<sip:5002@sps.example>')), undefined);
});

test('parseDiversion refuses a malformed value or counter with a SipParseError', () => {
  assert.throws(() => parseDiversion('<sip:5002@sps.example;reason=x'), SipParseError);
  assert.throws(() => parseDiversion('<sip:5002@sps.example>;counter=many'), /counter must be 1 or 2 digits/);
  assert.throws(() => parseDiversion('<sip:5002@sps.example>;counter=123'), /counter must be 1 or 2 digits/);
  assert.throws(() => parseDiversion('<sip:5002@sps.example>;counter'), /counter must be 1 or 2 digits/);
});

test('formatDiversion writes back what parseDiversion read', () => {
  const text = '"Bob \\"B\\"" <sip:5002@sps.example;user=phone>;reason=no-answer;counter=1;privacy=full';
  assert.equal(formatDiversion(parseDiversion(text)), text);
});

test('anonymiseDiversion replaces the party by Anonymous@Anonymous and keeps every parameter', () => {
  const d = parseDiversion('"Bob" <sip:5002@sps.example>;reason=user-busy;counter=1;privacy=full');
  assert.equal(formatDiversion(anonymiseDiversion(d)), '<sip:Anonymous@Anonymous>;reason=user-busy;counter=1;privacy=full');
  assert.equal(d.uri.user, '5002', 'the original is not changed');
});

test('topDiversion finds the topmost value under any of the three names, and names the header', () => {
  const m = message('INVITE sip:5003@sps.example SIP/2.0',
    'CC-Redirect: <sip:5002@sps.example>;reason=no-answer, <sip:5001@sps.example>;reason=unconditional',
    'Diversion: <sip:5000@sps.example>;reason=user-busy');
  const top = topDiversion(m);
  assert.equal(top?.name, 'CC-Redirect');
  assert.equal(top?.diversion.uri.user, '5002', 'the first value of a comma list is the topmost');
  assert.equal(topDiversion(message('INVITE sip:5003@sps.example SIP/2.0', 'cc-diversion: <sip:5009@sps.example>'))?.name, 'CC-Diversion');
  assert.equal(topDiversion(message('INVITE sip:5003@sps.example SIP/2.0')), undefined);
  assert.throws(() => topDiversion(message('INVITE sip:5003@sps.example SIP/2.0', 'Diversion: <nonsense')), SipParseError);
});

test('addDiversion puts the new value on top, under the configured name', () => {
  const m = message('INVITE sip:5003@sps.example SIP/2.0', 'CC-Diversion: <sip:5001@sps.example>;reason=unconditional;counter=1');
  addDiversion(m, 'CC-Diversion', makeDiversion('sip:5002@sps.example', { reason: 'user-busy' }));
  assert.deepEqual(m.getAll('CC-Diversion'), ['<sip:5002@sps.example>;reason=user-busy;counter=1', '<sip:5001@sps.example>;reason=unconditional;counter=1']);
  assert.equal(topDiversion(m)?.diversion.uri.user, '5002');
});

test('carryDiversions gives the recursed request the redirect\'s Diversions in place of its own', () => {
  const req = message('INVITE sip:5002@sps.example SIP/2.0', 'Diversion: <sip:5001@sps.example>;reason=unconditional;counter=1');
  const redirect = message('SIP/2.0 302 Moved Temporarily', 'Contact: <sip:5003@192.0.2.3>',
    'Diversion: <sip:5002@sps.example>;reason=unconditional;counter=1, <sip:5001@sps.example>;reason=unconditional;counter=1');
  carryDiversions(redirect, req);
  assert.deepEqual(req.getAll('Diversion'), ['<sip:5002@sps.example>;reason=unconditional;counter=1', '<sip:5001@sps.example>;reason=unconditional;counter=1']);
  const none = message('SIP/2.0 302 Moved Temporarily', 'Contact: <sip:5003@192.0.2.3>');
  carryDiversions(none, req);
  assert.equal(req.getAll('Diversion').length, 2, 'a 3xx without Diversion leaves the request as it was');
});
