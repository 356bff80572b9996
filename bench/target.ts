// The proxy under test: a sipd the bench starts itself, or one already running (--target).
import { Sipd } from '../test/e2e/harness';

export interface Target {
  name: string;
  /** host:port SIPp sends to. */
  address: string;
  /** Main pid for CPU and memory figures; absent when unknown. */
  pid?: number;
  stop(): Promise<void>;
}

export async function startSipd(): Promise<Target> {
  const sipd = await Sipd.launch({ AddRecordRoute: 'On', LogLevel: 'error' });
  return { name: 'sipd', address: sipd.address, pid: sipd.pid, stop: () => sipd.dispose() };
}

export function runningTarget(address: string, pid: number | undefined): Target {
  return { name: `proxy at ${address}`, address, pid, stop: async () => undefined };
}
