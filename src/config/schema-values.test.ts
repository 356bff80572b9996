import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DIRECTIVES } from './directives';
import { ConfigError } from './errors';
import { parseConfigText } from './parser';

const FILE = '/srv/sipd/conf/sipd.conf';
const valueOf = (text: string, name: string) =>
  (parseConfigText(text, FILE).config as unknown as Record<string, unknown>)[name];
const rejects = (text: string) => {
  assert.throws(() => parseConfigText(text, FILE), (err) => err instanceof ConfigError && err.problems[0].line === 1);
};

const integers = DIRECTIVES.flatMap((d) => (d.type.kind === 'integer' && !d.section ? [{ name: d.name, ...d.type }] : []));
// Directives bound to another one by a consistency rule are tested in validation.test.ts.
const independent = integers.filter((d) => !/RegistrationExpires|^SipT[123]InMs|^SipMaxT3InMs/.test(d.name));

test('every integer directive accepts any value in its range and rejects its neighbours', () => {
  assert.ok(independent.length > 40);
  for (const d of independent) {
    fc.assert(fc.property(fc.integer({ min: d.min, max: d.max }), (n) => valueOf(`${d.name} ${n}`, d.name) === n), { numRuns: 20 });
    rejects(`${d.name} ${d.min - 1}`);
    rejects(`${d.name} ${d.max + 1}`);
  }
});

test('every flag directive reads On/Off in any case and nothing else', () => {
  const flags = DIRECTIVES.filter((d) => d.type.kind === 'flag');
  for (const d of flags) {
    assert.equal(valueOf(`${d.name} oN`, d.name), true, d.name);
    assert.equal(valueOf(`${d.name.toUpperCase()} OFF`, d.name), false, d.name);
    rejects(`${d.name} 1`);
  }
});

test('every enumerated directive accepts exactly its listed values', () => {
  for (const d of DIRECTIVES) {
    if (d.type.kind !== 'enum') continue;
    // ProxyAddressResolutionType SRV also needs ProxyDomain (validation.test.ts).
    const context = d.name === 'ProxyAddressResolutionType' ? 'ProxyDomain example.com\n' : '';
    for (const v of d.type.values) assert.equal(valueOf(`${context}${d.name} ${v.toLowerCase()}`, d.name), v, d.name);
    rejects(`${d.name} not-a-value`);
  }
});
