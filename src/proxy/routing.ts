// Route pre-processing (RFC 3261 §16.4) and next-hop choice with loose and strict routes (§16.6 steps 6-7).
import { SipMessage, parseNameAddr, formatUri } from '../sip';
import type { LocalIdentity } from './local-identity';

/** Undoes a strict-routing previous hop and removes sipd's own Route entry. */
export function preprocessRoutes(req: SipMessage, me: LocalIdentity): void {
  const ruri = req.requestUri;
  if (req.has('route') && ruri.user === undefined && ruri.params.has('lr') && me.isLocalUri(ruri)) {
    // The previous hop was a strict router: our Record-Route URI (it always carries ;lr) is the Request-URI and the
    // real one is the last Route. A plain "sip:our-domain" (a REGISTER sent through an outbound proxy) is not that.
    const routes = req.getAll('route');
    const last = parseNameAddr(routes[routes.length - 1]);
    req.setRequestUri(formatUri(last.uri));
    req.remove('route');
    for (const r of routes.slice(0, -1)) req.append('Route', r);
  }
  // Up to two entries: sipd may have record-routed itself twice (one per side, RFC 5658).
  for (let i = 0; i < 2; i++) {
    const top = req.get('route');
    if (top === undefined || !me.isLocalUri(parseNameAddr(top).uri)) break;
    req.removeFirst('route');
  }
}

/**
 * The URI whose host receives the request. With a loose top Route that is the Route; a strict one (no ;lr)
 * becomes the Request-URI and the old Request-URI goes to the bottom of the Route set.
 */
export function nextHopUri(req: SipMessage): string {
  const top = req.get('route');
  if (top === undefined) return req.uri;
  const route = parseNameAddr(top);
  if (route.uri.params.has('lr')) return formatUri(route.uri);
  req.removeFirst('route');
  req.append('Route', `<${req.uri}>`);
  req.setRequestUri(formatUri(route.uri));
  return req.uri;
}
