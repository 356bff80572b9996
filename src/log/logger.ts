// The error log (levels and debug flags) and the access log of one sipd process.
import { compileAccessFormat, resolveFormat, type AccessRecord } from './access-format';
import { levelRank, type LogLevelName } from './levels';
import { openSink, type LogSink } from './sink';
import { errorLogTime } from './time-format';

export interface LoggerOptions {
  /** Absolute file path, or "|program args" to pipe into a program such as rotatelogs. */
  errorLog: string;
  level: LogLevelName;
  debugFlags: Record<string, boolean>;
  /** CustomLog: target as for errorLog; format is a nickname or a literal format. */
  access?: { target: string; format: string };
  /** LogFormat nicknames from the configuration, on top of the built-in ones. */
  formats?: Record<string, string>;
}

interface Outputs {
  errors: LogSink;
  rank: number;
  debugFlags: Record<string, boolean>;
  access?: { sink: LogSink; format: (rec: AccessRecord) => string };
}

const DISCARD: LogSink = { write() {}, close: async () => {} };

function silentOutputs(): Outputs {
  return { errors: DISCARD, rank: -1, debugFlags: {} };
}

function openOutputs(opts: LoggerOptions): Outputs {
  const errors = openSink(opts.errorLog);
  const access = opts.access && {
    sink: openSink(opts.access.target),
    format: compileAccessFormat(resolveFormat(opts.access.format, opts.formats)),
  };
  return { errors, rank: levelRank(opts.level), debugFlags: { ...opts.debugFlags }, access };
}

async function closeOutputs(out: Outputs): Promise<void> {
  await Promise.all([out.errors.close(), out.access?.sink.close()]);
}

export class Logger {
  private lastSecond = -1;
  private lastStamp = '';

  private constructor(private out: Outputs) {}

  static open(opts: LoggerOptions): Logger {
    return new Logger(openOutputs(opts));
  }

  /** A logger that writes nothing, for tests of other layers. */
  static discard(): Logger {
    return new Logger(silentOutputs());
  }

  emerg(msg: string): void { this.write('emerg', msg); }
  alert(msg: string): void { this.write('alert', msg); }
  crit(msg: string): void { this.write('crit', msg); }
  error(msg: string): void { this.write('error', msg); }
  warn(msg: string): void { this.write('warn', msg); }
  notice(msg: string): void { this.write('notice', msg); }
  info(msg: string): void { this.write('info', msg); }

  isDebug(flag: string): boolean {
    return this.out.debugFlags[flag] === true;
  }

  /**
   * Written when `DebugFlag <flag> On`, whatever the LogLevel, in the lengthy format of LOG-3
   * with the flag name where the seed shows the C source position:
   * `[Fri Apr 13 22:29:37 2001] Parser: Received 291 bytes ...`.
   */
  debug(flag: string, msg: string | (() => string)): void {
    if (!this.isDebug(flag)) return;
    const text = typeof msg === 'function' ? msg() : msg;
    this.out.errors.write(`[${this.stamp()}] ${flag}: ${text}\n`);
  }

  access(rec: AccessRecord): void {
    const access = this.out.access;
    if (access) access.sink.write(`${access.format(rec)}\n`);
  }

  /** Graceful restart: open the (possibly moved or changed) targets anew, then close the old ones. */
  async reopen(opts: LoggerOptions): Promise<void> {
    const old = this.out;
    this.out = openOutputs(opts);
    await closeOutputs(old);
  }

  async close(): Promise<void> {
    const old = this.out;
    this.out = silentOutputs();
    await closeOutputs(old);
  }

  // As in Apache, whose error log the seed's sipd shares: notices (start, stop, graceful restart)
  // are written whatever the LogLevel, so the default `warn` still records them.
  private write(level: LogLevelName, msg: string): void {
    if (level !== 'notice' && levelRank(level) > this.out.rank) return;
    this.out.errors.write(`[${this.stamp()}] [${level}] ${msg}\n`);
  }

  // Formatting a date is the costly part of a line; it changes once a second.
  private stamp(): string {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.lastSecond) {
      this.lastSecond = second;
      this.lastStamp = errorLogTime(new Date(now));
    }
    return this.lastStamp;
  }
}

export function nullLogger(): Logger {
  return Logger.discard();
}
