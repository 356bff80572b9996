// `;name=value` parameter lists shared by URIs, name-addr and Via.
import { SipParseError } from './errors';

export type Params = Map<string, string | null>;

/** Splits `a=1;b;c="x;y"` (no leading ';') into a map with lowercased names. */
export function parseParams(s: string, into: Params = new Map()): Params {
  let i = 0;
  const n = s.length;
  while (i < n) {
    let end = i;
    let inQuote = false;
    while (end < n) {
      const c = s.charCodeAt(end);
      if (c === 34 /* " */) inQuote = !inQuote;
      else if (c === 59 /* ; */ && !inQuote) break;
      end++;
    }
    if (inQuote) throw new SipParseError('unterminated quoted parameter value');
    const part = s.slice(i, end).trim();
    if (part.length > 0) {
      const eq = part.indexOf('=');
      if (eq < 0) into.set(part.toLowerCase(), null);
      else {
        const name = part.slice(0, eq).trim().toLowerCase();
        if (name.length === 0) throw new SipParseError(`empty parameter name in "${part}"`);
        into.set(name, part.slice(eq + 1).trim());
      }
    }
    i = end + 1;
  }
  return into;
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}
