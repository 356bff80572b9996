// Time source for transaction timers, injectable so state machines can be tested without waiting.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Calls fn after ms; the timer never keeps the process alive. */
  after(ms: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  now: Date.now,
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

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
