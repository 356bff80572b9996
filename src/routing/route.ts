// A static route (SPEC RTE-1…RTE-9) and the syntax of its fields: destination patterns, next hops, tech
// prefixes. docs/routes.md is the user's description of the same rules.
import { isIPv6 } from 'node:net';
import { ProvisioningError } from '../subscribers/errors';
import { normaliseDomain } from '../subscribers/syntax';

export type PatternType = 'phone' | 'domain';
export type RouteTransport = 'udp' | 'tcp' | 'tls' | 'any';
export type TechPrefixAction = 'none' | 'strip' | 'include';

export const PATTERN_TYPES: readonly PatternType[] = ['phone', 'domain'];
export const ROUTE_TRANSPORTS: readonly RouteTransport[] = ['udp', 'tcp', 'tls', 'any'];
export const TECH_PREFIX_ACTIONS: readonly TechPrefixAction[] = ['none', 'strip', 'include'];

/** Priority and weight are 16-bit like an SRV record's (RFC 2782). */
export const MAX_PRIORITY = 65535;
export const MAX_WEIGHT = 65535;
const MAX_PATTERN_LENGTH = 64;

export interface Route {
  /** Canonical pattern: phone as written (`\*` kept), domain lowercased (`*.x` or `.x` or a host). */
  pattern: string;
  type: PatternType;
  /** Host name, IPv4 address or [IPv6] reference; '' only for a blocking route. */
  nextHop: string;
  /** 0 = not set: the proxy looks up SRV records of nextHop, else A/AAAA (RTE-4). */
  port: number;
  transport: RouteTransport;
  /** Lower is tried first. */
  priority: number;
  /** Share among routes of the same pattern and priority (RFC 2782); 0 = only when the others failed. */
  weight: number;
  techPrefixAction: TechPrefixAction;
  /** 1–3 digits and '#', e.g. "001#"; '' when the action is none. */
  techPrefix: string;
  /** Lets the search go on to less specific patterns when this pattern's routes all failed (RTE-13). */
  allowLessSpecific: boolean;
  /** The pattern is barred: callers get 403 (see RouteMatch.blocked). */
  block: boolean;
  inService: boolean;
  label: string;
}

/** The fields that identify a route: one pattern may have several next hops, and one host several ports. */
export type RouteIdentity = Pick<Route, 'type' | 'pattern' | 'nextHop' | 'port'>;

/** A route's identity as text, e.g. "phone route 5552* via 127.0.0.1:4001"; port 0 leaves the port out. */
export function routeKey(r: RouteIdentity): string {
  return `${r.type} route ${r.pattern}${r.nextHop === '' ? '' : ` via ${hostPort(r.nextHop, r.port)}`}`;
}

/** host:port, or the host alone for port 0 (an IPv6 next hop is stored with its brackets). */
function hostPort(host: string, port: number): string {
  return port === 0 ? host : `${host}:${port}`;
}

/** Defaults for what a CSV row or `regroute add` leaves out. */
export const ROUTE_DEFAULTS = {
  port: 0,
  transport: 'any',
  priority: 0,
  weight: 1,
  techPrefixAction: 'none',
  techPrefix: '',
  allowLessSpecific: true,
  block: false,
  inService: true,
  label: '',
} as const satisfies Partial<Route>;

// ---- phone patterns

/** One position of a phone pattern: a character to match as is, any one digit, or any rest of the number. */
export type PatternStep = { kind: 'literal'; char: string } | { kind: 'digit' } | { kind: 'rest' };

const NUMBER_CHARS = /^[0-9*#+]*$/;

/**
 * Splits a phone pattern into steps: digits, `#` and `+` match themselves, `.` any one digit, a trailing `*`
 * any rest of the number (also none), `\*` a literal star, and a `*` that is not last is a literal star too
 * (so `*69` means what it says).
 */
export function parsePhonePattern(pattern: string): PatternStep[] {
  if (pattern === '') throw new ProvisioningError('the destination pattern is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) throw new ProvisioningError(`destination pattern "${pattern.slice(0, 20)}…" is longer than ${MAX_PATTERN_LENGTH} characters`);
  const steps: PatternStep[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (pattern[i + 1] !== '*') throw new ProvisioningError(`invalid destination pattern "${pattern}": a backslash may only escape a star (\\*)`);
      steps.push({ kind: 'literal', char: '*' });
      i++;
    } else if (c === '.') {
      steps.push({ kind: 'digit' });
    } else if (c === '*') {
      steps.push(i === pattern.length - 1 ? { kind: 'rest' } : { kind: 'literal', char: '*' });
    } else if (/[0-9#+]/.test(c)) {
      steps.push({ kind: 'literal', char: c });
    } else {
      const hint = c === '[' ? ' (ranges are not supported: add one route per value, or use . for any digit)' : '';
      throw new ProvisioningError(
        `invalid destination pattern "${pattern}": "${c}" is not allowed; use digits, # + . * and \\*${hint}`,
      );
    }
  }
  return steps;
}

/**
 * A dialled number as the route lookup sees it: visual separators `( ) - .` and spaces removed (RTE-7);
 * undefined when something other than digits, `*`, `#` and `+` is left (not a phone number).
 */
export function normaliseNumber(user: string): string | undefined {
  const n = user.replace(/[()\-. ]/g, '');
  return n !== '' && NUMBER_CHARS.test(n) ? n : undefined;
}

// ---- domain patterns

export type DomainPattern = { kind: 'exact'; host: string } | { kind: 'suffix'; suffix: string; includesSelf: boolean } | { kind: 'any' };

/**
 * Domain patterns: `example.com` exactly that host; `*.example.com` any host below example.com;
 * `.example.com` example.com and any host below it; `*` any host name. The seed's reversed form
 * `.com.example.*` is read as `.example.com`. Returns the canonical text and its meaning.
 */
export function parseDomainPattern(pattern: string): { text: string; parsed: DomainPattern } {
  let p = pattern.trim().toLowerCase();
  if (p === '*') return { text: '*', parsed: { kind: 'any' } };
  if (p.startsWith('.') && p.endsWith('.*')) p = `.${p.slice(1, -2).split('.').reverse().join('.')}`;
  let kind: 'exact' | 'strict' | 'self' = 'exact';
  let host = p;
  if (p.startsWith('*.')) {
    kind = 'strict';
    host = p.slice(2);
  } else if (p.startsWith('.')) {
    kind = 'self';
    host = p.slice(1);
  }
  // A fully qualified name's root dot.
  if (host.length > 1) host = host.replace(/\.$/, '');
  if (host === '' || host.startsWith('[') || !isHostName(host)) {
    throw new ProvisioningError(
      `invalid domain pattern "${pattern}": expected a host name, *.domain, .domain or * (IP addresses are not routed by domain)`,
    );
  }
  if (kind === 'exact') return { text: host, parsed: { kind: 'exact', host } };
  return { text: kind === 'strict' ? `*.${host}` : `.${host}`, parsed: { kind: 'suffix', suffix: host, includesSelf: kind === 'self' } };
}

function isHostName(host: string): boolean {
  try {
    normaliseDomain(host);
  } catch {
    return false;
  }
  // An IPv4 address passes the host-name syntax; domain routes never match IP hosts (RTE-11).
  return !/^[0-9.]+$/.test(host);
}

/** The Request-URI host as domain routing compares it; undefined for IP addresses (RTE-11). */
export function normaliseHost(host: string): string | undefined {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  if (h === '' || h.startsWith('[') || isIPv6(h) || /^[0-9.]+$/.test(h)) return undefined;
  return h;
}

// ---- the other fields

/** Host name, IPv4 or IPv6 (brackets added when missing), lowercased. */
export function checkNextHop(text: string): string {
  const t = text.trim();
  const host = isIPv6(t) ? `[${t}]` : t;
  try {
    const h = normaliseDomain(host);
    if (h === '') throw new ProvisioningError('the next hop is empty');
    return h;
  } catch (err) {
    if (!(err instanceof ProvisioningError) || t === '') throw err;
    throw new ProvisioningError(`invalid next hop "${text}": expected a host name or an IP address`);
  }
}

export function checkTechPrefix(text: string): string {
  if (!/^[0-9]{1,3}#$/.test(text)) throw new ProvisioningError(`invalid tech prefix "${text}": expected 1 to 3 digits and #, e.g. 001#`);
  return text;
}

export function parseBounded(text: string, what: string, max: number): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^[0-9]+$/.test(t) || n > max) throw new ProvisioningError(`${what} must be a whole number from 0 to ${max}, got "${text}"`);
  return n;
}

export function parseChoice<T extends string>(text: string, what: string, choices: readonly T[]): T {
  const t = text.trim().toLowerCase();
  const found = choices.find((c) => c === t);
  if (found === undefined) throw new ProvisioningError(`${what} must be one of ${choices.join(', ')}, got "${text}"`);
  return found;
}

/** Without an explicit type, a pattern with a letter in it is a domain pattern. */
export function guessPatternType(pattern: string): PatternType {
  return /[a-z]/i.test(pattern) ? 'domain' : 'phone';
}

/** The pattern as stored: a phone pattern as written (once it parses), a domain pattern in canonical form. */
export function canonicalPattern(type: PatternType, pattern: string): string {
  if (type === 'domain') return parseDomainPattern(pattern).text;
  parsePhonePattern(pattern);
  return pattern;
}

/**
 * Checks a route as a whole and returns it in canonical form: the pattern parsed for its type, the next hop
 * required unless the route blocks, the tech prefix present exactly when there is an action.
 */
export function checkRoute(r: Route): Route {
  const pattern = canonicalPattern(r.type, r.pattern);
  const nextHop = r.nextHop.trim() === '' ? '' : checkNextHop(r.nextHop);
  if (nextHop === '' && !r.block) throw new ProvisioningError(`route ${pattern} needs a next hop (only a blocking route may leave it out)`);
  // The port is part of the route's identity; without a host it would tell apart routes that mean the same.
  if (nextHop === '' && r.port !== 0) throw new ProvisioningError(`route ${pattern}: a port needs a next hop`);
  if (r.techPrefixAction === 'none' && r.techPrefix !== '') {
    throw new ProvisioningError(`route ${pattern}: a tech prefix needs the action strip or include`);
  }
  if (r.techPrefixAction !== 'none') {
    if (r.techPrefix === '') throw new ProvisioningError(`route ${pattern}: tech-prefix action ${r.techPrefixAction} needs a tech prefix`);
    checkTechPrefix(r.techPrefix);
  }
  if (r.type === 'domain' && r.techPrefixAction !== 'none') throw new ProvisioningError(`route ${pattern}: tech prefixes apply to phone routes only`);
  if (/[\r\n]/.test(r.label)) throw new ProvisioningError(`route ${pattern}: the label must be one line`);
  return { ...r, pattern, nextHop };
}

/**
 * The Request-URI user to send to the route's next hop: `include` puts the tech prefix in front (unless the
 * number already starts with it), `strip` takes it off the front when there, `none` leaves the user alone.
 */
export function userForNextHop(route: Route, user: string): string {
  switch (route.techPrefixAction) {
    case 'include':
      return user.startsWith(route.techPrefix) ? user : route.techPrefix + user;
    case 'strip':
      return user.startsWith(route.techPrefix) ? user.slice(route.techPrefix.length) : user;
    case 'none':
      return user;
  }
}
