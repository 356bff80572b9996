// Markdown tables of a benchmark run, ready to paste into the README.
import type { LookupFigures } from './lookup-timing';
import type { MemoryResult } from './memory';
import type { SearchOutcome } from './search';
import { LOAD_TESTS, type LoadTest, type StepResult } from './step';

export interface LoadReport {
  outcome: SearchOutcome;
  steps: StepResult[];
}

export interface TargetReport {
  name: string;
  load: Partial<Record<LoadTest, LoadReport>>;
  mem?: MemoryResult;
}

const TEST_TITLE: Record<LoadTest, string> = {
  reg: 'REGISTER (no auth)',
  regauth: 'REGISTER with digest (401, then 200)',
  call: 'Call INVITE-100-180-200-ACK-BYE-200, record-routed',
};

const mib = (kb: number): string => `${(kb / 1024).toFixed(1)} MiB`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The confirmation run of the top rate (the last passing step at that rate). */
function topStep(r: LoadReport): StepResult | undefined {
  return r.steps.filter((s) => s.pass && s.rate === r.outcome.top).at(-1);
}

function perCpuSecond(s: StepResult | undefined): number | undefined {
  return s?.cpuSeconds ? s.uac.successful / s.cpuSeconds : undefined;
}

function loadRow(test: LoadTest, r: LoadReport): string {
  const s = topStep(r);
  const cpu = s?.cpuSeconds !== undefined ? `${((s.cpuSeconds / s.wallSeconds) * 100).toFixed(0)} %` : 'n/a';
  const per = perCpuSecond(s);
  return `| ${TEST_TITLE[test]} | ${r.outcome.top ? int(r.outcome.top) : 'none'} | ${s ? int(s.achieved) : '-'} | ${cpu} | ${per ? int(per) : 'n/a'} | ${s?.peakRssKb ? mib(s.peakRssKb) : 'n/a'} | ${r.outcome.firstFail ? int(r.outcome.firstFail) : '-'} |`;
}

export function targetTable(t: TargetReport): string {
  const lines = [
    `### ${t.name}`,
    '',
    '| Test | Top rate (calls/s, 0 failed) | Achieved | Proxy CPU (1 core = 100 %) | Calls per proxy CPU-s | Peak RSS | First failing rate |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const test of LOAD_TESTS) {
    const r = t.load[test];
    if (r) lines.push(loadRow(test, r));
  }
  if (t.mem) {
    const m = t.mem;
    lines.push('', `Memory: ${int(m.registered)} of ${int(m.users)} distinct AORs registered (${m.failed} failed${m.alive ? '' : ', proxy died'}).`, '',
      '| | RSS | PSS |', '|---|---|---|',
      `| before | ${mib(m.before.rss)} | ${mib(m.before.pss)} |`,
      `| after | ${mib(m.after.rss)} | ${mib(m.after.pss)} |`,
      `| per registration | ${int(((m.after.rss - m.before.rss) * 1024) / Math.max(1, m.registered))} B | ${int(m.bytesPerRegistration)} B |`,
      `| 40 s later (finished transactions expired) | ${mib(m.settled.rss)} | ${mib(m.settled.pss)} |`,
      `| per registration, settled | ${int(((m.settled.rss - m.before.rss) * 1024) / Math.max(1, m.registered))} B | ${int(m.settledBytesPerRegistration)} B |`);
  }
  return lines.join('\n');
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a && b ? (a / b).toFixed(2) : 'n/a';
}

/** sipd next to the reference proxy, with the ratio sipd / reference. */
export function comparisonTable(ours: TargetReport, ref: TargetReport): string {
  const lines = [
    `### ${ours.name} vs ${ref.name}`,
    '',
    `| Figure | ${ours.name} | ${ref.name} | ${ours.name}/${ref.name} |`,
    '|---|---|---|---|',
  ];
  for (const test of LOAD_TESTS) {
    const a = ours.load[test];
    const b = ref.load[test];
    if (!a || !b) continue;
    lines.push(`| ${TEST_TITLE[test]}: top rate | ${int(a.outcome.top)} | ${int(b.outcome.top)} | ${ratio(a.outcome.top, b.outcome.top)} |`);
    const pa = perCpuSecond(topStep(a));
    const pb = perCpuSecond(topStep(b));
    lines.push(`| ${TEST_TITLE[test]}: calls per proxy CPU-s | ${pa ? int(pa) : 'n/a'} | ${pb ? int(pb) : 'n/a'} | ${ratio(pa, pb)} |`);
  }
  if (ours.mem && ref.mem) {
    lines.push(`| Bytes (PSS) per registration | ${int(ours.mem.bytesPerRegistration)} | ${int(ref.mem.bytesPerRegistration)} | ${ratio(ours.mem.bytesPerRegistration, ref.mem.bytesPerRegistration)} |`);
    lines.push(`| Bytes (PSS) per registration, settled | ${int(ours.mem.settledBytesPerRegistration)} | ${int(ref.mem.settledBytesPerRegistration)} | ${ratio(ours.mem.settledBytesPerRegistration, ref.mem.settledBytesPerRegistration)} |`);
  }
  return lines.join('\n');
}

/** The lookup timings: one row per figure, microseconds per lookup. */
export function lookupTable(figures: readonly LookupFigures[]): string {
  const us = (n: number): string => `${n.toFixed(2)} µs`;
  return [
    '| Lookup | Table size | Lookups | Median | 99th percentile | Notes |',
    '|---|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.name} | ${int(f.tableSize)} | ${int(f.lookups)} | ${us(f.medianUs)} | ${us(f.p99Us)} | ${f.notes} |`),
  ].join('\n');
}
