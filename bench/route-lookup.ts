/*
 * Route lookup in a table of 100,000 static routes (issue 4), and what it costs to get them there.
 * Run: nice node dist/bench/route-lookup.js [--routes 100000] [--lookups 200000]; `npm run bench -- --tests routes`
 * gives the lookup figures of the full-size table only.
 * Lookup: microseconds per RouteTable.lookupNumber call, median and 99th percentile, each call timed on its
 * own (the timer's own ~0.05 µs included), for tables of 1,000, 10,000 and the full size, with the global
 * less-specific search off (only the best pattern's routes are ordered) and on (every matching pattern's).
 * The trie walk does not grow with the table; what does is how many patterns match a number in a denser
 * table, which the "patterns" figure shows. Half the numbers are made to hit a route, half are random.
 * Import: CSV text of every route parsed and checked (readRouteCsv) and written in one transaction
 * (SqliteRouteStore.importRoutes) into a new file; then the time to read the file into a table (what a
 * running sipd does after `sipd regroute` changed it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTE_DEFAULTS, RouteService, RouteTable, SqliteRouteStore, readRouteCsv, writeRouteCsv, type Route } from '../src/routing';
import { lcg, secondsSince, timeEach, type LookupFigures } from './lookup-timing';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive whole number`);
  return n;
}

const digits = (rand: () => number, n: number): string => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');

/**
 * E.164-like routes under +1: six in ten a prefix and `*`, three in ten a prefix padded with `.` to 12
 * characters, one in ten a full number; two next hops on one in five patterns; one default route `*`.
 */
function makeRoutes(n: number, rand: () => number): Route[] {
  const routes: Route[] = [{ ...ROUTE_DEFAULTS, type: 'phone', pattern: '*', nextHop: 'default.example.net' }];
  const seen = new Set<string>(['*']);
  while (routes.length < n) {
    const kind = rand();
    const prefix = `+1${digits(rand, 3 + Math.floor(rand() * 6))}`;
    const pattern = kind < 0.6 ? `${prefix}*` : kind < 0.9 ? prefix.padEnd(12, '.') : `+1${digits(rand, 10)}`;
    if (seen.has(pattern)) continue;
    seen.add(pattern);
    const gw = Math.floor(rand() * 500);
    routes.push({ ...ROUTE_DEFAULTS, type: 'phone', pattern, nextHop: `gw${gw}.example.net`, priority: 1 });
    if (rand() < 0.2 && routes.length < n) routes.push({ ...ROUTE_DEFAULTS, type: 'phone', pattern, nextHop: `gw${gw + 1}.example.net`, priority: 1, weight: 3 });
  }
  return routes;
}

/** Numbers that hit a route's pattern (its `.`s and `*` filled in), and as many random ones. */
function makeNumbers(routes: readonly Route[], n: number, rand: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      const p = routes[1 + Math.floor(rand() * (routes.length - 1))].pattern;
      out.push(p.replace(/\./g, () => digits(rand, 1)).replace(/\*$/, () => digits(rand, 12 - p.length + 1)));
    } else {
      out.push(`+1${digits(rand, 10)}`);
    }
  }
  return out;
}

function seconds(since: bigint): string {
  return secondsSince(since).toFixed(2);
}

/** Lookups in a table of these routes with the less-specific search off and on; half the numbers hit a route. */
function lookupFigures(routes: Route[], lookups: number): LookupFigures[] {
  const numbers = makeNumbers(routes, lookups, lcg(routes.length));
  return [false, true].map((lessSpecificSearch) => {
    const t0 = process.hrtime.bigint();
    const table = new RouteTable(routes, { lessSpecificSearch });
    const built = seconds(t0);
    const { medianUs, p99Us } = timeEach(numbers, (n) => table.lookupNumber(n));
    const patterns = numbers.reduce((sum, n) => sum + table.lookupNumber(n).levels.length, 0) / numbers.length;
    return {
      name: `route lookup, less-specific search ${lessSpecificSearch ? 'on' : 'off'}`,
      tableSize: routes.length,
      lookups,
      medianUs,
      p99Us,
      notes: `${patterns.toFixed(1)} matching patterns returned per lookup; table built in ${built} s`,
    };
  });
}

/** `npm run bench`'s route figures: the full-size table only. */
export function routeLookupFigures(size: number, lookups: number): LookupFigures[] {
  return lookupFigures(makeRoutes(size, lcg(2026)), lookups);
}

function main(): void {
  const ROUTES = option('--routes', 100_000);
  const LOOKUPS = option('--lookups', 200_000);
  const all = makeRoutes(ROUTES, lcg(2026));
  console.log(`route lookup, microseconds per lookup (${LOOKUPS} lookups)`);
  for (const size of [1_000, 10_000, ROUTES].filter((s, i, a) => s <= ROUTES && a.indexOf(s) === i)) {
    for (const f of lookupFigures(all.slice(0, size), LOOKUPS)) {
      console.log(`  ${String(size).padStart(7)} routes, ${f.name}: median ${f.medianUs.toFixed(2)} µs, p99 ${f.p99Us.toFixed(2)} µs; ${f.notes}`);
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'sipd-bench-routes-'));
  try {
    const file = join(dir, 'routes.db');
    const csv = writeRouteCsv(all);
    let t0 = process.hrtime.bigint();
    const items = readRouteCsv(csv);
    const parsed = seconds(t0);
    const store = SqliteRouteStore.open(file);
    t0 = process.hrtime.bigint();
    const result = store.importRoutes(items);
    const written = seconds(t0);
    store.close();
    if (result.problems.length > 0) throw new Error(`import refused: ${result.problems[0].reason}`);
    t0 = process.hrtime.bigint();
    const service = RouteService.open(file, { lessSpecificSearch: true, reloadCheckMs: 0 });
    const loaded = seconds(t0);
    service.close();
    console.log(
      `import of ${result.added} routes from CSV (${(csv.length / 1e6).toFixed(1)} MB): parse and check ${parsed} s, ` +
        `write ${written} s; load into a table at start or reload ${loaded} s`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
