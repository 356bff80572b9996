// The SIPp scenarios checked against SIPp stand-ins, without sipd: when a sipd test fails,
// this file shows whether the scenario or the server is at fault.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DOMAIN, HOST, explain, freePort, killStrays, receivedRequests, receivedStatuses, runSipp, startSipp } from './harness';
import { REPO_ROOT } from './harness/paths';
import { SIPP_AVAILABLE } from './peers';

interface Side {
  scenario: string;
  inf?: string;
  keys?: Record<string, string>;
  pauseMs?: number;
  service?: string;
}

/** Runs `server` on one port and `client` against it; both must end with exit code 0. */
async function pair(server: Side, client: Side): Promise<{ client: string; server: string }> {
  const serverPort = await freePort();
  const clientPort = await freePort();
  const srv = startSipp({ ...server, localPort: serverPort, traceMsg: true, timeoutSec: 10 });
  await new Promise((r) => setTimeout(r, 300));
  const cli = await runSipp({
    ...client,
    target: `${HOST}:${serverPort}`,
    localPort: clientPort,
    traceMsg: true,
    timeoutSec: 10,
    keys: { user: 'alice', domain: DOMAIN, ...client.keys },
  });
  const srvResult = await srv.done;
  assert.equal(cli.code, 0, `client ${client.scenario}: ${explain(cli)}`);
  assert.equal(srvResult.code, 0, `server ${server.scenario}: ${explain(srvResult)}`);
  return { client: cli.messages, server: srvResult.messages };
}

const binding = { contact: '<sip:alice@127.0.0.1:5999>', expires: '3600' };

describe('SIPp scenarios against SIPp stand-ins', { skip: !SIPP_AVAILABLE && 'sipp not installed' }, () => {
  after(killStrays);

  test('register.xml gets its 200', async () => {
    const log = await pair({ scenario: 'peer/registrar.xml' }, { scenario: 'register.xml', keys: binding });
    assert.deepEqual(receivedStatuses(log.client), [200]);
  });

  test('register-refresh.xml sends two REGISTERs in one dialog', async () => {
    const log = await pair(
      { scenario: 'peer/registrar-refresh.xml' },
      { scenario: 'register-refresh.xml', keys: { ...binding, refresh_expires: '1800' } },
    );
    const regs = receivedRequests(log.server, 'REGISTER');
    assert.equal(regs.length, 2);
    assert.match(regs[1].text, /CSeq: 2 REGISTER/);
  });

  test('register-query.xml sends no Contact', async () => {
    const log = await pair({ scenario: 'peer/registrar.xml' }, { scenario: 'register-query.xml' });
    assert.doesNotMatch(receivedRequests(log.server, 'REGISTER')[0].text, /^Contact:/m);
  });

  test('register-too-brief.xml requires 423 with Min-Expires', async () => {
    const log = await pair(
      { scenario: 'peer/registrar-min-expires.xml' },
      { scenario: 'register-too-brief.xml', keys: { ...binding, expires: '1' } },
    );
    assert.deepEqual(receivedStatuses(log.client), [423]);
  });

  test('options.xml', async () => {
    const log = await pair({ scenario: 'peer/options.xml' }, { scenario: 'options.xml' });
    assert.deepEqual(receivedStatuses(log.client), [200]);
  });

  test('uac-newmethod.xml against uas-newmethod.xml', async () => {
    const log = await pair({ scenario: 'uas-newmethod.xml' }, { scenario: 'uac-newmethod.xml', service: 'bob' });
    assert.equal(receivedRequests(log.server, 'NEWMETHOD').length, 1);
  });

  test('uac-call.xml against uas-answer.xml', async () => {
    const log = await pair({ scenario: 'uas-answer.xml' }, { scenario: 'uac-call.xml', service: 'bob' });
    assert.equal(receivedRequests(log.server, 'ACK').length, 1);
    assert.equal(receivedRequests(log.server, 'BYE').length, 1);
  });

  test('uac-call-direct.xml sends ACK and BYE to the Contact of the 200', async () => {
    const log = await pair({ scenario: 'uas-answer.xml' }, { scenario: 'uac-call-direct.xml', service: 'bob', pauseMs: 100 });
    assert.match(receivedRequests(log.server, 'BYE')[0].startLine, /^BYE sip:127\.0\.0\.1:\d+;transport=UDP SIP\/2\.0$/);
  });

  test('uac-call-refused.xml ACKs a 486 from uas-busy.xml', async () => {
    const log = await pair({ scenario: 'uas-busy.xml' }, { scenario: 'uac-call-refused.xml', service: 'bob', keys: { max_forwards: '70' } });
    assert.deepEqual(receivedStatuses(log.client), [180, 486]);
    assert.equal(receivedRequests(log.server, 'ACK').length, 1);
  });

  test('uac-call-refused.xml ACKs a 603 from uas-decline.xml', async () => {
    const log = await pair(
      { scenario: 'uas-decline.xml', pauseMs: 200 },
      { scenario: 'uac-call-refused.xml', service: 'bob', keys: { max_forwards: '70' } },
    );
    assert.deepEqual(receivedStatuses(log.client), [180, 603]);
  });

  test('uac-call-cancel.xml against uas-ring-cancel.xml', async () => {
    const log = await pair({ scenario: 'uas-ring-cancel.xml' }, { scenario: 'uac-call-cancel.xml', service: 'bob', pauseMs: 200 });
    assert.deepEqual(receivedStatuses(log.client), [180, 200, 487]);
    assert.equal(receivedRequests(log.server, 'ACK').length, 1);
  });

  test('uac-redirect-follow.xml follows the 302 of a stand-in redirect server', async () => {
    const calleePort = await freePort();
    const callee = startSipp({ scenario: 'uas-answer.xml', localPort: calleePort, traceMsg: true, timeoutSec: 10 });
    const log = await pair(
      { scenario: 'peer/redirect.xml', keys: { callee_port: String(calleePort) } },
      { scenario: 'uac-redirect-follow.xml', service: 'bob' },
    );
    const calleeResult = await callee.done;
    assert.equal(calleeResult.code, 0, explain(calleeResult));
    assert.deepEqual(receivedStatuses(log.client), [302, 180, 200, 200]);
    assert.match(receivedRequests(calleeResult.messages, 'INVITE')[0].text, /CSeq: 2 INVITE/);
  });

  test('bench/scenarios: register.xml and the call pair uac-call.xml / uas-call.xml', async () => {
    const bench = (name: string): string => join(REPO_ROOT, 'bench', 'scenarios', name);
    const inf = join(mkdtempSync(join(tmpdir(), 'bench-inf-')), 'users.csv');
    writeFileSync(inf, 'SEQUENTIAL\n1000\n');
    const reg = await pair({ scenario: 'peer/registrar.xml' }, { scenario: bench('register.xml'), inf });
    assert.match(receivedRequests(reg.server, 'REGISTER')[0].text, /^Contact: <sip:1000@127\.0\.0\.1:\d+>$/m);
    const call = await pair({ scenario: bench('uas-call.xml') }, { scenario: bench('uac-call.xml'), inf, service: '1999' });
    assert.deepEqual(receivedStatuses(call.client), [180, 200, 200]);
  });
});
