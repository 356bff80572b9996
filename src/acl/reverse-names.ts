/*
 * Host names of an address for domain rules (`Allow from company.com`), cached.
 *
 * The default lookup confirms each PTR name forward (the name must resolve back to the address), as Apache
 * does for host-name rules: otherwise whoever controls the reverse zone of an address could name it
 * gw.company.com and be let in. Lookups are asynchronous and shared: a request waiting for DNS never
 * holds up another, and concurrent requests from one address wait for the same lookup.
 */
import { Resolver, lookup } from 'node:dns/promises';
import { NumericAddress } from './address';
import { normalizeHostName } from './host-spec';

/** The confirmed host names of an IP address; [] when it has none. May reject on DNS failure. */
export type ReverseLookup = (ip: string) => Promise<string[]>;

export interface ReverseNamesOptions {
  lookup?: ReverseLookup;
  /** How long an answer is kept, names or none (negative caching). Default 5 minutes. */
  ttlMs?: number;
  /** Cached addresses at most; the oldest answer is forgotten first. Default 10,000. */
  maxEntries?: number;
  now?: () => number;
}

/** PTR names checked forward give at most this many lookups per address. */
const MAX_PTR_NAMES = 4;

export function dnsReverseLookup(timeoutMs = 2000): ReverseLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  return async (ip) => {
    const names = (await resolver.reverse(ip)).slice(0, MAX_PTR_NAMES);
    const confirmed = await Promise.all(names.map(async (name) => {
      try {
        const addresses = await lookup(name, { all: true, verbatim: true });
        return addresses.some((a) => sameAddress(a.address, ip)) ? name : undefined;
      } catch {
        return undefined;
      }
    }));
    return confirmed.filter((n): n is string => n !== undefined);
  };
}

/** Compares IP literals numerically, so 2001:DB8::1 and 2001:db8:0::1 are the same address. */
function sameAddress(a: string, b: string): boolean {
  const x = new NumericAddress();
  const y = new NumericAddress();
  if (!x.parse(a) || !y.parse(b)) return false;
  if (x.hasV4 && y.hasV4) return x.v4 === y.v4;
  return x.family === 6 && y.family === 6 && x.v6.every((w, i) => w === y.v6[i]);
}

interface CachedNames { names: readonly string[]; expires: number }

export class ReverseNames {
  private readonly cache = new Map<string, CachedNames>();
  private readonly pending = new Map<string, Promise<readonly string[]>>();
  private readonly lookup: ReverseLookup;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(o: ReverseNamesOptions = {}) {
    this.lookup = o.lookup ?? dnsReverseLookup();
    this.ttlMs = o.ttlMs ?? 5 * 60_000;
    this.maxEntries = o.maxEntries ?? 10_000;
    this.now = o.now ?? Date.now;
  }

  /** Cached names, or undefined when DNS must be asked (names()). */
  cached(ip: string): readonly string[] | undefined {
    const hit = this.cache.get(ip);
    if (hit === undefined) return undefined;
    if (hit.expires > this.now()) return hit.names;
    this.cache.delete(ip);
    return undefined;
  }

  /** Names of ip; a failed lookup counts as no names and is cached like one. */
  names(ip: string): readonly string[] | Promise<readonly string[]> {
    const hit = this.cached(ip);
    if (hit !== undefined) return hit;
    let p = this.pending.get(ip);
    if (p === undefined) {
      p = this.lookup(ip).then((names) => names.map(normalizeHostName), () => [] as string[]).then((names) => {
        this.pending.delete(ip);
        this.remember(ip, names);
        return names;
      });
      this.pending.set(ip, p);
    }
    return p;
  }

  private remember(ip: string, names: readonly string[]): void {
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(ip, { names, expires: this.now() + this.ttlMs });
  }
}
