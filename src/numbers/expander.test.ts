import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatUri, parseUri } from '../sip';
import { NumberExpander, NumberExpansionSettings } from './expander';
import { NumberPlanError } from './number-plan';

const GLOBAL = [
  { pattern: '2....', replacement: '+1919392....' },
  { pattern: '5....', replacement: '+1919365....' },
];

function expander(over: Partial<NumberExpansionSettings> = {}): NumberExpander {
  return new NumberExpander({
    enabled: true, plans: { Global: GLOBAL }, domains: [], interpretation: 'E164_IP', characterSet: '+0123456789.-()',
    expandAuthUserName: true, origUserNameSource: 'Auth', ...over,
  });
}

const uri = parseUri;

test('a numeric user of ours is expanded by the plan', () => {
  const x = expander();
  assert.deepEqual(x.expandUri(uri('sip:20002@sipd.example.com'), true),
    { user: '+19193920002', number: '+19193920002', interpretations: ['e164', 'url'] });
  assert.equal(x.expandUri(uri('sip:50002@sipd.example.com'), true).user, '+19193650002');
});

test('the URI itself is left as received', () => {
  const request = uri('sip:2-0002@sipd.example.com;user=phone');
  const before = formatUri(request);
  expander().expandUri(request, true);
  assert.equal(formatUri(request), before);
  assert.equal(request.user, '2-0002');
});

test('visual separators go before the plan is applied', () => {
  const x = expander();
  assert.equal(x.expandUri(uri('sip:2-0002@sipd.example.com'), true).user, '+19193920002');
  assert.equal(x.expandUri(uri('sip:(5)00.02@sipd.example.com'), true).user, '+19193650002');
  assert.deepEqual(x.expandUri(uri('sip:408-555-0100@sipd.example.com'), true),
    { user: '4085550100', number: '4085550100', interpretations: ['e164', 'url'] }, 'no rule matches: only the separators go');
});

test('users at other hosts and names are returned as written', () => {
  const x = expander();
  assert.deepEqual(x.expandUri(uri('sip:2-0002@elsewhere.example.net'), false), { user: '2-0002', interpretations: ['url'] });
  assert.deepEqual(x.expandUri(uri('sip:alice.smith@sipd.example.com'), true), { user: 'alice.smith', interpretations: ['url'] });
  assert.deepEqual(x.expandUri(uri('sip:sipd.example.com'), true), { user: '', interpretations: ['url'] });
});

test('user=ip keeps an all-digit user as a name', () => {
  assert.deepEqual(expander().expandUri(uri('sip:20002@sipd.example.com;user=ip'), true), { user: '20002', interpretations: ['url'] });
});

test('user=phone makes a number of the user whatever the character set', () => {
  const x = expander({ characterSet: '0123456789' });
  assert.deepEqual(x.expandUri(uri('sip:+1-919-392-0002@sipd.example.com;user=phone'), true),
    { user: '+19193920002', number: '+19193920002', interpretations: ['e164'] });
  assert.deepEqual(x.expandUri(uri('sip:2-0002@sipd.example.com'), true), { user: '2-0002', interpretations: ['url'] },
    'without user=phone, "-" outside the set makes it a name');
  assert.equal(x.expandUri(uri('sip:20002@sipd.example.com'), true).user, '+19193920002');
});

test('user parameters stay on the user and off the number', () => {
  assert.deepEqual(expander().expandUri(uri('sip:20002;isub=7@sipd.example.com;user=phone'), true),
    { user: '+19193920002;isub=7', number: '+19193920002', interpretations: ['e164'] });
});

test('a tel: URI is a telephone number', () => {
  assert.deepEqual(expander().expandUri(uri('tel:2-0002'), true), { user: '+19193920002', number: '+19193920002', interpretations: ['e164'] });
});

test('each NumericUsernameInterpretation gives its order, the number expanded either way', () => {
  const orders = { IP_164: ['url', 'e164'], E164_IP: ['e164', 'url'], IP: ['url'], E164: ['e164'] } as const;
  for (const [interpretation, order] of Object.entries(orders)) {
    const got = expander({ interpretation: interpretation as keyof typeof orders }).expandUri(uri('sip:20002@sipd.example.com'), true);
    assert.deepEqual(got, { user: '+19193920002', number: '+19193920002', interpretations: order }, interpretation);
  }
});

test('Cisco_Numexpand Off: no plan, but numbers still lose their separators', () => {
  const x = expander({ enabled: false });
  assert.deepEqual(x.expandUri(uri('sip:2-0002@sipd.example.com'), true),
    { user: '20002', number: '20002', interpretations: ['e164', 'url'] });
  assert.equal(x.expandAuthUser('20002'), '20002');
});

test('the credential user name follows NumExpandAuthUserName', () => {
  assert.equal(expander().expandAuthUser('20002'), '+19193920002');
  assert.equal(expander().expandAuthUser('2-0002'), '+19193920002');
  assert.equal(expander().expandAuthUser('alice'), 'alice');
  assert.equal(expander({ expandAuthUserName: false }).expandAuthUser('20002'), '20002');
});

test('a plan named after a virtual proxy domain applies there first, then the global rules', () => {
  const x = expander({
    domains: ['companya.com', 'CompanyB.com'],
    plans: {
      Global: GLOBAL,
      'companyA.com': [{ pattern: '8...', replacement: '+14085558...' }],
      'companyb.com': [{ pattern: '8...', replacement: '+14086668...' }, { pattern: '2....', replacement: '+1212555....' }],
      'companyc.com': [{ pattern: '9...', replacement: '+1303555...' }],
    },
  });
  assert.equal(x.expandUri(uri('sip:8000@companya.com'), true).user, '+14085558000');
  assert.equal(x.expandUri(uri('sip:8000@companyb.com'), true).user, '+14086668000');
  assert.equal(x.expandUri(uri('sip:8000@sipd.example.com'), true).user, '8000', 'no 8... rule in the global set');
  assert.equal(x.expandUri(uri('sip:20002@companya.com'), true).user, '+19193920002', 'the global rules as fallback');
  assert.equal(x.expandUri(uri('sip:20002@companyb.com'), true).user, '+12125550002', 'the domain rule first');
  assert.equal(x.expandUri(uri('sip:8000@192.0.2.10'), true, 'CompanyB.com').user, '+14086668000', 'the domain given by the caller');
  assert.equal(x.expandUri(uri('sip:9000@sipd.example.com'), true).user, '+1303555000', 'a plan named after no served domain is global');
  assert.equal(x.expandAuthUser('8000', 'companya.com'), '+14085558000');
  assert.equal(x.expandAuthUser('8000'), '8000');
});

test('the originating user follows OrigUserNameSource', () => {
  const from = uri('sip:2-0002@sipd.example.com');
  assert.equal(expander().originatingUser(from, true, '50002'), '+19193650002');
  assert.equal(expander().originatingUser(from, true, undefined), '+19193920002', 'no credentials: the From user');
  assert.equal(expander({ origUserNameSource: 'From' }).originatingUser(from, true, '50002'), '+19193920002');
  assert.equal(expander({ origUserNameSource: 'From' }).originatingUser(from, false, '50002'), '2-0002');
});

test('a bad plan is refused when the expander is built', () => {
  assert.throws(() => expander({ plans: { Global: [{ pattern: '2.', replacement: '+1..' }] } }), NumberPlanError);
});
