// SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966) and the §19.1.4 comparison rules.
import { SipParseError } from './errors';
import { Params, parseParams, formatParams } from './params';

export type UriScheme = 'sip' | 'sips' | 'tel';

export interface SipUri {
  scheme: UriScheme;
  /** User part, unescaped (for tel: the number). */
  user?: string;
  password?: string;
  /** Lowercased host; IPv6 references keep their brackets, e.g. "[::1]". Empty for tel:. */
  host: string;
  port?: number;
  params: Params;
  headers: Params;
}

const SUPPORTED = new Set(['sip', 'sips', 'tel']);

/** Parses a URI; unsupported schemes raise a 416 error, malformed ones a 400. */
export function parseUri(text: string): SipUri {
  const s = text.trim();
  const colon = s.indexOf(':');
  if (colon <= 0) throw new SipParseError(`malformed URI "${text}"`);
  const scheme = s.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new SipParseError(`malformed URI scheme in "${text}"`);
  if (!SUPPORTED.has(scheme)) throw new SipParseError(`unsupported URI scheme "${scheme}"`, 416);
  const rest = s.slice(colon + 1);
  if (scheme === 'tel') return parseTel(rest, text);

  let hostStart = 0;
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pc = userinfo.indexOf(':');
    user = unescape(pc >= 0 ? userinfo.slice(0, pc) : userinfo);
    if (pc >= 0) password = unescape(userinfo.slice(pc + 1));
    if (user.length === 0) throw new SipParseError(`empty user part in "${text}"`);
    hostStart = at + 1;
  }
  let i = hostStart;
  let host: string;
  if (rest.charCodeAt(i) === 91 /* [ */) {
    const close = rest.indexOf(']', i);
    if (close < 0) throw new SipParseError(`unterminated IPv6 reference in "${text}"`);
    host = rest.slice(i, close + 1).toLowerCase();
    i = close + 1;
  } else {
    while (i < rest.length) {
      const c = rest.charCodeAt(i);
      if (c === 58 || c === 59 || c === 63) break; // : ; ?
      i++;
    }
    host = rest.slice(hostStart, i).toLowerCase();
    if (!/^[a-z0-9._-]+$/.test(host)) throw new SipParseError(`invalid host "${host}" in "${text}"`);
  }
  let port: number | undefined;
  if (rest.charCodeAt(i) === 58) {
    let j = i + 1;
    while (j < rest.length && rest.charCodeAt(j) >= 48 && rest.charCodeAt(j) <= 57) j++;
    port = Number(rest.slice(i + 1, j));
    if (j === i + 1 || port > 65535) throw new SipParseError(`invalid port in "${text}"`);
    i = j;
  }
  const params: Params = new Map();
  const headers: Params = new Map();
  if (i < rest.length) {
    const q = rest.indexOf('?', i);
    const c = rest.charCodeAt(i);
    if (c !== 59 && c !== 63) throw new SipParseError(`unexpected "${rest[i]}" in URI "${text}"`);
    const paramText = q >= 0 ? rest.slice(i, q) : rest.slice(i);
    if (paramText.length > 1) parseParams(paramText.slice(1), params);
    if (q >= 0) {
      for (const pair of rest.slice(q + 1).split('&')) {
        if (pair === '') continue;
        const eq = pair.indexOf('=');
        headers.set(unescape(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase(), eq < 0 ? '' : unescape(pair.slice(eq + 1)));
      }
    }
  }
  return { scheme: scheme as UriScheme, user, password, host, port, params, headers };
}

function parseTel(rest: string, text: string): SipUri {
  const semi = rest.indexOf(';');
  const number = semi >= 0 ? rest.slice(0, semi) : rest;
  if (!/^\+?[0-9A-Fa-f*#().-]+$/.test(number)) throw new SipParseError(`invalid telephone number in "${text}"`);
  const params = semi >= 0 ? parseParams(rest.slice(semi + 1)) : new Map();
  return { scheme: 'tel', user: number, host: '', params, headers: new Map() };
}

function unescape(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new SipParseError(`bad %-escape in "${s}"`);
  }
}

// Characters allowed unescaped in the user part (RFC 3261 §25.1 user = unreserved / escaped / user-unreserved).
const USER_SAFE = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]*$/;
function escapeUser(s: string): string {
  if (USER_SAFE.test(s)) return s;
  let out = '';
  for (const ch of s) out += /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/.test(ch) ? ch : encodeURIComponent(ch);
  return out;
}

export function formatUri(u: SipUri): string {
  if (u.scheme === 'tel') return `tel:${u.user ?? ''}${formatParams(u.params)}`;
  let out = `${u.scheme}:`;
  if (u.user !== undefined) {
    out += escapeUser(u.user);
    if (u.password !== undefined) out += `:${escapeUser(u.password)}`;
    out += '@';
  }
  out += u.host;
  if (u.port !== undefined) out += `:${u.port}`;
  out += formatParams(u.params);
  if (u.headers.size > 0) {
    const parts: string[] = [];
    for (const [k, v] of u.headers) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v ?? '')}`);
    out += `?${parts.join('&')}`;
  }
  return out;
}

// Parameters that make two URIs different when present in only one of them (§19.1.4).
const SIGNIFICANT = ['user', 'ttl', 'method', 'maddr', 'transport'];

/** URI equivalence per RFC 3261 §19.1.4. */
export function uriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  if (a.scheme === 'tel') return telNumber(a.user) === telNumber(b.user) && paramsEqual(a.params, b.params, true);
  if (a.user !== b.user || a.password !== b.password) return false;
  if (a.host !== b.host || a.port !== b.port) return false;
  if (!paramsEqual(a.params, b.params, false)) return false;
  if (a.headers.size !== b.headers.size) return false;
  for (const [k, v] of a.headers) if (b.headers.get(k) !== v) return false;
  return true;
}

function paramsEqual(a: Params, b: Params, all: boolean): boolean {
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined) {
      if (all || SIGNIFICANT.includes(k)) return false;
    } else if (paramValue(v) !== paramValue(w)) return false;
  }
  for (const k of b.keys()) if (!a.has(k) && (all || SIGNIFICANT.includes(k))) return false;
  return true;
}

/** Parameter values compare case-insensitively, escaped octets equal to their plain form (§19.1.4). */
function paramValue(v: string | null): string {
  const s = (v ?? '').toLowerCase();
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function telNumber(n: string | undefined): string {
  return (n ?? '').replace(/[().-]/g, '').toLowerCase();
}

/** Host without IPv6 brackets, as sockets want it. */
export function bareHost(host: string): string {
  return host.charCodeAt(0) === 91 ? host.slice(1, -1) : host;
}
