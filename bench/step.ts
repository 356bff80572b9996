// One measured load step: SIPp at a fixed rate for `duration` seconds against the target,
// with the proxy's CPU time and memory read from /proc around it.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAIN, freePort, startSipp, type SippRun } from '../test/e2e/harness';
import { REPO_ROOT } from '../test/e2e/harness/paths';
import { CALLEE, type InjectionFiles } from './data';
import { alive, cpuSeconds, memoryKb } from './proc';
import { readStatCsv, type SippCounters } from './sipp-stats';
import type { Target } from './target';

/** The load tests, in the order they are reported. */
export const LOAD_TESTS = ['reg', 'regauth', 'call'] as const;
export type LoadTest = (typeof LOAD_TESTS)[number];

export interface BenchContext {
  target: Target;
  duration: number;
  files: InjectionFiles;
  outDir: string;
  /**
   * The callee's port for every call step against this target: its REGISTER then refreshes one binding. A new port
   * per step would add a binding each time, and later steps would fork every call to the dead callees of earlier
   * steps too (each such branch retransmitting its INVITE for 32 s).
   */
  calleePort: number;
}

export interface StepResult {
  test: LoadTest;
  rate: number;
  count: number;
  uac: SippCounters;
  uas?: SippCounters;
  wallSeconds: number;
  /** Successful scenarios per second of wall time. */
  achieved: number;
  /** Proxy CPU seconds during the step (undefined without a pid). */
  cpuSeconds?: number;
  peakRssKb?: number;
  pass: boolean;
  why: string[];
}

const RETRANS_MAX = 0.001;
const MIN_ACHIEVED = 0.95;

export function benchScenario(name: string): string {
  return join(REPO_ROOT, 'bench', 'scenarios', name);
}

/** SIPp options shared by every load run: stats file, big socket buffers, bounded in count and time. */
export function loadRun(ctx: BenchContext, name: string, scenario: string, inf: string, rate: number, count: number, localPort: number, service?: string): SippRun {
  return startSipp({
    scenario: benchScenario(scenario),
    target: ctx.target.address,
    localPort,
    inf,
    rate,
    calls: count,
    service,
    timeoutSec: Math.ceil((count / rate) * 2) + 15,
    errorLog: false,
    keys: { domain: DOMAIN },
    extraArgs: [
      '-trace_stat', '-stf', join(ctx.outDir, `${name}.csv`), '-fd', '1',
      '-buff_size', '4194304', '-l', String(Math.max(1000, rate)), '-recv_timeout', '5000',
    ],
  });
}

/** Registers the benchmark callee from `port`, then starts the callee there. */
async function startCallee(ctx: BenchContext, name: string, port: number, count: number): Promise<SippRun> {
  const reg = await loadRun(ctx, `${name}.callee-register`, 'register.xml', ctx.files.callee, 1, 1, port).done;
  if (reg.code !== 0) throw new Error(`the callee ${CALLEE} could not register at ${ctx.target.address}`);
  const uas = startSipp({
    scenario: benchScenario('uas-call.xml'),
    localPort: port,
    calls: count * 2,
    timeoutSec: ctx.duration * 3 + 30,
    errorLog: false,
    extraArgs: ['-trace_stat', '-stf', join(ctx.outDir, `${name}.uas.csv`), '-fd', '1', '-buff_size', '4194304'],
  });
  await new Promise((r) => setTimeout(r, 500));
  return uas;
}

function judge(r: StepResult, sippCode: number | null, targetAlive: boolean): void {
  const { uac, uas, count } = r;
  if (sippCode !== 0) r.why.push(`sipp exit ${sippCode}`);
  if (uac.successful !== count) r.why.push(`ok ${uac.successful}/${count}`);
  if (uac.failed > 0) r.why.push(`failed ${uac.failed}`);
  if (uas && uas.successful !== count) r.why.push(`callee ok ${uas.successful}/${count}`);
  const retrans = uac.retransmissions + (uas?.retransmissions ?? 0);
  if (retrans > count * RETRANS_MAX) r.why.push(`retransmissions ${retrans}`);
  if (r.achieved < r.rate * MIN_ACHIEVED) r.why.push(`achieved ${Math.round(r.achieved)}/s`);
  if (!targetAlive) r.why.push('proxy died');
  r.pass = r.why.length === 0;
}

export async function runStep(ctx: BenchContext, test: LoadTest, rate: number): Promise<StepResult> {
  const count = Math.round(rate * ctx.duration);
  const name = `${ctx.target.name}-${test}-${rate}-${Date.now()}`.replace(/[^\w.-]/g, '_');
  const uacPort = await freePort();
  const uas = test === 'call' ? await startCallee(ctx, name, ctx.calleePort, count) : undefined;
  const pid = ctx.target.pid;
  const cpu0 = pid ? cpuSeconds(pid) : 0;
  const t0 = process.hrtime.bigint();
  const uac = test === 'call'
    ? loadRun(ctx, name, 'uac-call.xml', ctx.files.callers, rate, count, uacPort, CALLEE)
    : test === 'regauth'
      ? loadRun(ctx, name, 'register-auth.xml', ctx.files.authRegistrants, rate, count, uacPort)
      : loadRun(ctx, name, 'register.xml', ctx.files.registrants, rate, count, uacPort);
  const uacResult = await uac.done;
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = pid ? cpuSeconds(pid) - cpu0 : undefined;
  if (uas) {
    await new Promise((r) => setTimeout(r, 1500));
    uas.stop('SIGINT');
    await uas.done;
  }
  const counters = readStatCsv(join(ctx.outDir, `${name}.csv`));
  const result: StepResult = {
    test, rate, count, wallSeconds,
    uac: counters,
    uas: uas ? readStatCsv(join(ctx.outDir, `${name}.uas.csv`)) : undefined,
    achieved: counters.successful / wallSeconds,
    cpuSeconds: cpu,
    peakRssKb: pid ? memoryKb(pid).peakRss : undefined,
    pass: false,
    why: [],
  };
  judge(result, uacResult.code, pid === undefined || alive(pid));
  appendFileSync(join(ctx.outDir, 'steps.tsv'), stepLine(ctx.target.name, result) + '\n');
  return result;
}

export function stepLine(target: string, r: StepResult): string {
  const cpu = r.cpuSeconds === undefined ? 'n/a' : `${((r.cpuSeconds / r.wallSeconds) * 100).toFixed(0)}% CPU`;
  const perCpu = r.cpuSeconds ? `${Math.round(r.uac.successful / r.cpuSeconds)}/CPU-s` : '';
  const rss = r.peakRssKb ? `peak RSS ${(r.peakRssKb / 1024).toFixed(0)} MiB` : '';
  const retrans = r.uac.retransmissions + (r.uas?.retransmissions ?? 0);
  return [
    target, `${r.test}@${r.rate}`, r.pass ? 'PASS' : 'FAIL', `ok ${r.uac.successful}/${r.count}`,
    `failed ${r.uac.failed}`, `retrans ${retrans}`, `achieved ${Math.round(r.achieved)}/s`, cpu, perCpu, rss, r.why.join(', '),
  ].join('\t');
}
