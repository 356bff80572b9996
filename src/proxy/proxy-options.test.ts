// Switches of the proxy core that change where a request goes: Cisco_Registry, and the UDP size limit (RFC 3261 §18.1.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOB1, Kit } from './test-kit';

test('Cisco_Registry Off: REGISTER is refused with 403 and nothing is stored', async () => {
  const k = new Kit({ settings: { registry: false } });
  const res = await k.register('bob', BOB1);
  assert.equal(res.status, 403);
  assert.match(res.reason, /Cisco_Registry Off/);
  assert.equal(k.location.size(), 0);
});

test('a request too large for a UDP datagram is forwarded over TCP to a UDP contact (RFC 3261 §18.1.1)', async () => {
  const k = new Kit();
  await k.register('bob', BOB1);
  await k.send({ uri: 'sip:bob@example.com', branch: 'z9hG4bK-big', callId: 'big@192.0.2.1', body: 'v=0\r\n' + 'a=x-filler:'.padEnd(1400, 'y') + '\r\n' });
  const big = k.sender.sent.find((s) => s.msg.method === 'INVITE');
  assert.ok(big, 'the INVITE was forwarded');
  assert.equal(big.dest.transport, 'tcp');
  assert.equal(big.msg.topVia.transport, 'TCP');

  await k.send({ uri: 'sip:bob@example.com', branch: 'z9hG4bK-small', callId: 'small@192.0.2.1' });
  const small = k.sender.sent.filter((s) => s.msg.method === 'INVITE').pop();
  assert.equal(small?.dest.transport, 'udp');
});
