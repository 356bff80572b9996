// `sipd configtest`: validate sipd.conf without touching the daemon.
import { tryLoadConfig } from './load-config';
import { printLines } from './report';

export function configtest(file: string): number {
  const loaded = tryLoadConfig(file);
  if (!loaded.ok) {
    printLines(loaded.errors);
    return 1;
  }
  printLines(loaded.warnings);
  console.log('Syntax OK');
  return 0;
}
