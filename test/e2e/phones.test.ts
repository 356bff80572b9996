// Third-party phones through the real sipd (SPEC CUCM-2..6, CUCM-12): a device's digest user registers only the
// device's lines, and a line with its busy trigger of calls gets 486.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DOMAIN, HOST, Sipd, UdpUa, digestAuthorization, type UaResponse } from './harness';

describe('third-party phones', () => {
  let sipd: Sipd;
  let phone: UdpUa;
  let caller: UdpUa;
  let n = 0;
  const to = () => ({ host: HOST, port: sipd.port });

  before(async () => {
    // The caller's address is trusted (Satisfy Any), so only the phone authenticates.
    sipd = await Sipd.launch({ Authentication: 'On', AddRecordRoute: 'On', Allow: 'from 127.0.0.2', Satisfy: 'Any' });
    for (const args of [
      ['subscriber', 'add', 'desk', '--password', 'desk-pw'],
      ['device', 'add', 'desk-phone', '--type', 'basic', '--digest-user', 'desk', '--line', '3001', '--digest-mode', 'verify'],
    ]) {
      const r = await sipd.command(...args);
      assert.equal(r.code, 0, r.stderr);
    }
    phone = await UdpUa.open('127.0.0.1');
    caller = await UdpUa.open('127.0.0.2');
  });
  after(async () => {
    phone?.close();
    caller?.close();
    await sipd?.dispose();
  });

  /** REGISTER of `line` by the phone, answering the challenge with the device's digest user. */
  async function registerLine(line: string): Promise<UaResponse | null> {
    const base = { method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `<sip:${line}@${DOMAIN}>;tag=p${++n}`, to: `<sip:${line}@${DOMAIN}>`, callId: `line-${line}-${n}@phone` };
    const headers = [`Contact: <sip:${line}@${phone.host}:${phone.port}>`, 'Expires: 600'];
    const challenge = await phone.send(to(), { ...base, cseq: 1, headers });
    assert.equal(challenge?.status, 401);
    const authorization = digestAuthorization(challenge!.header('www-authenticate')!, { user: 'desk', password: 'desk-pw', method: 'REGISTER', uri: `sip:${DOMAIN}` });
    return phone.send(to(), { ...base, cseq: 2, headers: [...headers, `Authorization: ${authorization}`] });
  }

  test('CUCM-6: a line that is not on the device of the digest user is refused with 403 saying so', async () => {
    const res = await registerLine('3002');
    assert.equal(res?.status, 403);
    assert.equal(res!.reason, 'Forbidden (line 3002 is not on device desk-phone)');
  });

  test('CUCM-2: the device\'s own line registers with its digest user', async () => {
    assert.equal((await registerLine('3001'))?.status, 200);
  });

  test('CUCM-12: with the busy trigger (2) of calls on the line, a third call gets 486 Busy Here', async () => {
    const invite = (i: number) => caller.send(to(), {
      method: 'INVITE', uri: `sip:3001@${DOMAIN}`, from: `<sip:pstn@${DOMAIN}>;tag=c${i}`, to: `<sip:3001@${DOMAIN}>`, callId: `busy-${i}@caller`, cseq: 1,
    }, 1500);
    // The phone never answers: both calls stay ringing, which counts as busy.
    assert.equal(await invite(1), null);
    assert.equal(await invite(2), null);
    const third = await invite(3);
    assert.equal(third?.status, 486, third?.text);
  });
});
