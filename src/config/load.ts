// Reading a configuration file from disk.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './errors';
import { parseConfigText } from './parser';
import type { LoadedConfig } from './types';

export function loadConfigFile(path: string): LoadedConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError([{ file, line: 0, reason: `cannot read the configuration file: ${reason}` }]);
  }
  return parseConfigText(text, file);
}
