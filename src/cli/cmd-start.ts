// `sipd start`: validate, launch the daemon detached, and wait until it reports ready.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SipdConfig } from '../config';
import { runForeground } from './daemon';
import { controlSocketPath, daemonOutputPath, mainScriptPath } from './paths';
import { readPid, runningPid } from './pidfile';
import { controlRequest } from './protocol';
import { loadOrReport, result, sleep } from './report';

const READY_TIMEOUT_MS = 15_000;
const OUTPUT_TAIL_LINES = 20;

export async function start(file: string, foreground: boolean): Promise<number> {
  const config = loadOrReport(file, 'Starting sipd');
  if (!config) return 1;
  return foreground ? runForeground(file, config) : startDetached(file, config);
}

export async function startDetached(file: string, config: SipdConfig): Promise<number> {
  const pid = runningPid(config.PidFile);
  if (pid !== undefined) {
    console.error(`sipd is already running (pid ${pid})`);
    return 1;
  }
  const ok = await launch(file, config);
  result('Starting sipd', ok);
  return ok ? 0 : 1;
}

async function launch(file: string, config: SipdConfig): Promise<boolean> {
  const outPath = daemonOutputPath(config.ErrorLog, config.ServerRoot);
  mkdirSync(dirname(outPath), { recursive: true });
  const outFd = openSync(outPath, 'a');
  const outStart = statSync(outPath).size;
  const child = spawn(process.execPath, [mainScriptPath(), 'start', '--foreground', '-f', file], {
    detached: true,
    stdio: ['ignore', outFd, outFd],
  });
  closeSync(outFd);
  child.unref();
  let exited = false;
  child.on('exit', () => (exited = true));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    if (readPid(config.PidFile) === child.pid && (await answersStatus(config.PidFile))) return true;
    await sleep(100);
  }
  if (!exited) child.kill('SIGTERM');
  const tail = readFileSync(outPath, 'utf8').slice(outStart).trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES);
  for (const line of tail) if (line) console.error(line);
  return false;
}

async function answersStatus(pidFile: string): Promise<boolean> {
  try {
    return (await controlRequest(controlSocketPath(pidFile), { cmd: 'status' }, 1000)).ok;
  } catch {
    return false;
  }
}
