// Who sipd is: the addresses and domains that make a URI "ours", and what it writes in Via and Record-Route
// for each transport and address family it sends on.
import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { UriFacts } from '../routing/next-hop-router';
import type { NumberExpander } from '../numbers';
import { SipUri, bareHost } from '../sip';
import type { Endpoint, TransportName } from '../transport';

type Family = 4 | 6;

/** One <VirtualProxyHost> block: a domain sipd serves besides its own, and the optional name and address naming it. */
export interface VirtualProxyHost {
  domain: string;
  serverName?: string;
  serverIp?: string;
}

/** How registry keys are formed when sipd serves several domains (SPEC VPH-2). */
export interface RegistryKeying {
  /** Cisco_Registry_Use_Virtual_Proxy_Host: one registry per domain, E.164 numbers shared under ProxyDomain. */
  useVirtualProxyHost: boolean;
  virtualHosts: readonly VirtualProxyHost[];
  /** Expands the user of a URI of ours by the number plan of its (virtual) domain. */
  numbers: Pick<NumberExpander, 'expandUri'>;
}

/** The config's <VirtualProxyHost> blocks (SipdConfig.VirtualProxyHosts) as VirtualProxyHost values. */
export function virtualProxyHosts(blocks: Readonly<Record<string, Readonly<Record<string, string>>>>): VirtualProxyHost[] {
  return Object.values(blocks).map((b) => ({
    domain: b.Virtual_Proxy_Domain, serverName: b.Virtual_Proxy_Server_Name, serverIp: b.Virtual_Proxy_Server_IP,
  }));
}

/** What next-hop routing asks about a URI: sipd's own, and its user as a number by its (virtual) domain's plan. */
export function ownUriFacts(me: LocalIdentity, numbers: NumberExpander): UriFacts {
  return { isLocal: (uri) => me.isLocalDomain(uri), numberOf: (uri) => numbers.numberOf(uri, me.virtualDomain(uri.host)) };
}

export class LocalIdentity {
  /** sipd's own domains (ProxyDomain, ServerName), the first one primary. */
  private readonly domains: Set<string>;
  private keying?: RegistryKeying;
  private virtual = virtualNames([]);
  private readonly addresses = new Set<string>();
  private readonly ports = new Set<number>();
  /** "udp4" → "192.0.2.10:5060": what sipd advertises per transport and family. */
  private readonly sentBy = new Map<string, string>();
  /** ProxyAddressResolutionType A or SRV: the name written in Via and Record-Route instead of an address. */
  private pathName?: { host: string; srv: boolean };

  /**
   * `bound` are the listening endpoints; `configuredHost` (IpAddrInPathHeaders) replaces the address advertised
   * for its family. Wildcard listeners advertise the first external address of the family, else loopback.
   * Without `keying`, there are no virtual hosts and every AOR is keyed as written under an own domain.
   */
  constructor(domains: string[], bound: Endpoint[], configuredHost?: string, keying?: RegistryKeying) {
    this.domains = new Set(domains.map((d) => d.toLowerCase()));
    this.setRegistryKeying(keying);
    const configured = configuredHost ? bareHost(configuredHost) : undefined;
    for (const ep of bound) {
      this.ports.add(ep.port);
      const wildcard = ep.host === '0.0.0.0' || ep.host === '::';
      if (wildcard) for (const a of interfaceAddresses()) this.addresses.add(a);
      else this.addresses.add(ep.host.toLowerCase());
      const family = familyOf(ep.host);
      const key = `${ep.transport}${family}`;
      if (this.sentBy.has(key)) continue;
      const host = configured && familyOf(configured) === family ? configured : wildcard ? externalAddress(family) : ep.host;
      this.sentBy.set(key, `${family === 6 ? `[${host}]` : host}:${ep.port}`);
    }
    if (configured) this.addresses.add(configured.toLowerCase());
  }

  /** Replaces the virtual hosts and keying rules (a graceful restart); the listening addresses stay. */
  setRegistryKeying(keying: RegistryKeying | undefined): void {
    this.keying = keying;
    this.virtual = virtualNames(keying?.virtualHosts ?? []);
  }

  /** True when a host (and port) names this server: one of its domains on any port, or one of its addresses on a listening port. */
  isLocal(host: string, port: number | undefined, scheme: 'sip' | 'sips' | 'tel' = 'sip'): boolean {
    const h = bareHost(host).toLowerCase();
    if (this.domains.has(h) || this.virtual.names.has(h) || this.pathName?.host === h) return true;
    if (!this.addresses.has(h) && !this.virtual.addresses.has(h)) return false;
    return this.ports.has(port ?? (scheme === 'sips' ? 5061 : 5060));
  }

  isLocalUri(uri: SipUri): boolean {
    if (uri.scheme === 'tel') return false;
    return this.isLocal(uri.params.get('maddr') ?? uri.host, uri.port, uri.scheme);
  }

  /**
   * Domains the registrar serves: the configured ones (own and virtual), and sipd's own and virtual addresses on
   * its own ports (another port of the same address is another server, such as a phone on this host).
   */
  isLocalDomain(uri: SipUri): boolean {
    if (uri.scheme === 'tel') return false;
    return this.isLocal(uri.host, uri.port, uri.scheme);
  }

  /**
   * The registry key of an AOR of ours (SPEC VPH-2). The user is expanded by the number plan of its domain. With
   * Cisco_Registry_Use_Virtual_Proxy_Host On, an E.164 number ("+" after expansion) is keyed under ProxyDomain
   * whichever domain it came with, so +14085558000@companya.com and +14085558000@example.com are one entry; any
   * other user stays in its domain, so 2000@companya.com and 2000@companyb.com are two, and a virtual host named
   * by its server name or address means its Virtual_Proxy_Domain. Off, every virtual host means the primary
   * domain. sipd's own names key under themselves and its addresses under the primary domain, in both modes.
   */
  aorKey(uri: SipUri): string {
    const h = bareHost(uri.host).toLowerCase();
    const own = this.domains.has(h) ? h : this.primaryDomain;
    if (!this.keying) return `${uri.user ?? ''}@${own}`;
    const virtual = this.virtualDomain(h);
    const { user, number } = this.keying.numbers.expandUri(uri, this.isLocalDomain(uri), virtual ?? h);
    if (!this.keying.useVirtualProxyHost) return `${user}@${own}`;
    if (number?.startsWith('+')) return `${user}@${this.primaryDomain}`;
    return `${user}@${virtual ?? own}`;
  }

  /**
   * The Virtual_Proxy_Domain a host names (the domain itself, its server name or its address), else undefined: the
   * domain whose number plan applies to users at that host, and the domain of an authentication key (AUTH-5).
   */
  virtualDomain(host: string): string | undefined {
    return this.virtual.domainOf.get(bareHost(host).toLowerCase());
  }

  get primaryDomain(): string {
    for (const d of this.domains) return d;
    return (this.sentBy.get('udp4') ?? this.sentBy.values().next().value ?? '127.0.0.1').replace(/:\d+$/, '');
  }

  /**
   * ProxyAddressResolutionType (SPEC DNS-5): IP (undefined) writes sipd's addresses in Via and Record-Route; A its
   * ServerName with the port; SRV its ProxyDomain, in Record-Route without a port so the next request looks up
   * the domain's SRV records and may reach any server of the farm. The name also counts as one of sipd's own.
   */
  advertiseName(host: string | undefined, srv = false): void {
    this.pathName = host === undefined ? undefined : { host: host.toLowerCase(), srv };
  }

  /** sent-by for sipd's Via toward `peer` (host:port in the peer's family, on its transport). */
  viaSentBy(peer: Endpoint): string {
    return this.address(peer.transport, familyOf(peer.host));
  }

  /**
   * sipd's Record-Route entry for the hop toward `peer`: a sips URI only for a sips request (RFC 3261 §16.6 step 4);
   * a sip request crossing a TLS hop gets transport=tls instead.
   */
  recordRoute(peer: Endpoint, withTransport: boolean, secure: boolean): string {
    const scheme = secure ? 'sips' : 'sip';
    const tp = withTransport || peer.transport !== 'udp' ? `;transport=${peer.transport}` : '';
    const where = this.pathName?.srv ? this.pathName.host : this.address(peer.transport, familyOf(peer.host));
    return `<${scheme}:${where};lr${tp}>`;
  }

  private address(transport: TransportName, family: Family): string {
    const bound = this.sentBy.get(`${transport}${family}`) ?? this.sentBy.get(`udp${family}`) ?? this.sentBy.values().next().value ?? '127.0.0.1:5060';
    return this.pathName ? `${this.pathName.host}:${bound.slice(bound.lastIndexOf(':') + 1)}` : bound;
  }
}

interface VirtualNames {
  /** A virtual domain, server name or server address -> its Virtual_Proxy_Domain. */
  domainOf: Map<string, string>;
  /** Ours on any port, like sipd's own domains: the virtual domains and server names. */
  names: Set<string>;
  /** Ours on the listening ports only, like sipd's own addresses. */
  addresses: Set<string>;
}

function virtualNames(hosts: readonly VirtualProxyHost[]): VirtualNames {
  const v: VirtualNames = { domainOf: new Map(), names: new Set(), addresses: new Set() };
  for (const { domain, serverName, serverIp } of hosts) {
    const d = domain.toLowerCase();
    for (const name of [domain, serverName, serverIp]) if (name) v.domainOf.set(bareHost(name).toLowerCase(), d);
    v.names.add(d);
    if (serverName) v.names.add(serverName.toLowerCase());
    if (serverIp) v.addresses.add(bareHost(serverIp).toLowerCase());
  }
  return v;
}

function familyOf(host: string): Family {
  return isIPv6(bareHost(host)) ? 6 : 4;
}

function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address.toLowerCase());
  return out;
}

function externalAddress(family: Family): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === `IPv${family}` && !a.address.startsWith('fe80')) return a.address;
  }
  return family === 6 ? '::1' : '127.0.0.1';
}
