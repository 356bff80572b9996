// TLS-5: over mutual TLS, the client certificate must name the host the request claims to come from.
//
// Accepted identities (certificateMatchesHost, RFC 5922 §7): subjectAltName DNS names (no wildcards), IP
// addresses and sip:/sips: URI hosts, else the Common Name (a DNS name or an IP, IOS-5).
// The host checked is the top Via's sent-by host. When that is an IP address and the certificate carries no IP
// identity at all, only names, the From URI's host is checked instead: phones and gateways write their IP in
// Via, while their domain certificate names their domain (RFC 5922 §7.4 has the server use the domain).
// A user certificate (a sip:user@host URI in subjectAltName, as phones carry) is accepted for requests whose
// From is that user@host: the phone proves who it is rather than which host it runs on.
// Requests without a verified peer certificate (UDP, TCP, TLS without mutual authentication) pass untouched.
import { isIP } from 'node:net';
import { bareHost } from '../sip';
import { certificateMatchesHost, certificateNamesUser, hasOnlyDomainIdentities } from '../transport';
import type { PolicyRequest, PolicyVerdict, RequestPolicy } from './types';

export const tlsIdentityPolicy: RequestPolicy = (ctx: PolicyRequest): PolicyVerdict => {
  const cert = ctx.tlsPeerCertificate;
  if (!cert || ctx.source.transport !== 'tls') return undefined;
  const host = claimedHost(ctx);
  if (host !== undefined && certificateMatchesHost(cert, host)) return undefined;
  const from = ctx.req.from.uri;
  if (from.user !== undefined && certificateNamesUser(cert, from.user, bareHost(from.host))) return undefined;
  return { status: 403, reason: `Forbidden (TLS certificate does not match ${host ?? 'the request'})` };
};

function claimedHost(ctx: PolicyRequest): string | undefined {
  const viaHost = bareHost(ctx.req.topVia.host);
  if (isIP(viaHost) === 0 || !hasOnlyDomainIdentities(ctx.tlsPeerCertificate!)) return viaHost;
  const fromHost = ctx.req.from.uri.host;
  return fromHost === '' ? undefined : bareHost(fromHost);
}
