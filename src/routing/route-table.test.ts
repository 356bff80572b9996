import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { route, seededRandom } from './fixtures';
import { parsePhonePattern, type PatternStep, type Route } from './route';
import { RouteTable, weightedOrder, type RouteMatch } from './route-table';

const ON = { lessSpecificSearch: true };
const OFF = { lessSpecificSearch: false };

/** Each level as its patterns' next hops. */
function hops(match: RouteMatch): string[][] {
  return match.levels.map((level) => level.map((r) => r.nextHop));
}

function patterns(match: RouteMatch): string[] {
  return match.levels.map((level) => level[0].pattern);
}

test('the most specific pattern comes first: literals, then fixed length before *, then the longer fixed part', () => {
  const table = new RouteTable(
    ['*', '1*', '1408*', '1408.......', '14085551212', '1408555....', '1..8*'].map((p) => route(p, `gw-${p.length}`)),
    ON,
  );
  assert.deepEqual(patterns(table.lookupNumber('14085551212')), ['14085551212', '1408555....', '1408.......', '1408*', '1..8*', '1*', '*']);
  // Too short for the fixed-length patterns.
  assert.deepEqual(patterns(table.lookupNumber('14085')), ['1408*', '1..8*', '1*', '*']);
  assert.deepEqual(patterns(table.lookupNumber('2')), ['*']);
});

test('. is exactly one digit and a trailing * any rest, none included (RTE-5)', () => {
  const table = new RouteTable([route('9..', 'three'), route('9*', 'any')], ON);
  assert.deepEqual(patterns(table.lookupNumber('911')), ['9..', '9*']);
  assert.deepEqual(patterns(table.lookupNumber('9111')), ['9*']);
  assert.deepEqual(patterns(table.lookupNumber('91')), ['9*']);
  assert.deepEqual(patterns(table.lookupNumber('9')), ['9*']);
  assert.deepEqual(patterns(table.lookupNumber('8')), []);
  // . is a digit, not # or *.
  assert.deepEqual(patterns(table.lookupNumber('9#1')), ['9*']);
});

test('equal literal counts: the longer fixed part, then the pattern whose literal comes first', () => {
  const table = new RouteTable([route('.23', 'late'), route('1.3', 'early')], ON);
  assert.deepEqual(patterns(table.lookupNumber('123')), ['1.3', '.23']);
  // As many literals, both open-ended: the longer fixed part first.
  const open = new RouteTable([route('15*', 'short'), route('1.5*', 'long')], ON);
  assert.deepEqual(patterns(open.lookupNumber('1555')), ['1.5*', '15*']);
});

test('literal stars, # and +: *69, 12\\* and +1408 match only themselves', () => {
  const table = new RouteTable([route('*69', 'recall'), route('12\\*', 'star'), route('001#5...', 'tech'), route('+1408*', 'sj')], OFF);
  assert.deepEqual(hops(table.lookupNumber('*69')), [['recall']]);
  assert.deepEqual(hops(table.lookupNumber('169')), []);
  assert.deepEqual(hops(table.lookupNumber('12*')), [['star']]);
  assert.deepEqual(hops(table.lookupNumber('123')), []);
  assert.deepEqual(hops(table.lookupNumber('001#5000')), [['tech']]);
  assert.deepEqual(hops(table.lookupNumber('0015000')), []);
  assert.deepEqual(hops(table.lookupNumber('+1 (408) 555-0100')), [['sj']]);
  assert.deepEqual(hops(table.lookupNumber('14085550100')), []);
  assert.deepEqual(hops(table.lookupNumber('alice')), []);
});

test('global less-specific search off: only the most specific pattern', () => {
  const table = new RouteTable([route('1408*', 'sj'), route('1*', 'na')], OFF);
  assert.deepEqual(hops(table.lookupNumber('14085550100')), [['sj']]);
});

test('allow-less-specific off on any route of a pattern stops the search after that pattern', () => {
  const table = new RouteTable(
    [
      route('1408555*', 'a'),
      route('1408*', 'b1', { priority: 1 }),
      route('1408*', 'b2', { priority: 2, allowLessSpecific: false }),
      route('1*', 'c'),
    ],
    ON,
  );
  assert.deepEqual(hops(table.lookupNumber('14085550100')), [['a'], ['b1', 'b2']]);
  assert.deepEqual(hops(table.lookupNumber('14080000000')), [['b1', 'b2']]);
  assert.deepEqual(hops(table.lookupNumber('15550000000')), [['c']]);
});

test('within a pattern lower priority goes first', () => {
  const table = new RouteTable([route('5...', 'p3', { priority: 3 }), route('5...', 'p1', { priority: 1 }), route('5...', 'p2', { priority: 2 })], OFF);
  assert.deepEqual(hops(table.lookupNumber('5000')), [['p1', 'p2', 'p3']]);
});

test('equal priorities: weighted random order (RFC 2782), weight 0 last', () => {
  const table = new RouteTable(
    [
      route('5...', 'light', { weight: 1 }),
      route('5...', 'heavy', { weight: 3 }),
      route('5...', 'never-first', { weight: 0 }),
      route('5...', 'backup', { priority: 9, weight: 100 }),
    ],
    { lessSpecificSearch: false, random: seededRandom(42) },
  );
  const firsts = new Map<string, number>();
  const runs = 4000;
  for (let i = 0; i < runs; i++) {
    const [level] = hops(table.lookupNumber('5000'));
    assert.deepEqual([...level].sort(), ['backup', 'heavy', 'light', 'never-first']);
    assert.equal(level[2], 'never-first');
    assert.equal(level[3], 'backup');
    firsts.set(level[0], (firsts.get(level[0]) ?? 0) + 1);
  }
  const heavyShare = (firsts.get('heavy') ?? 0) / runs;
  assert.ok(heavyShare > 0.7 && heavyShare < 0.8, `heavy first in ${heavyShare} of lookups, expected about 0.75`);
});

test('weightedOrder picks each by weight/sum: the second place follows from the first', () => {
  const rs = [route('1', 'a', { weight: 2 }), route('1', 'b', { weight: 1 }), route('1', 'c', { weight: 1 })];
  // Draws in [0,4): 0..2 a, 2..3 b, 3..4 c; then among the rest.
  const draws = [0.9, 0.1, 0.5];
  let i = 0;
  assert.deepEqual(weightedOrder(rs, () => draws[i++]).map((r) => r.nextHop), ['c', 'a', 'b']);
  const all0 = [route('1', 'x', { weight: 0 }), route('1', 'y', { weight: 0 })];
  assert.deepEqual(weightedOrder(all0, () => 0.99).map((r) => r.nextHop), ['y', 'x']);
});

test('out-of-service routes are skipped; a pattern with none left is no match', () => {
  const table = new RouteTable(
    [route('1408*', 'down', { inService: false }), route('1408*', 'up'), route('1409*', 'down', { inService: false }), route('14*', 'area')],
    OFF,
  );
  assert.deepEqual(hops(table.lookupNumber('14085550100')), [['up']]);
  assert.deepEqual(hops(table.lookupNumber('14095550100')), [['area']]);
  assert.equal(table.size, 2);
});

test('a blocking route answers blocked; reached after other routes it only ends the list', () => {
  const table = new RouteTable(
    [route('1900*', '', { block: true }), route('1900*', 'ignored'), route('19005550100', 'allowed'), route('1*', 'na')],
    ON,
  );
  const blocked = table.lookupNumber('19001234567');
  assert.deepEqual(blocked.levels, []);
  assert.equal(blocked.blocked?.pattern, '1900*');
  const specific = table.lookupNumber('19005550100');
  assert.deepEqual(hops(specific), [['allowed']]);
  assert.equal(specific.blocked, undefined);
  assert.deepEqual(hops(table.lookupNumber('15550100')), [['na']]);
});

test('domain routes: exact, then .domain for itself, then parents from the nearest, *.d before .d, then *', () => {
  const table = new RouteTable(
    [
      route('a.b.example.com', 'exact'),
      route('.a.b.example.com', 'self'),
      route('*.b.example.com', 'below-b'),
      route('.example.com', 'self-example'),
      route('*.example.com', 'below-example'),
      route('*', 'any', { type: 'domain' }),
      route('.com.ibm.*', 'ibm'),
    ],
    ON,
  );
  assert.deepEqual(hops(table.lookupHost('A.B.Example.com.')), [['exact'], ['self'], ['below-b'], ['below-example'], ['self-example'], ['any']]);
  assert.deepEqual(hops(table.lookupHost('example.com')), [['self-example'], ['any']]);
  assert.deepEqual(hops(table.lookupHost('bldg1.sjc.ca.us.ibm.com')), [['ibm'], ['any']]);
  assert.deepEqual(hops(table.lookupHost('ibm.com')), [['ibm'], ['any']]);
  assert.deepEqual(hops(table.lookupHost('notibm.com')), [['any']]);
  assert.deepEqual(hops(table.lookupHost('192.0.2.7')), []);
  assert.deepEqual(hops(table.lookupHost('[2001:db8::7]')), []);
  // Phone and domain routes do not mix.
  assert.deepEqual(hops(table.lookupNumber('123')), []);
});

// ---- the trie against a brute-force reference

function matches(steps: readonly PatternStep[], number: string): boolean {
  let i = 0;
  for (const step of steps) {
    if (step.kind === 'rest') return true;
    if (i >= number.length) return false;
    const c = number[i++];
    if (step.kind === 'digit' ? !/[0-9]/.test(c) : c !== step.char) return false;
  }
  return i === number.length;
}

/** The specificity order written out plainly from the rules in docs/routes.md. */
function rank(pattern: string): [number, number, number, string] {
  const steps = parsePhonePattern(pattern);
  const fixed = steps.filter((s) => s.kind !== 'rest');
  const literals = fixed.filter((s) => s.kind === 'literal').length;
  const rest = steps.length > fixed.length ? 1 : 0;
  return [-literals, rest, -fixed.length, fixed.map((s) => (s.kind === 'literal' ? 'a' : 'b')).join('')];
}

function compareRank(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  return ra[3] < rb[3] ? -1 : ra[3] > rb[3] ? 1 : 0;
}

function reference(routes: readonly Route[], number: string): string[][] {
  const live = routes.filter((r) => r.inService && matches(parsePhonePattern(r.pattern), number));
  const byPattern = [...new Set(live.map((r) => r.pattern))].sort(compareRank);
  return byPattern.map((p) => live.filter((r) => r.pattern === p).map((r) => r.nextHop).sort());
}

const patternArb = fc
  .tuple(fc.array(fc.constantFrom('1', '2', '.', '#', '\\*'), { minLength: 0, maxLength: 5 }), fc.boolean())
  .map(([chars, star]) => chars.join('') + (star ? '*' : ''))
  .filter((p) => p !== '');
const numberArb = fc.array(fc.constantFrom('1', '2', '3', '#', '*'), { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));

test('trie lookup = brute force over random tables (all levels, every route of each)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(patternArb, fc.boolean()), { minLength: 1, maxLength: 40 }),
      fc.array(numberArb, { minLength: 1, maxLength: 20 }),
      (specs, numbers) => {
        const routes = specs.map(([pattern, inService], i) => route(pattern, `gw${i}`, { type: 'phone', inService }));
        const table = new RouteTable(routes, ON);
        for (const n of numbers) {
          assert.deepEqual(hops(table.lookupNumber(n)).map((level) => [...level].sort()), reference(routes, n), `number ${n}`);
        }
      },
    ),
    { numRuns: 300 },
  );
});

function domainRank(pattern: string, host: string): number[] | undefined {
  if (pattern === '*') return [Infinity, 0];
  const below = pattern.startsWith('*.');
  const self = !below && pattern.startsWith('.');
  const base = below ? pattern.slice(2) : self ? pattern.slice(1) : pattern;
  if (base === host) return below ? undefined : [0, self ? 1 : 0];
  if (below || self) {
    if (!host.endsWith(`.${base}`)) return undefined;
    // Distance: how many labels the host has beyond the pattern's domain.
    return [host.split('.').length - base.split('.').length, below ? 0 : 1];
  }
  return undefined;
}

test('domain lookup = brute force over random tables', () => {
  const name = fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 }).map((ls) => ls.join('.'));
  const pattern = fc.tuple(fc.constantFrom('', '*.', '.'), name).map(([prefix, n]) => prefix + n);
  fc.assert(
    fc.property(fc.uniqueArray(fc.oneof(pattern, fc.constant('*')), { minLength: 1, maxLength: 15 }), fc.array(name, { minLength: 1, maxLength: 10 }), (ps, hosts) => {
      const table = new RouteTable(ps.map((p) => route(p, `to-${p}`, { type: 'domain' })), ON);
      for (const host of hosts) {
        const expected = ps
          .map((p) => ({ p, rank: domainRank(p, host) }))
          .filter((x): x is { p: string; rank: number[] } => x.rank !== undefined)
          .sort((x, y) => x.rank[0] - y.rank[0] || x.rank[1] - y.rank[1])
          .map((x) => x.p);
        assert.deepEqual(patterns(table.lookupHost(host)), expected, `host ${host}`);
      }
    }),
    { numRuns: 300 },
  );
});
