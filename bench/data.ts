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

/** Password of every benchmark subscriber: pw<user>, as ../shared/bench's Kamailio database has it. */
export const passwordOf = (user: number): string => `pw${user}`;

/** Users with credentials: field0 the user, field1 SIPp's whole [authentication] keyword (it cannot nest [fieldN]). */
function writeAuthUsers(dir: string, name: string, first: number, count: number): string {
  const lines = ['SEQUENTIAL'];
  for (let u = first; u < first + count; u++) lines.push(`${u};[authentication username=${u} password=${passwordOf(u)}]`);
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** The subscribers 1000..1999 as a `sipd subscriber import` CSV. */
export function writeSubscriberCsv(dir: string): string {
  const lines = ['user,password'];
  for (let u = 1000; u <= 1999; u++) lines.push(`${u},${passwordOf(u)}`);
  const path = join(dir, 'subscribers.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

export interface InjectionFiles {
  /** REGISTER test: users 1000..1899. */
  registrants: string;
  /** REGISTER with digest: the same users with their credentials. */
  authRegistrants: string;
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
    authRegistrants: writeAuthUsers(dir, 'auth-registrants.csv', 1000, 900),
    callers: writeUsers(dir, 'callers.csv', 1900, 99),
    callee: writeUsers(dir, 'callee.csv', Number(CALLEE), 1),
    memUsers: writeUsers(dir, 'mem-users.csv', 100_000, memUsers),
  };
}
