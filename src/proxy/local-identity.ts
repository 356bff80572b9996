// Who sipd is: the addresses and domains that make a URI "ours", and what it writes in Via and Record-Route.
import { networkInterfaces } from 'node:os';
import { SipUri, bareHost } from '../sip';
import type { Endpoint, TransportName } from '../transport';

export class LocalIdentity {
  private readonly domains: Set<string>;
  private readonly addresses = new Set<string>();
  private readonly ports = new Set<number>();

  constructor(
    domains: string[],
    bound: Endpoint[],
    /** Host sipd writes in its Via and Record-Route (IpAddrInPathHeaders, else a bound or interface address). */
    readonly advertisedHost: string,
    /** Port sipd writes per transport. */
    private readonly advertisedPorts: Partial<Record<TransportName, number>>,
  ) {
    this.domains = new Set(domains.map((d) => d.toLowerCase()));
    for (const ep of bound) {
      this.ports.add(ep.port);
      if (ep.host === '0.0.0.0' || ep.host === '::') for (const a of interfaceAddresses()) this.addresses.add(a);
      else this.addresses.add(ep.host.toLowerCase());
    }
    this.addresses.add(bareHost(advertisedHost).toLowerCase());
  }

  /** True when a host (and port) names this server: one of its domains on any port, or one of its addresses on a listening port. */
  isLocal(host: string, port: number | undefined, scheme: 'sip' | 'sips' | 'tel' = 'sip'): boolean {
    const h = bareHost(host).toLowerCase();
    if (this.domains.has(h)) return true;
    if (!this.addresses.has(h)) return false;
    return this.ports.has(port ?? (scheme === 'sips' ? 5061 : 5060));
  }

  isLocalUri(uri: SipUri): boolean {
    if (uri.scheme === 'tel') return false;
    return this.isLocal(uri.params.get('maddr') ?? uri.host, uri.port, uri.scheme);
  }

  /** Domains the registrar serves: the configured ones plus the local addresses. */
  isLocalDomain(uri: SipUri): boolean {
    if (uri.scheme === 'tel') return false;
    const h = bareHost(uri.host).toLowerCase();
    return this.domains.has(h) || this.addresses.has(h);
  }

  /** The key under which an AOR of ours is stored: user@<primary domain>, whatever local name or address it used. */
  aorKey(uri: SipUri): string {
    const h = bareHost(uri.host).toLowerCase();
    const domain = this.domains.has(h) ? h : this.primaryDomain;
    return `${uri.user ?? ''}@${domain}`;
  }

  get primaryDomain(): string {
    for (const d of this.domains) return d;
    return bareHost(this.advertisedHost).toLowerCase();
  }

  portFor(transport: TransportName): number {
    return this.advertisedPorts[transport] ?? this.advertisedPorts.udp ?? 5060;
  }

  /** sent-by for sipd's Via on the given transport. */
  viaSentBy(transport: TransportName): string {
    return `${this.advertisedHost}:${this.portFor(transport)}`;
  }

  recordRoute(transport: TransportName, withTransport: boolean): string {
    const scheme = transport === 'tls' ? 'sips' : 'sip';
    const tp = withTransport || transport !== 'udp' ? `;transport=${transport}` : '';
    return `<${scheme}:${this.advertisedHost}:${this.portFor(transport)};lr${tp}>`;
  }
}

function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address.toLowerCase());
  return out;
}

/** The address sipd advertises when none is configured: the first listening IP, else the first external IPv4. */
export function pickAdvertisedHost(bound: Endpoint[], configured?: string): string {
  if (configured) return configured;
  const specific = bound.find((ep) => ep.host !== '0.0.0.0' && ep.host !== '::');
  const host = specific?.host ?? externalIPv4() ?? '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function externalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
