// Timing of in-process lookups (route table, location service): each call timed on its own, in microseconds.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface LookupFigures {
  /** What was looked up, e.g. "route lookup, less-specific search off". */
  name: string;
  /** Entries in the table looked up (routes, bindings). */
  tableSize: number;
  lookups: number;
  medianUs: number;
  p99Us: number;
  /** Anything else worth a word next to the figures (memory, build time). */
  notes: string;
}

const WARM_UP_CALLS = 20_000;

/** A fixed-seed generator, so runs compare. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/**
 * Calls lookup once per input after a warm-up over the first inputs (so the JIT has compiled it), timing every
 * call on its own (the timer's own ~0.05 µs included). Returns the median and 99th percentile in µs.
 */
export function timeEach<T>(inputs: readonly T[], lookup: (input: T) => unknown): { medianUs: number; p99Us: number } {
  for (let i = 0; i < Math.min(inputs.length, WARM_UP_CALLS); i++) lookup(inputs[i]);
  const times = new Float64Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t0 = process.hrtime.bigint();
    lookup(inputs[i]);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  times.sort();
  return { medianUs: percentile(times, 0.5), p99Us: percentile(times, 0.99) };
}

let gcFunction: (() => void) | undefined;

/** A full garbage collection, so heap figures count live objects only (works without --expose-gc). */
export function collectGarbage(): void {
  if (!gcFunction) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
  gcFunction();
}

export function secondsSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
