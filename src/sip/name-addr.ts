// name-addr / addr-spec values of From, To, Contact, Route, Record-Route (RFC 3261 §20.10, §25.1).
import { SipParseError } from './errors';
import { Params, parseParams } from './params';
import { SipUri, parseUri } from './uri';

export interface NameAddr {
  displayName?: string;
  uri: SipUri;
  /** Header parameters (tag, expires, q, lr on Route is a URI param...). */
  params: Params;
}

export function parseNameAddr(value: string): NameAddr {
  const s = value.trim();
  let displayName: string | undefined;
  let uriText: string;
  let rest: string;
  const lt = indexOfUnquoted(s, '<');
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    if (gt < 0) throw new SipParseError(`missing ">" in "${value}"`);
    const dn = s.slice(0, lt).trim();
    if (dn.length > 0) displayName = dn.charCodeAt(0) === 34 ? unquote(dn) : unquotedName(dn, value);
    uriText = s.slice(lt + 1, gt);
    rest = s.slice(gt + 1).trim();
  } else {
    // addr-spec: URI parameters are header parameters here (§20.10).
    const semi = s.indexOf(';');
    uriText = semi >= 0 ? s.slice(0, semi) : s;
    rest = semi >= 0 ? s.slice(semi) : '';
  }
  let params: Params = new Map();
  if (rest.length > 0) {
    if (rest.charCodeAt(0) !== 59) throw new SipParseError(`unexpected text after URI in "${value}"`);
    params = parseParams(rest.slice(1));
  }
  return { displayName, uri: parseUri(uriText), params };
}

function unquotedName(s: string, value: string): string {
  if (/[()<>@,;:\\"/[\]?={}]/.test(s)) throw new SipParseError(`display name needs quotes in "${value}"`);
  return s;
}

function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(s.length - 1) !== 34) throw new SipParseError(`unterminated quoted display name ${s}`);
  return s.slice(1, -1).replace(/\\(.)/g, '$1');
}

function indexOfUnquoted(s: string, ch: string): number {
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && inQuote) i++;
    else if (c === '"') inQuote = !inQuote;
    else if (c === ch && !inQuote) return i;
  }
  return -1;
}
