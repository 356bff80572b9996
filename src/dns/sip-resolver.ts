/*
 * RFC 3263 §4: from a SIP or SIPS URI to the ordered list of (transport, IP, port) a request to it may be sent to.
 * Every target is returned, best first, so the proxy can go on to the next one after a transport error, a timeout
 * or a 503 (§4.3); trying them is the proxy's job.
 *
 *   numeric host                  → that address; the transport parameter, else UDP (sip) / TLS (sips)
 *   explicit port                 → A/AAAA of the host with that port
 *   explicit transport            → SRV _sip(s)._<proto>.host, else A/AAAA with the default port
 *   otherwise                     → NAPTR (AllowNaptrLookup) with the services sipd speaks, ordered by order and
 *                                   preference, each replacement looked up as SRV; when that gives nothing, SRV
 *                                   for each transport of TransportPrefOrder (all of them, for failover across
 *                                   transports); when SRV gives no address, A/AAAA with the default port over
 *                                   UDP (sip) or TLS (sips)
 * SRV records are ordered by priority and, among equal priorities, by RFC 2782's weighted random choice.
 * SrvForFqdnOnly On limits NAPTR and SRV to hosts with a dot in them. A lookup that fails (timeout, server
 * failure) counts as one that found nothing, so the next step still runs; the SRV target whose name does not
 * resolve is skipped (the seed: "if the lookup fails, it tries alternate destinations ... a simple DNS A lookup").
 */
import { isIP } from 'node:net';
import type { SipdConfig } from '../config';
import { bareHost, type SipUri } from '../sip';
import type { OutboundEndpoint, TransportName } from '../transport';
import { DnsLookupError, type DnsResolver } from './resolver';
import { orderSrv, type Random } from './srv-order';

export interface SipTarget extends OutboundEndpoint {
  /**
   * Neither the URI's transport parameter nor NAPTR/SRV chose the transport (it is RFC 3263's default or
   * transportIfAbsent), so the proxy may send a request too large for UDP over TCP instead (RFC 3261 §18.1.1).
   */
  defaultTransport: boolean;
}

export interface ResolveOptions {
  /**
   * Taken as the URI's transport parameter when it has none (sip URIs only): SipRouteHeaderTransportType for a
   * Route hop. It then decides the transport the way an explicit parameter does (SRV for it, else A/AAAA).
   */
  transportIfAbsent?: TransportName;
  /** Orders SRV records of equal priority instead of the resolver's own random (a stateless proxy seeds it per call). */
  random?: Random;
}

export interface SipResolverSettings {
  /** AllowNaptrLookup. */
  allowNaptr: boolean;
  /** SrvForFqdnOnly. */
  srvForFqdnOnly: boolean;
  /** TransportPrefOrder, with TLS left out when TLS is disabled. */
  transportPrefOrder: readonly TransportName[];
  /** SipTlsEnable: without it no TLS target is produced (sips URIs then have none). */
  tlsEnabled: boolean;
  /** Address record types looked up for a host name, in the order their addresses are tried. */
  addressFamilies: readonly (4 | 6)[];
}

/** The settings from the configuration directives. */
export function sipResolverSettings(config: SipdConfig): SipResolverSettings {
  return {
    allowNaptr: config.AllowNaptrLookup,
    srvForFqdnOnly: config.SrvForFqdnOnly,
    transportPrefOrder: parseTransportPrefOrder(config.TransportPrefOrder, config.SipTlsEnable),
    tlsEnabled: config.SipTlsEnable,
    addressFamilies: [4, 6],
  };
}

/** "TLS_TCP_UDP" → ['tls', 'tcp', 'udp']; TLS is dropped when it is disabled (as the seed says). */
export function parseTransportPrefOrder(value: string, tlsEnabled: boolean): TransportName[] {
  const order: TransportName[] = [];
  for (const word of value.split('_')) {
    const t = word.toLowerCase();
    if (t !== 'udp' && t !== 'tcp' && t !== 'tls') throw new Error(`TransportPrefOrder: unknown transport "${word}"`);
    if (t === 'tls' && !tlsEnabled) continue;
    if (!order.includes(t)) order.push(t);
  }
  return order;
}

/** NAPTR services (RFC 3263 §4.1) sipd can use, with the transport each stands for. */
const NAPTR_SERVICES: Record<string, TransportName> = { 'SIP+D2U': 'udp', 'SIP+D2T': 'tcp', 'SIPS+D2T': 'tls' };

const SRV_PREFIX: Record<TransportName, string> = { udp: '_sip._udp.', tcp: '_sip._tcp.', tls: '_sips._tcp.' };

/** The port a transport uses when a URI or Via names none (RFC 3261 §19.1.2). */
export function defaultPort(transport: TransportName): number {
  return transport === 'tls' ? 5061 : 5060;
}

export class SipResolver {
  constructor(
    private readonly dns: DnsResolver,
    public settings: SipResolverSettings,
    private readonly random: Random = Math.random,
    /** Told of a DNS lookup that failed (timeout, server failure); resolution goes on as if it found nothing. */
    private readonly onLookupError: (err: DnsLookupError) => void = () => {},
  ) {}

  /** Every target of uri, best first; empty when none could be found. */
  async resolve(uri: SipUri, options: ResolveOptions = {}): Promise<SipTarget[]> {
    const all: SipTarget[] = [];
    for await (const t of this.targets(uri, options)) all.push(t);
    return all;
  }

  /**
   * The targets of uri one by one, best first, each looked up only when the previous one has been taken: the
   * proxy can send to the first while later SRV targets are still unresolved.
   */
  async *targets(uri: SipUri, options: ResolveOptions = {}): AsyncGenerator<SipTarget> {
    const seen = new Set<string>();
    for await (const t of this.candidates(uri, options)) {
      const key = `${t.transport} ${t.host} ${t.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      yield t;
    }
  }

  /**
   * The one target of a URI whose host is an IP address, found without DNS (a registered contact, a Record-Route
   * of a peer): undefined when the host is a name, or when no transport sipd can send on fits the URI.
   */
  literalTarget(uri: SipUri, options: ResolveOptions = {}): SipTarget | undefined {
    const name = bareHost(uri.params.get('maddr') ?? uri.host);
    if (!isIP(name)) return undefined;
    const t = this.transportOf(uri, options);
    return t && { transport: t.fallback, host: name, port: uri.port ?? defaultPort(t.fallback), defaultTransport: t.defaultTransport };
  }

  /**
   * The transport a URI asks for (its parameter, else `transportIfAbsent`) or RFC 3263's default, and whether it
   * was a default; undefined when sipd cannot send it anywhere (another scheme, sctp, TLS switched off).
   */
  private transportOf(uri: SipUri, options: ResolveOptions): { explicit?: TransportName; fallback: TransportName; defaultTransport: boolean } | undefined {
    if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return undefined;
    const secure = uri.scheme === 'sips';
    const written = uri.params.get('transport');
    const param = written ?? (secure ? undefined : options.transportIfAbsent);
    const explicit = param == null ? undefined : this.transportParam(param, secure);
    if (explicit === null) return undefined;
    const fallback: TransportName = explicit ?? (secure ? 'tls' : this.plainSipTransport());
    return this.usable(fallback) ? { explicit, fallback, defaultTransport: written == null } : undefined;
  }

  private async *candidates(uri: SipUri, options: ResolveOptions): AsyncGenerator<SipTarget> {
    const literal = this.literalTarget(uri, options);
    if (literal) {
      yield literal;
      return;
    }
    const chosen = this.transportOf(uri, options);
    if (!chosen) return;
    const { explicit, fallback, defaultTransport } = chosen;
    const secure = uri.scheme === 'sips';
    const name = bareHost(uri.params.get('maddr') ?? uri.host).replace(/\.$/, '');
    if (uri.port !== undefined) {
      yield* this.addresses(name, fallback, uri.port, name, defaultTransport);
      return;
    }
    const srvAllowed = !this.settings.srvForFqdnOnly || name.includes('.');
    if (srvAllowed) {
      let found = false;
      if (explicit === undefined && this.settings.allowNaptr) {
        for (const { transport, replacement } of await this.naptrServices(name, secure)) {
          for await (const t of this.srvTargets(replacement, transport, name, options.random)) {
            found = true;
            yield t;
          }
        }
        if (found) return;
      }
      const transports = explicit !== undefined ? [explicit] : secure ? ['tls' as const] : this.settings.transportPrefOrder;
      for (const transport of transports) {
        if (!this.usable(transport)) continue;
        for await (const t of this.srvTargets(SRV_PREFIX[transport] + name, transport, name, options.random)) {
          found = true;
          yield t;
        }
      }
      if (found) return;
    }
    yield* this.addresses(name, fallback, defaultPort(fallback), name, defaultTransport);
  }

  /** The NAPTR records of name that lead to an SRV name for a transport sipd speaks, in order and preference. */
  private async naptrServices(name: string, secure: boolean): Promise<{ transport: TransportName; replacement: string }[]> {
    const records = await this.orNothing(this.dns.naptr(name));
    return [...records]
      .sort((a, b) => a.order - b.order || a.preference - b.preference)
      .flatMap((r) => {
        const transport = NAPTR_SERVICES[r.service.toUpperCase()];
        // RFC 3263 §4.1: SIP NAPTR records carry the "s" flag and an SRV name as replacement, never a regexp.
        const usable = transport !== undefined && r.flags.toLowerCase() === 's' && r.replacement !== ''
          && this.usable(transport) && (!secure || transport === 'tls');
        return usable ? [{ transport, replacement: r.replacement.replace(/\.$/, '') }] : [];
      });
  }

  /** The SRV targets of srvName in RFC 2782 order, each with its addresses; "." means "no service here". */
  private async *srvTargets(srvName: string, transport: TransportName, uriHost: string, random = this.random): AsyncGenerator<SipTarget> {
    const records = await this.orNothing(this.dns.srv(srvName));
    for (const r of orderSrv(records, random)) {
      if (r.name === '' || r.name === '.') continue;
      yield* this.addresses(r.name.replace(/\.$/, ''), transport, r.port, uriHost, false);
    }
  }

  /** A target per address of host; a host that does not resolve contributes none. */
  private async *addresses(host: string, transport: TransportName, port: number, uriHost: string,
    defaultTransport: boolean): AsyncGenerator<SipTarget> {
    // RFC 5922 §4: the certificate of a TLS peer must name the domain of the URI, not the SRV target.
    const tlsName = transport === 'tls' && !isIP(uriHost) ? { tlsName: uriHost } : {};
    if (isIP(host)) {
      yield { transport, host, port, defaultTransport, ...tlsName };
      return;
    }
    // Both families are asked at once; the first one's addresses are tried first.
    const lookups = this.settings.addressFamilies.map((f) => this.orNothing(f === 4 ? this.dns.a(host) : this.dns.aaaa(host)));
    for (const lookup of lookups) {
      for (const address of await lookup) yield { transport, host: address, port, defaultTransport, ...tlsName };
    }
  }

  /** The transport a transport parameter asks for; null when sipd cannot send on it (sctp, ws ...). */
  private transportParam(value: string, secure: boolean): TransportName | null {
    const t = value.toLowerCase();
    // RFC 3261 §26.2.2: sips with transport=tcp means TLS over TCP; "tls" is an old, still common spelling.
    if (t === 'tls' || (secure && t === 'tcp')) return 'tls';
    if (secure) return null;
    return t === 'udp' || t === 'tcp' ? t : null;
  }

  /** RFC 3263 §4.1 says UDP for sip; an operator who left UDP out of TransportPrefOrder gets its first transport. */
  private plainSipTransport(): TransportName {
    const order = this.settings.transportPrefOrder;
    return order.includes('udp') || order.length === 0 ? 'udp' : order[0];
  }

  private usable(transport: TransportName): boolean {
    return transport !== 'tls' || this.settings.tlsEnabled;
  }

  /** A lookup that failed is treated as one that found nothing: the next step (SRV, A) may still work. */
  private async orNothing<T>(lookup: Promise<readonly T[]>): Promise<readonly T[]> {
    try {
      return await lookup;
    } catch (err) {
      if (!(err instanceof DnsLookupError)) throw err;
      this.onLookupError(err);
      return [];
    }
  }
}
