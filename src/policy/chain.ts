// Runs the request policies in order. Policies that answer at once keep the request on the synchronous path;
// the first one that must wait (a database or DNS lookup) makes the rest of the chain asynchronous.
import type { PolicyRequest, PolicyVerdict, RequestPolicy } from './types';

export function runPolicies(chain: readonly RequestPolicy[], ctx: PolicyRequest, from = 0): PolicyVerdict | Promise<PolicyVerdict> {
  for (let i = from; i < chain.length; i++) {
    const verdict = chain[i](ctx);
    if (verdict instanceof Promise) return verdict.then((v) => (v === undefined ? runPolicies(chain, ctx, i + 1) : v));
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}
