// Syntax of the provisioned values: user parts, domains, forwarding URIs, HA1 hashes and on/off switches.
import { isIPv6 } from 'node:net';
import { parseUri, SipParseError } from '../sip';
import { ProvisioningError } from './errors';

const MAX_USER_LENGTH = 128;
// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ), stored unescaped, so no "%".
const USER_CHARS = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]+$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** Throws unless `user` is a SIP user part; `what` names the field in the message. */
export function checkUser(user: string, what = 'user'): string {
  if (user === '') throw new ProvisioningError(`${what} is empty`);
  if (user.length > MAX_USER_LENGTH) throw new ProvisioningError(`${what} "${user.slice(0, 20)}…" is longer than ${MAX_USER_LENGTH} characters`);
  if (!USER_CHARS.test(user)) {
    throw new ProvisioningError(`invalid ${what} "${user}": only letters, digits and -_.!~*'()&=+$,;?/ are allowed`);
  }
  return user;
}

/** Lowercases a domain (host name, IPv4 address or [IPv6] reference); '' stays '' (any domain). */
export function normaliseDomain(domain: string): string {
  const d = domain.trim().toLowerCase();
  if (d === '') return '';
  const ok = d.startsWith('[') ? d.endsWith(']') && isIPv6(d.slice(1, -1)) : d.length <= 253 && HOSTNAME.test(d);
  if (!ok) throw new ProvisioningError(`invalid domain "${domain}"`);
  return d;
}

/** `user` or `user@domain` as typed on the command line. */
export function parseSubscriberKey(text: string): { user: string; domain: string } {
  const at = text.indexOf('@');
  if (at < 0) return { user: checkUser(text), domain: '' };
  const domain = normaliseDomain(text.slice(at + 1));
  if (domain === '') throw new ProvisioningError(`no domain after @ in "${text}"; leave out the @ for any domain`);
  return { user: checkUser(text.slice(0, at)), domain };
}

export function formatSubscriberKey(user: string, domain: string): string {
  return domain === '' ? user : `${user}@${domain}`;
}

/** A forwarding target must parse as a sip:, sips: or tel: URI; returned trimmed. */
export function checkForwardUri(uri: string, what: string): string {
  const text = uri.trim();
  try {
    parseUri(text);
  } catch (err) {
    if (err instanceof SipParseError) throw new ProvisioningError(`invalid ${what} URI "${uri}": ${err.message}`);
    throw err;
  }
  if (/[\s,<>"]/.test(text)) throw new ProvisioningError(`invalid ${what} URI "${uri}": spaces, commas, quotes and <> are not allowed`);
  return text;
}

/** A hex HA1 of the given length (32 for MD5, 64 for SHA-256), lowercased. */
export function checkHa1(hash: string, algorithm: 'MD5' | 'SHA-256'): string {
  const length = algorithm === 'MD5' ? 32 : 64;
  const h = hash.trim().toLowerCase();
  if (h.length !== length || !/^[0-9a-f]+$/.test(h)) {
    throw new ProvisioningError(`invalid ${algorithm} HA1: expected ${length} hexadecimal digits`);
  }
  return h;
}

const ON = new Set(['on', 'yes', 'true', '1']);
const OFF = new Set(['off', 'no', 'false', '0']);

export function parseSwitch(text: string, what: string): boolean {
  const t = text.trim().toLowerCase();
  if (ON.has(t)) return true;
  if (OFF.has(t)) return false;
  throw new ProvisioningError(`${what} must be on or off, got "${text}"`);
}
