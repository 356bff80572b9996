// The order in which SRV targets are tried (RFC 2782, "Usage rules"): lowest priority first; within one priority a
// weighted random order, each pick taking a record with probability proportional to its weight.
import type { SrvRecord } from './resolver';

/** A number in [0, 1), like Math.random; injectable so tests can steer or count the picks. */
export type Random = () => number;

export function orderSrv(records: readonly SrvRecord[], random: Random = Math.random): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) {
    const group = byPriority.get(r.priority);
    if (group) group.push(r);
    else byPriority.set(r.priority, [r]);
  }
  const ordered: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    ordered.push(...weightedOrder(byPriority.get(priority) as SrvRecord[], random));
  }
  return ordered;
}

/**
 * RFC 2782's selection, repeated until the group is used up. The RFC draws from [0, sum] inclusive, which gives the
 * first record one share too many (weights 1 and 3 come out 40/60, not 25/75); the draw here is from [0, sum), so
 * each record is picked in proportion to its weight. Zero-weight records follow the weighted ones, in the order
 * received (the RFC only asks that they have a very small chance of coming first).
 */
function weightedOrder(group: readonly SrvRecord[], random: Random): SrvRecord[] {
  const left = group.filter((r) => r.weight > 0);
  const ordered: SrvRecord[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, r) => sum + r.weight, 0);
    const pick = Math.min(random() * total, total);
    let running = 0;
    let index = left.length - 1; // guards against a random() of exactly 1
    for (let i = 0; i < left.length; i++) {
      running += left[i].weight;
      if (running > pick) {
        index = i;
        break;
      }
    }
    ordered.push(left.splice(index, 1)[0]);
  }
  return [...ordered, ...group.filter((r) => r.weight <= 0)];
}
