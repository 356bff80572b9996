// What `sipd subscriber`, `sipd device` and `sipd regroute` share: the subscriber store named by sipd.conf, the
// seven record actions, option parsing, import and export files, and how mistakes are reported (stderr; exit 1,
// or 2 for a wrong command line).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import Database from 'better-sqlite3';
import {
  ProvisioningError,
  SqliteSubscriberStore,
  defaultRealm,
  subscriberDbPath,
  type ImportItem,
  type ImportResult,
} from '../subscribers';
import { tryLoadConfig } from './load-config';
import { printLines } from './report';

export const FAILED = 1;
export const USAGE_ERROR = 2;

/** A command line that does not fit the usage; the message is printed with the usage text. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode, its complaints turned into UsageErrors. */
export function parseOptions<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    // Node adds a long hint about '--' after the first sentence; the usage text follows anyway.
    throw new UsageError((err as Error).message.split('. ')[0]);
  }
}

export function expectOperands(positionals: string[], count: number, names: string): void {
  if (positionals.length !== count) throw new UsageError(count === 0 ? 'no operands expected' : `expected ${names}`);
}

/** The one operand of show, remove and import. */
function onlyOperand(args: string[], name: string): string {
  const { positionals } = parseOptions(args, {});
  expectOperands(positionals, 1, name);
  return positionals[0];
}

const ACTIONS: readonly string[] = ['add', 'set', 'show', 'remove', 'list', 'import', 'export'];

/** What one kind of provisioned record (subscribers, devices) does for each action of its command. */
export interface RecordKind<T, I> {
  /** The command word ('subscriber'), also the noun of messages about one record. */
  command: string;
  /** The noun of import and export messages ('subscribers'). */
  plural: string;
  usage: string;
  /** How the operand naming one record is written in usage complaints ('USER[@DOMAIN]'). */
  keyName: string;
  change(store: SqliteSubscriberStore, action: 'add' | 'set', args: string[]): number;
  show(store: SqliteSubscriberStore, key: string): number;
  /** Removes the record named by `key` and returns its name as messages write it. */
  remove(store: SqliteSubscriberStore, key: string): string;
  all(store: SqliteSubscriberStore): readonly T[];
  list(records: readonly T[]): number;
  readCsv(text: string): ImportItem<I>[];
  importItems(store: SqliteSubscriberStore, items: ImportItem<I>[]): ImportResult;
  writeCsv(records: readonly T[]): string;
}

/** `sipd COMMAND add|set|show|remove|list|import|export …` for one kind of record. */
export function recordCommand<T, I>(file: string, operands: string[], kind: RecordKind<T, I>): number {
  const [action, ...rest] = operands;
  const wrong = unknownAction(kind.command, action, kind.usage);
  if (wrong !== undefined) return wrong;
  return withStore(file, kind.usage, (store) => {
    switch (action) {
      case 'add':
      case 'set':
        return kind.change(store, action, rest);
      case 'show':
        return kind.show(store, onlyOperand(rest, kind.keyName));
      case 'remove':
        console.log(`${kind.command} ${kind.remove(store, onlyOperand(rest, kind.keyName))} removed`);
        return 0;
      case 'list':
        expectOperands(parseOptions(rest, {}).positionals, 0, '');
        return kind.list(kind.all(store));
      case 'import':
        return importFile(onlyOperand(rest, 'FILE.csv'), kind.plural, kind.readCsv, (items) => kind.importItems(store, items));
      default:
        return exportFile(rest, kind.plural, kind.all(store), kind.writeCsv);
    }
  });
}

/** Prints the complaint and the usage when `action` is not one of ACTIONS. */
function unknownAction(command: string, action: string | undefined, usage: string): number | undefined {
  if (action !== undefined && ACTIONS.includes(action)) return undefined;
  console.error(action === undefined ? `sipd: ${command} needs an action` : `sipd: unknown ${command} action ${action}`);
  console.error(usage);
  return USAGE_ERROR;
}

/**
 * Opens <ServerRoot>/data/subscribers.db of the configuration file and runs `action` on it. Configuration
 * warnings are not printed: they concern the server, not provisioning.
 */
function withStore(file: string, usage: string, action: (store: SqliteSubscriberStore) => number): number {
  const loaded = tryLoadConfig(file);
  if (!loaded.ok) {
    printLines(loaded.errors);
    return FAILED;
  }
  let store: SqliteSubscriberStore | undefined;
  try {
    store = SqliteSubscriberStore.open(subscriberDbPath(loaded.config.ServerRoot), { realm: defaultRealm(loaded.config) });
    return action(store);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sipd: ${err.message}`);
      console.error(usage);
      return USAGE_ERROR;
    }
    if (err instanceof ProvisioningError || isFileError(err)) {
      console.error(`sipd: ${(err as Error).message}`);
      return FAILED;
    }
    // Busy beyond the timeout, a full disk, a file that is not a database.
    if (err instanceof Database.SqliteError) {
      console.error(`sipd: ${subscriberDbPath(loaded.config.ServerRoot)}: ${err.message}`);
      return FAILED;
    }
    throw err;
  } finally {
    store?.close();
  }
}

function isFileError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && 'syscall' in err;
}

/** Reads FILE, converts it and imports it all or nothing; problems are printed as FILE:LINE: reason. */
export function importFile<T>(
  path: string,
  noun: string,
  read: (text: string) => ImportItem<T>[],
  write: (items: ImportItem<T>[]) => ImportResult,
): number {
  const result = write(read(readFileSync(path, 'utf8')));
  if (result.problems.length > 0) {
    printLines(result.problems.map((p) => `${path}:${p.line}: ${p.reason}`));
    const n = result.problems.length;
    console.error(`sipd: ${n} problem${n === 1 ? '' : 's'} in ${path}; nothing was imported`);
    return FAILED;
  }
  console.log(`imported ${result.added + result.updated} ${noun} from ${path}: ${result.added} added, ${result.updated} updated`);
  return 0;
}

/**
 * `export [FILE]`: writes the CSV to FILE (replacing it in one step, so a reader never sees half a file) or
 * to stdout.
 */
export function exportFile<T>(args: string[], noun: string, records: readonly T[], write: (records: readonly T[]) => string): number {
  const { positionals } = parseOptions(args, {});
  if (positionals.length > 1) throw new UsageError('export takes at most one FILE');
  const path = positionals[0];
  const csv = write(records);
  if (path === undefined) {
    process.stdout.write(csv);
    return 0;
  }
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, csv, { mode: 0o600 });
  renameSync(temp, path);
  console.log(`exported ${records.length} ${noun} to ${path}`);
  return 0;
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Rows as columns padded to their widest cell, the first row being the header. */
export function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0].map((_, i) => rows.reduce((w, r) => Math.max(w, r[i].length), 0));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
  process.stdout.write(`${lines.join('\n')}\n`);
}
