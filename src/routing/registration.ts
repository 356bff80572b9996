/*
 * A registration as the administrator makes it (SPEC REG-13, GUI-10): user, domain, contact, contact user type,
 * contact port, transport and expiry, turned into the registry's Binding and back. Such a binding is static
 * (made by the administrator, not by a REGISTER), whether or not it has an expiry.
 */
import { parseUri, SipParseError } from '../sip';
import { ProvisioningError } from '../subscribers/errors';
import { checkUser, normaliseDomain } from '../subscribers/syntax';
import { formatExpiryTime, parseExpiryTime, staticBinding } from '../registrar/static-registrations';
import type { Binding } from '../registrar/location';
import { checkNextHop, normaliseNumber, parseChoice } from './route';

export type ContactUserType = 'phone' | 'ip';
export type ContactTransport = 'udp' | 'tcp' | 'tls';
export const CONTACT_USER_TYPES: readonly ContactUserType[] = ['phone', 'ip'];
export const CONTACT_TRANSPORTS: readonly ContactTransport[] = ['udp', 'tcp', 'tls'];

export interface RegistrationFields {
  user: string;
  domain: string;
  /** `[user@]host`, or a whole sip:/sips: URI (then userType, port and transport stay undefined). */
  contact: string;
  /** phone (the default) adds `;user=phone` to a contact with a user part. */
  userType?: ContactUserType;
  port?: number;
  transport?: ContactTransport;
  /** Epoch ms; Infinity = never expires. */
  expires: number;
  q?: number;
}

const SIP_URI = /^sips?:/i;
const QVALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/;

/** The checked binding the fields describe; throws ProvisioningError. */
export function registrationBinding(f: RegistrationFields): Binding {
  return staticBinding(registrationAor(f.user, f.domain), contactUri(f), f.expires, f.q);
}

/**
 * The registry key user@domain. A user that is a phone number loses its visual separators (REG-9: "02109187."
 * is stored as 02109187); a trailing `*` is refused, as registrations have no wildcards (REG-8).
 */
export function registrationAor(user: string, domain: string): string {
  const d = normaliseDomain(domain);
  if (d === '') throw new ProvisioningError('the domain is empty');
  const number = normaliseNumber(user);
  if (number?.endsWith('*')) throw new ProvisioningError(`user "${user}": registrations take no wildcards; add a route for a pattern`);
  return `${number ?? checkUser(user.trim())}@${d}`;
}

/** `user@domain` as typed on the command line, as registrationAor keys it. */
export function parseAor(text: string): string {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) throw new ProvisioningError(`"${text}" is not user@domain`);
  return registrationAor(text.slice(0, at), text.slice(at + 1));
}

type ContactFields = Pick<RegistrationFields, 'contact' | 'userType' | 'port' | 'transport'>;

function contactUri(f: ContactFields): string {
  const text = f.contact.trim();
  if (text === '') throw new ProvisioningError('the contact is empty');
  if (SIP_URI.test(text)) {
    if (f.userType !== undefined || f.port !== undefined || f.transport !== undefined) {
      throw new ProvisioningError('a contact written as a sip: URI carries its own port, transport and user=phone; leave those fields empty');
    }
    return checkedUri(text);
  }
  const at = text.lastIndexOf('@');
  const user = at < 0 ? undefined : checkUser(text.slice(0, at), 'contact user');
  let host: string;
  try {
    host = checkNextHop(at < 0 ? text : text.slice(at + 1));
  } catch {
    throw new ProvisioningError(`invalid contact "${f.contact}": expected [user@]host or a sip: URI`);
  }
  let uri = `sip:${user === undefined ? '' : `${user}@`}${host}`;
  if (f.port !== undefined) uri += `:${f.port}`;
  if (f.transport !== undefined) uri += `;transport=${f.transport}`;
  if ((f.userType ?? 'phone') === 'phone' && user !== undefined) uri += ';user=phone';
  return checkedUri(uri);
}

function checkedUri(text: string): string {
  try {
    parseUri(text);
  } catch (err) {
    if (err instanceof SipParseError) throw new ProvisioningError(`invalid contact "${text}": ${err.message}`);
    throw err;
  }
  if (/[\s,<>"]/.test(text)) throw new ProvisioningError(`invalid contact "${text}": spaces, commas, quotes and <> are not allowed`);
  return text;
}

/**
 * The fields of a registration binding, for export: the contact split into host, port, transport and user type
 * when building it again from them gives the same URI, else the whole URI.
 */
export function registrationFields(b: Binding): RegistrationFields {
  const at = b.aor.lastIndexOf('@');
  const fields: RegistrationFields = { user: b.aor.slice(0, at), domain: b.aor.slice(at + 1), contact: b.contact, expires: b.expires };
  if (b.q !== undefined) fields.q = b.q;
  const split = splitContact(b.contact);
  return split === undefined ? fields : { ...fields, ...split };
}

function splitContact(contact: string): ContactFields | undefined {
  let uri;
  try {
    uri = parseUri(contact);
  } catch {
    return undefined;
  }
  const transport = CONTACT_TRANSPORTS.find((t) => t === uri.params.get('transport'));
  const split = {
    contact: uri.user === undefined ? uri.host : `${uri.user}@${uri.host}`,
    userType: uri.params.get('user') === 'phone' ? ('phone' as const) : ('ip' as const),
    port: uri.port,
    transport,
  };
  try {
    return contactUri(split) === contact ? split : undefined;
  } catch {
    return undefined;
  }
}

/** `never` (or empty) = never; a whole number = that many seconds from `now`; else an ISO 8601 time with a zone. */
export function parseRegistrationExpiry(text: string, now: number): number {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'never') return Infinity;
  if (/^[0-9]+$/.test(t)) {
    if (Number(t) === 0) throw new ProvisioningError('expires must be more than 0 seconds');
    return now + Number(t) * 1000;
  }
  try {
    return parseExpiryTime(t);
  } catch {
    throw new ProvisioningError(`bad expiry "${text}": expected never, seconds from now, or an ISO 8601 time with a zone (2026-12-31T23:00:00Z)`);
  }
}

export function formatRegistrationExpiry(ms: number): string {
  return ms === Infinity ? 'never' : formatExpiryTime(ms);
}

export function parseQValue(text: string): number {
  const t = text.trim();
  if (!QVALUE.test(t)) throw new ProvisioningError(`q must be from 0 to 1 with at most 3 decimals, got "${text}"`);
  return Number(t);
}

export function parseContactPort(text: string): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^[0-9]+$/.test(t) || n < 1 || n > 65535) throw new ProvisioningError(`port must be a whole number from 1 to 65535, got "${text}"`);
  return n;
}

export const parseUserType = (text: string, what: string): ContactUserType => parseChoice(text, what, CONTACT_USER_TYPES);
export const parseContactTransport = (text: string, what: string): ContactTransport => parseChoice(text, what, CONTACT_TRANSPORTS);

/** What identifies a registration: its AOR and contact key. */
export function registrationKey(b: Pick<Binding, 'aor' | 'contactKey'>): string {
  return `registration ${b.aor} ${b.contactKey}`;
}
