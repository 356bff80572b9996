// Kamailio as the reference proxy, started the way /work/shared/bench/kamailio/start.sh does
// (2 children, 1024 MB shm, foreground; the auth profile for the digest test), in a temp directory of this run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exited, track } from '../test/e2e/harness/children';
import type { Target } from './target';

const ADDRESS = '127.0.0.1:5070';
const CHILDREN = '2';

export function kamailioMissing(cfg: string): string | null {
  if (spawnSync('kamailio', ['-v']).error) return 'kamailio binary not found';
  if (!existsSync(cfg)) return `no Kamailio config at ${cfg}`;
  return null;
}

async function waitFor(path: string, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (existsSync(path)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export async function startKamailio(cfg: string, runDir: string, auth: boolean): Promise<Target> {
  const db = join(runDir, 'subscriber.sqlite');
  const ctl = join(runDir, 'kamailio_ctl');
  const mkdb = spawnSync(join(dirname(cfg), 'mkdb.sh'), [db], { stdio: 'ignore' });
  if (mkdb.status !== 0) throw new Error('mkdb.sh failed to create the subscriber database');
  rmSync(ctl, { force: true });
  const child = spawn('kamailio', [
    '-f', cfg, '-A', `DBURL="sqlite://${db}"`, '-A', `CTLSOCK="unix:${ctl}"`, ...(auth ? ['-A', 'WITH_AUTH'] : []),
    '-n', CHILDREN, '-m', '1024', '-M', '16', '-DD', '-E', '-u', 'root', '-g', 'root',
  ], { stdio: 'ignore' });
  track(child);
  if (!(await waitFor(ctl, 5000)) || child.exitCode !== null) throw new Error('kamailio did not start');
  await new Promise((r) => setTimeout(r, 300));
  return {
    name: 'Kamailio',
    address: ADDRESS,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
