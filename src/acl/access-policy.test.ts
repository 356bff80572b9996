import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../sip';
import type { PolicyRequest, PolicyVerdict } from '../policy/types';
import { AccessLists, AccessRuleSpec } from './access-list';
import { Satisfy, authenticationWaived, createAccessPolicy } from './access-policy';
import { ReverseNames } from './reverse-names';

function request(method = 'INVITE', host = '192.0.2.1'): PolicyRequest {
  const text = [
    `${method} sip:bob@example.com SIP/2.0`,
    `Via: SIP/2.0/UDP ${host}:5060;branch=z9hG4bK-acl`,
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=1',
    'To: <sip:bob@example.com>',
    'Call-ID: acl-test',
    `CSeq: 1 ${method}`,
    'Content-Length: 0',
    '', '',
  ].join('\r\n');
  return { req: parseMessage(Buffer.from(text)), source: { transport: 'udp', host, port: 5060 } };
}

const noDns = new ReverseNames({ lookup: () => Promise.reject(new Error('DNS must not be asked')) });

// Order Deny,Allow / Deny from 10.9.0.0/16 / Allow from 10.1: three kinds of source.
const RULES: AccessRuleSpec[] = [
  { action: 'deny', direction: 'from', spec: '10.9.0.0/16' },
  { action: 'allow', direction: 'from', spec: '10.1' },
];
const SOURCE = { matchesAllow: '10.1.0.7', allowedByDefault: '192.0.2.1', denied: '10.9.0.7' } as const;

type Outcome = 'continue' | '403';
interface Row { satisfy: Satisfy; auth: boolean; source: keyof typeof SOURCE; outcome: Outcome; trusted: boolean; challenged: boolean }

// The decision, row by row. "challenged" is what the authentication processor does afterwards when the
// request continues with authentication on (authenticationWaived false).
const TRUTH_TABLE: Row[] = [
  // Satisfy All: allowed AND authenticated; authentication off counts as passed, so the ACL decides.
  { satisfy: 'All', auth: false, source: 'matchesAllow', outcome: 'continue', trusted: true, challenged: false },
  { satisfy: 'All', auth: false, source: 'allowedByDefault', outcome: 'continue', trusted: false, challenged: false },
  { satisfy: 'All', auth: false, source: 'denied', outcome: '403', trusted: false, challenged: false },
  { satisfy: 'All', auth: true, source: 'matchesAllow', outcome: 'continue', trusted: true, challenged: true },
  { satisfy: 'All', auth: true, source: 'allowedByDefault', outcome: 'continue', trusted: false, challenged: true },
  { satisfy: 'All', auth: true, source: 'denied', outcome: '403', trusted: false, challenged: false },
  // Satisfy Any: allowed OR authenticated; a host that matched an Allow is not challenged (AUTH-9).
  { satisfy: 'Any', auth: false, source: 'matchesAllow', outcome: 'continue', trusted: true, challenged: false },
  { satisfy: 'Any', auth: false, source: 'allowedByDefault', outcome: 'continue', trusted: false, challenged: false },
  { satisfy: 'Any', auth: false, source: 'denied', outcome: '403', trusted: false, challenged: false },
  { satisfy: 'Any', auth: true, source: 'matchesAllow', outcome: 'continue', trusted: true, challenged: false },
  { satisfy: 'Any', auth: true, source: 'allowedByDefault', outcome: 'continue', trusted: false, challenged: true },
  { satisfy: 'Any', auth: true, source: 'denied', outcome: 'continue', trusted: false, challenged: true },
];

function outcomeOf(v: PolicyVerdict): Outcome | PolicyVerdict {
  if (v === undefined) return 'continue';
  if (typeof v === 'object' && v.status === 403 && v.reason === 'Forbidden (access denied)') return '403';
  return v;
}

test('Satisfy and Authentication truth table (ACL-4, AUTH-9)', async () => {
  const lists = AccessLists.compile('Deny,Allow', RULES, noDns);
  for (const row of TRUTH_TABLE) {
    const policy = createAccessPolicy({ lists, satisfy: row.satisfy, authEnabled: row.auth });
    const ctx = request('INVITE', SOURCE[row.source]);
    const what = `Satisfy ${row.satisfy}, Authentication ${row.auth ? 'On' : 'Off'}, ${row.source}`;
    assert.equal(outcomeOf(await policy(ctx)), row.outcome, what);
    assert.equal(ctx.trustedSource, row.trusted, `${what}: trustedSource`);
    if (row.outcome === 'continue') {
      assert.equal(row.auth && !authenticationWaived(row.satisfy, ctx), row.challenged, `${what}: challenged`);
    }
  }
});

test('the seed examples through the policy: Satisfy Any with authentication lets company.com in unchallenged and challenges the rest', async () => {
  const dns = new ReverseNames({ lookup: async (ip) => (ip === '192.0.2.10' ? ['gw.company.com'] : ['pbx.foo.company.com']) });
  const lists = AccessLists.compile('Allow,Deny', [
    { action: 'allow', direction: 'from', spec: 'company.com' },
    { action: 'deny', direction: 'from', spec: 'foo.company.com' },
  ], dns);
  const any = createAccessPolicy({ lists, satisfy: 'Any', authEnabled: true });
  const gw = request('REGISTER', '192.0.2.10');
  assert.equal(await any(gw), undefined);
  assert.equal(authenticationWaived('Any', gw), true);
  const foo = request('REGISTER', '192.0.2.20');
  assert.equal(await any(foo), undefined);
  assert.equal(authenticationWaived('Any', foo), false, 'denied by the ACL, so it must authenticate');
  const all = createAccessPolicy({ lists, satisfy: 'All', authEnabled: true });
  assert.equal(outcomeOf(await all(request('REGISTER', '192.0.2.20'))), '403', 'ACL-8: ACLs can block registration');
});

test('without "from" rules access control does nothing: everyone continues, nobody is marked trusted', () => {
  const lists = AccessLists.compile('Allow,Deny', [{ action: 'allow', direction: 'to', spec: 'all' }], noDns);
  for (const satisfy of ['All', 'Any'] as const) {
    const ctx = request('INVITE', '10.9.0.7');
    assert.equal(createAccessPolicy({ lists, satisfy, authEnabled: true })(ctx), undefined);
    assert.equal(ctx.trustedSource, undefined);
  }
});

test('an ACK from a denied source is dropped (nothing answers an ACK); CANCEL and BYE get 403', () => {
  const lists = AccessLists.compile('Deny,Allow', RULES, noDns);
  const policy = createAccessPolicy({ lists, satisfy: 'All', authEnabled: false });
  assert.equal(policy(request('ACK', SOURCE.denied)), 'drop');
  assert.equal(outcomeOf(policy(request('CANCEL', SOURCE.denied)) as PolicyVerdict), '403');
  assert.equal(outcomeOf(policy(request('BYE', SOURCE.denied)) as PolicyVerdict), '403');
  assert.equal(policy(request('ACK', SOURCE.matchesAllow)), undefined);
});

test('address rules answer synchronously: no promise on the hot path', () => {
  const lists = AccessLists.compile('Deny,Allow', RULES, noDns);
  const policy = createAccessPolicy({ lists, satisfy: 'Any', authEnabled: true });
  for (const host of Object.values(SOURCE)) assert.equal(policy(request('INVITE', host)) instanceof Promise, false, host);
});
