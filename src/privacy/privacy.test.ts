// Edges of the privacy handling the call flows do not reach; the flows themselves are in clir.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../log';
import type { PolicyRequest } from '../policy/types';
import { SipMessage, parseMessage, parseUri } from '../sip';
import { PrivacySettings, createPrivacyHandling, privacySettings } from './privacy';

const ALL_ON: PrivacySettings = { privacy: true, withPai: true, withRpid: true, withDiversion: true };

function message(startLine: string, ...headers: string[]): SipMessage {
  const method = startLine.startsWith('SIP/2.0') ? 'INVITE' : startLine.split(' ')[0];
  return parseMessage(Buffer.from([
    startLine,
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-prv',
    'From: "Anonymous" <sip:anonymous@sps.example>;tag=1',
    'To: <sip:5002@sps.example>',
    'Call-ID: privacy-edge',
    `CSeq: 1 ${method}`,
    ...headers,
    'Content-Length: 0',
    '', '',
  ].join('\r\n')));
}

function inbound(settings: PrivacySettings, req: SipMessage, extra: Partial<PolicyRequest> = {}): SipMessage {
  const ctx: PolicyRequest = { req, source: { transport: 'udp', host: '192.0.2.1', port: 5060 }, ...extra };
  assert.equal(createPrivacyHandling(settings).policy(ctx), undefined);
  return req;
}

test('privacySettings takes the four directives from the configuration', () => {
  assert.deepEqual(
    privacySettings({ Privacy: true, PrivacyWithPAI: false, PrivacyWithRPID: true, PrivacyWithDiversion: false }),
    { privacy: true, withPai: false, withRpid: true, withDiversion: false },
  );
});

test('each directive handles its own header only', () => {
  const headers = ['P-Asserted-Identity: <sip:9@x.example>', 'Remote-Party-ID: <sip:9@x.example>', 'Diversion: <sip:8@x.example>'];
  const only = (s: Partial<PrivacySettings>) => inbound({ privacy: true, withPai: false, withRpid: false, withDiversion: false, ...s },
    message('INVITE sip:5002@sps.example SIP/2.0', ...headers));
  const pai = only({ withPai: true });
  assert.deepEqual([pai.has('P-Asserted-Identity'), pai.has('Remote-Party-ID'), pai.has('Diversion')], [false, true, true]);
  assert.equal(pai.get('Privacy'), 'id', 'Privacy: id belongs to PrivacyWithPAI');
  const rpid = only({ withRpid: true });
  assert.deepEqual([rpid.has('P-Asserted-Identity'), rpid.has('Remote-Party-ID'), rpid.has('Diversion')], [true, false, true]);
  assert.equal(rpid.get('Privacy'), undefined);
  const div = only({ withDiversion: true });
  assert.deepEqual([div.has('P-Asserted-Identity'), div.has('Remote-Party-ID'), div.has('Diversion')], [true, true, false]);
});

test('requests other than INVITE pass untouched both ways (PRV-5)', () => {
  const headers = ['P-Asserted-Identity: <sip:9@x.example>', 'Remote-Party-ID: <sip:9@x.example>;privacy=full'];
  const msg = inbound(ALL_ON, message('MESSAGE sip:5002@sps.example SIP/2.0', ...headers), { identity: { user: '5001', domain: 'sps.example' } });
  createPrivacyHandling(ALL_ON).prepareOutgoing(msg, false);
  assert.deepEqual(msg.getAll('P-Asserted-Identity'), ['<sip:9@x.example>']);
  assert.deepEqual(msg.getAll('Remote-Party-ID'), ['<sip:9@x.example>;privacy=full']);
  assert.equal(msg.get('Privacy'), undefined);
});

test('an anonymous From adds the id priv-value to a Privacy header that lacks it, and none gives way', () => {
  assert.equal(inbound(ALL_ON, message('INVITE sip:5002@sps.example SIP/2.0', 'Privacy: header')).get('Privacy'), 'header;id');
  assert.equal(inbound(ALL_ON, message('INVITE sip:5002@sps.example SIP/2.0', 'Privacy: none')).get('Privacy'), 'id');
  assert.equal(inbound(ALL_ON, message('INVITE sip:5002@sps.example SIP/2.0', 'Privacy: header; ID')).get('Privacy'), 'header; ID', 'present already');
});

test('a received RPID that already says privacy=full is left as written; others gain the token', () => {
  const req = inbound(ALL_ON, message('INVITE sip:5002@sps.example SIP/2.0',
    'Remote-Party-ID: <sip:1@x.example>;privacy="Full", "Bob" <sip:2@x.example>;party=calling'), { trustedSource: true });
  assert.deepEqual(req.getAll('Remote-Party-ID'), ['<sip:1@x.example>;privacy="Full"', '"Bob" <sip:2@x.example>;party=calling;privacy=full']);
});

test('an identity without a domain asserts nothing', () => {
  const req = inbound(ALL_ON, message('INVITE sip:5002@sps.example SIP/2.0'), { identity: { user: '5001', domain: '' } });
  assert.equal(req.get('P-Asserted-Identity'), undefined);
  assert.equal(req.get('Remote-Party-ID'), undefined);
});

test('with sipd\'s domains known, an identity without a domain, or in a domain not sipd\'s, is asserted in sipd\'s own', () => {
  const ours = (d: string) => (d === 'companya.com' ? d : 'sps.example');
  for (const [domain, host] of [['', 'sps.example'], ['anonymous.invalid', 'sps.example'], ['companya.com', 'companya.com']]) {
    const req = message('INVITE sip:5002@sps.example SIP/2.0');
    createPrivacyHandling(ALL_ON, undefined, ours).policy({ req, source: { transport: 'udp', host: '192.0.2.1', port: 5060 }, identity: { user: '5001', domain } });
    assert.equal(req.get('p-asserted-identity'), `<sip:5001@${host}>`, domain);
  }
});

test('toward an untrusted hop, values that cannot be read are dropped rather than leak; readable ones are judged one by one', () => {
  const msg = message('INVITE sip:5002@sps.example SIP/2.0',
    'Remote-Party-ID: <sip:1@x.example;privacy=full',
    'CC-Redirect: <sip:5001@sps.example>;privacy=full, <sip:5000@sps.example>;reason=no-answer, <broken');
  msg.set('From', '"Carol" <sip:carol@sps.example>;tag=1');
  createPrivacyHandling(ALL_ON).prepareOutgoing(msg, false);
  assert.equal(msg.get('Remote-Party-ID'), undefined);
  assert.deepEqual(msg.getAll('CC-Redirect'), ['<sip:Anonymous@Anonymous>;privacy=full', '<sip:5000@sps.example>;reason=no-answer']);
});

test('toward an untrusted hop an anonymous From alone removes PAI and RPID, with no Privacy: id or privacy=full written', () => {
  // A copy that did not pass the inbound policy (no marker was added) is judged by the rule as the seed states it.
  const msg = message('INVITE sip:5002@sps.example SIP/2.0', 'P-Asserted-Identity: <sip:9@x.example>', 'Remote-Party-ID: <sip:9@x.example>;party=calling');
  createPrivacyHandling(ALL_ON).prepareOutgoing(msg, false);
  assert.equal(msg.get('P-Asserted-Identity'), undefined);
  assert.equal(msg.get('Remote-Party-ID'), undefined);
});

test('toward a trusted hop nothing changes, whatever the privacy requested (R7)', () => {
  const headers = ['P-Asserted-Identity: <sip:9@x.example>', 'Privacy: id', 'Remote-Party-ID: <sip:9@x.example>;privacy=full', 'Diversion: <sip:8@x.example>;privacy=full'];
  const msg = message('INVITE sip:5002@sps.example SIP/2.0', ...headers);
  const before = msg.toString();
  createPrivacyHandling(ALL_ON).prepareOutgoing(msg, true);
  assert.equal(msg.toString(), before);
});

test('checkRedirect touches only 3xx answers to INVITE, and a redirect without Diversion stays as it is', () => {
  const upstream = parseUri('sip:5002@sps.example');
  const privacy = createPrivacyHandling(ALL_ON);
  const busy = message('SIP/2.0 486 Busy Here', 'Diversion: <sip:9@x.example>');
  privacy.checkRedirect(busy, upstream, false);
  assert.equal(busy.get('Diversion'), '<sip:9@x.example>');
  const bye = message('SIP/2.0 302 Moved', 'Diversion: <sip:9@x.example>');
  bye.set('CSeq', '2 BYE');
  privacy.checkRedirect(bye, upstream, false);
  assert.equal(bye.get('Diversion'), '<sip:9@x.example>');
  const bare = message('SIP/2.0 302 Moved', 'Contact: <sip:5003@192.0.2.3>');
  privacy.checkRedirect(bare, upstream, false);
  assert.equal(bare.has('Diversion'), false);
  const unreadable = message('SIP/2.0 301 Moved', 'Diversion: <garbage');
  privacy.checkRedirect(unreadable, upstream, false);
  assert.equal(unreadable.get('Diversion'), '<sip:5002@sps.example>');
});

test('DebugFlag Privacy logs what was removed, asserted and rewritten', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sipd-privacy-')), 'error_log');
  const log = Logger.open({ errorLog: file, level: 'warn', debugFlags: { Privacy: true } });
  const privacy = createPrivacyHandling(ALL_ON, log);
  const req = message('INVITE sip:5002@sps.example SIP/2.0', 'P-Asserted-Identity: <sip:9@x.example>', 'Diversion: <sip:8@x.example>');
  privacy.policy({ req, source: { transport: 'udp', host: '192.0.2.1', port: 5060 }, identity: { user: '5001', domain: 'sps.example' } });
  req.append('Diversion', '<sip:5002@sps.example>;privacy=full');
  privacy.prepareOutgoing(req, false);
  await log.close();
  const text = readFileSync(file, 'utf8');
  for (const line of [
    'Privacy: removed P-Asserted-Identity from untrusted 192.0.2.1 (Call-ID privacy-edge)',
    'Privacy: removed Diversion from untrusted 192.0.2.1',
    'Privacy: asserted <sip:5001@sps.example> for the authenticated user',
    'Privacy: From is Anonymous: added Privacy: id',
    'Privacy: removed P-Asserted-Identity toward untrusted sip:5002@sps.example',
    'Privacy: anonymised private Diversion toward untrusted sip:5002@sps.example',
  ]) assert.ok(text.includes(line), `missing "${line}" in\n${text}`);
});
