// Location of the committed reference, from the compiled file (dist/src/config -> repository root).
import { resolve } from 'node:path';

export function referencePath(): string {
  return resolve(__dirname, '../../../docs/configuration.md');
}
