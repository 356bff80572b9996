/**
 * mulberry32: the same sequence for the same seed, uniform in [0, 1), so weighted choices are repeatable: a
 * stateless proxy picks the same route for a retransmission as for the original (and tests get fixed orders).
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
