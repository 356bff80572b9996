// `sipd txngraceful-restart SECONDS 1|2` (OPS-9, OPS-10): drain, then the daemon restarts in place.
import type { SipdConfig } from '../config';
import { controlSocketPath } from './paths';
import { runningPid } from './pidfile';
import { controlRequest, isDrainSeconds, type DaemonStatus } from './protocol';
import { loadOrReport, printLines, result, sleep } from './report';

const RESTART_TIMEOUT_MS = 30_000;

export const TXN_USAGE = 'usage: sipd txngraceful-restart SECONDS 1|2 (SECONDS 1-86400; 1 answers 503, 2 stays silent)';

export function parseTxnOperands(operands: string[]): { seconds: number; behaviour: 1 | 2 } | undefined {
  if (operands.length !== 2 || !/^\d+$/.test(operands[0])) return undefined;
  const seconds = Number(operands[0]);
  const behaviour = operands[1] === '1' ? 1 : operands[1] === '2' ? 2 : undefined;
  return isDrainSeconds(seconds) && behaviour ? { seconds, behaviour } : undefined;
}

export async function txngracefulRestart(file: string, seconds: number, behaviour: 1 | 2): Promise<number> {
  const config = loadOrReport(file, 'Gracefully Stopping sipd');
  if (!config) return 1;
  if (runningPid(config.PidFile) === undefined) {
    console.log('sipd is not running');
    return 1;
  }
  console.log('Gracefully Stopping sipd...');
  const socket = controlSocketPath(config.PidFile);
  const reply = await controlRequest(socket, { cmd: 'txngraceful', seconds, behaviour }, 5000).catch((err: Error) => ({
    ok: false,
    errors: [err.message],
    status: undefined,
  }));
  if (!reply.ok || !reply.status) {
    printLines(reply.errors ?? []);
    result('Gracefully Stopping sipd', false);
    return 1;
  }
  console.log(`sipd signalled to gracefully stop after ${seconds}`);
  console.log(`Going to sleep for ${seconds} seconds ,SPS will shutdown after this`);
  await sleep(seconds * 1000);
  console.log('Now starting sipd');
  const after = await waitForRestart(config, reply.status.generation);
  if (after) printLines(after.restartErrors.map((e) => `kept the previous configuration: ${e}`));
  result('Starting sipd', after !== undefined);
  return after ? 0 : 1;
}

async function waitForRestart(config: SipdConfig, generation: number): Promise<DaemonStatus | undefined> {
  const deadline = Date.now() + RESTART_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (runningPid(config.PidFile) === undefined) return undefined;
    try {
      const reply = await controlRequest(controlSocketPath(config.PidFile), { cmd: 'status' }, 2000);
      if (reply.status && reply.status.generation > generation) return reply.status;
    } catch {
      // The daemon may be busy restarting; ask again.
    }
    await sleep(200);
  }
  return undefined;
}
