// `sipd status`: LSB exit codes 0 running, 3 not running, 4 unknown.
import { controlSocketPath } from './paths';
import { runningPid } from './pidfile';
import { controlRequest, type DaemonStatus } from './protocol';
import { loadOrReport } from './report';

export async function status(file: string): Promise<number> {
  const config = loadOrReport(file, 'Checking sipd');
  if (!config) return 4;
  const pid = runningPid(config.PidFile);
  if (pid === undefined) {
    console.log('sipd is not running');
    return 3;
  }
  try {
    const reply = await controlRequest(controlSocketPath(config.PidFile), { cmd: 'status' }, 5000);
    if (!reply.ok || !reply.status) throw new Error((reply.errors ?? ['no status in the reply']).join('; '));
    printStatus(reply.status);
    return 0;
  } catch (err) {
    console.log(`sipd (pid ${pid}) is running but does not answer: ${(err as Error).message}`);
    return 4;
  }
}

function printStatus(s: DaemonStatus): void {
  const server = s.server;
  console.log(`sipd is running (pid ${s.pid})`);
  console.log(`config: ${s.configFile}`);
  console.log(`uptime: ${formatDuration(Date.now() - s.startedAt)}`);
  console.log(`listeners: ${server.listeners.length > 0 ? server.listeners.join(' ') : 'none'}`);
  const { server: received, client: sent } = server.transactions;
  console.log(`transactions: ${received + sent} (server ${received}, client ${sent})`);
  const states = Object.entries(server.transactions.serverStates).map(([k, n]) => `${k} ${n}`).join(', ');
  if (states) console.log(`server transactions by state: ${states}`);
  console.log(`answered transactions remembered for retransmissions: ${server.transactions.retired}`);
  console.log(`registrations: ${server.registrations}`);
  console.log(`memory: ${mib(server.memory.rss)} MiB resident, ${mib(server.memory.heapUsed)} MiB heap in use`);
  console.log(`draining: ${server.draining ? 'yes' : 'no'}`);
  console.log(`restarts in place: ${s.generation}`);
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const parts = d > 0 ? [`${d}d`, `${h}h`, `${m}m`] : h > 0 ? [`${h}h`, `${m}m`] : m > 0 ? [`${m}m`] : [];
  return [...parts, `${total % 60}s`].join(' ');
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}
