// Via header values (RFC 3261 §20.42, received/rport of RFC 3581).
import { SipParseError } from './errors';
import { Params, parseParams, formatParams } from './params';

export interface Via {
  /** Upper-case transport token: UDP, TCP, TLS, SCTP, WS... */
  transport: string;
  /** Host as written; IPv6 with brackets. */
  host: string;
  port?: number;
  params: Params;
}

export const MAGIC_COOKIE = 'z9hG4bK';

export function parseVia(value: string): Via {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9._-]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?:\s*:\s*(\d{1,5}))?\s*(?:;(.*))?$/s.exec(value);
  if (!m) throw new SipParseError(`malformed Via "${value.trim()}"`);
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && port > 65535) throw new SipParseError(`invalid Via port ${port}`);
  return { transport: m[1].toUpperCase(), host: m[2], port, params: m[4] ? parseParams(m[4]) : new Map() };
}

export function formatVia(v: Via): string {
  return `SIP/2.0/${v.transport} ${v.host}${v.port === undefined ? '' : `:${v.port}`}${formatParams(v.params)}`;
}
