// Request validation of RFC 3261 §16.3 (syntax, scheme and size were checked by the parser).
import { SipMessage } from '../sip';
import type { LocalIdentity } from './local-identity';
import { isLoop } from './loop-detection';

export interface Rejection {
  status: number;
  reason?: string;
  headers?: [string, string][];
}

export function validateRequest(req: SipMessage, me: LocalIdentity, ignoreProxyRequire: ReadonlySet<string>): Rejection | undefined {
  const mf = req.maxForwards;
  if (mf === 0) return { status: 483 };
  if (isLoop(req, me)) return { status: 482 };
  const unsupported = req.getAll('proxy-require').filter((tag) => !ignoreProxyRequire.has(tag.toLowerCase()));
  if (unsupported.length > 0) return { status: 420, headers: [['Unsupported', unsupported.join(', ')]] };
  return undefined;
}
