// Header names: compact forms, canonical spelling, and which headers are comma-separated lists.

const COMPACT: Record<string, string> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', r: 'refer-to',
  b: 'referred-by', u: 'allow-events', a: 'accept-contact', j: 'reject-contact',
  d: 'request-disposition', x: 'session-expires', y: 'identity', n: 'identity-info',
};

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID', cseq: 'CSeq', via: 'Via', from: 'From', to: 'To', contact: 'Contact',
  'max-forwards': 'Max-Forwards', route: 'Route', 'record-route': 'Record-Route',
  'content-length': 'Content-Length', 'content-type': 'Content-Type', 'www-authenticate': 'WWW-Authenticate',
  'proxy-require': 'Proxy-Require', 'cc-diversion': 'CC-Diversion', 'cc-redirect': 'CC-Redirect',
  'remote-party-id': 'Remote-Party-ID',
};

/** Lowercased long form of a header name: the key every lookup uses. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.length === 1 ? COMPACT[lower] ?? lower : lower;
}

/** Spelling used when sipd writes a header it created. */
export function canonicalName(name: string): string {
  const key = headerKey(name);
  return CANONICAL[key] ?? key.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

// Headers whose value may be a comma-separated list (RFC 3261 §7.3.1); authentication headers are not.
const LIST_HEADERS = new Set([
  'via', 'contact', 'route', 'record-route', 'path', 'service-route', 'allow', 'supported', 'require',
  'proxy-require', 'unsupported', 'accept', 'accept-encoding', 'accept-language', 'content-encoding',
  'allow-events', 'in-reply-to', 'p-asserted-identity', 'diversion', 'history-info', 'security-client',
  'security-server', 'security-verify', 'reason', 'warning', 'error-info', 'call-info', 'alert-info',
  'cc-diversion', 'cc-redirect', 'remote-party-id',
]);

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

/** Splits a list value at commas outside quotes and angle brackets. */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) return [value.trim()];
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92 /* \ */) i++;
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (c === 60 /* < */) inAngle = true;
    else if (c === 62 /* > */) inAngle = false;
    else if (c === 44 /* , */ && !inAngle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}
