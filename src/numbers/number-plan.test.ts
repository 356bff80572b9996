import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NumberPlan, NumberPlanError } from './number-plan';
import type { NumberExpansion } from '../config/types';

function plan(...rules: [string, string][]): NumberPlan {
  return NumberPlan.compile({ Test: rules.map(([pattern, replacement]) => ({ pattern, replacement })) });
}

test('the replacement dots take the wildcard digits in order', () => {
  const p = plan(['2....', '+1919392....'], ['7...', '+1408527...'], ['8...', '5555...']);
  assert.equal(p.expand('20002'), '+19193920002');
  assert.equal(p.expand('24567'), '+19193924567');
  assert.equal(p.expand('7123'), '+1408527123');
  assert.equal(p.expand('8123'), '5555123');
  assert.equal(p.size, 3);
});

test('a pattern matches the whole user: no match leaves it unchanged', () => {
  const p = plan(['2....', '+1919392....']);
  for (const user of ['3000', '2000', '200000', '', '+20002', 'alice']) {
    assert.equal(p.lookup(user), undefined, user);
    assert.equal(p.expand(user), user);
  }
});

test('"." matches digits only; "+", "*" and "#" match themselves', () => {
  const p = plan(['*6.', '+1800555006.'], ['+1888555....', '....'], ['#..', '+1408555..00']);
  assert.equal(p.expand('*69'), '+18005550069');
  assert.equal(p.expand('+18885550100'), '0100');
  assert.equal(p.expand('#42'), '+14085554200');
  assert.equal(p.lookup('*6*'), undefined);
  assert.equal(p.lookup('#4#'), undefined);
  assert.equal(p.lookup('+1888555010+'), undefined);
  assert.equal(p.lookup('+2888555.100'), undefined);
});

test('fewer dots in the replacement keep the last wildcard digits; none gives a fixed number', () => {
  const p = plan(['91..........', '.......'], ['0', '+14085550000'], ['1..', '+14085550199']);
  assert.equal(p.expand('914085550100'), '5550100');
  assert.equal(p.expand('0'), '+14085550000');
  assert.equal(p.expand('123'), '+14085550199');
});

test('the most specific rule wins whatever the file order', () => {
  const rules: [string, string][] = [['2...', '+1919392...'], ['20..', '+1408555..'], ['2.1.', '+1212555..'], ['21..', '+1303555..']];
  for (const order of [rules, [...rules].reverse()]) {
    const p = plan(...order);
    assert.equal(p.expand('2012'), '+140855512', 'literal 0 beats "." at the second digit');
    assert.equal(p.expand('2345'), '+1919392345');
    assert.equal(p.expand('2112'), '+130355512', '21.. beats 2.1.: they differ first at the second digit');
    assert.equal(p.expand('2213'), '+121255523');
  }
});

test('a literal branch that fails further on falls back to the wildcard one', () => {
  const p = plan(['21.3', '+1555.'], ['2..4', '+1666..']);
  assert.equal(p.expand('2113'), '+15551');
  assert.equal(p.expand('2114'), '+166611');
  assert.equal(p.lookup('2115'), undefined);
});

test('several blocks form one set of rules', () => {
  const p = NumberPlan.compile({ A: [{ pattern: '2...', replacement: '+1919392...' }], B: [{ pattern: '7...', replacement: '+1408527...' }] });
  assert.equal(p.expand('2001'), '+1919392001');
  assert.equal(p.expand('7001'), '+1408527001');
  assert.equal(NumberPlan.compile({}).expand('2001'), '2001');
});

test('bad rules are refused with the block and rule named', () => {
  const bad = (rules: NumberExpansion[], message: string, blocks: Record<string, NumberExpansion[]> = { Global: rules }) =>
    assert.throws(() => NumberPlan.compile(blocks), (err: unknown) => err instanceof NumberPlanError && err.message === message);
  bad([{ pattern: '2..', replacement: '+1919392...' }],
    'NumberPlan Global: NumExp 2.. +1919392...: the replacement has 3 "." but the pattern only 2');
  bad([{ pattern: '2...', replacement: '+1...' }, { pattern: '2...', replacement: '+2...' }],
    'NumberPlan Global: NumExp 2... +2...: the pattern 2... is already in the plan');
  bad([], 'NumberPlan B: NumExp 2... +2...: the pattern 2... is already in the plan',
    { A: [{ pattern: '2...', replacement: '+1...' }], B: [{ pattern: '2...', replacement: '+2...' }] });
  bad([{ pattern: '1[2-8]', replacement: '5' }], 'NumberPlan Global: NumExp 1[2-8] 5: the pattern may hold only digits, ".", "*", "#" and "+"');
  bad([{ pattern: '', replacement: '5' }], 'NumberPlan Global: NumExp  5: the pattern may hold only digits, ".", "*", "#" and "+"');
  bad([{ pattern: '1', replacement: 'x' }], 'NumberPlan Global: NumExp 1 x: the replacement may hold only digits, ".", "*", "#" and "+"');
  bad([{ pattern: '1', replacement: '' }], 'NumberPlan Global: NumExp 1 : the replacement is empty');
});

/** The rules written out the slow way: every matching pattern, the most specific first, dots filled from the right. */
function reference(rules: NumberExpansion[], user: string): string | undefined {
  const matches = rules.filter((r) => r.pattern.length === user.length &&
    [...r.pattern].every((c, i) => (c === '.' ? /[0-9]/.test(user[i]) : c === user[i])));
  if (matches.length === 0) return undefined;
  const moreSpecific = (a: string, b: string) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] === '.' ? 1 : b[i] === '.' ? -1 : 0;
    return 0;
  };
  const best = matches.sort((a, b) => moreSpecific(a.pattern, b.pattern))[0];
  const wild = [...best.pattern].flatMap((c, i) => (c === '.' ? [user[i]] : []));
  const dots = [...best.replacement].filter((c) => c === '.').length;
  const digits = wild.slice(wild.length - dots);
  return [...best.replacement].map((c) => (c === '.' ? digits.shift() : c)).join('');
}

test('matches the slow reference on random plans and users', () => {
  const patternArb = fc.string({ unit: fc.constantFrom('1', '2', '.'), minLength: 1, maxLength: 4 });
  fc.assert(fc.property(
    fc.uniqueArray(patternArb, { maxLength: 8 }),
    fc.array(fc.string({ unit: fc.constantFrom('1', '2', '3', '*'), minLength: 1, maxLength: 4 }), { maxLength: 10 }),
    (patterns, users) => {
      const rules = patterns.map((pattern, i) => ({ pattern, replacement: `+${i}${pattern.replace(/[^.]/g, '').slice(i % 2)}` }));
      const p = NumberPlan.compile({ R: rules });
      for (const user of users) assert.equal(p.lookup(user), reference(rules, user), `${user} in ${patterns.join(' ')}`);
    },
  ), { numRuns: 500 });
});
