// Runs SIPp in the foreground (no -bg), always bounded by -m and -timeout, and collects its
// exit code, console output, error log and (with traceMsg) the log of every message.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, track } from './children';
import { scenarioPath } from './paths';
import { HOST } from './sipd';

export interface SippOptions {
  /** File name in test/e2e/scenarios, or an absolute path. */
  scenario: string;
  /** host:port to send to; absent for a UAS that waits for requests. */
  target?: string;
  localPort: number;
  /** Local address (-i); default HOST. Any 127.0.0.x works on Linux loopback. */
  localIp?: string;
  transport?: 'u1' | 't1';
  /** Request-URI user (-s). */
  service?: string;
  inf?: string;
  /** Scenario keywords, passed as -key name value. */
  keys?: Record<string, string>;
  /** Number of calls (-m); default 1. */
  calls?: number;
  rate?: number;
  /** SIPp global timeout (-timeout); default 15 s. */
  timeoutSec?: number;
  /** Duration of every <pause/> without its own length (-d), in ms. */
  pauseMs?: number;
  traceMsg?: boolean;
  /** Keep -trace_err (default true; the benchmark turns it off under load). */
  errorLog?: boolean;
  extraArgs?: readonly string[];
}

export interface SippResult {
  /** 0: every call succeeded; 1: some failed; other values: SIPp could not run. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Contents of the -error_file (scenario errors, unexpected messages). */
  errors: string;
  /** Contents of the -message_file when traceMsg was set, else ''. */
  messages: string;
}

export interface SippRun {
  done: Promise<SippResult>;
  /** Ends the run early (SIGINT lets SIPp print its statistics). */
  stop(signal?: NodeJS.Signals): void;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

export function sippArgs(opts: SippOptions, dir: string): string[] {
  const args = opts.target ? [opts.target] : [];
  args.push('-sf', scenarioPath(opts.scenario), '-i', opts.localIp ?? HOST, '-p', String(opts.localPort));
  args.push('-t', opts.transport ?? 'u1', '-m', String(opts.calls ?? 1));
  args.push('-timeout', `${opts.timeoutSec ?? 15}s`, '-timeout_error', '-nostdin');
  if (opts.errorLog ?? true) args.push('-trace_err', '-error_file', join(dir, 'errors.log'));
  if (opts.rate !== undefined) args.push('-r', String(opts.rate));
  if (opts.service !== undefined) args.push('-s', opts.service);
  if (opts.inf !== undefined) args.push('-inf', opts.inf);
  if (opts.pauseMs !== undefined) args.push('-d', String(opts.pauseMs));
  if (opts.traceMsg) args.push('-trace_msg', '-message_file', join(dir, 'messages.log'));
  for (const [name, value] of Object.entries(opts.keys ?? {})) args.push('-key', name, value);
  args.push(...(opts.extraArgs ?? []));
  return args;
}

/** Starts SIPp and returns at once; `done` resolves when it exits. */
export function startSipp(opts: SippOptions): SippRun {
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  const child = spawn('sipp', sippArgs(opts, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout = (stdout + c.toString('latin1')).slice(-8000)));
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('latin1')).slice(-8000)));
  const done = exited(child).then((code) => ({
    code,
    stdout,
    stderr,
    errors: readOrEmpty(join(dir, 'errors.log')),
    messages: readOrEmpty(join(dir, 'messages.log')),
  }));
  return { done, stop: (signal = 'SIGINT') => child.kill(signal) };
}

export function runSipp(opts: SippOptions): Promise<SippResult> {
  return startSipp(opts).done;
}

/** Exit code, errors and the last messages of a run, for assertion messages. */
export function explain(result: SippResult): string {
  const messages = result.messages.slice(-3000);
  return `sipp exit ${result.code}\n${result.errors}\n${result.stderr}\n--- last messages ---\n${messages}`;
}
