// CPU time and memory of a process and its descendants, from /proc (Linux).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
export { alive } from '../test/e2e/harness/children';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The pid and every descendant (children listed by each thread in /proc/<pid>/task/<tid>/children). */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${tree[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const children = read(`/proc/${tree[i]}/task/${tid}/children`) ?? '';
      for (const c of children.trim().split(/\s+/)) if (c) tree.push(Number(c));
    }
  }
  return tree;
}

/** utime + stime of the whole tree (all threads), in seconds. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const stat = read(`/proc/${p}/stat`);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLK_TCK;
}

export interface MemoryKb {
  /** Resident set summed over the tree (double-counts shared memory of forked workers). */
  rss: number;
  /** Proportional set size summed over the tree: the real footprint. */
  pss: number;
  /** Peak resident set of the main process (VmHWM). */
  peakRss: number;
}

function field(text: string | null, name: string): number {
  const m = text ? new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text) : null;
  return m ? Number(m[1]) : 0;
}

export function memoryKb(pid: number): MemoryKb {
  let rss = 0;
  let pss = 0;
  for (const p of processTree(pid)) {
    rss += field(read(`/proc/${p}/status`), 'VmRSS');
    pss += field(read(`/proc/${p}/smaps_rollup`), 'Pss');
  }
  return { rss, pss, peakRss: field(read(`/proc/${pid}/status`), 'VmHWM') };
}
