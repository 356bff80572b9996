// Failed-authentication lockout (issue 3, abuse resistance): failureLimit wrong answers within failureWindowSec
// lock the user, and separately the source address, out for lockoutSec.

export interface LockoutSettings {
  /** Failures within the window that lock the key out; 0 turns lockout off. */
  failureLimit: number;
  failureWindowSec: number;
  lockoutSec: number;
  /** Keys tracked at most (users and sources together); beyond it new keys are not counted until old ones expire. */
  maxEntries?: number;
}

interface FailureRecord {
  windowStart: number;
  failures: number;
  lockedUntil: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;
const SWEEP_INTERVAL_MS = 1000;

/** Counts failures per key in fixed windows. Unknown users are counted too, so a lockout reveals nothing about who exists. */
class FailureCounter {
  private readonly records = new Map<string, FailureRecord>();
  private nextSweep = 0;

  constructor(private readonly s: LockoutSettings, private readonly maxEntries: number, private readonly now: () => number) {}

  isLocked(key: string): boolean {
    const r = this.records.get(key);
    return r !== undefined && r.lockedUntil > this.now();
  }

  /** Counts one failure; true when it starts a lockout. */
  fail(key: string): boolean {
    const t = this.now();
    this.sweep(t);
    let r = this.records.get(key);
    if (r === undefined) {
      if (this.records.size >= this.maxEntries) return false;
      r = { windowStart: t, failures: 0, lockedUntil: 0 };
      this.records.set(key, r);
    }
    if (r.lockedUntil > t) return false;
    if (t - r.windowStart >= this.s.failureWindowSec * 1000) {
      r.windowStart = t;
      r.failures = 0;
    }
    r.failures++;
    if (r.failures < this.s.failureLimit) return false;
    r.lockedUntil = t + this.s.lockoutSec * 1000;
    r.failures = 0;
    return true;
  }

  forget(key: string): void {
    const r = this.records.get(key);
    if (r !== undefined && r.lockedUntil <= this.now()) this.records.delete(key);
  }

  private sweep(t: number): void {
    if (t < this.nextSweep) return;
    this.nextSweep = t + SWEEP_INTERVAL_MS;
    const windowMs = this.s.failureWindowSec * 1000;
    for (const [key, r] of this.records) {
      if (r.lockedUntil <= t && t - r.windowStart >= windowMs) this.records.delete(key);
    }
  }
}

export class AuthLockout {
  private readonly users: FailureCounter;
  private readonly sources: FailureCounter;

  constructor(private readonly s: LockoutSettings, private readonly log: (msg: string) => void, now: () => number = Date.now) {
    const max = s.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.users = new FailureCounter(s, max, now);
    this.sources = new FailureCounter(s, max, now);
  }

  get enabled(): boolean {
    return this.s.failureLimit > 0;
  }

  isSourceLocked(source: string): boolean {
    return this.enabled && this.sources.isLocked(source);
  }

  isUserLocked(user: string): boolean {
    return this.enabled && this.users.isLocked(user);
  }

  /** A wrong answer (or an unknown user) from `source`. Logs once when it starts a lockout. */
  recordFailure(user: string, source: string): void {
    if (!this.enabled) return;
    const limit = `${this.s.failureLimit} failed authentications within ${this.s.failureWindowSec} s`;
    if (this.users.fail(user)) {
      this.log(`auth lockout: user "${user}" locked for ${this.s.lockoutSec} s after ${limit}, the last from ${source}`);
    }
    if (this.sources.fail(source)) {
      this.log(`auth lockout: source ${source} locked for ${this.s.lockoutSec} s after ${limit}, the last for user "${user}"`);
    }
  }

  /** A right answer clears the user's count; the source's stays (one good account must not reset an attack). */
  recordSuccess(user: string): void {
    if (this.enabled) this.users.forget(user);
  }
}
