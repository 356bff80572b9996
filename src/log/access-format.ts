// Access-log lines from Apache-style format strings (CFG-H7, CFG-H8), given SIP meanings:
//
//   %h        source host (IP address of the sender)
//   %a        source with transport and port, e.g. udp:10.0.0.1:5060
//   %l, %u    always "-" (kept so Apache formats such as common work unchanged)
//   %t        time of the request, [20/Apr/2001:21:44:51 +0000]
//   %r        request line, "INVITE sip:bob@example.com SIP/2.0"
//   %m        method
//   %U        Request-URI
//   %s, %>s   final status code sent (sipd has no internal redirects, so both are the same)
//   %b        bytes of the request, "-" when unknown
//   %B        bytes of the request, 0 when unknown
//   %D        time taken in microseconds
//   %T        time taken in whole seconds
//   %{Name}i  a request header: User-Agent, Call-ID, From, To (or compact i, f, t); "-" otherwise
//   %%        a literal %
// Anything else after % is written literally.

import { accessLogTime } from './time-format';

export interface AccessRecord {
  method: string;
  uri: string;
  /** transport:address:port, e.g. "udp:1.2.3.4:5060" or "tcp:[::1]:5060". */
  source: string;
  status: number;
  durationMs: number;
  callId?: string;
  from?: string;
  to?: string;
  userAgent?: string;
  bytes?: number;
  /** When the request arrived, ms since the epoch; defaults to the time of writing. */
  time?: number;
}

export const DEFAULT_LOG_FORMATS: Readonly<Record<string, string>> = {
  common: '%h %l %u %t "%r" %>s %b',
  combined: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
  referer: '%{Referer}i -> %U',
  agent: '%{User-agent}i',
};

type Piece = (rec: AccessRecord) => string;

/** Resolves a nickname (config LogFormat first, then the defaults) or takes the text as a format. */
export function resolveFormat(nameOrFormat: string, formats: Record<string, string> = {}): string {
  return formats[nameOrFormat] ?? DEFAULT_LOG_FORMATS[nameOrFormat] ?? nameOrFormat;
}

/** Parses the format once so each request only runs the prepared pieces. */
export function compileAccessFormat(format: string): (rec: AccessRecord) => string {
  const pieces: Piece[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal === '') return;
    const text = literal;
    pieces.push(() => text);
    literal = '';
  };
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c !== '%' || i + 1 >= format.length) {
      literal += c;
      i++;
      continue;
    }
    const parsed = parseDirective(format, i + 1);
    if (parsed.piece) {
      flush();
      pieces.push(parsed.piece);
    } else {
      literal += format.slice(i, parsed.end);
    }
    i = parsed.end;
  }
  flush();
  return (rec) => {
    let line = '';
    for (const piece of pieces) line += piece(rec);
    return line;
  };
}

function parseDirective(format: string, start: number): { piece?: Piece; end: number } {
  let i = start;
  let arg: string | undefined;
  if (format[i] === '{') {
    const close = format.indexOf('}', i);
    if (close < 0) return { end: format.length };
    arg = format.slice(i + 1, close);
    i = close + 1;
  }
  if (format[i] === '>' || format[i] === '<') i++;
  const letter = format[i];
  const end = i + 1;
  if (arg !== undefined) return { piece: letter === 'i' ? headerPiece(arg) : undefined, end };
  return { piece: SIMPLE[letter], end };
}

const SIMPLE: Record<string, Piece | undefined> = {
  '%': () => '%',
  h: (r) => sourceHost(r.source),
  a: (r) => r.source,
  l: () => '-',
  u: () => '-',
  t: (r) => `[${accessLogTime(new Date(r.time ?? Date.now()))}]`,
  r: (r) => escapeField(`${r.method} ${r.uri} SIP/2.0`),
  m: (r) => escapeField(r.method),
  U: (r) => escapeField(r.uri),
  s: (r) => String(r.status),
  b: (r) => (r.bytes ? String(r.bytes) : '-'),
  B: (r) => String(r.bytes ?? 0),
  D: (r) => String(Math.round(r.durationMs * 1000)),
  T: (r) => String(Math.floor(r.durationMs / 1000)),
};

const HEADERS: Record<string, keyof AccessRecord> = {
  'user-agent': 'userAgent',
  'call-id': 'callId',
  i: 'callId',
  from: 'from',
  f: 'from',
  to: 'to',
  t: 'to',
};

function headerPiece(name: string): Piece {
  const field = HEADERS[name.toLowerCase()];
  if (!field) return () => '-';
  return (r) => {
    const value = r[field];
    return value === undefined || value === '' ? '-' : escapeField(String(value));
  };
}

export function sourceHost(source: string): string {
  const rest = source.slice(source.indexOf(':') + 1);
  if (rest.startsWith('[')) return rest.slice(1, rest.indexOf(']'));
  const colon = rest.lastIndexOf(':');
  return colon < 0 ? rest : rest.slice(0, colon);
}

// Values come from the network: quote characters and controls are escaped so one record stays one line.
function escapeField(value: string): string {
  return value.replace(/["\\\x00-\x1f\x7f]/g, (ch) => {
    if (ch === '"' || ch === '\\') return `\\${ch}`;
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
