/*
 * RejectUserAgent: requests whose User-Agent contains one of the configured words (case-insensitive), such
 * as "friendly-scanner" or "sipvicious", are dropped without an answer, so a scanner learns nothing about
 * the server. Each source is logged once per logPeriodSec (RateLimitBanTime), however much it sends.
 */
import type { RequestPolicy } from '../policy/types';

export interface ScannerPolicySettings {
  /** RejectUserAgent; empty rejects nothing. */
  words: readonly string[];
  /** Seconds during which a source is not logged again (RateLimitBanTime). */
  logPeriodSec: number;
  log: (msg: string) => void;
  now?: () => number;
  /** Sources remembered for logging at most; default 10,000. */
  maxLogged?: number;
}

export function createScannerPolicy(s: ScannerPolicySettings): RequestPolicy {
  const words = s.words.map((w) => w.toLowerCase()).filter((w) => w.length > 0);
  if (words.length === 0) return () => undefined;
  const now = s.now ?? Date.now;
  const periodMs = s.logPeriodSec * 1000;
  const maxLogged = s.maxLogged ?? 10_000;
  /** Source -> when it may be logged again. Insertion order is expiry order (one period for all). */
  const quietUntil = new Map<string, number>();

  const logOnce = (host: string, userAgent: string): void => {
    const t = now();
    const until = quietUntil.get(host);
    if (until !== undefined && until > t) return;
    quietUntil.delete(host);
    for (const [h, u] of quietUntil) {
      if (u > t && quietUntil.size < maxLogged) break;
      quietUntil.delete(h);
    }
    quietUntil.set(host, t + periodMs);
    // The header is the sender's text: keep the log line short and on one line.
    const shown = userAgent.slice(0, 80).replace(/[\x00-\x1f\x7f]/g, '?');
    s.log(`dropping requests from ${host} with User-Agent "${shown}" (RejectUserAgent); not logged again for ${s.logPeriodSec} s`);
  };

  return (ctx) => {
    const userAgent = ctx.req.get('User-Agent');
    if (userAgent === undefined) return undefined;
    const lower = userAgent.toLowerCase();
    if (!words.some((w) => lower.includes(w))) return undefined;
    logOnce(ctx.source.host, userAgent);
    return 'drop';
  };
}
