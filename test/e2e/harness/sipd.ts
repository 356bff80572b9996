// Runs the real sipd process: temp ServerRoot, generated sipd.conf, start/stop/graceful.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, track } from './children';
import { SIPD_MAIN } from './paths';
import { freePort } from './ports';
import { waitForOptions200 } from './sip-ping';

export type Directives = Record<string, string | number | readonly (string | number)[]>;

export const HOST = '127.0.0.1';
export const DOMAIN = 'bench.local';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

function baseDirectives(root: string, port: number): Directives {
  return {
    ServerRoot: root,
    Listen: `${HOST}:${port}`,
    ProxyDomain: DOMAIN,
    ServerType: 'Proxy',
    StatefulServer: 'On',
    AddRecordRoute: 'Off',
    PidFile: 'logs/sipd.pid',
    ErrorLog: 'logs/error_log',
    LogLevel: 'warn',
    MinRegistrationExpires: 60,
    SipT1InMs: 500,
  };
}

export function renderConf(directives: Directives): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(directives)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) lines.push(`${name} ${v}`);
  }
  return lines.join('\n') + '\n';
}

export class Sipd {
  private child: ChildProcess | null = null;
  private output = '';

  private constructor(
    readonly root: string,
    readonly port: number,
    readonly confPath: string,
  ) {}

  /** Writes a ServerRoot with conf/sipd.conf (defaults overridden by `directives`); does not start. */
  static async create(directives: Directives = {}): Promise<Sipd> {
    const root = mkdtempSync(join(tmpdir(), 'sipd-e2e-'));
    for (const dir of ['conf', 'logs', 'data']) mkdirSync(join(root, dir));
    const port = await freePort();
    const confPath = join(root, 'conf', 'sipd.conf');
    writeFileSync(confPath, renderConf({ ...baseDirectives(root, port), ...directives }));
    return new Sipd(root, port, confPath);
  }

  /** Creates and starts a server in one step. */
  static async launch(directives: Directives = {}): Promise<Sipd> {
    const sipd = await Sipd.create(directives);
    await sipd.start();
    return sipd;
  }

  get address(): string {
    return `${HOST}:${this.port}`;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error('sipd is not running');
    return this.child.pid;
  }

  /** Starts `sipd start --foreground` and resolves once it answers OPTIONS with 200. */
  async start(): Promise<void> {
    if (this.child) throw new Error('sipd already started');
    const child = spawn(process.execPath, [SIPD_MAIN, 'start', '--foreground', '-f', this.confPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const died = exited(child).then(() => false);
    const up = await Promise.race([waitForOptions200(HOST, this.port, START_TIMEOUT_MS), died]);
    if (!up) {
      await this.stop('SIGKILL');
      throw new Error(`sipd did not answer OPTIONS on ${this.address}\n${this.diagnostics()}`);
    }
  }

  /** Signals the process (SIGTERM: clean stop, SIGKILL: crash) and waits for its exit. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await exited(child);
    clearTimeout(timer);
    this.child = null;
    return code;
  }

  /** Runs `sipd graceful -f conf` and resolves with its exit code. */
  async graceful(): Promise<number | null> {
    return (await this.command('graceful')).code;
  }

  /** Runs `sipd ARGS -f conf` (provisioning, status...) and resolves with its exit code and output. */
  async command(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const cli = spawn(process.execPath, [SIPD_MAIN, ...args, '-f', this.confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    track(cli);
    let stdout = '';
    let stderr = '';
    cli.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    cli.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await exited(cli);
    return { code, stdout, stderr };
  }

  /** Console output and the tail of logs/error_log, for assertion messages. */
  diagnostics(): string {
    let errorLog = '';
    try {
      errorLog = readFileSync(join(this.root, 'logs', 'error_log'), 'utf8').slice(-4000);
    } catch {
      errorLog = '(no error_log)';
    }
    return `--- sipd output ---\n${this.output}\n--- error_log ---\n${errorLog}`;
  }

  /** Stops the server if it runs and removes its ServerRoot. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}
