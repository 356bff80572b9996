import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tlsSettingWarnings } from './tls-config';

test('the defaults and a modern explicit list give no warnings', () => {
  assert.deepEqual(tlsSettingWarnings({ requestCert: false }), []);
  assert.deepEqual(tlsSettingWarnings({ minVersion: 'TLSv1.3', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:HIGH:!aNULL', requestCert: true, ca: '/ca.pem' }), []);
});

test('TLS versions below 1.2 warn, and say what OpenSSL 3 needs for them', () => {
  const bare = tlsSettingWarnings({ minVersion: 'TLSv1', requestCert: false });
  assert.match(bare.join('\n'), /SipTlsMinVersion TLSv1 accepts TLS versions below TLSv1\.2/);
  assert.match(bare.join('\n'), /default cipher list has no suite usable below TLSv1\.2/);
  const noLevel = tlsSettingWarnings({ minVersion: 'TLSv1.1', ciphers: 'ECDHE-RSA-AES128-SHA', requestCert: false });
  assert.match(noLevel.join('\n'), /add :@SECLEVEL=0 to SipTlsCiphers/);
  const seed = tlsSettingWarnings({ minVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0', requestCert: false });
  assert.doesNotMatch(seed.join('\n'), /SECLEVEL/);
});

test('weak, missing and forward-secrecy-less suites warn', () => {
  const w = tlsSettingWarnings({ ciphers: 'AES128-SHA:DES-CBC3-SHA:RC4-SHA', requestCert: false }).join('\n');
  assert.match(w, /offers weak suites: DES-CBC3-SHA, RC4-SHA/);
  assert.match(w, /does not have .*ignored: DES-CBC3-SHA, RC4-SHA/);
  assert.match(w, /only RSA key exchange suites \(AES128-SHA, DES-CBC3-SHA, RC4-SHA\)/);
  assert.match(tlsSettingWarnings({ ciphers: 'AES128-SHA', requestCert: false }).join('\n'), /only RSA key exchange/);
  assert.deepEqual(tlsSettingWarnings({ ciphers: 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256', requestCert: false }), []);
  assert.match(tlsSettingWarnings({ ciphers: 'eNULL', requestCert: false }).join('\n'), /weak suites: eNULL/);
});

test('mutual TLS without a CA file warns that the system CAs decide', () => {
  assert.match(tlsSettingWarnings({ requestCert: true }).join('\n'), /system's CAs/);
});
