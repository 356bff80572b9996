export { Logger, nullLogger, type LoggerOptions } from './logger';
export type { LogLevelName } from './levels';
export type { AccessRecord } from './access-format';
