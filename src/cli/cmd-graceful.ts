// `sipd graceful`: the daemon re-reads sipd.conf and keeps running (OPS-7).
import { controlSocketPath } from './paths';
import { runningPid } from './pidfile';
import { controlRequest } from './protocol';
import { loadOrReport, printLines, result } from './report';

const ACTION = 'Gracefully restarting sipd';
const GRACEFUL_TIMEOUT_MS = 60_000;

export async function graceful(file: string): Promise<number> {
  // Checked here first so a broken file is reported even though the daemon would refuse it too.
  const config = loadOrReport(file, ACTION);
  if (!config) return 1;
  if (runningPid(config.PidFile) === undefined) {
    console.error('sipd is not running');
    result(ACTION, false);
    return 1;
  }
  try {
    const reply = await controlRequest(controlSocketPath(config.PidFile), { cmd: 'graceful' }, GRACEFUL_TIMEOUT_MS);
    printLines(reply.errors ?? []);
    printLines(reply.warnings ?? []);
    result(ACTION, reply.ok);
    return reply.ok ? 0 : 1;
  } catch (err) {
    console.error((err as Error).message);
    result(ACTION, false);
    return 1;
  }
}
