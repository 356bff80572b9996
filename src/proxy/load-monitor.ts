// Event-loop lag as the measure of overload: a timer due every TICK_MS that fires late means sipd has more work
// than its one thread can do. While the smoothed lag is above the threshold the proxy refuses new calls and
// registrations (503), so the work already accepted — transactions, calls in progress — can finish.
const TICK_MS = 50;
/** Weight of the newest sample in the smoothed lag: about the last half second counts. */
const SMOOTHING = 0.2;

export class LoadMonitor {
  private lagMs = 0;
  private last: number;
  private timer?: NodeJS.Timeout;

  constructor(public thresholdMs: number, private readonly now: () => number = () => performance.now()) {
    this.last = now();
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One timer expiry; public so tests can drive it with a fake clock. */
  tick(): void {
    const t = this.now();
    const late = Math.max(0, t - this.last - TICK_MS);
    this.last = t;
    this.lagMs += SMOOTHING * (late - this.lagMs);
  }

  get overloaded(): boolean {
    return this.thresholdMs > 0 && this.lagMs > this.thresholdMs;
  }
}
