// Reading the directives whose value is more than one plain word.
import { isIP } from 'node:net';
import { DEBUG_FLAGS } from './directives';
import type { AccessRule, Gatekeeper, ListenAddress, NumberExpansion, RpmsServer, TechPrefixRule } from './types';
import { type Parsed, parsePort, parseScalar } from './values';

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

export function parseListen(raw: string): Parsed<ListenAddress> {
  const bad = (why: string) => fail(`Listen ${why}: expected a port or IP:port ([IPv6]:port), got "${raw}"`);
  if (/^\d+$/.test(raw)) {
    const port = parsePort(raw);
    return port === undefined ? bad('has a port out of range') : ok({ port });
  }
  if (isIP(raw) || isIP(raw.replace(/^\[(.*)\]$/, '$1'))) return bad('needs a port, not an address alone');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(raw) ?? /^([^:[\]]+):(\d+)$/.exec(raw);
  if (!m) return bad('is malformed');
  if (!isIP(m[1])) return bad('needs an IP address, not a name');
  const port = parsePort(m[2]);
  return port === undefined ? bad('has a port out of range') : ok({ host: m[1], port });
}

/** Splits list values given as several words, quoted groups or comma-separated items. */
export function splitWords(args: string[]): string[] {
  return args.flatMap((a) => a.split(/[\s,]+/)).filter((w) => w !== '');
}

export function parseDebugFlag(args: string[]): Parsed<{ flag: string; on: boolean }> {
  if (args.length !== 2) return fail(`DebugFlag needs a flag name and On or Off, got ${args.length} values`);
  const flag = DEBUG_FLAGS.find((f) => f.toLowerCase() === args[0].toLowerCase());
  if (!flag) return fail(`DebugFlag name must be one of ${DEBUG_FLAGS.join(', ')}, got "${args[0]}"`);
  const on = parseScalar(`DebugFlag ${flag}`, { kind: 'flag' }, args[1]);
  return on.ok ? ok({ flag, on: on.value === true }) : on;
}

export function parseAccess(action: 'allow' | 'deny', args: string[]): Parsed<AccessRule[]> {
  const name = action === 'allow' ? 'Allow' : 'Deny';
  const direction = args[0]?.toLowerCase();
  if (direction !== 'from' && direction !== 'to') {
    return fail(`${name} must be followed by "from" or "to", got "${args.join(' ')}"`);
  }
  if (args.length < 2) return fail(`${name} ${direction} needs at least one host`);
  const rules: AccessRule[] = [];
  for (const spec of args.slice(1)) {
    const problem = hostSpecProblem(spec);
    if (problem) return fail(`${name} ${direction}: ${problem}, got "${spec}"`);
    rules.push({ action, direction, spec: spec.toLowerCase() === 'all' ? 'all' : spec });
  }
  return ok(rules);
}

/** What src/acl/host-spec.ts compiles: all, an address, a partial IPv4 address, a network, or a domain name. */
function hostSpecProblem(spec: string): string | undefined {
  const slash = spec.indexOf('/');
  if (slash < 0) {
    if (spec.toLowerCase() === 'all' || isIP(spec) !== 0) return undefined;
    if (/^\d+(\.\d+){0,3}\.?$/.test(spec)) return spec.split('.').some((o) => Number(o) > 255) ? 'an address byte is above 255' : undefined;
    if (spec.includes(':')) return 'not an IPv6 address (give an IPv6 network as address/prefix)';
    return /^\.?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(spec) ? undefined : 'not a host name, an IP address or a network';
  }
  const net = spec.slice(0, slash);
  const mask = spec.slice(slash + 1);
  const family = isIP(net);
  if (family === 0) return 'a network must start with an IP address';
  if (/^\d+$/.test(mask)) return Number(mask) <= (family === 4 ? 32 : 128) ? undefined : 'the prefix length is too long';
  return isIP(mask) === family ? undefined : 'the netmask must be an address of the same family';
}

const DIAL_PATTERN = /^[+*#0-9.]+$/;

export function parseNumExp(args: string[]): Parsed<NumberExpansion> {
  if (args.length !== 2) return fail(`NumExp needs a pattern and its expansion, got ${args.length} values`);
  const bad = args.find((a) => !DIAL_PATTERN.test(a));
  if (bad !== undefined) return fail(`NumExp patterns may hold only digits, ".", "*", "#" and "+", got "${bad}"`);
  return ok({ pattern: args[0], replacement: args[1] });
}

export function parseGatekeeper(args: string[]): Parsed<Gatekeeper> {
  const port = args.length === 2 ? parsePort(args[1]) : undefined;
  if (port === undefined) return fail(`RASGateKeeper needs a host and a port from 1 to 65535, got "${args.join(' ')}"`);
  return ok({ host: args[0], port });
}

export function parseTechPrefix(args: string[]): Parsed<TechPrefixRule> {
  const action = args[2]?.toUpperCase();
  if (args.length !== 3 || !DIAL_PATTERN.test(args[0]) || !/^\d{1,3}#$/.test(args[1]) ||
      (action !== 'INCLUDE' && action !== 'STRIP')) {
    return fail(`RASTechPrefix needs a pattern, a prefix of 1-3 digits and "#", and INCLUDE or STRIP, got "${args.join(' ')}"`);
  }
  return ok({ pattern: args[0], prefix: args[1], action });
}

export function parseRpmsServer(args: string[]): Parsed<RpmsServer> {
  const port = args.length === 3 ? parsePort(args[1]) : undefined;
  if (port === undefined) return fail(`RPMS_ServerIpPortSecret needs a host, a port and a secret, got "${args.join(' ')}"`);
  return ok({ host: args[0], port, secret: args[2] });
}
