/*
 * Allow/Deny lists evaluated with the Order semantics of seed 004 Appendix B (every rule is evaluated; the
 * order of the lines in the file does not matter):
 *   Order Deny,Allow  allowed when the host matches an Allow or matches no Deny (default allow);
 *   Order Allow,Deny  denied unless the host matches an Allow and no Deny (default deny).
 * The "from" list is access control and upstream trust; the "to" list is downstream trust for privacy.
 * Both share Order (ACL-5).
 *
 * Trust is narrower than access: a host is trusted when it matched an Allow and is allowed. A host that is
 * let in only because Deny,Allow admits by default is not trusted: trust skips authentication under
 * Satisfy Any (AUTH-9: "covered by a corresponding Allow directive") and receives callers' true identities,
 * so it takes an explicit Allow.
 */
import { NumericAddress } from './address';
import { HostSet, normalizeHostName } from './host-spec';
import { ReverseNames } from './reverse-names';

export type AccessOrder = 'Deny,Allow' | 'Allow,Deny';

/** One Allow/Deny host as the configuration gives it (SipdConfig.AccessRules). */
export interface AccessRuleSpec { action: 'allow' | 'deny'; direction: 'from' | 'to'; spec: string }

export interface AccessDecision {
  readonly allowed: boolean;
  /** Matched an Allow and is allowed. */
  readonly trusted: boolean;
}

const TRUSTED: AccessDecision = Object.freeze({ allowed: true, trusted: true });
const ALLOWED: AccessDecision = Object.freeze({ allowed: true, trusted: false });
const DENIED: AccessDecision = Object.freeze({ allowed: false, trusted: false });

function decide(order: AccessOrder, matchedAllow: boolean, matchedDeny: boolean): AccessDecision {
  if (order === 'Deny,Allow') return matchedAllow ? TRUSTED : matchedDeny ? DENIED : ALLOWED;
  return matchedAllow && !matchedDeny ? TRUSTED : DENIED;
}

export class AccessList {
  /** Reused for every synchronous check: nothing is allocated to test an address. */
  private readonly scratch = new NumericAddress();

  constructor(
    readonly order: AccessOrder,
    private readonly allow: HostSet,
    private readonly deny: HostSet,
    private readonly names: ReverseNames,
  ) {}

  get isEmpty(): boolean {
    return this.allow.isEmpty && this.deny.isEmpty;
  }

  /** Whether DNS may be asked: only when a rule names a domain. */
  get usesNames(): boolean {
    return this.allow.domains.length > 0 || this.deny.domains.length > 0;
  }

  /**
   * The decision for an IP address (or, for next hops given by name, a host name). Synchronous unless a
   * domain rule could change the outcome and the address's names are not cached yet.
   */
  check(host: string): AccessDecision | Promise<AccessDecision> {
    const a = this.scratch;
    if (!a.parse(host)) return this.decideByNames(false, false, [normalizeHostName(host)]);
    const ipAllow = this.allow.matchesAddress(a);
    const ipDeny = this.deny.matchesAddress(a);
    if (!this.usesNames) return decide(this.order, ipAllow, ipDeny);
    // The decision only gets better with more Allow matches and worse with more Deny matches, so when the
    // best and the worst outcome the domain rules could lead to agree, DNS cannot change it.
    const worst = decide(this.order, ipAllow, ipDeny || this.deny.domains.length > 0);
    const best = decide(this.order, ipAllow || this.allow.domains.length > 0, ipDeny);
    if (worst === best) return worst;
    const names = this.names.names(a.lookupForm(host));
    if (Array.isArray(names)) return this.decideByNames(ipAllow, ipDeny, names);
    return (names as Promise<readonly string[]>).then((n) => this.decideByNames(ipAllow, ipDeny, n));
  }

  /**
   * Trusted, answered without waiting: a host whose trust hangs on a reverse lookup not yet cached counts as
   * untrusted this time (the lookup is started, so a later call knows). For synchronous callers such as the
   * flood guard's exemption of trusted gateways.
   */
  trustedWithoutWaiting(host: string): boolean {
    const d = this.check(host);
    if (d instanceof Promise) return false;
    return d.trusted;
  }

  private decideByNames(ipAllow: boolean, ipDeny: boolean, names: readonly string[]): AccessDecision {
    return decide(this.order, ipAllow || this.allow.matchesNames(names), ipDeny || this.deny.matchesNames(names));
  }
}

/** The upstream ("from") and downstream ("to") lists of one configuration. */
export class AccessLists {
  constructor(readonly from: AccessList, readonly to: AccessList) {}

  /** Throws HostSpecError for a host spec that is not an address, network or name. */
  static compile(order: AccessOrder, rules: readonly AccessRuleSpec[], names: ReverseNames = new ReverseNames()): AccessLists {
    const list = (direction: 'from' | 'to'): AccessList => {
      const specs = (action: 'allow' | 'deny'): string[] =>
        rules.filter((r) => r.direction === direction && r.action === action).map((r) => r.spec);
      return new AccessList(order, HostSet.compile(specs('allow')), HostSet.compile(specs('deny')), names);
    };
    return new AccessLists(list('from'), list('to'));
  }

  /** Downstream trust for privacy: may this next hop receive callers' true identities? None without rules. */
  isTrustedNextHop(host: string): boolean | Promise<boolean> {
    if (this.to.isEmpty) return false;
    const d = this.to.check(host);
    return d instanceof Promise ? d.then((x) => x.trusted) : d.trusted;
  }
}
