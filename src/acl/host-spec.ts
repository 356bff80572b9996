/*
 * Host specifications of Allow/Deny (seed 004 Appendix B): `all`, a partial domain name (company.com matches
 * company.com and every *.company.com), a full IPv4 or IPv6 address, a partial IPv4 address (10.1 = 10.1.0.0/16,
 * a trailing dot allowed), network/netmask and network/prefix (CIDR) for both families.
 *
 * A HostSet is the compiled form of several specs: addresses are masked integer compares over a source parsed
 * once (NumericAddress); names are checked against the host names reverse DNS gave for the source.
 */
import { isIP } from 'node:net';
import { NumericAddress, parseV4 } from './address';

export type HostMatcher =
  | { kind: 'all' }
  | { kind: 'v4'; net: number; mask: number }
  | { kind: 'v6'; net: Uint32Array; mask: Uint32Array }
  /** Lower case, without a leading dot. */
  | { kind: 'domain'; suffix: string };

export class HostSpecError extends Error {}

/** Compiles one spec; throws HostSpecError naming the problem. */
export function compileHostSpec(spec: string): HostMatcher {
  const text = spec.trim();
  if (text.toLowerCase() === 'all') return { kind: 'all' };
  const slash = text.indexOf('/');
  if (slash >= 0) return compileNetwork(text.slice(0, slash), text.slice(slash + 1), spec);
  const family = isIP(text);
  if (family === 4) return { kind: 'v4', net: parseV4(text, 0, text.length), mask: 0xffffffff };
  if (family === 6) return { kind: 'v6', net: v6Words(text), mask: prefixMask6(128) };
  if (/^\d+(\.\d+){0,3}\.?$/.test(text)) return compilePartialV4(text, spec);
  if (text.includes(':')) throw new HostSpecError(`"${spec}" is not an IPv6 address; give an IPv6 network as address/prefix`);
  const name = text.toLowerCase().replace(/^\./, '').replace(/\.$/, '');
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) {
    throw new HostSpecError(`"${spec}" is not a host name, an IP address or a network`);
  }
  return { kind: 'domain', suffix: name };
}

function compilePartialV4(text: string, spec: string): HostMatcher {
  const octets = text.replace(/\.$/, '').split('.').map(Number);
  if (octets.some((o) => o > 255)) throw new HostSpecError(`"${spec}" has an address byte above 255`);
  let net = 0;
  for (let i = 0; i < 4; i++) net = net * 256 + (octets[i] ?? 0);
  return { kind: 'v4', net, mask: prefixMask4(octets.length * 8) };
}

function compileNetwork(address: string, maskText: string, spec: string): HostMatcher {
  const family = isIP(address);
  if (family === 0) throw new HostSpecError(`"${spec}": a network must start with an IP address`);
  const bits = family === 4 ? 32 : 128;
  let mask: number | Uint32Array;
  if (/^\d+$/.test(maskText)) {
    const prefix = Number(maskText);
    if (prefix > bits) throw new HostSpecError(`"${spec}": the prefix length is longer than ${bits} bits`);
    mask = family === 4 ? prefixMask4(prefix) : prefixMask6(prefix);
  } else if (isIP(maskText) === family) {
    mask = family === 4 ? parseV4(maskText, 0, maskText.length) : v6Words(maskText);
  } else {
    throw new HostSpecError(`"${spec}": the netmask must be a prefix length or an address of the same family`);
  }
  // The network is masked here, so 10.1.2.3/16 means 10.1.0.0/16 as with Apache.
  if (typeof mask === 'number') return { kind: 'v4', net: (parseV4(address, 0, address.length) & mask) >>> 0, mask };
  const net = v6Words(address).map((w, i) => (w & mask[i]) >>> 0);
  return { kind: 'v6', net, mask };
}

function prefixMask4(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function prefixMask6(prefix: number): Uint32Array {
  const mask = new Uint32Array(4);
  for (let i = 0; i < 4; i++) mask[i] = prefixMask4(Math.max(0, Math.min(32, prefix - 32 * i)));
  return mask;
}

function v6Words(text: string): Uint32Array {
  const a = new NumericAddress();
  a.parse(text);
  return Uint32Array.from(a.v6);
}

/** Several specs compiled for matching; the order of specs does not matter (every rule is evaluated). */
export class HostSet {
  private readonly all: boolean;
  /** Pairs net, mask. */
  private readonly v4: Uint32Array;
  /** Eight words per rule: net[0..3], mask[0..3]. */
  private readonly v6: Uint32Array;
  /** Lower-case domain suffixes. */
  readonly domains: readonly string[];

  constructor(matchers: readonly HostMatcher[]) {
    this.all = matchers.some((m) => m.kind === 'all');
    const v4 = matchers.filter((m): m is Extract<HostMatcher, { kind: 'v4' }> => m.kind === 'v4');
    const v6 = matchers.filter((m): m is Extract<HostMatcher, { kind: 'v6' }> => m.kind === 'v6');
    this.v4 = Uint32Array.from(v4.flatMap((m) => [m.net, m.mask]));
    this.v6 = Uint32Array.from(v6.flatMap((m) => [...m.net, ...m.mask]));
    this.domains = matchers.flatMap((m) => (m.kind === 'domain' ? [m.suffix] : []));
  }

  static compile(specs: readonly string[]): HostSet {
    return new HostSet(specs.map(compileHostSpec));
  }

  get isEmpty(): boolean {
    return !this.all && this.v4.length === 0 && this.v6.length === 0 && this.domains.length === 0;
  }

  /** `all`, or an address rule matching a parsed address. Domain rules are not consulted. */
  matchesAddress(a: NumericAddress): boolean {
    if (this.all) return true;
    if (a.hasV4) {
      const r = this.v4;
      const v = a.v4;
      for (let i = 0; i < r.length; i += 2) if (((v & r[i + 1]) >>> 0) === r[i]) return true;
    }
    if (a.family === 6) {
      const r = this.v6;
      const w = a.v6;
      for (let i = 0; i < r.length; i += 8) {
        if (((w[0] & r[i + 4]) >>> 0) === r[i] && ((w[1] & r[i + 5]) >>> 0) === r[i + 1] &&
            ((w[2] & r[i + 6]) >>> 0) === r[i + 2] && ((w[3] & r[i + 7]) >>> 0) === r[i + 3]) return true;
      }
    }
    return false;
  }

  /** A domain rule matching one of the names (each lower case, no trailing dot) by whole labels. */
  matchesNames(names: readonly string[]): boolean {
    for (const name of names) {
      for (const suffix of this.domains) {
        if (name === suffix || (name.endsWith(suffix) && name.charCodeAt(name.length - suffix.length - 1) === 46)) return true;
      }
    }
    return false;
  }
}

/** "Host name" form for matchesNames: lower case, no trailing dot. */
export function normalizeHostName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
