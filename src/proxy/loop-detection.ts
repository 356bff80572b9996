// Branch values that let sipd tell a loop from a spiral (RFC 3261 §16.3 step 4, §16.6 step 8).
import { createHash, randomBytes } from 'node:crypto';
import { MAGIC_COOKIE, SipMessage } from '../sip';
import type { LocalIdentity } from './local-identity';

const BRANCH_PREFIX = `${MAGIC_COOKIE}-sd`;

/** Hash of what makes a request "the same visit": a spiral changes the Request-URI, a loop does not. */
export function loopHash(req: SipMessage): string {
  const h = createHash('md5');
  h.update(req.uri);
  h.update('\0');
  h.update(req.callId);
  h.update('\0');
  h.update(String(req.cseq.seq));
  h.update('\0');
  h.update(req.fromTag ?? '');
  h.update('\0');
  h.update(req.toTag ?? '');
  for (const v of req.getAll('proxy-require')) h.update(v);
  return h.digest('base64url').slice(0, 12);
}

/** A new branch for a stateful forward: the loop hash plus a unique part. */
export function statefulBranch(hash: string): string {
  return `${BRANCH_PREFIX}${hash}.${randomBytes(6).toString('base64url')}`;
}

/** A stateless forward must produce the same branch for a retransmission: derive it from the incoming branch. */
export function statelessBranch(hash: string, req: SipMessage, targetIndex: number): string {
  const incoming = req.topVia.params.get('branch') ?? '';
  const h = createHash('md5').update(incoming).update(String(targetIndex)).update(req.method === 'ACK' || req.method === 'CANCEL' ? 'INVITE' : req.method).digest('base64url');
  return `${BRANCH_PREFIX}${hash}.${h.slice(0, 10)}`;
}

/** True when the request carries a Via of ours whose branch was made from this very request: a loop. */
export function isLoop(req: SipMessage, me: LocalIdentity): boolean {
  let hash: string | undefined;
  for (const via of req.vias) {
    const branch = via.params.get('branch');
    if (!branch || !branch.startsWith(BRANCH_PREFIX)) continue;
    if (!me.isLocal(via.host, via.port)) continue;
    hash ??= loopHash(req);
    if (branch.slice(BRANCH_PREFIX.length, BRANCH_PREFIX.length + hash.length) === hash) return true;
  }
  return false;
}
