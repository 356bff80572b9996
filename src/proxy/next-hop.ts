// From a URI to the address a request is sent to (RFC 3261 §16.6 steps 6-7, the A/AAAA part of RFC 3263).
// NAPTR/SRV selection belongs to the routing issue; a name is resolved with the system resolver here.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { defaultPort } from '../dns';
import { SipUri, bareHost } from '../sip';
import type { TransportName } from '../transport';
import type { Destination } from '../transaction';

/** Requests larger than this go over TCP instead of UDP (RFC 3261 §18.1.1). */
const UDP_MTU_LIMIT = 1300;

export function uriTransport(uri: SipUri, fallback: TransportName = 'udp'): TransportName {
  if (uri.scheme === 'sips') return 'tls';
  const t = uri.params.get('transport')?.toLowerCase();
  return t === 'tcp' || t === 'tls' || t === 'udp' ? t : fallback;
}


/** Where to send a request whose next hop is `uri`. Rejects when the host cannot be resolved. */
export async function resolveNextHop(uri: SipUri, size: number, fallback: TransportName = 'udp'): Promise<Destination> {
  let transport = uriTransport(uri, fallback);
  if (transport === 'udp' && size > UDP_MTU_LIMIT && !uri.params.has('transport')) transport = 'tcp';
  const host = bareHost(uri.params.get('maddr') ?? uri.host);
  const port = uri.port ?? defaultPort(transport);
  if (isIP(host)) return { transport, host, port };
  const { address } = await lookup(host);
  // A TLS peer's certificate must name the host the URI names, not the address it resolved to (RFC 5922 §7.3).
  return transport === 'tls' ? { transport, host: address, port, tlsName: host } : { transport, host: address, port };
}
