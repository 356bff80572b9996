// Registrations survive restarts (registry kept in <ServerRoot>/data), and a graceful restart
// keeps an established record-routed call.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Sipd, explain, killStrays, receivedRequests, type Directives } from './harness';
import { SIPP_AVAILABLE, answer, dial, isSipdVia, newPeer, register } from './peers';
import { finalStatuses, topVia } from './sip-assert';

/** Time for the write-behind registry store to reach disk before a crash. */
const FLUSH_WAIT_MS = 1500;
const directives: Directives = { AddRecordRoute: 'On', Cisco_Registry_Max_DB_Age_on_Boot: 86400 };

describe('restarts', { skip: !SIPP_AVAILABLE && 'sipp not installed' }, () => {
  const servers: Sipd[] = [];
  after(async () => {
    await killStrays();
    await Promise.all(servers.map((s) => s.dispose()));
  });

  async function launch(): Promise<Sipd> {
    const sipd = await Sipd.launch(directives);
    servers.push(sipd);
    return sipd;
  }

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    test(`REG-19 restart after ${signal}: the registered callee is still reached (SC-02 call)`, async () => {
      const sipd = await launch();
      const callee = await newPeer('bob');
      assert.equal((await register(sipd, callee)).code, 0);
      if (signal === 'SIGKILL') await new Promise((r) => setTimeout(r, FLUSH_WAIT_MS));
      await sipd.stop(signal);
      await sipd.start();

      const uas = answer(callee, 'uas-answer.xml', { timeoutSec: 10 });
      const caller = await dial(sipd, await newPeer('alice'), 'bob', 'uac-call.xml', { timeoutSec: 8 });
      const calleeRes = await uas.done;
      assert.equal(caller.code, 0, explain(caller) + sipd.diagnostics());
      assert.equal(receivedRequests(calleeRes.messages, 'INVITE').length, 1);
    });
  }

  test('OPS-7 graceful restart during an established record-routed call keeps the call', async () => {
    const sipd = await launch();
    const callee = await newPeer('carol');
    assert.equal((await register(sipd, callee)).code, 0);
    const pidBefore = sipd.pid;
    const uas = answer(callee, 'uas-answer.xml');
    const call = dial(sipd, await newPeer('alice'), 'carol', 'uac-call.xml', { pauseMs: 4000 });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await sipd.graceful(), 0, 'sipd graceful succeeds');
    const [caller, calleeRes] = await Promise.all([call, uas.done]);

    assert.equal(caller.code, 0, explain(caller) + sipd.diagnostics());
    assert.deepEqual(finalStatuses(caller.messages, 'BYE'), [200], 'BYE answered after the graceful restart');
    const bye = receivedRequests(calleeRes.messages, 'BYE')[0];
    assert.ok(bye && isSipdVia(sipd, topVia(bye)), 'the BYE still crossed sipd');
    assert.equal(sipd.pid, pidBefore, 'the sipd process stayed up');
  });
});
