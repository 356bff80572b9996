// Every child process the harness starts, so after() hooks can end the ones still running.
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();

export function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** Resolves with the exit code (null when ended by a signal) once the child has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGKILLs (by pid) every tracked child that is still alive and waits for them. */
export async function killStrays(): Promise<void> {
  const left = [...running];
  for (const child of left) child.kill('SIGKILL');
  await Promise.all(left.map(exited));
}

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** True while the process exists (signal 0 probes without touching it). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
