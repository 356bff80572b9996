// Who sipd is: the addresses and domains that make a URI "ours", and what it writes in Via and Record-Route
// for each transport and address family it sends on.
import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SipUri, bareHost } from '../sip';
import type { Endpoint, TransportName } from '../transport';

type Family = 4 | 6;

export class LocalIdentity {
  private readonly domains: Set<string>;
  private readonly addresses = new Set<string>();
  private readonly ports = new Set<number>();
  /** "udp4" → "192.0.2.10:5060": what sipd advertises per transport and family. */
  private readonly sentBy = new Map<string, string>();

  /**
   * `bound` are the listening endpoints; `configuredHost` (IpAddrInPathHeaders) replaces the address advertised
   * for its family. Wildcard listeners advertise the first external address of the family, else loopback.
   */
  constructor(domains: string[], bound: Endpoint[], configuredHost?: string) {
    this.domains = new Set(domains.map((d) => d.toLowerCase()));
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

  /**
   * Domains the registrar serves: the configured ones, and sipd's own addresses on its own ports (another port of
   * the same address is another server, such as a phone on this host).
   */
  isLocalDomain(uri: SipUri): boolean {
    if (uri.scheme === 'tel') return false;
    return this.domains.has(bareHost(uri.host).toLowerCase()) || this.isLocal(uri.host, uri.port, uri.scheme);
  }

  /** The key under which an AOR of ours is stored: user@<primary domain>, whatever local name or address it used. */
  aorKey(uri: SipUri): string {
    const h = bareHost(uri.host).toLowerCase();
    return `${uri.user ?? ''}@${this.domains.has(h) ? h : this.primaryDomain}`;
  }

  get primaryDomain(): string {
    for (const d of this.domains) return d;
    return (this.sentBy.get('udp4') ?? this.sentBy.values().next().value ?? '127.0.0.1').replace(/:\d+$/, '');
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
    return `<${scheme}:${this.address(peer.transport, familyOf(peer.host))};lr${tp}>`;
  }

  private address(transport: TransportName, family: Family): string {
    return this.sentBy.get(`${transport}${family}`) ?? this.sentBy.get(`udp${family}`) ?? this.sentBy.values().next().value ?? '127.0.0.1:5060';
  }
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
