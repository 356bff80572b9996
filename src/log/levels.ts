// LogLevel names, ordered from least to most verbose (LOG-6, CFG-H6).
export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'] as const;

export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Smaller is more severe; a message is written when its rank is <= the configured rank. */
export function levelRank(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}
