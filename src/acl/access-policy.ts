/*
 * Access control in the request policy chain: the "from" list decides who may send requests and marks
 * upstream trust (ctx.trustedSource); Satisfy combines it with authentication (seed 004 Appendix B, ACL-4,
 * AUTH-9).
 *
 * How Satisfy reads with authentication on and off:
 *   Satisfy All: the host must be allowed AND authenticated. With authentication off the authentication
 *     check "is considered successful" (ACL-4), so the ACL alone decides.
 *   Satisfy Any: allowed OR authenticated. With authentication on, a host that is not let in by the ACL goes
 *     on to be challenged by the authentication processor, and a trusted host (one that matched an Allow,
 *     AUTH-9) is not challenged. A host admitted only by the default of Order Deny,Allow matched no Allow,
 *     so it is challenged too: otherwise a lone "Deny from" line would waive authentication for everyone else. With authentication off we do NOT apply "counts as passed" literally:
 *     "denied OR passed" would let every host in, so any Deny would silently stop working the moment
 *     authentication is switched off. The seed defines Satisfy as the policy "if both deny/allow and
 *     authentication are used", and the Apache directives it copies refuse a denied host when no
 *     authentication is configured; so without authentication the ACL alone decides, as under Satisfy All.
 *
 * Under Satisfy All a trusted host is still authenticated: trust then only means upstream trust for
 * privacy. The authentication processor asks authenticationWaived() rather than reading trustedSource.
 */
import type { PolicyRequest, PolicyVerdict, RequestPolicy } from '../policy/types';
import type { AccessDecision, AccessLists } from './access-list';

export type Satisfy = 'All' | 'Any';

export interface AccessPolicySettings {
  lists: AccessLists;
  satisfy: Satisfy;
  /** The Authentication directive: an authentication processor runs later in the chain. */
  authEnabled: boolean;
}

const FORBIDDEN: PolicyVerdict = { status: 403, reason: 'Forbidden (access denied)' };

/** With no "from" rules there is no access control: everyone is allowed and nobody is trusted. */
export function createAccessPolicy(settings: AccessPolicySettings): RequestPolicy {
  const list = settings.lists.from;
  if (list.isEmpty) return () => undefined;
  const challengeInstead = settings.satisfy === 'Any' && settings.authEnabled;
  const apply = (ctx: PolicyRequest, d: AccessDecision): PolicyVerdict => {
    ctx.trustedSource = d.trusted;
    if (d.allowed || challengeInstead) return undefined;
    // Nothing answers an ACK; a denied source's ACK is ignored.
    return ctx.req.method === 'ACK' ? 'drop' : FORBIDDEN;
  };
  return (ctx) => {
    const d = list.check(ctx.source.host);
    return d instanceof Promise ? d.then((x) => apply(ctx, x)) : apply(ctx, d);
  };
}

/**
 * For the authentication processor: true when access control already satisfies the request, so it must
 * not be challenged (Satisfy Any and the source matched an Allow, AUTH-9).
 */
export function authenticationWaived(satisfy: Satisfy, ctx: PolicyRequest): boolean {
  return satisfy === 'Any' && ctx.trustedSource === true;
}
