// MySQL/MariaDB client for the external directory (mysql2): server-side prepared statements on a small pool.
import { createPool, type RowDataPacket } from 'mysql2/promise';
import { POOL_SIZE, type DbLogin, type SubscriberDbDriver, type TableConnection } from './driver';
import type { FieldRow } from './fields';

export function mysqlDriver(login: DbLogin): SubscriberDbDriver {
  return {
    name: 'MySQL',
    quoteIdentifier: (name) => '`' + name.replace(/`/g, '``') + '`',
    placeholder: () => '?',
    connect: (host) => connectMysql(host, login),
  };
}

function connectMysql(host: string, login: DbLogin): TableConnection {
  const pool = createPool({
    host, port: login.port, database: login.database, user: login.user, password: login.password,
    connectTimeout: login.timeoutMs, connectionLimit: POOL_SIZE, maxIdle: POOL_SIZE, enableKeepAlive: true,
    waitForConnections: true, queueLimit: 0,
  });
  return {
    async listColumns(table) {
      const [rows] = await pool.execute<RowDataPacket[]>(
        `SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`, [table]);
      return rows.map((r) => String(r.name));
    },
    async select(sql, params) {
      const [rows] = await pool.execute<RowDataPacket[]>({ sql, timeout: login.timeoutMs }, params);
      return rows as FieldRow[];
    },
    close: () => pool.end(),
  };
}
