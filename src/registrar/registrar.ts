// REGISTER processing (RFC 3261 §10.3, RFC 3327 Path) on top of the location service.
import { NameAddr, SipMessage, SipUri, bareHost, createResponse, formatUri, parseNameAddr } from '../sip';
import type { LocationService, Binding } from './location';

/** Where a REGISTER came from (the transport layer's endpoint, structurally). */
export interface RegisterSource {
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
}

export interface RegistrarSettings {
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
}

export class Registrar {
  constructor(private readonly location: LocationService, public settings: RegistrarSettings, private readonly now: () => number = Date.now) {}

  /**
   * Applies a REGISTER whose To names `aor` (already normalized by the caller) and returns the response.
   * `source` is where the request came from; it is kept for contacts that must be reached through it.
   */
  handle(req: SipMessage, aor: string, source: RegisterSource, toTag: string): SipMessage {
    let contacts: string[];
    try {
      contacts = req.getAll('contact');
    } catch {
      return createResponse(req, 400, 'Malformed Contact header', toTag);
    }
    const headerExpires = parseExpires(req.get('expires'));
    if (headerExpires === null) return createResponse(req, 400, 'Malformed Expires header', toTag);
    const callId = req.callId;
    const cseq = req.cseq.seq;

    if (contacts.length === 1 && contacts[0] === '*') {
      if (headerExpires !== 0) return createResponse(req, 400, 'Contact * requires Expires: 0', toTag);
      for (const b of this.location.lookup(aor)) {
        if (b.callId === callId && b.cseq >= cseq) return createResponse(req, 500, 'Request out of order', toTag);
      }
      this.location.removeAll(aor);
      return this.ok(req, aor, toTag);
    }
    if (contacts.includes('*')) return createResponse(req, 400, 'Contact * must be the only contact', toTag);

    const parsed: { na: NameAddr; expires: number }[] = [];
    for (const c of contacts) {
      let na: NameAddr;
      try {
        na = parseNameAddr(c);
      } catch (e) {
        return createResponse(req, 400, `Malformed Contact: ${(e as Error).message}`, toTag);
      }
      const param = na.params.get('expires');
      const own = param === undefined ? undefined : parseExpires(param ?? '');
      if (own === null) return createResponse(req, 400, 'Malformed expires parameter', toTag);
      const expires = own ?? headerExpires ?? this.settings.defaultExpires;
      if (expires > 0 && expires < this.settings.minExpires) {
        const res = createResponse(req, 423, 'Interval Too Brief', toTag);
        res.append('Min-Expires', String(this.settings.minExpires));
        return res;
      }
      parsed.push({ na, expires: Math.min(expires, this.settings.maxExpires) });
    }

    // All or nothing (§10.3 step 7): check every contact's ordering before changing any binding.
    for (const { na } of parsed) {
      const existing = this.location.get(aor, contactKey(na.uri));
      if (existing && existing.callId === callId && existing.cseq >= cseq) return createResponse(req, 500, 'Request out of order', toTag);
    }
    const path = req.getAll('path');
    const now = this.now();
    for (const { na, expires } of parsed) {
      const key = contactKey(na.uri);
      if (expires === 0) {
        this.location.remove(aor, key);
        continue;
      }
      const q = na.params.get('q');
      const binding: Binding = { aor, contact: formatUri(na.uri), contactKey: key, expires: now + expires * 1000, callId, cseq };
      if (reachedThroughSource(na.uri, source)) binding.source = `${source.transport}:${source.host}:${source.port}`;
      if (q !== undefined && q !== null && /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(q)) binding.q = Number(q);
      if (path.length > 0) binding.path = path;
      const ua = req.get('user-agent');
      if (ua !== undefined) binding.userAgent = ua;
      this.location.upsert(binding);
    }
    const res = this.ok(req, aor, toTag);
    if (path.length > 0 && req.getAll('supported').some((t) => t.toLowerCase() === 'path')) res.append('Path', path.join(', '));
    return res;
  }

  private ok(req: SipMessage, aor: string, toTag: string): SipMessage {
    const res = createResponse(req, 200, 'OK', toTag);
    const now = this.now();
    for (const b of this.location.lookup(aor)) {
      const left = b.expires === Infinity ? this.settings.maxExpires : Math.max(0, Math.round((b.expires - now) / 1000));
      res.append('Contact', `<${b.contact}>;expires=${left}${b.q === undefined ? '' : `;q=${b.q}`}`);
    }
    res.append('Date', new Date(now).toUTCString());
    return res;
  }
}

/**
 * A contact is reached at the REGISTER's source when it came over TCP/TLS (the UA's connection is the way back)
 * or when a NAT changed the address: the Contact names another IP than the packet came from.
 */
function reachedThroughSource(contact: SipUri, source: RegisterSource): boolean {
  return source.transport !== 'udp' || bareHost(contact.host).toLowerCase() !== source.host.toLowerCase();
}

/** The comparison key of a contact URI: scheme, user, host, port and transport (RFC 3261 §19.1.4 in practice). */
export function contactKey(uri: SipUri): string {
  const transport = uri.params.get('transport')?.toLowerCase() ?? '';
  return `${uri.scheme}:${uri.user ?? ''}@${uri.host}:${uri.port ?? ''};${transport}`;
}

/** undefined when absent, null when malformed. */
function parseExpires(v: string | undefined): number | undefined | null {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (!/^\d{1,10}$/.test(t)) return null;
  return Number(t);
}
