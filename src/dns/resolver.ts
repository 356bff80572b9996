/*
 * A caching DNS resolver for the record types SIP needs (NAPTR, SRV, A, AAAA), over c-ares (node:dns Resolver):
 * queries go out asynchronously and never take a libuv thread-pool slot the way dns.lookup/getaddrinfo does.
 *
 * TTLs: Node reports the TTL of A and AAAA answers (resolve4/resolve6 with {ttl: true}), and those are cached for
 * the lowest TTL of the set, capped at maxTtlSec. Node reports no TTL for NAPTR or SRV (resolveNaptr/resolveSrv
 * return bare records; resolveAny sends an ANY query, which many servers refuse (RFC 8482), and carries TTLs only
 * for A/AAAA too), so NAPTR and SRV sets are kept for the fixed recordCacheSec.
 * "No such name" and "no such record" answers are cached for negativeCacheSec (RFC 2308 would take the SOA minimum,
 * which Node does not expose either); timeouts and server failures for the shorter failureCacheSec, so a dead DNS
 * server costs one timeout per name and interval rather than one per request.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HostsTable } from './hosts-file';

export interface NaptrRecord {
  order: number;
  preference: number;
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
}

export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  name: string;
}

/** The queries the cache is built on; the default is node:dns, tests may pass their own. */
export interface DnsBackend {
  resolveNaptr(name: string): Promise<NaptrRecord[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string, opts: { ttl: true }): Promise<{ address: string; ttl: number }[]>;
  resolve6(name: string, opts: { ttl: true }): Promise<{ address: string; ttl: number }[]>;
}

export interface DnsResolverSettings {
  /** DNS servers as 'ip' or 'ip:port'; absent = the system's (/etc/resolv.conf). */
  servers?: string[];
  /** Time one query waits for an answer before c-ares retries it. */
  timeoutMs: number;
  /** Attempts per query (per server). */
  tries: number;
  /** How long NAPTR and SRV answers are kept (Node gives no TTL for them). */
  recordCacheSec: number;
  /** Upper bound on the TTL of A/AAAA answers. */
  maxTtlSec: number;
  /** How long "no such name / no such record" is kept. */
  negativeCacheSec: number;
  /** How long a timeout or server failure is kept. */
  failureCacheSec: number;
  /** Cached record sets beyond this many push out the oldest. */
  maxEntries: number;
  /** Names answered from the hosts file before DNS is asked (hosts-file.ts). */
  hosts?: HostsTable;
}

export const DEFAULT_DNS_SETTINGS: DnsResolverSettings = {
  timeoutMs: 2000, tries: 2, recordCacheSec: 60, maxTtlSec: 3600, negativeCacheSec: 30, failureCacheSec: 5,
  maxEntries: 10000,
};

/** A lookup that got no usable answer: timeout, server failure, refusal. "Does not exist" is an empty answer. */
export class DnsLookupError extends Error {
  constructor(readonly domain: string, readonly type: RecordType, readonly code: string) {
    super(`DNS ${type} lookup of ${domain} failed: ${code}`);
    this.name = 'DnsLookupError';
  }
}

export type RecordType = 'NAPTR' | 'SRV' | 'A' | 'AAAA';

/** Answers meaning the name or the record type does not exist (cached as an empty set). */
const NEGATIVE_CODES = new Set(['ENOTFOUND', 'ENODATA']);

interface Entry {
  expires: number;
  records?: readonly unknown[];
  error?: DnsLookupError;
}

interface Answer<T> {
  records: readonly T[];
  ttlSec: number;
}

export class DnsResolver {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<readonly unknown[]>>();
  private readonly backend: DnsBackend;
  /** Queries sent to the backend (cache misses); for status output and tests. */
  queries = 0;

  constructor(
    private readonly settings: DnsResolverSettings = DEFAULT_DNS_SETTINGS,
    backend?: DnsBackend,
    private readonly now: () => number = Date.now,
  ) {
    this.backend = backend ?? nodeBackend(settings);
  }

  naptr(name: string): Promise<readonly NaptrRecord[]> {
    return this.cached(name, 'NAPTR', async () => this.fixedTtl(await this.backend.resolveNaptr(name)));
  }

  srv(name: string): Promise<readonly SrvRecord[]> {
    return this.cached(name, 'SRV', async () => this.fixedTtl(await this.backend.resolveSrv(name)));
  }

  /** IPv4 addresses of name. */
  a(name: string): Promise<readonly string[]> {
    return this.fromHosts(name, 4) ?? this.cached(name, 'A', async () => addresses(await this.backend.resolve4(name, { ttl: true })));
  }

  /** IPv6 addresses of name. */
  aaaa(name: string): Promise<readonly string[]> {
    return this.fromHosts(name, 6) ?? this.cached(name, 'AAAA', async () => addresses(await this.backend.resolve6(name, { ttl: true })));
  }

  /** The hosts file's addresses of the family, when the file names the host at all (then DNS is not asked). */
  private fromHosts(name: string, family: 4 | 6): Promise<readonly string[]> | undefined {
    const listed = this.settings.hosts?.get(name.toLowerCase().replace(/\.$/, ''));
    return listed && Promise.resolve(listed.filter((a) => isIP(a) === family));
  }

  /** Record sets in the cache. */
  get size(): number {
    return this.cache.size;
  }

  /**
   * The cached answer, or one query shared by every caller asking while it is under way. Resolves with the
   * records (empty when the name or type does not exist); rejects with DnsLookupError when DNS did not answer.
   */
  private cached<T>(name: string, type: RecordType, query: () => Promise<Answer<T>>): Promise<readonly T[]> {
    const key = `${type} ${name.toLowerCase().replace(/\.$/, '')}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      if (hit.expires > this.now()) return hit.error ? Promise.reject(hit.error) : Promise.resolve(hit.records as readonly T[]);
      this.cache.delete(key);
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending as Promise<readonly T[]>;
    this.queries++;
    const p = query().then(
      ({ records, ttlSec }) => {
        this.store(key, { records, expires: this.now() + Math.min(ttlSec, this.settings.maxTtlSec) * 1000 });
        return records;
      },
      (err: NodeJS.ErrnoException): readonly T[] => {
        const code = err.code ?? 'EUNKNOWN';
        if (NEGATIVE_CODES.has(code)) {
          this.store(key, { records: [], expires: this.now() + this.settings.negativeCacheSec * 1000 });
          return [];
        }
        const error = new DnsLookupError(name, type, code);
        this.store(key, { error, expires: this.now() + this.settings.failureCacheSec * 1000 });
        throw error;
      },
    ).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private fixedTtl<T>(records: readonly T[]): Answer<T> {
    return { records, ttlSec: this.settings.recordCacheSec };
  }

  private store(key: string, entry: Entry): void {
    if (entry.expires <= this.now()) return; // TTL 0: "do not cache"
    this.cache.delete(key);
    this.cache.set(key, entry);
    // Map iteration follows insertion order, so the first key is the oldest entry.
    if (this.cache.size > this.settings.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** Addresses kept for the lowest TTL of the set (the set expires as one), at most maxTtlSec. */
function addresses(answers: { address: string; ttl: number }[]): Answer<string> {
  return { records: answers.map((a) => a.address), ttlSec: Math.min(...answers.map((a) => a.ttl)) };
}

function nodeBackend(settings: DnsResolverSettings): DnsBackend {
  const resolver = new Resolver({ timeout: settings.timeoutMs, tries: settings.tries });
  if (settings.servers !== undefined) resolver.setServers(settings.servers);
  return resolver;
}
