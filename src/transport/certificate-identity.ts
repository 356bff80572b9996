// Whether a peer certificate names a SIP host, after RFC 5922 §7 ("Domain Certificates in SIP").
//
// Identities taken from the certificate:
//   - subjectAltName dNSName entries, compared case-insensitively, a trailing dot ignored. No wildcards: a
//     "*.example.com" entry matches nothing (RFC 5922 §7.2 forbids wildcard matching for SIP domains).
//   - subjectAltName iPAddress entries, compared as addresses (so "::1" equals "0:0:0:0:0:0:0:1"). RFC 5922
//     speaks of domains only; IP entries are accepted because peers addressed by IP (IOS gateways) use them.
//   - subjectAltName URI entries of scheme sip: or sips: without a user part: their host (RFC 5922 §7.1).
//     A SIP URI with a user part names a user, not a server, and is ignored.
//   - the subject's Common Name, only when the certificate has none of the entries above (RFC 5922 §7.1:
//     CN is a fallback). A CN may be a DNS name or an IP literal (IOS-5: gateways use CN=<their IP>).
import { BlockList, isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';

/** The identities a certificate carries, in the forms certificateMatchesHost compares. */
export interface CertificateIdentities {
  dns: string[];
  ips: string[];
  /** Hosts of sip:/sips: URI entries without a user part (servers). */
  sipHosts: string[];
  /** "user@host" of sip:/sips: URI entries with a user part: the SIP identities of a user certificate. */
  sipUsers: string[];
  /** Set only when the three lists above are empty. */
  commonName?: string;
}

type CertificateNames = Pick<PeerCertificate, 'subject' | 'subjectaltname'>;

export function certificateIdentities(cert: CertificateNames): CertificateIdentities {
  const ids: CertificateIdentities = { dns: [], ips: [], sipHosts: [], sipUsers: [] };
  for (const { kind, value } of splitAltNames(cert.subjectaltname ?? '')) {
    if (kind === 'DNS') ids.dns.push(normalizeName(value));
    else if (kind === 'IP Address') ids.ips.push(value);
    else if (kind === 'URI') {
      const host = sipUriHost(value);
      if (host) ids.sipHosts.push(host);
      const user = sipUriUser(value);
      if (user) ids.sipUsers.push(user);
    }
  }
  if (ids.dns.length + ids.ips.length + ids.sipHosts.length === 0) {
    const cn = lastValue(cert.subject?.CN);
    if (cn) ids.commonName = normalizeName(cn);
  }
  return ids;
}

/** host: a DNS name or an IP literal (IPv6 with or without brackets), as the target or Via names it. */
export function certificateMatchesHost(cert: CertificateNames, host: string): boolean {
  const wanted = normalizeName(host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
  if (wanted === '') return false;
  const ids = certificateIdentities(cert);
  if (isIP(wanted)) {
    if (ids.ips.some((ip) => sameAddress(ip, wanted))) return true;
    return ids.commonName !== undefined && sameAddress(ids.commonName, wanted);
  }
  if (ids.dns.includes(wanted) || ids.sipHosts.includes(wanted)) return true;
  return ids.commonName === wanted;
}

/** Only IP identities (SAN IP entries or an IP CN), no names: the policy then falls back to the From host. */
export function hasOnlyDomainIdentities(cert: CertificateNames): boolean {
  const ids = certificateIdentities(cert);
  const cnIsName = ids.commonName !== undefined && isIP(ids.commonName) === 0;
  return ids.ips.length === 0 && (ids.dns.length > 0 || ids.sipHosts.length > 0 || cnIsName);
}

function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function sameAddress(a: string, b: string): boolean {
  const family = isIP(a);
  if (family === 0 || family !== isIP(b)) return false;
  const list = new BlockList();
  list.addAddress(a, family === 6 ? 'ipv6' : 'ipv4');
  return list.check(b, family === 6 ? 'ipv6' : 'ipv4');
}

function sipUriHost(uri: string): string | undefined {
  const m = /^sips?:([^;?]*)/i.exec(uri.trim());
  if (!m || m[1].includes('@')) return undefined;
  let host = m[1];
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else host = host.replace(/:\d+$/, '');
  return host ? normalizeName(host) : undefined;
}

/** "user@host" of a sip:/sips: URI with a user part (host lowercased, parameters dropped). */
function sipUriUser(uri: string): string | undefined {
  const m = /^sips?:([^@;?]+)@([^;?]+)/i.exec(uri.trim());
  return m ? `${m[1]}@${normalizeName(m[2])}` : undefined;
}

/** Whether the certificate is a user certificate for this SIP identity (user part and host of a From URI). */
export function certificateNamesUser(cert: CertificateNames, user: string, host: string): boolean {
  return certificateIdentities(cert).sipUsers.includes(`${user}@${normalizeName(host)}`);
}

function lastValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/**
 * Node writes subjectAltName as "DNS:a, IP Address:1.2.3.4, URI:sip:b"; a value holding a comma or quote is
 * written as a JSON string ("DNS:\"a,b\""), so splitting on ", " alone would be wrong.
 */
function splitAltNames(text: string): { kind: string; value: string }[] {
  const out: { kind: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const kind = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      const end = closingQuote(text, colon + 2);
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        value = '';
      }
      next = text.indexOf(',', end);
    } else {
      next = text.indexOf(', ', colon);
      value = text.slice(colon + 1, next < 0 ? text.length : next);
    }
    out.push({ kind, value });
    if (next < 0) break;
    i = next + 1;
  }
  return out;
}

function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}
