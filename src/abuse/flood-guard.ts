/*
 * Per-source request rate limit with a temporary ban (the idea of Kamailio's pike module). admit() runs for
 * every message received, before it is parsed: a Map lookup, a few integer operations, and an allocation
 * only for the first message of a source.
 *
 * The rate is a sliding-window estimate: the count of the current window plus the previous window's count
 * weighted by how much of it still overlaps the last windowSec seconds. A source whose estimate goes over
 * maxRequests is banned for banTimeSec: all its messages are ignored, and the ban is logged when it starts
 * and when it ends, never per message.
 *
 * Memory is bounded. Sources sit in a Map in the order their current window started (a source is moved to
 * the back when its window rolls over), so the front holds the least recently active ones: idle sources are
 * forgotten from the front (about once a second), and when maxSources are tracked a new source
 * evicts the least recently active one. Forgetting a source only forgets its count. Bans live in a second
 * Map, in the order they end (every ban lasts banTimeSec), bounded by maxBans; when full, the ban ending
 * soonest is lifted early. A spoofed-address flood can therefore churn the counters but neither exhaust
 * memory nor lift bans faster than maxBans new bans arrive.
 */

export interface FloodGuardSettings {
  /** Messages one source may send per window; 0 disables the guard (RateLimitRequests). */
  maxRequests: number;
  /** RateLimitWindow. */
  windowSec: number;
  /** RateLimitBanTime. */
  banTimeSec: number;
  /** Counters kept at most; default 100,000. */
  maxSources?: number;
  /** Bans kept at most; default 10,000. */
  maxBans?: number;
  /** Sources never banned (trusted gateways), asked only when a source goes over its rate. */
  exempt?: (host: string) => boolean;
  log: (msg: string) => void;
}

interface SourceCounter {
  /** Start of the current window, ms. */
  windowStart: number;
  count: number;
  previousCount: number;
}

interface Ban { until: number; ignored: number }

/** admit() ends lapsed bans and forgets idle sources at most this often (no iterator per message). */
const HOUSEKEEPING_INTERVAL_MS = 1000;

export class FloodGuard {
  private readonly sources = new Map<string, SourceCounter>();
  private readonly bans = new Map<string, Ban>();
  private s!: FloodGuardSettings;
  private windowMs = 0;
  private banMs = 0;
  private maxSources = 0;
  private maxBans = 0;
  private nextHousekeeping = 0;

  constructor(settings: FloodGuardSettings) {
    this.settings = settings;
  }

  /** New settings (graceful restart) keep the counts and the bans in progress. */
  set settings(s: FloodGuardSettings) {
    this.s = s;
    this.windowMs = s.windowSec * 1000;
    this.banMs = s.banTimeSec * 1000;
    this.maxSources = s.maxSources ?? 100_000;
    this.maxBans = s.maxBans ?? 10_000;
  }

  get enabled(): boolean {
    return this.s.maxRequests > 0;
  }

  /** Sources with a counter and sources banned now (for status and tests). */
  get size(): { sources: number; bans: number } {
    return { sources: this.sources.size, bans: this.bans.size };
  }

  /**
   * Whether to process a message from host received at now (ms, from a clock that does not go back:
   * performance.now() or a monotonic Date.now()); false while host is banned.
   */
  admit(host: string, now: number): boolean {
    if (this.s.maxRequests === 0) return true;
    if (now >= this.nextHousekeeping) this.sweep(now);
    const ban = this.bans.get(host);
    if (ban !== undefined) {
      if (now < ban.until) {
        ban.ignored++;
        return false;
      }
      this.endBan(host, ban);
    }
    let c = this.sources.get(host);
    if (c === undefined) {
      if (this.sources.size >= this.maxSources) this.sources.delete(this.sources.keys().next().value as string);
      c = { windowStart: now, count: 0, previousCount: 0 };
      this.sources.set(host, c);
    } else if (now - c.windowStart >= this.windowMs) {
      this.rollWindow(host, c, now);
    }
    c.count++;
    const overlap = 1 - (now - c.windowStart) / this.windowMs;
    const rate = c.count + c.previousCount * overlap;
    // The tolerance keeps a source exactly at its rate from being banned by floating-point rounding.
    if (rate <= this.s.maxRequests + 1e-9) return true;
    if (this.s.exempt?.(host)) {
      c.count = 0;
      c.previousCount = 0;
      return true;
    }
    this.startBan(host, Math.ceil(rate), now);
    return false;
  }

  private startBan(host: string, rate: number, now: number): void {
    this.sources.delete(host);
    if (this.bans.size >= this.maxBans) {
      const [first, ban] = this.bans.entries().next().value as [string, Ban];
      this.endBan(first, ban, ' early to make room for a new ban');
    }
    this.bans.set(host, { until: now + this.banMs, ignored: 0 });
    this.s.log(`flood from ${host}: ${rate} messages in the last ${this.s.windowSec} s (limit ${this.s.maxRequests}), ignoring it for ${this.s.banTimeSec} s`);
  }

  private endBan(host: string, ban: Ban, why = ''): void {
    this.bans.delete(host);
    this.s.log(`flood ban of ${host} ended${why}, ${ban.ignored} messages ignored`);
  }

  /**
   * Starts a new window at now. Of the old window [start, start + w), the part still inside the last w
   * seconds carries its share of the old count over as the previous window. The new window starts at now
   * (not at a multiple of w) so the Map stays sorted by window start.
   */
  private rollWindow(host: string, c: SourceCounter, now: number): void {
    const elapsed = now - c.windowStart;
    c.previousCount = elapsed < 2 * this.windowMs ? c.count * (2 - elapsed / this.windowMs) : 0;
    c.count = 0;
    c.windowStart = now;
    this.sources.delete(host);
    this.sources.set(host, c);
  }

  /**
   * Ends lapsed bans and forgets idle sources. admit() calls it about once a second; a timer may call it too
   * so a ban's end is logged when its source has gone quiet. Each ban and counter is removed once, so the
   * work is constant per message on average.
   */
  sweep(now: number): void {
    this.nextHousekeeping = now + HOUSEKEEPING_INTERVAL_MS;
    for (const [host, ban] of this.bans) {
      if (ban.until > now) break;
      this.endBan(host, ban);
    }
    // A source idle for two windows has no count left that matters.
    const idleBefore = now - 2 * this.windowMs;
    for (const [host, c] of this.sources) {
      if (c.windowStart > idleBefore) break;
      this.sources.delete(host);
    }
  }
}
