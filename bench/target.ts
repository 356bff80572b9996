// The proxy under test: a sipd the bench starts itself, or one already running (--target).
import { Sipd } from '../test/e2e/harness';
import type { TestName } from './args';
import { writeSubscriberCsv } from './data';

export interface Target {
  name: string;
  /** host:port SIPp sends to. */
  address: string;
  /** Main pid for CPU and memory figures; absent when unknown. */
  pid?: number;
  stop(): Promise<void>;
}

/** sipd for one test; for the digest test with Authentication On and the subscribers 1000..1999 provisioned. */
export async function startSipd(test: TestName, runDir: string): Promise<Target> {
  const auth = test === 'regauth';
  const sipd = await Sipd.launch({ AddRecordRoute: 'On', LogLevel: 'error', Authentication: auth ? 'On' : 'Off' });
  if (auth) {
    const imported = await sipd.command('subscriber', 'import', writeSubscriberCsv(runDir));
    if (imported.code !== 0) throw new Error(`subscriber import failed: ${imported.stderr}`);
  }
  return { name: 'sipd', address: sipd.address, pid: sipd.pid, stop: () => sipd.dispose() };
}

export function runningTarget(address: string, pid: number | undefined): Target {
  return { name: `proxy at ${address}`, address, pid, stop: async () => undefined };
}
