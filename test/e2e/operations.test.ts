// Operating the running sipd: txngraceful-restart (503 or silence), graceful restart with a
// broken or a changed sipd.conf, and the access log.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  DOMAIN, Sipd, alive, explain, headerValues, killStrays, pingOptions, receivedStatuses, runSipp, HOST,
  type SippResult,
} from './harness';
import { exited, track } from './harness/children';
import { SIPD_MAIN } from './harness/paths';
import { SIPP_AVAILABLE, answer, contactOf, dial, newPeer, register, type Peer } from './peers';
import { finalStatuses, responseTo } from './sip-assert';

const skip = !SIPP_AVAILABLE && 'sipp not installed';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a sipd CLI command to its end, keeping what it printed. */
async function cli(args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [SIPD_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await exited(child);
  return { code, stdout, stderr };
}

/**
 * Starts `txngraceful-restart SECONDS behaviour` (which sleeps SECONDS before the restart) and
 * resolves once the daemon has accepted it, with the still running CLI process.
 */
async function beginTxnGraceful(sipd: Sipd, seconds: number, behaviour: 1 | 2): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SIPD_MAIN, 'txngraceful-restart', String(seconds), String(behaviour), '-f', sipd.confPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  const accepted = new Promise<boolean>((resolve) => {
    const look = (c: Buffer): void => {
      output += c.toString();
      if (/signalled to gracefully stop/.test(output)) resolve(true);
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    void exited(child).then(() => resolve(false));
  });
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000).unref());
  const ok = await Promise.race([accepted, timer]);
  assert.ok(ok, `txngraceful-restart ${seconds} ${behaviour} was not accepted:\n${output}\n${sipd.diagnostics()}`);
  return child;
}

function assertOk(res: SippResult, who: string, sipd: Sipd): void {
  assert.equal(res.code, 0, `${who}: ${explain(res)}\n${sipd.diagnostics()}`);
}

function registerKeys(peer: Peer, expires: number): Record<string, string> {
  return { user: peer.user, domain: DOMAIN, contact: contactOf(peer), expires: String(expires) };
}

describe('operations', { skip }, () => {
  const servers: Sipd[] = [];
  after(async () => {
    await killStrays();
    await Promise.all(servers.map((s) => s.dispose()));
  });

  async function launch(directives: Record<string, string | number> = {}): Promise<Sipd> {
    const sipd = await Sipd.launch(directives);
    servers.push(sipd);
    return sipd;
  }

  test('OPS-9 txngraceful-restart 30 1: new REGISTER gets 503 with Retry-After: 60, new INVITE gets 503', async () => {
    const sipd = await launch();
    const callee = await newPeer('bob');
    assertOk(await register(sipd, callee), 'REGISTER before the drain', sipd);

    const control = await beginTxnGraceful(sipd, 30, 1);
    const registrant = await newPeer('carl');
    const reg = await runSipp({
      scenario: 'register-unavailable.xml', target: sipd.address, localPort: registrant.port, traceMsg: true, timeoutSec: 5,
      keys: registerKeys(registrant, 3600),
    });
    assertOk(reg, 'REGISTER while draining', sipd);
    const refused = responseTo(reg.messages, 'REGISTER', 503);
    assert.ok(refused, `503 to the REGISTER:\n${reg.messages}`);
    assert.deepEqual(headerValues(refused, 'retry-after'), ['60'], `Retry-After: 60 on the 503:\n${refused.text}`);

    const uas = answer(callee, 'uas-answer.xml', { timeoutSec: 4 });
    const caller = await dial(sipd, await newPeer('alice'), 'bob', 'uac-call-unavailable.xml', { timeoutSec: 5 });
    const calleeRes = await uas.done;
    assertOk(caller, 'INVITE while draining', sipd);
    assert.deepEqual(finalStatuses(caller.messages, 'INVITE'), [503]);
    assert.deepEqual(receivedStatuses(calleeRes.messages), [], 'the registered callee was not involved');
    assert.ok(!calleeRes.messages.includes('INVITE sip:'), 'the INVITE was not forwarded to the callee');

    control.kill('SIGKILL');
    await sipd.stop();
  });

  test('OPS-10 txngraceful-restart 30 2: a REGISTER gets no answer at all, an OPTIONS still gets 200', async () => {
    const sipd = await launch();
    const control = await beginTxnGraceful(sipd, 30, 2);

    const registrant = await newPeer('dora');
    const reg = await runSipp({
      scenario: 'register.xml', target: sipd.address, localPort: registrant.port, traceMsg: true, timeoutSec: 3,
      keys: { ...registerKeys(registrant, 3600), refresh_expires: '1800' },
    });
    assert.notEqual(reg.code, 0, `the REGISTER must time out:\n${explain(reg)}`);
    assert.deepEqual(receivedStatuses(reg.messages), [], `no response at all (not even 100/503) to the REGISTER:\n${reg.messages}`);

    const asker = await newPeer('olga');
    const opt = await runSipp({
      scenario: 'options.xml', target: sipd.address, localPort: asker.port, traceMsg: true, timeoutSec: 5,
      keys: { user: asker.user, domain: DOMAIN },
    });
    assertOk(opt, 'OPTIONS while draining silently', sipd);
    assert.deepEqual(receivedStatuses(opt.messages), [200]);

    control.kill('SIGKILL');
    await sipd.stop();
  });

  test('OPS-8 graceful with an invalid sipd.conf is refused naming file:line; sipd keeps running and answering', async () => {
    const sipd = await launch();
    const pid = sipd.pid;
    const lines = readFileSync(sipd.confPath, 'utf8').split('\n').filter((l) => l !== '').length;
    appendFileSync(sipd.confPath, 'MaxForks 99\n');
    const res = await cli(['graceful', '-f', sipd.confPath]);
    const printed = `${res.stdout}\n${res.stderr}`;
    assert.notEqual(res.code, 0, `graceful must fail:\n${printed}`);
    assert.ok(printed.includes(`${sipd.confPath}:${lines + 1}`), `the error names ${sipd.confPath}:${lines + 1}:\n${printed}`);
    assert.match(printed, /MaxForks/, 'the error names the directive');

    assert.ok(alive(pid), 'the sipd process is still alive');
    assert.equal(sipd.pid, pid);
    assert.equal(await pingOptions(HOST, sipd.port, 2000), 200, `sipd still answers OPTIONS\n${sipd.diagnostics()}`);
    const peer = await newPeer('erik');
    assertOk(await register(sipd, peer), 'REGISTER after the refused graceful restart', sipd);
  });

  test('OPS-7 graceful applies MinRegistrationExpires 120 without a restart: Expires 100 then gets 423 Min-Expires: 120', async () => {
    const sipd = await launch();
    const pid = sipd.pid;
    const before = await newPeer('fay');
    const accepted = await register(sipd, before, { expires: 100 });
    assertOk(accepted, 'Expires 100 under MinRegistrationExpires 60', sipd);

    const conf = readFileSync(sipd.confPath, 'utf8');
    assert.match(conf, /^MinRegistrationExpires 60$/m);
    writeFileSync(sipd.confPath, conf.replace(/^MinRegistrationExpires 60$/m, 'MinRegistrationExpires 120'));
    const res = await cli(['graceful', '-f', sipd.confPath]);
    assert.equal(res.code, 0, `graceful: ${res.stdout}\n${res.stderr}`);

    const after = await newPeer('gus');
    const brief = await register(sipd, after, { expires: 100, scenario: 'register-too-brief.xml' });
    assertOk(brief, 'REGISTER Expires 100 after the graceful restart', sipd);
    const tooBrief = responseTo(brief.messages, 'REGISTER', 423);
    assert.ok(tooBrief, `423 to the REGISTER:\n${brief.messages}`);
    assert.deepEqual(headerValues(tooBrief, 'min-expires'), ['120']);
    assert.equal(sipd.pid, pid, 'the same process applied the change');
    assert.ok(alive(pid), 'the original sipd process is alive');
  });

  test('access log: one line per request with method, URI and final status (REGISTER, INVITE, BYE 200)', async () => {
    const sipd = await launch({ AddRecordRoute: 'On' });
    const logPath = join(sipd.root, 'logs', 'access_log');
    const callee = await newPeer('hugo');
    assertOk(await register(sipd, callee), 'REGISTER', sipd);
    const uas = answer(callee, 'uas-answer.xml');
    const caller = await dial(sipd, await newPeer('alice'), 'hugo', 'uac-call.xml');
    const calleeRes = await uas.done;
    assertOk(caller, 'caller', sipd);
    assertOk(calleeRes, 'callee', sipd);

    const wanted = [
      { method: 'REGISTER', uri: `sip:${DOMAIN}` },
      { method: 'INVITE', uri: `sip:hugo@${DOMAIN}` },
      // The BYE follows the route set, so its Request-URI is the callee's Contact.
      { method: 'BYE', uri: `sip:${HOST}:${callee.port}` },
    ];
    const linesOf = (text: string, method: string): string[] => text.split('\n').filter((l) => l.includes(`"${method} `));
    let text = '';
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      text = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
      if (wanted.every((w) => linesOf(text, w.method).length > 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const { method, uri } of wanted) {
      const lines = linesOf(text, method);
      assert.equal(lines.length, 1, `one ${method} line in access_log:\n${text}`);
      assert.ok(lines[0].includes(`"${method} ${uri}`), `${method} line names the Request-URI ${uri}: ${lines[0]}`);
      assert.match(lines[0], /" 200\b/, `${method} line carries the final status 200: ${lines[0]}`);
    }
  });
});
