// SIPp injection files (one user per line, read in order) written to the run's directory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeUsers(dir: string, name: string, first: number, count: number): string {
  const lines = ['SEQUENTIAL'];
  for (let u = first; u < first + count; u++) lines.push(String(u));
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

export interface InjectionFiles {
  /** REGISTER test: users 1000..1899. */
  registrants: string;
  /** Call test callers: users 1900..1998. */
  callers: string;
  /** The callee the UAS registers as: 1999. */
  callee: string;
  /** Memory test: distinct AORs from 100000 on. */
  memUsers: string;
}

export const CALLEE = '1999';

export function writeInjectionFiles(dir: string, memUsers: number): InjectionFiles {
  return {
    registrants: writeUsers(dir, 'registrants.csv', 1000, 900),
    callers: writeUsers(dir, 'callers.csv', 1900, 99),
    callee: writeUsers(dir, 'callee.csv', Number(CALLEE), 1),
    memUsers: writeUsers(dir, 'mem-users.csv', 100_000, memUsers),
  };
}
