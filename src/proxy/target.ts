import type { DiversionHeaderName } from '../privacy';

/** One Diversion header: its name (DiversionHeaderName) and value. */
export interface Diversion {
  header: DiversionHeaderName;
  value: string;
}
import type { SipMessage } from '../sip';
import type { Destination } from '../transaction';

/** One place a request is forwarded to (RFC 3261 §16.5). */
export interface Target {
  /** The new Request-URI. */
  uri: string;
  q?: number;
  /** Send here instead of resolving the URI: where a registered UA is reachable (its REGISTER's source). */
  via?: Destination;
  /** Route set to prepend (the binding's Path). */
  route?: string[];
  /** Call forwarding chose this target; a nonrecursive proxy answers 302 with it instead of forwarding. */
  forwarded?: boolean;
  /** The Diversions (RFC 5806) that go on top of the request's, oldest first: one per forwarding on the way. */
  diversions?: readonly Diversion[];
  /** The 3xx this target came from: its Diversions go with the request (RFC 5806). */
  redirectedBy?: SipMessage;
}

/** Targets in forking order: highest q first; equal q values form one parallel group. */
export function groupByQ(targets: Target[]): Target[][] {
  const sorted = [...targets].sort((a, b) => (b.q ?? 1) - (a.q ?? 1));
  const groups: Target[][] = [];
  for (const t of sorted) {
    const last = groups[groups.length - 1];
    if (last && (last[0].q ?? 1) === (t.q ?? 1)) last.push(t);
    else groups.push([t]);
  }
  return groups;
}
