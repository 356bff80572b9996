// Memory per registration: the proxy's footprint before and after registering many distinct AORs.
import { alive, memoryKb, type MemoryKb } from './proc';
import { readStatCsv } from './sipp-stats';
import { freePort } from '../test/e2e/harness';
import { join } from 'node:path';
import { loadRun, type BenchContext } from './step';

export interface MemoryResult {
  users: number;
  registered: number;
  failed: number;
  before: MemoryKb;
  after: MemoryKb;
  /** After finished transactions have expired (64*T1 = 32 s with the default T1, plus a margin). */
  settled: MemoryKb;
  /** Growth of the real footprint (PSS) per successful registration, right after registering. */
  bytesPerRegistration: number;
  /** The same once finished transactions have expired: what the registrations themselves hold. */
  settledBytesPerRegistration: number;
  alive: boolean;
}

const SETTLE_MS = 40_000;

export async function memoryTest(ctx: BenchContext, users: number, rate: number): Promise<MemoryResult> {
  const pid = ctx.target.pid;
  if (!pid) throw new Error('the memory test needs the proxy pid (--pid)');
  const before = memoryKb(pid);
  const name = `${ctx.target.name}-mem`.replace(/[^\w.-]/g, '_');
  await loadRun(ctx, name, 'register.xml', ctx.files.memUsers, rate, users, await freePort()).done;
  await new Promise((r) => setTimeout(r, 2000));
  const after = memoryKb(pid);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const settled = memoryKb(pid);
  const counters = readStatCsv(join(ctx.outDir, `${name}.csv`));
  const perRegistration = (m: MemoryKb) => (counters.successful > 0 ? ((m.pss - before.pss) * 1024) / counters.successful : 0);
  return {
    users,
    registered: counters.successful,
    failed: counters.failed,
    before,
    after,
    settled,
    bytesPerRegistration: perRegistration(after),
    settledBytesPerRegistration: perRegistration(settled),
    alive: alive(pid),
  };
}
