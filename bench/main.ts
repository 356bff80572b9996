// `npm run bench`: the in-process lookup timings (route table, registry), SIPp load against sipd (started here
// unless --target), optionally the same against Kamailio, and markdown tables at the end.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killStrays } from '../test/e2e/harness';
import { isLookupTest, parseBenchArgs, type BenchArgs, type LookupTest, type ProxyTest } from './args';
import { writeInjectionFiles } from './data';
import { kamailioMissing, startKamailio } from './kamailio';
import { memoryTest } from './memory';
import type { LookupFigures } from './lookup-timing';
import { registryLookupFigures } from './registry-lookup';
import { comparisonTable, lookupTable, targetTable, type TargetReport } from './report';
import { routeLookupFigures } from './route-lookup';
import { searchTopRate } from './search';
import { runStep, stepLine, type BenchContext, type StepResult } from './step';
import { freePort } from '../test/e2e/harness';
import { runningTarget, startSipd, type Target } from './target';

const PAUSE_AFTER_PASS_MS = 3000;
// After a failed step the proxy still holds its transactions and the peers retransmit for 64*T1 = 32 s.
const PAUSE_AFTER_FAIL_MS = 35_000;
const REFINE_STEPS = 3;

function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Runs every test on a fresh target process (when the bench starts it), so no test inherits
 * the previous one's heap or pending transactions. */
async function benchTarget(
  args: BenchArgs,
  tests: readonly ProxyTest[],
  start: (test: ProxyTest) => Promise<Target>,
  outDir: string,
): Promise<TargetReport> {
  const files = writeInjectionFiles(outDir, args.memUsers);
  const report: TargetReport = { name: '', load: {} };
  for (const test of tests) {
    const target = await start(test);
    const name = (report.name = target.name);
    const ctx: BenchContext = { target, duration: args.duration, files, outDir, calleePort: await freePort() };
    try {
      if (test === 'mem') {
        log(`${name}: memory test, ${args.memUsers} AORs at ${args.memRate}/s`);
        report.mem = await memoryTest(ctx, args.memUsers, args.memRate);
        continue;
      }
      const steps: StepResult[] = [];
      const ladder = test === 'call' ? args.callRates : args.regRates;
      log(`${name}: ${test} search over ${ladder.join(' ')}`);
      const outcome = await searchTopRate({ ladder, refine: REFINE_STEPS }, async (rate) => {
        const step = await runStep(ctx, test, rate);
        steps.push(step);
        log(stepLine(name, step));
        await new Promise((r) => setTimeout(r, step.pass ? PAUSE_AFTER_PASS_MS : PAUSE_AFTER_FAIL_MS));
        return step.pass;
      });
      report.load[test] = { outcome, steps };
    } finally {
      await target.stop();
    }
  }
  return report;
}

function lookupFigures(args: BenchArgs, test: LookupTest): LookupFigures[] {
  if (test === 'routes') {
    log(`route lookup: ${args.routes} routes, ${args.lookups} lookups`);
    return routeLookupFigures(args.routes, args.lookups);
  }
  log(`registry lookup: ${args.bindings} bindings, ${args.lookups} lookups`);
  return [registryLookupFigures(args.bindings, args.lookups)];
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  const sections: string[] = [];
  // The lookups first: they need no proxy, and take seconds where the load searches take many minutes.
  const lookups = args.tests.filter(isLookupTest).flatMap((test) => lookupFigures(args, test));
  if (lookups.length > 0) sections.push(`## Lookups (in process, each call timed on its own)\n\n${lookupTable(lookups)}`);

  const proxyTests = args.tests.filter((test): test is ProxyTest => !isLookupTest(test));
  if (proxyTests.length > 0) {
    const outDir = mkdtempSync(join(tmpdir(), 'sipd-bench-'));
    log(`results in ${outDir} (steps.tsv, SIPp stat files)`);
    const reports: TargetReport[] = [];
    const start = args.target ? async () => runningTarget(args.target!, args.pid) : (test: ProxyTest) => startSipd(test, outDir);
    reports.push(await benchTarget(args, proxyTests, start, outDir));
    if (args.kamailio) {
      const missing = kamailioMissing(args.kamailioCfg);
      if (missing) log(`Kamailio comparison skipped: ${missing}`);
      else reports.push(await benchTarget(args, proxyTests, (test) => startKamailio(args.kamailioCfg, outDir, test === 'regauth'), outDir));
    }
    const tables = reports.map(targetTable);
    if (reports.length === 2) tables.push(comparisonTable(reports[0], reports[1]));
    sections.push(`## Benchmark (${args.duration} s steps, SIPp on UDP, loopback)\n\n${tables.join('\n\n')}`);
  }
  process.stdout.write(`\n${sections.join('\n\n')}\n`);
  return 0;
}

process.once('SIGINT', () => {
  void killStrays().then(() => process.exit(130));
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err: Error) => {
    process.stderr.write(`bench: ${err.message}\n`);
    await killStrays();
    process.exitCode = 1;
  },
);
