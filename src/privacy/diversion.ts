/*
 * The Diversion header family (RFC 5806; SPEC D-6, CF-6..CF-8, PRV-4): who diverted a call and why, newest on
 * top, written `Diversion: <sip:5002@sps.example>;reason=user-busy;counter=1;privacy=full`. sipd writes the name
 * DiversionHeaderName gives (Diversion, CC-Diversion or CC-Redirect) and reads all three.
 */
import { NameAddr, SipMessage, SipParseError, SipUri, headerKey, parseNameAddr, parseUri } from '../sip';
import { formatNameAddr, paramToken, valuesOf } from './header-values';

export const DIVERSION_HEADER_NAMES = ['Diversion', 'CC-Diversion', 'CC-Redirect'] as const;
export type DiversionHeaderName = (typeof DIVERSION_HEADER_NAMES)[number];

/** Lookup keys of the three names. */
export const DIVERSION_KEYS: ReadonlySet<string> = new Set(DIVERSION_HEADER_NAMES.map(headerKey));

/** The reasons RFC 5806 names; any other token is accepted too. */
export type DiversionReason =
  | 'unknown' | 'user-busy' | 'no-answer' | 'unavailable' | 'unconditional' | 'time-of-day' | 'do-not-disturb'
  | 'deflection' | 'follow-me' | 'out-of-service' | 'away';

/** RFC 5806 diversion-privacy: `full` hides the diverting party from untrusted hops (PRV-4, PRV-6). */
export type DiversionPrivacy = 'full' | 'name' | 'uri' | 'off';

/** One Diversion value: the diverting party and its parameters (reason, counter, privacy, ...) in written order. */
export type Diversion = NameAddr;

export interface DiversionOptions {
  reason: DiversionReason | (string & {});
  /** How many times this party diverted the call: 1 to 99 (RFC 5806 counter = 1*2DIGIT). Default 1. */
  counter?: number;
  privacy?: DiversionPrivacy;
}

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** Parses one Diversion value (a list element). Throws SipParseError when it is not a name-addr with sane parameters. */
export function parseDiversion(value: string): Diversion {
  const d = parseNameAddr(value);
  const counter = d.params.get('counter');
  if (counter !== undefined && (counter === null || !/^\d{1,2}$/.test(counter))) {
    throw new SipParseError(`Diversion counter must be 1 or 2 digits in "${value}"`);
  }
  return d;
}

export function formatDiversion(d: Diversion): string {
  return formatNameAddr(d);
}

/**
 * The value call forwarding adds for the Request-URI it diverts from, e.g.
 * `<sip:5002@sps.example>;reason=user-busy;counter=1;privacy=full`. Throws on a bad URI, reason or counter.
 */
export function makeDiversion(original: SipUri | string, opts: DiversionOptions): string {
  const uri = typeof original === 'string' ? parseUri(original) : original;
  const counter = opts.counter ?? 1;
  if (!Number.isInteger(counter) || counter < 1 || counter > 99) throw new RangeError(`Diversion counter must be 1..99, got ${counter}`);
  if (opts.reason.length === 0) throw new RangeError('Diversion reason must not be empty');
  const reason = TOKEN.test(opts.reason) ? opts.reason : `"${opts.reason.replace(/["\\]/g, '\\$&')}"`;
  const params = new Map<string, string | null>([['reason', reason], ['counter', String(counter)]]);
  if (opts.privacy !== undefined) params.set('privacy', opts.privacy);
  return formatDiversion({ uri, params });
}

/** Adds a Diversion as the newest (topmost of its name), as RFC 5806 orders them. */
export function addDiversion(msg: SipMessage, name: DiversionHeaderName, value: string): void {
  msg.prepend(name, value);
}

/**
 * The topmost Diversion of a message under any of the three names, with the name it was found under;
 * undefined when there is none. Throws SipParseError when that value is malformed.
 */
export function topDiversion(msg: SipMessage): { name: DiversionHeaderName; diversion: Diversion } | undefined {
  const top = valuesOf(msg, DIVERSION_KEYS)[0];
  if (top === undefined) return undefined;
  const name = DIVERSION_HEADER_NAMES.find((n) => headerKey(n) === top.key)!;
  return { name, diversion: parseDiversion(top.value) };
}

/** The reason parameter, unquoted and lowercased. */
export function diversionReason(d: Diversion): string | undefined {
  return paramToken(d.params.get('reason'));
}

export function diversionCounter(d: Diversion): number | undefined {
  const c = d.params.get('counter');
  return c === undefined || c === null ? undefined : Number(c);
}

/** privacy=full: the diverting party must not be shown to untrusted hops. */
export function isPrivateDiversion(d: Diversion): boolean {
  return paramToken(d.params.get('privacy')) === 'full';
}

// Spelled as the seed writes it (`Anonymous@Anonymous`); hosts compare case-insensitively, so the capital is harmless.
const ANONYMOUS: SipUri = { scheme: 'sip', user: 'Anonymous', host: 'Anonymous', params: new Map(), headers: new Map() };

/** The same Diversion with the diverting party replaced by `<sip:Anonymous@Anonymous>`; its parameters are kept. */
export function anonymiseDiversion(d: Diversion): Diversion {
  return { uri: ANONYMOUS, params: d.params };
}

/**
 * Recursion on a 3xx: the new request carries the redirect's Diversions. A redirecting party copies the
 * request's Diversions into its 3xx below the one it adds (RFC 5806), so they replace the request's own;
 * a 3xx without any leaves the request as it was.
 */
export function carryDiversions(redirect: SipMessage, req: SipMessage): void {
  const carried = redirect.headers.filter((h) => DIVERSION_KEYS.has(h.key));
  if (carried.length === 0) return;
  req.headers = [...req.headers.filter((h) => !DIVERSION_KEYS.has(h.key)), ...carried];
}
