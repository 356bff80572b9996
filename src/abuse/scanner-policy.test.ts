import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../sip';
import type { PolicyRequest, RequestPolicy } from '../policy/types';
import { createScannerPolicy } from './scanner-policy';

function options(host: string, userAgent?: string): PolicyRequest {
  const lines = [
    'OPTIONS sip:100@192.0.2.1 SIP/2.0',
    `Via: SIP/2.0/UDP ${host}:5060;branch=z9hG4bK-scan`,
    'Max-Forwards: 70',
    'From: "sipvicious"<sip:100@1.1.1.1>;tag=1',
    'To: <sip:100@192.0.2.1>',
    'Call-ID: scan',
    'CSeq: 1 OPTIONS',
    ...(userAgent === undefined ? [] : [`User-Agent: ${userAgent}`]),
    'Content-Length: 0',
    '', '',
  ];
  return { req: parseMessage(Buffer.from(lines.join('\r\n'))), source: { transport: 'udp', host, port: 5060 } };
}

function scanner(words: string[]): { policy: RequestPolicy; logs: string[]; clock: { now: number } } {
  const logs: string[] = [];
  const clock = { now: 0 };
  const policy = createScannerPolicy({ words, logPeriodSec: 300, log: (m) => logs.push(m), now: () => clock.now });
  return { policy, logs, clock };
}

test('a User-Agent containing a RejectUserAgent word, in any case, is dropped; others continue', () => {
  const { policy } = scanner(['friendly-scanner', 'SIPVicious']);
  assert.equal(policy(options('203.0.113.9', 'friendly-scanner')), 'drop');
  assert.equal(policy(options('203.0.113.9', 'Friendly-Scanner 1.0')), 'drop');
  assert.equal(policy(options('203.0.113.9', 'sipvicious-ng')), 'drop');
  assert.equal(policy(options('192.0.2.5', 'Linphone/5.2 (belle-sip/5.2)')), undefined);
  assert.equal(policy(options('192.0.2.5')), undefined, 'no User-Agent at all');
});

test('a scanning source is logged once per period, not per request', () => {
  const { policy, logs, clock } = scanner(['friendly-scanner']);
  for (let i = 0; i < 1000; i++) policy(options('203.0.113.9', 'friendly-scanner'));
  policy(options('203.0.113.10', 'friendly-scanner'));
  assert.deepEqual(logs, [
    'dropping requests from 203.0.113.9 with User-Agent "friendly-scanner" (RejectUserAgent); not logged again for 300 s',
    'dropping requests from 203.0.113.10 with User-Agent "friendly-scanner" (RejectUserAgent); not logged again for 300 s',
  ]);
  clock.now = 299_999;
  policy(options('203.0.113.9', 'friendly-scanner'));
  assert.equal(logs.length, 2);
  clock.now = 300_000;
  policy(options('203.0.113.9', 'friendly-scanner'));
  assert.equal(logs.length, 3, 'logged again once the period is over');
});

test('the logged User-Agent is cut short and kept on one line', () => {
  const { policy, logs } = scanner(['scanner']);
  policy(options('203.0.113.9', `scanner ${'x'.repeat(500)}`));
  assert.equal(logs.length, 1);
  assert.ok(logs[0].length < 200, logs[0]);
});

test('no RejectUserAgent words: nothing is dropped', () => {
  const { policy, logs } = scanner([]);
  assert.equal(policy(options('203.0.113.9', 'friendly-scanner')), undefined);
  assert.deepEqual(logs, []);
});

test('the sources remembered for logging are bounded: beyond maxLogged the oldest is forgotten', () => {
  const logs: string[] = [];
  const policy = createScannerPolicy({ words: ['scanner'], logPeriodSec: 300, log: (m) => logs.push(m), now: () => 0, maxLogged: 2 });
  for (const host of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.2', '203.0.113.1']) {
    assert.equal(policy(options(host, 'scanner')), 'drop');
  }
  assert.deepEqual(logs.map((l) => l.split(' ')[3]), ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.1']);
});
