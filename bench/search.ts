// Step-up search for the highest rate a proxy sustains: climb a ladder until a step fails,
// bisect between the last pass and the first failure, then confirm the top rate with a second run.

export interface SearchOutcome {
  /** Highest rate that passed twice (search run and confirmation run); 0 if none. */
  top: number;
  /** Lowest rate seen failing, if any. */
  firstFail?: number;
}

export interface SearchOptions {
  ladder: readonly number[];
  /** Bisection steps after the ladder. */
  refine: number;
}

/** Rounding of bisection midpoints: coarser at higher rates. */
function granularity(rate: number): number {
  if (rate >= 2000) return 100;
  if (rate >= 500) return 50;
  return 10;
}

function tenPercentDown(rate: number): number {
  const g = granularity(rate);
  return Math.floor((rate * 0.9) / g) * g;
}

export async function searchTopRate(opts: SearchOptions, step: (rate: number) => Promise<boolean>): Promise<SearchOutcome> {
  let best = 0;
  let fail: number | undefined;
  for (const rate of opts.ladder) {
    if (await step(rate)) best = rate;
    else {
      fail = rate;
      break;
    }
  }
  // Even the first rung failed: halve, at most three times.
  for (let i = 0; best === 0 && fail !== undefined && i < 3 && fail >= 2; i++) {
    const rate = Math.floor(fail / 2);
    if (await step(rate)) best = rate;
    else fail = rate;
  }
  for (let i = 0; i < opts.refine && best > 0 && fail !== undefined; i++) {
    const g = granularity(best);
    const mid = Math.floor((best + fail) / 2 / g) * g;
    if (mid <= best || fail - best <= best / 10) break;
    if (await step(mid)) best = mid;
    else fail = mid;
  }
  // Confirmation: the top rate must pass twice; when it does not, go 10 % down and start over.
  let passes = best > 0 ? 1 : 0;
  for (let tries = 0; best > 0 && tries < 6; tries++) {
    if (await step(best)) {
      if (++passes >= 2) return { top: best, firstFail: fail };
    } else {
      fail = best;
      best = tenPercentDown(best);
      passes = 0;
    }
  }
  return { top: 0, firstFail: fail };
}
