// Requests from third-party phones: lines on the device (CUCM-6) and the security profile (ASIP-4, D-11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from '../dialog/fixtures';
import { device, policyContext } from './fixtures';
import { linePolicy } from './line-policy';
import { plainRtpStreams } from './sdp';

const register = (line: string) => request({ method: 'REGISTER', to: line, from: line });

function sdp(...media: string[]): string {
  return ['v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', ...media, ''].join('\r\n');
}
const AUDIO = 'm=audio 4000 RTP/AVP 0 8 101';
const CRYPTO = 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR';
const invite = (body?: string) => request({ body });

const BASIC = device({ name: 'SEP-basic', numbers: ['1000'] });
const ADVANCED = device({ name: 'desk-7', type: 'advanced', numbers: ['2001', '2002', '2003'] });
const AUTHENTICATED = device({ name: 'secure-1', numbers: ['3000'], securityProfile: 'authenticated' });
const ENCRYPTED = device({ name: 'srtp-1', numbers: ['4000'], securityProfile: 'encrypted' });

test('REGISTER of a line on the device passes, every line of an advanced device too', async () => {
  assert.equal(await linePolicy(policyContext(register('1000'), { by: BASIC })), undefined);
  for (const line of ['2001', '2002', '2003']) assert.equal(await linePolicy(policyContext(register(line), { by: ADVANCED })), undefined, line);
});

test('REGISTER of a line that is not on the device gets 403 naming the line and the device (CUCM-6)', async () => {
  assert.deepEqual(await linePolicy(policyContext(register('1001'), { by: BASIC })), { status: 403, reason: 'Forbidden (line 1001 is not on device SEP-basic)' });
  assert.deepEqual(await linePolicy(policyContext(register('1000'), { by: ADVANCED })), { status: 403, reason: 'Forbidden (line 1000 is not on device desk-7)' });
  const noUser = request({ method: 'REGISTER' });
  noUser.set('To', '<sip:example.com>');
  assert.deepEqual(await linePolicy(policyContext(noUser, { by: BASIC })), { status: 403, reason: 'Forbidden (line (none) is not on device SEP-basic)' });
});

test('requests without a device identity pass: not authenticated, or a user who owns no phone', async () => {
  assert.equal(await linePolicy(policyContext(register('9999'))), undefined);
  assert.equal(await linePolicy(policyContext(register('9999'), { user: 'alice' })), undefined);
  assert.equal(await linePolicy(policyContext(invite(sdp(AUDIO)), { user: 'alice' })), undefined);
});

test('authenticated and encrypted profiles need TLS: 403 over UDP and TCP, accepted over TLS', async () => {
  for (const d of [AUTHENTICATED, ENCRYPTED]) {
    const line = d.lines[0].number;
    for (const transport of ['udp', 'tcp'] as const) {
      assert.deepEqual(await linePolicy(policyContext(register(line), { by: d, transport })), { status: 403, reason: `Forbidden (TLS required for device ${d.name})` }, `${d.name} over ${transport}`);
      assert.deepEqual(await linePolicy(policyContext(invite(), { by: d, transport })), { status: 403, reason: `Forbidden (TLS required for device ${d.name})` }, 'every request, not only REGISTER');
    }
    assert.equal(await linePolicy(policyContext(register(line), { by: d, transport: 'tls' })), undefined);
  }
  assert.equal(await linePolicy(policyContext(register('1000'), { by: BASIC, transport: 'tls' })), undefined, 'non-secure phones may use TLS too (D-11)');
});

test('an ACK or CANCEL from a device is never answered, whatever the transport', async () => {
  assert.equal(await linePolicy(policyContext(request({ method: 'ACK' }), { by: AUTHENTICATED })), undefined);
  assert.equal(await linePolicy(policyContext(request({ method: 'CANCEL' }), { by: ENCRYPTED })), undefined);
});

test('encrypted profile: an INVITE offering plain RTP gets 488; SRTP offers pass', async () => {
  const over = (body?: string) => linePolicy(policyContext(invite(body), { by: ENCRYPTED, transport: 'tls' }));
  const REJECT = { status: 488, reason: 'Not Acceptable Here (SRTP required)' };
  assert.deepEqual(await over(sdp(AUDIO)), REJECT);
  assert.deepEqual(await over(sdp(AUDIO, CRYPTO, 'm=video 4002 RTP/AVP 96')), REJECT, 'the video stream has no key');
  assert.equal(await over(sdp(AUDIO, CRYPTO)), undefined);
  assert.equal(await over(sdp(AUDIO, CRYPTO, 'm=video 4002 RTP/AVP 96', CRYPTO)), undefined);
  assert.equal(await over(sdp('m=audio 4000 RTP/SAVP 0')), undefined, 'a secure profile');
  assert.equal(await over(sdp('m=audio 4000 UDP/TLS/RTP/SAVPF 111')), undefined, 'DTLS-SRTP');
  assert.equal(await over(sdp(AUDIO, CRYPTO, 'm=video 0 RTP/AVP 96')), undefined, 'a disabled stream');
  assert.equal(await over(sdp(AUDIO, CRYPTO, 'm=image 4004 udptl t38')), undefined, 'T.38 is not RTP');
  assert.equal(await over(), undefined, 'no offer (late offer in the ACK)');
});

test('other profiles do not look at the SDP; the encrypted profile only at INVITEs', async () => {
  assert.equal(await linePolicy(policyContext(invite(sdp(AUDIO)), { by: BASIC })), undefined);
  assert.equal(await linePolicy(policyContext(invite(sdp(AUDIO)), { by: AUTHENTICATED, transport: 'tls' })), undefined);
  const update = request({ method: 'UPDATE', toTag: 'b1', body: sdp(AUDIO) });
  assert.equal(await linePolicy(policyContext(update, { by: ENCRYPTED, transport: 'tls' })), undefined);
  const notSdp = request({ body: sdp(AUDIO), contentType: 'text/plain' });
  assert.equal(await linePolicy(policyContext(notSdp, { by: ENCRYPTED, transport: 'tls' })), undefined);
  const withParams = request({ body: sdp(AUDIO), contentType: 'Application/SDP; charset=utf-8' });
  assert.deepEqual(await linePolicy(policyContext(withParams, { by: ENCRYPTED, transport: 'tls' })), { status: 488, reason: 'Not Acceptable Here (SRTP required)' }, 'media type matched case-insensitively');
});

test('plainRtpStreams names the streams that lack keys, with bare LF line ends too', () => {
  assert.deepEqual(plainRtpStreams(['v=0', 'm=audio 4000 RTP/AVP 0', CRYPTO, 'm=video 4002 RTP/AVP 96', 'm=audio 4004 RTP/AVP 8'].join('\n')), ['m=video 4002 RTP/AVP 96', 'm=audio 4004 RTP/AVP 8']);
  assert.deepEqual(plainRtpStreams('v=0\r\n' + CRYPTO + '\r\nm=audio 4000 RTP/AVP 0\r\n'), ['m=audio 4000 RTP/AVP 0'], 'a session-level a=crypto keys nothing');
  assert.deepEqual(plainRtpStreams('garbage\r\nm=\r\n'), [], 'an m= line without media type is not audio or video');
});
