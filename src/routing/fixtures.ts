// Test helpers: routes with defaults, and a repeatable random source.
import { ROUTE_DEFAULTS, guessPatternType, type Route } from './route';

/** A checked-looking route: the type follows the pattern unless given. */
export function route(pattern: string, nextHop: string, extra: Partial<Route> = {}): Route {
  return { ...ROUTE_DEFAULTS, pattern, type: guessPatternType(pattern), nextHop, ...extra };
}

/** mulberry32: the same sequence for the same seed, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
