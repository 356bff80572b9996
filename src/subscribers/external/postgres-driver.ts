// PostgreSQL client for the external directory (pg): named prepared statements on a small pool.
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { POOL_SIZE, type DbLogin, type SubscriberDbDriver, type TableConnection } from './driver';
import type { FieldRow } from './fields';

export function postgresDriver(login: DbLogin): SubscriberDbDriver {
  return {
    name: 'PostgreSQL',
    quoteIdentifier: (name) => '"' + name.replace(/"/g, '""') + '"',
    placeholder: (n) => `$${n}`,
    connect: (host) => connectPostgres(host, login),
  };
}

function connectPostgres(host: string, login: DbLogin): TableConnection {
  const pool = new Pool({
    host, port: login.port, database: login.database, user: login.user, password: login.password,
    max: POOL_SIZE, connectionTimeoutMillis: login.timeoutMs, query_timeout: login.timeoutMs, keepAlive: true,
  });
  // An idle client whose server went away is reported here; without a listener it would crash the process.
  // The directory notices the outage on its next query.
  pool.on('error', () => {});
  return {
    async listColumns(table) {
      const result = await pool.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, [table]);
      return result.rows.map((r) => r.name);
    },
    async select(sql, params) {
      // The statement is prepared once per connection; its name follows its text, which changes with the columns.
      const name = 'sipd_subscriber_' + createHash('sha1').update(sql).digest('hex').slice(0, 12);
      const result = await pool.query({ name, text: sql, values: params });
      return result.rows as FieldRow[];
    },
    close: () => pool.end(),
  };
}
