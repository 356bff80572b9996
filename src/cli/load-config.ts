// Reading sipd.conf for the command and the daemon: errors become "file:line: reason" lines.
import { ConfigError, loadConfigFile, type SipdConfig } from '../config';
import type { LoggerOptions } from '../log';

export type LoadResult =
  | { ok: true; config: SipdConfig; warnings: string[] }
  | { ok: false; errors: string[] };

export function tryLoadConfig(file: string): LoadResult {
  try {
    const { config, warnings } = loadConfigFile(file);
    return { ok: true, config, warnings };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, errors: err.message.split('\n') };
    // A missing or unreadable file is a configuration problem too, not a crash.
    if (typeof (err as NodeJS.ErrnoException).code === 'string') return { ok: false, errors: [`${file}: ${(err as Error).message}`] };
    throw err;
  }
}

export function loggerOptions(config: SipdConfig): LoggerOptions {
  return {
    errorLog: config.ErrorLog,
    level: config.LogLevel,
    debugFlags: config.DebugFlag,
    access: config.CustomLog,
    formats: config.LogFormat,
  };
}
