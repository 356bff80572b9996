// What the command prints: seed-style "Doing x: [ OK ]" lines on stdout, problems on stderr.
import type { SipdConfig } from '../config';
import { tryLoadConfig } from './load-config';

export function printLines(lines: readonly string[]): void {
  for (const line of lines) console.error(line);
}

export function result(action: string, ok: boolean): void {
  console.log(`${action}: ${ok ? '[ OK ]' : '[FAILED]'}`);
}

/** Loads the config, printing its warnings; on errors prints them and `<action>: [FAILED]`. */
export function loadOrReport(file: string, action: string): SipdConfig | undefined {
  const loaded = tryLoadConfig(file);
  if (!loaded.ok) {
    printLines(loaded.errors);
    result(action, false);
    return undefined;
  }
  printLines(loaded.warnings);
  return loaded.config;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
