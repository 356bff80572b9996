// Time source for transaction timers, injectable so state machines can be tested without waiting.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Calls fn after ms; the timer never keeps the process alive. */
  after(ms: number, fn: () => void): TimerHandle;
}

/**
 * Real time. Transactions start several timers each at thousands of transactions a second, and nearly all are
 * cancelled; so instead of one Node timer each, timers of equal duration share a FIFO queue (equal durations expire
 * in the order they were set) driven by a single Node timer. Cancelling only marks the entry.
 */
class QueuedClock implements Clock {
  private readonly queues = new Map<number, DurationQueue>();

  now(): number {
    return Date.now();
  }

  after(ms: number, fn: () => void): TimerHandle {
    let q = this.queues.get(ms);
    if (!q) {
      q = new DurationQueue(ms);
      this.queues.set(ms, q);
    }
    return q.add(fn);
  }
}

class QueuedTimer implements TimerHandle {
  constructor(readonly at: number, public fn: (() => void) | undefined) {}

  cancel(): void {
    this.fn = undefined;
  }
}

class DurationQueue {
  private entries: QueuedTimer[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;
  private expiring = false;

  constructor(private readonly ms: number) {}

  add(fn: () => void): TimerHandle {
    const t = new QueuedTimer(Date.now() + this.ms, fn);
    this.entries.push(t);
    if (!this.timer && !this.expiring) this.arm(this.ms);
    return t;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, delay));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = undefined;
    this.expiring = true;
    const now = Date.now();
    while (this.head < this.entries.length && this.entries[this.head].at <= now) {
      const t = this.entries[this.head++];
      const fn = t.fn;
      t.fn = undefined;
      try {
        fn?.();
      } catch (e) {
        process.emitWarning(`transaction timer failed: ${(e as Error).stack ?? e}`);
      }
    }
    this.expiring = false;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    if (this.head < this.entries.length) this.arm(this.entries[this.head].at - now);
  }
}

export const systemClock: Clock = new QueuedClock();

/** A clock that only moves when told to: advance(ms) fires every timer due by then, in order. */
export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const t = { at: this.time + ms, seq: this.seq++, fn, live: true };
    this.timers.push(t);
    return { cancel: () => { t.live = false; } };
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => t.live);
      let next: (typeof this.timers)[number] | undefined;
      for (const t of this.timers) if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      this.time = next.at;
      next.live = false;
      next.fn();
    }
    this.time = end;
  }
}
