// Test helpers: routes with defaults, and a repeatable random source.
import { ROUTE_DEFAULTS, guessPatternType, type Route } from './route';

/** A checked-looking route: the type follows the pattern unless given. */
export function route(pattern: string, nextHop: string, extra: Partial<Route> = {}): Route {
  return { ...ROUTE_DEFAULTS, pattern, type: guessPatternType(pattern), nextHop, ...extra };
}

export { seededRandom } from '../seeded-random';
