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

/** RFC 2782's selection, repeated until the group is used up. */
export function weightedOrder(group: readonly SrvRecord[], random: Random): SrvRecord[] {
  // Zero-weight records go first, so that they are chosen only when the random number is 0 (a small chance).
  const left = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight !== 0)];
  const ordered: SrvRecord[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, r) => sum + r.weight, 0);
    // A uniform integer in [0, total], inclusive as the RFC says.
    const pick = Math.min(Math.floor(random() * (total + 1)), total);
    let running = 0;
    let index = left.length - 1;
    for (let i = 0; i < left.length; i++) {
      running += left[i].weight;
      if (running >= pick) {
        index = i;
        break;
      }
    }
    ordered.push(left.splice(index, 1)[0]);
  }
  return ordered;
}
