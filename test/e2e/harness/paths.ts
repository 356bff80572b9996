// Where things live, found from the compiled file's location (dist/test/e2e/harness → repo root).
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot(__dirname);

/** The compiled CLI entry point that `sipd start --foreground` runs. */
export const SIPD_MAIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

/** A scenario of test/e2e/scenarios by file name, or any absolute path unchanged. */
export function scenarioPath(name: string): string {
  return isAbsolute(name) ? name : join(REPO_ROOT, 'test', 'e2e', 'scenarios', name);
}
