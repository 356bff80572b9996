// Branch values that let sipd tell a loop from a spiral (RFC 3261 §16.3 step 4, §16.6 step 8).
import { MAGIC_COOKIE, SipMessage, randomToken } from '../sip';
import type { LocalIdentity } from './local-identity';

const BRANCH_PREFIX = `${MAGIC_COOKIE}-sd`;

/** Hash of what makes a request "the same visit": a spiral changes the Request-URI, a loop does not. */
export function loopHash(req: SipMessage, ignoreToTag = false): string {
  const fields = [req.uri, req.callId, String(req.cseq.seq), req.fromTag ?? '', ignoreToTag ? '' : req.toTag ?? '', ...req.getAll('proxy-require')];
  return hash64(fields.join('\0'));
}

/** Two 32-bit FNV-1a passes with different seeds: cheap, and collisions only matter within one Call-ID. */
function hash64(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}

/** A new branch for a stateful forward: the loop hash plus a unique part. */
export function statefulBranch(hash: string): string {
  return `${BRANCH_PREFIX}${hash}.${randomToken()}`;
}

/**
 * A stateless forward must produce the same branch for a retransmission: derive it from the incoming branch.
 * (A stateless proxy forwards to one target only, so the branch needs nothing of the target.)
 */
export function statelessBranch(hash: string, req: SipMessage): string {
  const incoming = req.topVia.params.get('branch') ?? '';
  const method = req.method === 'ACK' || req.method === 'CANCEL' ? 'INVITE' : req.method;
  return `${BRANCH_PREFIX}${hash}.${hash64(`${incoming}\0${method}`)}`;
}

/** True when the request carries a Via of ours whose branch was made from this very request: a loop. */
export function isLoop(req: SipMessage, me: LocalIdentity): boolean {
  let hash: string | undefined;
  for (const via of req.vias) {
    const branch = via.params.get('branch');
    if (!branch || !branch.startsWith(BRANCH_PREFIX)) continue;
    if (!me.isLocal(via.host, via.port)) continue;
    hash ??= loopHash(req);
    if (branch.slice(BRANCH_PREFIX.length, branch.indexOf('.', BRANCH_PREFIX.length)) === hash) return true;
  }
  return false;
}
