/*
 * The in-memory route table: which routes the proxy tries for a number or a host, in which order.
 *
 * Phone patterns live in a trie with one node per pattern position: an edge per literal character, one edge
 * for `.` (any digit), and at each node the pattern that ends there and the one that ends there with `*`.
 * A lookup walks the number once, following at most the literal edge and the `.` edge at each position, so
 * its cost depends on the number's length and on how many patterns share its prefixes, not on the size of
 * the table. Domain patterns are found by the host and each of its parent domains in hash maps.
 *
 * Order of the answer (docs/routes.md):
 *  1. Patterns from the most specific down: more literal characters first, then fixed length before a
 *     trailing `*`, then longer fixed part first, then the pattern whose first literal comes earlier.
 *  2. Within one pattern, lower priority first; among equal priorities a weighted random order (RFC 2782).
 *  3. Out-of-service routes are not in the table; a pattern left with none is no match at all.
 *  4. A less specific pattern follows only when lessSpecificSearch is on and every route of the patterns
 *     before has allowLessSpecific on (SPEC RTE-13).
 *  5. A pattern with a blocking route ends the search; when it is the first pattern, the answer is blocked.
 */
import { normaliseHost, normaliseNumber, parseDomainPattern, parsePhonePattern, type PatternStep, type Route } from './route';

export interface RouteTableSettings {
  /** Cisco_Routing_Global_Less_Specific_Route_Search: fail over to less specific patterns. */
  lessSpecificSearch: boolean;
  /** Uniform in [0, 1); injected by tests. Default Math.random. */
  random?: () => number;
}

export interface RouteMatch {
  /** One entry per matching pattern, most specific first; each lists that pattern's routes in trying order. */
  levels: Route[][];
  /** The blocking route that answered instead of any route: the caller gets 403 Forbidden. */
  blocked?: Route;
}

/** The routes of one pattern, sorted by priority, with what is needed to rank the pattern. */
interface PatternEntry {
  routes: Route[];
  /** Literal characters, the number of fixed positions (literals and `.`), and whether it ends in `*`. */
  literals: number;
  fixedLength: number;
  rest: boolean;
  /** Per position 'a' for a literal and 'b' for `.`, so that comparing strings prefers literals. */
  shape: string;
}

class TrieNode {
  /** Literal edges: the character chars[i] leads to kids[i]. Most nodes have one edge or none, and a string
   * and an array cost a third of what a Map does (100,000 routes make about 600,000 nodes). */
  chars?: string;
  kids?: TrieNode[];
  digit?: TrieNode;
  /** The pattern that ends at this node. */
  exact?: PatternEntry;
  /** The pattern that ends at this node followed by `*`. */
  rest?: PatternEntry;
}

export class RouteTable {
  /** Routes in service, the ones lookups can return. */
  readonly size: number;
  private readonly root = new TrieNode();
  private readonly domainExact = new Map<string, PatternEntry>();
  /** `*.x` keyed by x. */
  private readonly domainBelow = new Map<string, PatternEntry>();
  /** `.x` keyed by x. */
  private readonly domainSelfAndBelow = new Map<string, PatternEntry>();
  private domainAny?: PatternEntry;
  private readonly random: () => number;

  /** Routes must be valid (checkRoute); out-of-service ones are left out. */
  constructor(
    routes: Iterable<Route>,
    private readonly settings: RouteTableSettings,
  ) {
    this.random = settings.random ?? Math.random;
    let size = 0;
    for (const r of routes) {
      if (!r.inService) continue;
      size++;
      if (r.type === 'phone') this.addPhone(r);
      else this.addDomain(r);
    }
    this.size = size;
    for (const entry of this.entries()) entry.routes.sort((a, b) => a.priority - b.priority);
  }

  /**
   * Routes for the Request-URI user; no match when it is not a phone number (normaliseNumber). `random` orders
   * routes of equal priority (a seeded one gives a stateless proxy the same order for every message of a call).
   */
  lookupNumber(user: string, random = this.random): RouteMatch {
    const number = normaliseNumber(user);
    if (number === undefined) return { levels: [] };
    const found: PatternEntry[] = [];
    const stack: [TrieNode, number][] = [[this.root, 0]];
    while (stack.length > 0) {
      const [node, pos] = stack.pop()!;
      if (node.rest) found.push(node.rest);
      if (pos === number.length) {
        if (node.exact) found.push(node.exact);
        continue;
      }
      const c = number[pos];
      const edge = node.chars === undefined ? -1 : node.chars.indexOf(c);
      if (edge >= 0) stack.push([node.kids![edge], pos + 1]);
      if (node.digit && c >= '0' && c <= '9') stack.push([node.digit, pos + 1]);
    }
    return this.answer(found.sort(bySpecificity), random);
  }

  /** Routes for the Request-URI host (domain routing); no match for IP addresses (RTE-11). */
  lookupHost(host: string, random = this.random): RouteMatch {
    const h = normaliseHost(host);
    if (h === undefined) return { levels: [] };
    const found: PatternEntry[] = [];
    const add = (e: PatternEntry | undefined) => e && found.push(e);
    add(this.domainExact.get(h));
    add(this.domainSelfAndBelow.get(h));
    for (let dot = h.indexOf('.'); dot >= 0; dot = h.indexOf('.', dot + 1)) {
      const parent = h.slice(dot + 1);
      add(this.domainBelow.get(parent));
      add(this.domainSelfAndBelow.get(parent));
    }
    add(this.domainAny);
    return this.answer(found, random);
  }

  private answer(entries: readonly PatternEntry[], random: () => number): RouteMatch {
    const levels: Route[][] = [];
    for (const entry of entries) {
      const blocking = entry.routes.find((r) => r.block);
      if (blocking) return levels.length === 0 ? { levels, blocked: blocking } : { levels };
      levels.push(tryingOrder(entry.routes, random));
      if (!this.settings.lessSpecificSearch || entry.routes.some((r) => !r.allowLessSpecific)) break;
    }
    return { levels };
  }

  private addPhone(route: Route): void {
    const steps = parsePhonePattern(route.pattern);
    let node = this.root;
    let literals = 0;
    let shape = '';
    for (const step of steps) {
      if (step.kind === 'rest') break;
      node = childFor(node, step);
      if (step.kind === 'literal') literals++;
      shape += step.kind === 'literal' ? 'a' : 'b';
    }
    const rest = steps[steps.length - 1].kind === 'rest';
    const slot = rest ? 'rest' : 'exact';
    const entry = node[slot];
    if (entry) entry.routes.push(route);
    else node[slot] = { routes: [route], literals, fixedLength: shape.length, rest, shape };
  }

  private addDomain(route: Route): void {
    const { parsed } = parseDomainPattern(route.pattern);
    const fresh = (): PatternEntry => ({ routes: [route], literals: 0, fixedLength: 0, rest: false, shape: '' });
    if (parsed.kind === 'any') {
      if (this.domainAny) this.domainAny.routes.push(route);
      else this.domainAny = fresh();
      return;
    }
    const [map, key] =
      parsed.kind === 'exact' ? [this.domainExact, parsed.host] : [parsed.includesSelf ? this.domainSelfAndBelow : this.domainBelow, parsed.suffix];
    const entry = map.get(key);
    if (entry) entry.routes.push(route);
    else map.set(key, fresh());
  }

  private *entries(): Generator<PatternEntry> {
    const nodes = [this.root];
    while (nodes.length > 0) {
      const node = nodes.pop()!;
      if (node.exact) yield node.exact;
      if (node.rest) yield node.rest;
      if (node.digit) nodes.push(node.digit);
      if (node.kids) nodes.push(...node.kids);
    }
    yield* this.domainExact.values();
    yield* this.domainBelow.values();
    yield* this.domainSelfAndBelow.values();
    if (this.domainAny) yield this.domainAny;
  }
}

function childFor(node: TrieNode, step: Exclude<PatternStep, { kind: 'rest' }>): TrieNode {
  if (step.kind === 'digit') return (node.digit ??= new TrieNode());
  const edge = node.chars === undefined ? -1 : node.chars.indexOf(step.char);
  if (edge >= 0) return node.kids![edge];
  const child = new TrieNode();
  node.chars = (node.chars ?? '') + step.char;
  // `[child]` holds one slot; push on an empty array would reserve seventeen.
  if (node.kids) node.kids.push(child);
  else node.kids = [child];
  return child;
}

/** Negative when a is more specific than b (see the file comment, rule 1). */
function bySpecificity(a: PatternEntry, b: PatternEntry): number {
  if (a.literals !== b.literals) return b.literals - a.literals;
  if (a.rest !== b.rest) return a.rest ? 1 : -1;
  if (a.fixedLength !== b.fixedLength) return b.fixedLength - a.fixedLength;
  return a.shape < b.shape ? -1 : a.shape > b.shape ? 1 : 0;
}

/**
 * RFC 2782 selection repeated until all are placed: each pick takes a route with probability weight/sum of
 * the weights left. Routes of weight 0 follow the others, in uniform random order.
 */
/** Routes sorted by priority, each run of equal priority put in weighted random order. */
function tryingOrder(routes: readonly Route[], random: () => number): Route[] {
  if (routes.length === 1) return [routes[0]];
  const out: Route[] = [];
  for (let i = 0; i < routes.length; ) {
    let j = i + 1;
    while (j < routes.length && routes[j].priority === routes[i].priority) j++;
    out.push(...weightedOrder(routes.slice(i, j), random));
    i = j;
  }
  return out;
}

export function weightedOrder(routes: readonly Route[], random: () => number): Route[] {
  const pool = routes.filter((r) => r.weight > 0);
  const zero = routes.filter((r) => r.weight === 0);
  const out: Route[] = [];
  let total = pool.reduce((sum, r) => sum + r.weight, 0);
  while (pool.length > 0) {
    const target = random() * total;
    let i = 0;
    for (let running = pool[0].weight; running <= target && i < pool.length - 1; running += pool[++i].weight);
    total -= pool[i].weight;
    out.push(...pool.splice(i, 1));
  }
  while (zero.length > 0) out.push(...zero.splice(Math.floor(random() * zero.length), 1));
  return out;
}
