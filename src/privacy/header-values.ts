// Small tools over the identity headers privacy rewrites (PAI, Remote-Party-ID, the Diversion family), which
// may carry several comma-separated name-addr values per line and must keep their place in the message.
import { NameAddr, SipMessage, formatParams, formatUri, splitList } from '../sip';

/** A name-addr written back: `"Display" <uri>;params` (the display name always quoted). */
export function formatNameAddr(na: NameAddr): string {
  const name = na.displayName === undefined ? '' : `"${na.displayName.replace(/["\\]/g, '\\$&')}" `;
  return `${name}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}

/** A parameter value without its quotes, lowercased: `privacy="Full"` reads as `full`. */
export function paramToken(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  return v.toLowerCase();
}

/** Every value of the headers with these keys, in message order, lists split at their commas. */
export function valuesOf(msg: SipMessage, keys: ReadonlySet<string>): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const h of msg.headers) if (keys.has(h.key)) for (const value of splitList(h.value)) out.push({ key: h.key, value });
  return out;
}

/**
 * Rewrites each value of the headers with these keys where it stands; `undefined` drops the value, and a
 * header line left without values goes. Untouched lines keep their original bytes. Returns how many values
 * changed or went. (Not for Via, CSeq, From or To, whose parsed views the message caches.)
 */
export function rewriteValues(msg: SipMessage, keys: ReadonlySet<string>, rewrite: (value: string, key: string) => string | undefined): number {
  let changed = 0;
  const headers = msg.headers.flatMap((h) => {
    if (!keys.has(h.key)) return [h];
    const before = splitList(h.value);
    const after: string[] = [];
    for (const v of before) {
      const w = rewrite(v, h.key);
      if (w !== v) changed++;
      if (w !== undefined) after.push(w);
    }
    if (after.length === before.length && after.every((v, i) => v === before[i])) return [h];
    return after.length === 0 ? [] : [{ name: h.name, key: h.key, value: after.join(', ') }];
  });
  if (changed > 0) msg.headers = headers;
  return changed;
}
