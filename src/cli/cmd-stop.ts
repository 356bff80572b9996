// `sipd stop`: SIGTERM the daemon named by the PidFile and wait for it to go.
import { rmSync } from 'node:fs';
import type { SipdConfig } from '../config';
import { controlSocketPath } from './paths';
import { isAlive, removePidFile, runningPid } from './pidfile';
import { loadOrReport, result, sleep } from './report';

const STOP_TIMEOUT_MS = 15_000;

/** Exit 0 also when sipd was not running: the wanted state ("stopped") holds (LSB). */
export async function stop(file: string): Promise<number> {
  const config = loadOrReport(file, 'Stopping sipd');
  if (!config) return 1;
  return stopRunning(config);
}

export async function stopRunning(config: SipdConfig): Promise<number> {
  const pid = runningPid(config.PidFile);
  if (pid === undefined) {
    console.log('sipd is not running');
    return 0;
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    console.error(`cannot signal sipd (pid ${pid}): ${(err as Error).message}`);
    result('Stopping sipd', false);
    return 1;
  }
  if (!(await gone(pid, STOP_TIMEOUT_MS))) {
    console.error(`sipd (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`);
    process.kill(pid, 'SIGKILL');
    await gone(pid, 2000);
    // A killed daemon leaves its files behind.
    removePidFile(config.PidFile, pid);
    rmSync(controlSocketPath(config.PidFile), { force: true });
  }
  result('Stopping sipd', true);
  return 0;
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}
