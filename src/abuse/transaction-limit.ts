/*
 * MaxTransactionsInFlight: when more server transactions are open than the limit, a new request is answered
 * 503 with Retry-After so a well-behaved client backs off, instead of sipd queueing work it cannot finish.
 * CANCEL is let through (it ends work) and ACK has no transaction. Logged once per overload episode.
 */
import type { RequestPolicy } from '../policy/types';

export interface TransactionLimitSettings {
  /** MaxTransactionsInFlight; 0 = no limit. */
  max: number;
  /** Server transactions open now, the new request's own included (TransactionLayer.serverCount). */
  inFlight: () => number;
  /** Seconds in Retry-After; default 5. */
  retryAfterSec?: number;
  log: (msg: string) => void;
}

export function createTransactionLimitPolicy(s: TransactionLimitSettings): RequestPolicy {
  if (s.max === 0) return () => undefined;
  const busy = { status: 503, reason: 'Service Unavailable (overloaded)', headers: [['Retry-After', String(s.retryAfterSec ?? 5)]] as const };
  let overloaded = false;
  return (ctx) => {
    const method = ctx.req.method;
    if (method === 'ACK' || method === 'CANCEL') return undefined;
    const n = s.inFlight();
    if (n <= s.max) {
      if (overloaded) s.log(`transactions in flight back to ${n} (MaxTransactionsInFlight ${s.max}): accepting requests again`);
      overloaded = false;
      return undefined;
    }
    if (!overloaded) s.log(`${n} transactions in flight, over MaxTransactionsInFlight ${s.max}: new requests get 503`);
    overloaded = true;
    return busy;
  };
}
