// What the external directory needs from a database client (MySQL/MariaDB or PostgreSQL), and the one SELECT it runs.
import type { FieldRow, SubscriberField } from './fields';

export interface DbLogin {
  port: number;
  database: string;
  user?: string;
  password?: string;
  /** Also the limit of one query; the directory times out above both. */
  timeoutMs: number;
}

/** Connections per host: lookups are short and cached, a few cover bursts. */
export const POOL_SIZE = 4;

/** A pool of connections to one database host. */
export interface TableConnection {
  /** The columns of `table` as the database spells them; empty when there is no such table. */
  listColumns(table: string): Promise<string[]>;
  /** Runs a parameterised SELECT (built by subscriberSelect) and returns its rows. */
  select(sql: string, params: string[]): Promise<FieldRow[]>;
  /** Ends the pool; connections in use are dropped. */
  close(): Promise<void>;
}

export interface SubscriberDbDriver {
  /** 'MySQL' or 'PostgreSQL', for log messages. */
  readonly name: string;
  quoteIdentifier(name: string): string;
  /** The placeholder of the n-th (1-based) parameter. */
  placeholder(n: number): string;
  /** Opens a pool to the host lazily: nothing is sent before the first call. */
  connect(host: string): TableConnection;
}

/**
 * `SELECT <column> AS <field>, … FROM <table> WHERE <username column> = <param 1>`: identifiers come from the
 * configuration and the table's own column list, quoted; the user name is always a parameter.
 */
export function subscriberSelect(
  driver: SubscriberDbDriver, table: string, columns: Partial<Record<SubscriberField, string>>,
): string {
  const q = (name: string) => driver.quoteIdentifier(name);
  const list = Object.entries(columns).map(([field, column]) => `${q(column)} AS ${q(field)}`);
  return `SELECT ${list.join(', ')} FROM ${q(table)} WHERE ${q(columns.username as string)} = ${driver.placeholder(1)}`;
}
