// `sipd start --foreground`: the running daemon, its signals and its control socket.
import type { Server } from 'node:net';
import { rmSync } from 'node:fs';
import { directivesNeedingRestart, type SipdConfig } from '../config';
import { Logger } from '../log';
import { SipServer } from '../server';
import { answerConnections } from './cmd-connections';
import { loggerOptions, tryLoadConfig } from './load-config';
import { controlSocketPath } from './paths';
import { removePidFile, runningPid, writePidFile } from './pidfile';
import { serveControl, type ControlReply, type ControlRequest, type DaemonStatus } from './protocol';

export async function runForeground(file: string, config: SipdConfig): Promise<number> {
  const other = runningPid(config.PidFile);
  if (other !== undefined) {
    console.error(`sipd is already running (pid ${other})`);
    return 1;
  }
  const log = Logger.open(loggerOptions(config));
  const server = new SipServer(config, log);
  let started = false;
  try {
    await server.start();
    started = true;
    await new Daemon(file, config, log, server).listen();
  } catch (err) {
    const reason = `sipd could not start: ${(err as Error).message}`;
    log.emerg(reason);
    console.error(reason);
    if (started) await server.stop();
    await log.close();
    return 1;
  }
  log.notice(`sipd (pid ${process.pid}) started with ${file}; resuming normal operations`);
  return 0;
}

class Daemon {
  private readonly startedAt = Date.now();
  private generation = 0;
  private restartErrors: string[] = [];
  private draining = false;
  private control?: Server;
  // Graceful restarts, in-place restarts and shutdown run one at a time, in arrival order.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private config: SipdConfig,
    private readonly log: Logger,
    private server: SipServer,
  ) {}

  /** Opens the control socket, then writes the PidFile: the PidFile means "ready". */
  async listen(): Promise<void> {
    process.title = 'sipd';
    this.control = await serveControl(this.socketPath(), (req) => this.handle(req));
    writePidFile(this.config.PidFile, process.pid);
    // Last line of defence: a request whose handling failed in a way nothing caught must not stop the server.
    process.on('unhandledRejection', (reason) => this.log.error(`unhandled failure while processing a message: ${(reason as Error)?.stack ?? reason}`));
    process.on('SIGTERM', () => void this.enqueue(() => this.shutdown('SIGTERM')));
    process.on('SIGINT', () => void this.enqueue(() => this.shutdown('SIGINT')));
    process.on('SIGHUP', () => {
      this.log.notice('SIGHUP received; attempting a graceful restart');
      void this.enqueue(() => this.graceful());
    });
  }

  private handle(req: ControlRequest): Promise<ControlReply> {
    switch (req.cmd) {
      case 'status':
        return Promise.resolve({ ok: true, status: this.status() });
      case 'graceful':
        return this.enqueue(() => this.graceful());
      case 'txngraceful':
        return Promise.resolve(this.beginTransactionGraceful(req.seconds, req.behaviour));
      case 'connections':
        return Promise.resolve(answerConnections(this.server.connectionControl(), req));
    }
  }

  private status(): DaemonStatus {
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      configFile: this.file,
      generation: this.generation,
      restartErrors: this.restartErrors,
      server: this.server.status(),
    };
  }

  /** Re-reads the config file; on errors the running configuration stays (OPS-7, OPS-8). */
  private async graceful(): Promise<ControlReply> {
    const loaded = tryLoadConfig(this.file);
    if (!loaded.ok) {
      for (const e of loaded.errors) this.log.error(`graceful restart refused, keeping the running configuration: ${e}`);
      return { ok: false, errors: loaded.errors };
    }
    const next = loaded.config;
    const warnings = [...loaded.warnings];
    for (const name of this.needingRestart(next)) {
      keepRunningValue(next, this.config, name);
      warnings.push(`${name} needs a full restart; keeping the running value`);
    }
    await this.log.reopen(loggerOptions(next));
    await this.server.reload(next);
    this.config = next;
    for (const w of warnings) this.log.warn(w);
    this.log.notice(`graceful restart done; configuration re-read from ${this.file}`);
    return { ok: true, warnings };
  }

  // The PidFile and the control socket beside it belong to this process until it exits.
  private needingRestart(next: SipdConfig): (keyof SipdConfig)[] {
    const names = new Set(directivesNeedingRestart(this.config, next) as (keyof SipdConfig)[]);
    if (next.PidFile !== this.config.PidFile) names.add('PidFile');
    return [...names];
  }

  private beginTransactionGraceful(seconds: number, behaviour: 1 | 2): ControlReply {
    if (this.draining) return { ok: false, errors: ['a transaction graceful restart is already under way'] };
    this.draining = true;
    const before = this.status();
    this.server.beginTransactionDrain(seconds, behaviour);
    this.log.notice(`txngraceful-restart: draining transactions for ${seconds} s (behaviour ${behaviour}), then restarting`);
    setTimeout(() => void this.enqueue(() => this.restartInPlace()), seconds * 1000);
    return { ok: true, status: before };
  }

  /** The end of txngraceful-restart: a full restart inside this process (OPS-9). */
  private async restartInPlace(): Promise<void> {
    await this.server.stop();
    const loaded = tryLoadConfig(this.file);
    let config = this.config;
    this.restartErrors = loaded.ok ? [] : loaded.errors;
    if (loaded.ok) {
      config = loaded.config;
      keepRunningValue(config, this.config, 'PidFile');
    } else {
      for (const e of loaded.errors) this.log.error(`restart keeps the previous configuration: ${e}`);
    }
    await this.log.reopen(loggerOptions(config));
    this.server = new SipServer(config, this.log);
    try {
      await this.server.start();
    } catch (err) {
      this.log.emerg(`sipd could not start again after txngraceful-restart: ${(err as Error).message}`);
      await this.exit(1);
    }
    this.config = config;
    this.draining = false;
    this.generation++;
    this.log.notice('sipd restarted after txngraceful-restart; resuming normal operations');
  }

  private async shutdown(signal: string): Promise<void> {
    this.log.notice(`caught ${signal}, shutting down`);
    await this.server.stop();
    await this.exit(0);
  }

  private async exit(code: number): Promise<never> {
    this.control?.close();
    rmSync(this.socketPath(), { force: true });
    removePidFile(this.config.PidFile, process.pid);
    await this.log.close();
    process.exit(code);
  }

  private socketPath(): string {
    return controlSocketPath(this.config.PidFile);
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.catch((err: Error) => this.log.error(`control action failed: ${err.message}`));
    return run;
  }
}

function keepRunningValue(next: SipdConfig, running: SipdConfig, name: keyof SipdConfig): void {
  Object.assign(next, { [name]: running[name] });
}
