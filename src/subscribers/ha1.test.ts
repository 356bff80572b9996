import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ha1, ha1Pair } from './ha1';
import { defaultRealm } from './realm';
import { hostname } from 'node:os';

test('HA1 matches the RFC 2617 example and a SHA-256 value computed by sha256sum', () => {
  // RFC 2617 §3.5: Mufasa / testrealm@host.com / "Circle Of Life".
  assert.equal(ha1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life'), '939e7578ed9e3c518a452acee763bce9');
  // printf 'Mufasa:http-auth@example.org:Circle of Life' | sha256sum (the RFC 7616 §3.9.1 credentials)
  assert.equal(
    ha1('SHA-256', 'Mufasa', 'http-auth@example.org', 'Circle of Life'),
    '7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232',
  );
  assert.deepEqual(ha1Pair('Mufasa', 'testrealm@host.com', 'Circle Of Life').md5, '939e7578ed9e3c518a452acee763bce9');
});

test('the realm is AuthRealm, else ProxyDomain, else the host name', () => {
  assert.equal(defaultRealm({ AuthRealm: 'ccmsipline', ProxyDomain: 'example.com' }), 'ccmsipline');
  assert.equal(defaultRealm({ ProxyDomain: 'example.com' }), 'example.com');
  assert.equal(defaultRealm({}), hostname());
});
