// An in-memory DNS backend for unit tests: records by type and name, a count of the queries that reached it,
// and names that answer with a chosen error code.
import type { DnsBackend, NaptrRecord, SrvRecord } from './resolver';

export class FakeDns implements DnsBackend {
  naptrs = new Map<string, NaptrRecord[]>();
  srvs = new Map<string, SrvRecord[]>();
  v4 = new Map<string, { address: string; ttl: number }[]>();
  v6 = new Map<string, { address: string; ttl: number }[]>();
  /** name → error code every query for it fails with (ETIMEOUT, ESERVFAIL ...). */
  failing = new Map<string, string>();
  /** "TYPE name" of every query, in order. */
  asked: string[] = [];

  naptr(name: string, ...records: [order: number, preference: number, flags: string, service: string, regexp: string, replacement?: string][]): this {
    this.naptrs.set(name, records.map(([order, preference, flags, service, regexp, replacement = '']) => ({ order, preference, flags, service, regexp, replacement })));
    return this;
  }

  srv(name: string, ...records: [priority: number, weight: number, port: number, target: string][]): this {
    this.srvs.set(name, records.map(([priority, weight, port, target]) => ({ priority, weight, port, name: target })));
    return this;
  }

  host(name: string, addresses: string[], ttl = 300): this {
    for (const address of addresses) {
      const table = address.includes(':') ? this.v6 : this.v4;
      table.set(name, [...(table.get(name) ?? []), { address, ttl }]);
    }
    return this;
  }

  resolveNaptr(name: string): Promise<NaptrRecord[]> {
    return this.answer('NAPTR', name, this.naptrs);
  }

  resolveSrv(name: string): Promise<SrvRecord[]> {
    return this.answer('SRV', name, this.srvs);
  }

  resolve4(name: string): Promise<{ address: string; ttl: number }[]> {
    return this.answer('A', name, this.v4);
  }

  resolve6(name: string): Promise<{ address: string; ttl: number }[]> {
    return this.answer('AAAA', name, this.v6);
  }

  private async answer<T>(type: string, name: string, table: Map<string, T[]>): Promise<T[]> {
    this.asked.push(`${type} ${name}`);
    await Promise.resolve(); // answers arrive asynchronously, as from the network
    const code = this.failing.get(name) ?? (table.has(name) ? undefined : this.knows(name) ? 'ENODATA' : 'ENOTFOUND');
    if (code !== undefined) throw Object.assign(new Error(`${type} ${name}: ${code}`), { code });
    return table.get(name) as T[];
  }

  private knows(name: string): boolean {
    return [this.naptrs, this.srvs, this.v4, this.v6].some((t) => t.has(name));
  }
}
