/*
 * Next-hop routing and IP resolution (SPEC PRX-4, RTE-4, RTE-10, DNS-1..4): for a request whose Request-URI and
 * Route set are final, the hops to try one after the other, each an address and, for a number route, the
 * Request-URI that goes with it. The proxy moves on to the next hop after a 503, a timeout or a transport error.
 *
 *   Route header             → its top URI, by RFC 3263 (SipRouteHeaderTransportType when it names no transport)
 *   Request-URI of ours      → the number routes of its user (translation found no registration and no ENUM
 *   or a tel: URI              answer); none → 404, a blocking route → 403
 *   Request-URI elsewhere    → its domain routes when Cisco_Routing_Use_Domain_Routing is On, else the URI itself
 *                              by RFC 3263
 * A route's next hop is resolved like a URI: with its port, A/AAAA; port 0, SRV first (RTE-4); its transport, if
 * set. A number route rewrites the Request-URI to user@next-hop (the expanded number with the route's tech-prefix
 * action, 004:6990); a domain route keeps it and only chooses where it is sent.
 */
import type { SipResolver, SipTarget } from '../dns';
import { SipUri, formatUri, parseUri } from '../sip';
import type { Destination } from '../transaction';
import type { TransportName } from '../transport';
import { type Route, userForNextHop } from './route';
import type { RouteMatch } from './route-table';

export interface NextHopSettings {
  /** Cisco_Routing: consult the route table. */
  routing: boolean;
  /** Cisco_Routing_Use_Domain_Routing. */
  domainRouting: boolean;
  /** SipRouteHeaderTransportType: the transport of a Route hop whose URI names none. */
  routeHeaderTransport: TransportName;
}

/** One way to send the request: where, and for a number route the Request-URI it carries there. */
export interface Hop {
  requestUri?: string;
  dest: Destination;
}

/** A hop before DNS: the URI whose host receives the request. */
export interface HopPlanEntry {
  requestUri?: string;
  nextHop: SipUri;
  transportIfAbsent?: TransportName;
}

/** What the router needs to know about a Request-URI: whether it is ours, and its user as a number. */
export interface UriFacts {
  isLocal(uri: SipUri): boolean;
  /** The user as a telephone number when number routing applies to it (number expansion, interpretation). */
  numberOf(uri: SipUri): string | undefined;
}

export interface RouteLookup {
  lookupNumber(number: string, random?: () => number): RouteMatch;
  lookupHost(host: string, random?: () => number): RouteMatch;
}

/** Requests larger than this go over TCP instead of UDP when nothing chose the transport (RFC 3261 §18.1.1). */
const UDP_MTU_LIMIT = 1300;

export class NextHopRouter {
  constructor(
    public settings: NextHopSettings,
    private readonly resolver: SipResolver,
    readonly facts: UriFacts,
    private readonly routes?: RouteLookup,
  ) {}

  /**
   * The hops of a request whose top Route (if any) is loose (RFC 3261 §16.6 step 6 done by the caller), in trying
   * order; or the status that ends the branch: 404 nothing routes a number of ours, 403 a blocking route. `random`
   * orders equal-priority routes and SRV records (default: each lookup draws anew).
   */
  plan(requestUri: SipUri, topRoute: SipUri | undefined, random?: () => number): HopPlanEntry[] | 403 | 404 {
    if (topRoute !== undefined) return [{ nextHop: topRoute, transportIfAbsent: this.settings.routeHeaderTransport }];
    // A tel: URI (a forwarding target, a 3xx Contact) names no host: its number is routed like one of ours.
    if (this.facts.isLocal(requestUri) || requestUri.scheme === 'tel') {
      const number = this.facts.numberOf(requestUri);
      const match = number !== undefined && this.routes && this.settings.routing ? this.routes.lookupNumber(number, random) : undefined;
      if (match?.blocked) return 403;
      const routes = match?.levels.flat() ?? [];
      return routes.length > 0 ? routes.map((r) => numberHop(requestUri, number!, r)) : 404;
    }
    if (this.routes && this.settings.routing && this.settings.domainRouting) {
      const match = this.routes.lookupHost(requestUri.host, random);
      if (match.blocked) return 403;
      const routes = match.levels.flat();
      if (routes.length > 0) return routes.map((r) => ({ nextHop: nextHopUri(r) }));
    }
    return [{ nextHop: requestUri }];
  }

  /**
   * The addresses of the planned hops, one by one as they are needed: the first is sent to while later SRV
   * targets are still unresolved. `size` (bytes) moves a request too large for UDP to TCP. `random` as in plan().
   */
  async *hops(plan: readonly HopPlanEntry[], size: number, random?: () => number): AsyncGenerator<Hop> {
    for (const entry of plan) {
      for await (const t of this.resolver.targets(entry.nextHop, { transportIfAbsent: entry.transportIfAbsent, random })) yield hop(entry, t, size);
    }
  }

  /**
   * The hop of a plan that needs no DNS and has no alternative (one entry whose host is an IP address, such as a
   * peer's Record-Route in a BYE): sent at once, without a lookup to wait for. Undefined otherwise.
   */
  immediateHop(plan: readonly HopPlanEntry[], size: number): Hop | undefined {
    if (plan.length !== 1) return undefined;
    const t = this.resolver.literalTarget(plan[0].nextHop, { transportIfAbsent: plan[0].transportIfAbsent });
    return t && hop(plan[0], t, size);
  }
}

/** A resolved target as a hop: a request too large for UDP goes over TCP when nothing chose UDP (§18.1.1). */
function hop(entry: HopPlanEntry, t: SipTarget, size: number): Hop {
  const transport = t.defaultTransport && t.transport === 'udp' && size > UDP_MTU_LIMIT ? 'tcp' : t.transport;
  const dest: Destination = t.tlsName === undefined ? { transport, host: t.host, port: t.port } : { transport, host: t.host, port: t.port, tlsName: t.tlsName };
  return entry.requestUri === undefined ? { dest } : { requestUri: entry.requestUri, dest };
}

/** The Request-URI toward a number route's next hop: the expanded number (tech prefix applied) at the next hop. */
function numberHop(requestUri: SipUri, number: string, route: Route): HopPlanEntry {
  const next = nextHopUri(route);
  const out: SipUri = requestUri.scheme === 'tel'
    ? { scheme: 'sip', user: number, host: '', params: new Map([['user', 'phone']]), headers: new Map() }
    : parseUri(formatUri(requestUri));
  const semi = out.user?.indexOf(';') ?? -1;
  out.user = userForNextHop(route, number) + (semi >= 0 ? out.user!.slice(semi) : '');
  out.host = next.host;
  out.port = next.port;
  out.params.delete('maddr');
  if (route.transport === 'any') out.params.delete('transport');
  else out.params.set('transport', route.transport);
  return { requestUri: formatUri(out), nextHop: next };
}

/** The next hop of a route as a URI: its port when set (0 → SRV), its transport unless any. */
function nextHopUri(route: Route): SipUri {
  const port = route.port > 0 ? `:${route.port}` : '';
  const transport = route.transport === 'any' ? '' : `;transport=${route.transport}`;
  return parseUri(`sip:${route.nextHop}${port}${transport}`);
}
