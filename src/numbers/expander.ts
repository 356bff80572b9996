/*
 * Number expansion as the proxy uses it (SPEC NEX-5..8): the user of a URI whose host is sipd's own, as a
 * telephone number without visual separators, expanded by the number plan. Nothing here touches a message: the
 * headers are forwarded as received (NEX-6) and the values returned are for authentication, accounting,
 * translation and routing only.
 *
 * Which users are expanded: those of URIs at sipd's own host that are telephone numbers (numeric-user.ts:
 * user=phone, a tel: URI, or all characters in NumericUsernameCharacterSet; never user=ip). Users at other hosts
 * and names are returned as written. NumericUsernameInterpretation orders the lookups but does not decide whether
 * a number is expanded: under IP a numeric user is still expanded, and then looked up as a URL only.
 *
 * Which plan: the seed has one global set of rules (004:993), so every <NumberPlan> block is part of it, in
 * whatever number of blocks. sipd adds one thing: a block whose ID is a virtual proxy host's domain
 * (<NumberPlan companya.com>) applies only to users at that domain and is tried before the global rules, so two
 * companies can both dial 8xxx to different DIDs (the CompanyA/CompanyB example of 004:1163, where the seed's
 * phones expand instead). Within one set the most specific rule wins (number-plan.ts).
 *
 * Cisco_Numexpand Off: no plan is applied, but numbers still lose their separators (REG-9, RTE-7).
 */
import type { NumberExpansion } from '../config/types';
import type { SipUri } from '../sip';
import { NumberPlan } from './number-plan';
import {
  Interpretation, NumericUserRule, NumericUsernameInterpretation, declaredUserType, interpretationOrder, splitUser,
  stripSeparators,
} from './numeric-user';

export interface NumberExpansionSettings {
  /** Cisco_Numexpand. */
  enabled: boolean;
  /** NumberPlans: <NumberPlan ID> -> its NumExp rules. */
  plans: Readonly<Record<string, readonly NumberExpansion[]>>;
  /** Virtual_Proxy_Domain of each virtual proxy host in use: a plan named after one of them applies only there. */
  domains: readonly string[];
  /** NumericUsernameInterpretation. */
  interpretation: NumericUsernameInterpretation;
  /** NumericUsernameCharacterSet. */
  characterSet: string;
  /** NumExpandAuthUserName. */
  expandAuthUserName: boolean;
  /** OrigUserNameSource. */
  origUserNameSource: 'From' | 'Auth';
}

export interface ExpandedUser {
  /**
   * The user to key on (authentication, accounting, registry AOR, call forward): for a telephone number at our
   * host, the number without separators, expanded, then its user parameters if any; otherwise the user as written
   * ("" for a URI without one).
   */
  readonly user: string;
  /** The telephone number alone (no separators, expanded, no user parameters), for number routes and ENUM. */
  readonly number?: string;
  /** How the proxy tries this Request-URI, in order (numeric-user.ts). */
  readonly interpretations: readonly Interpretation[];
}

export class NumberExpander {
  private readonly numeric: NumericUserRule;
  private readonly global: NumberPlan;
  private readonly domainPlans = new Map<string, NumberPlan>();

  /** Throws NumberPlanError when a plan has a bad rule. */
  constructor(private readonly s: NumberExpansionSettings) {
    this.numeric = new NumericUserRule(s.characterSet);
    const domains = new Set(s.domains.map((d) => d.toLowerCase()));
    const globalBlocks: Record<string, readonly NumberExpansion[]> = {};
    for (const [id, rules] of Object.entries(s.plans)) {
      const domain = id.toLowerCase();
      if (domains.has(domain)) this.domainPlans.set(domain, NumberPlan.compile({ [id]: rules }));
      else globalBlocks[id] = rules;
    }
    this.global = NumberPlan.compile(globalBlocks);
  }

  /**
   * The expanded user of `uri`. `local` says whether its host is sipd's own (LocalIdentity.isLocalUri); `domain`
   * picks a domain's own plan and defaults to the URI's host (pass the virtual proxy domain when the URI names
   * the virtual host by its server name or address).
   */
  expandUri(uri: SipUri, local: boolean, domain: string = uri.host): ExpandedUser {
    const user = uri.user ?? '';
    const declared = declaredUserType(uri);
    const { number, params } = splitUser(user);
    const numeric = declared === undefined && this.numeric.isNumeric(number);
    const interpretations = interpretationOrder(this.s.interpretation, numeric, declared, local);
    if (!local || !(numeric || declared === 'phone')) return { user, interpretations };
    const expanded = this.expandNumber(stripSeparators(number), domain);
    return { user: expanded + params, number: expanded, interpretations };
  }

  /**
   * The user of a URI at sipd's own host as a telephone number (expanded), when NumericUsernameInterpretation lets
   * it be read as one: what ENUM and number routes look up. Undefined for names and user=ip. `domain` as in
   * expandUri (the virtual proxy domain a server name or address stands for).
   */
  numberOf(uri: SipUri, domain?: string): string | undefined {
    const expanded = this.expandUri(uri, true, domain);
    return expanded.interpretations.includes('e164') ? expanded.number : undefined;
  }

  /**
   * The Authorization or Proxy-Authorization user name as the subscriber lookup wants it (NumExpandAuthUserName):
   * expanded like a user at our host when it is numeric, else unchanged. `domain` is the From domain, for its plan.
   * This is AuthSettings.expandUser.
   */
  expandAuthUser(username: string, domain?: string): string {
    if (!this.s.enabled || !this.s.expandAuthUserName) return username;
    const { number, params } = splitUser(username);
    if (!this.numeric.isNumeric(number)) return username;
    return this.expandNumber(stripSeparators(number), domain) + params;
  }

  /**
   * The originating user for accounting (OrigUserNameSource): the credential user name when the source is Auth
   * and the request carried one, else the From user; both expanded as above.
   */
  originatingUser(from: SipUri, fromLocal: boolean, authUser: string | undefined): string {
    if (this.s.origUserNameSource === 'Auth' && authUser !== undefined) return this.expandAuthUser(authUser, from.host);
    return this.expandUri(from, fromLocal).user;
  }

  private expandNumber(number: string, domain: string | undefined): string {
    if (!this.s.enabled) return number;
    const own = domain === undefined ? undefined : this.domainPlans.get(domain.toLowerCase());
    return own?.lookup(number) ?? this.global.expand(number);
  }
}
