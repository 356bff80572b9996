// From sipd.conf to an external subscriber directory: DB_MySQL* or DB_PostgreSQL* (sharing the table and the
// DB_MySQL_<Field>_Field mapping), DB_MySQL_Connect_Timeout and SubscriberCacheTime.
import type { SipdConfig } from '../../config';
import type { DbLogin, SubscriberDbDriver } from './driver';
import { ExternalSubscriberDirectory, type DirectoryLog, type ExternalDirectorySettings } from './external-directory';
import { columnMapping } from './fields';
import { mysqlDriver } from './mysql-driver';
import { postgresDriver } from './postgres-driver';

export type SubscriberDbConfig = Pick<SipdConfig,
  | 'DB_MySQL' | 'DB_MySQL_HostName' | 'DB_MySQL_Secondary_HostName' | 'DB_MySQL_Port' | 'DB_MySQL_DB'
  | 'DB_MySQL_Username' | 'DB_MySQL_Password' | 'DB_MySQL_SubscriberTable' | 'DB_MySQL_Connect_Timeout'
  | 'DB_MySQL_XXX_Field' | 'DB_PostgreSQL' | 'DB_PostgreSQL_HostName' | 'DB_PostgreSQL_Port' | 'DB_PostgreSQL_DB'
  | 'DB_PostgreSQL_Username' | 'DB_PostgreSQL_Password' | 'SubscriberCacheTime'>;

/** The configuration names an external subscriber database that cannot be used as written. */
export class SubscriberDbConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SubscriberDbConfigError';
  }
}

/** "No such user" is believed for this long at most, so a subscriber just added is found soon. */
const MAX_NEGATIVE_CACHE_MS = 5_000;
/** A bad host is retried this often at most (more often when DB_MySQL_Connect_Timeout is shorter). */
const MAX_PROBE_INTERVAL_MS = 3_000;

interface Choice { driver: SubscriberDbDriver; hosts: string[] }

function need(problems: string[], value: string | undefined, directive: string, database: string): void {
  if (!value) problems.push(`${database} is On but ${directive} is not set`);
}

function chooseDatabase(cfg: SubscriberDbConfig, timeoutMs: number, problems: string[]): Choice | undefined {
  const table = 'DB_MySQL_SubscriberTable';
  if (cfg.DB_MySQL) {
    need(problems, cfg.DB_MySQL_HostName, 'DB_MySQL_HostName', 'DB_MySQL');
    need(problems, cfg.DB_MySQL_DB, 'DB_MySQL_DB', 'DB_MySQL');
    need(problems, cfg.DB_MySQL_SubscriberTable, table, 'DB_MySQL');
    const login: DbLogin = { port: cfg.DB_MySQL_Port, database: cfg.DB_MySQL_DB ?? '', user: cfg.DB_MySQL_Username,
      password: cfg.DB_MySQL_Password, timeoutMs };
    const hosts = [cfg.DB_MySQL_HostName, cfg.DB_MySQL_Secondary_HostName].filter((h): h is string => !!h);
    return { driver: mysqlDriver(login), hosts };
  }
  need(problems, cfg.DB_PostgreSQL_HostName, 'DB_PostgreSQL_HostName', 'DB_PostgreSQL');
  need(problems, cfg.DB_PostgreSQL_DB, 'DB_PostgreSQL_DB', 'DB_PostgreSQL');
  need(problems, cfg.DB_MySQL_SubscriberTable, `${table} (the table name is shared with MySQL)`, 'DB_PostgreSQL');
  const login: DbLogin = { port: cfg.DB_PostgreSQL_Port, database: cfg.DB_PostgreSQL_DB ?? '',
    user: cfg.DB_PostgreSQL_Username, password: cfg.DB_PostgreSQL_Password, timeoutMs };
  return { driver: postgresDriver(login), hosts: cfg.DB_PostgreSQL_HostName ? [cfg.DB_PostgreSQL_HostName] : [] };
}

/**
 * Directory settings when DB_MySQL or DB_PostgreSQL is On, undefined when neither is (the embedded store serves).
 * Throws SubscriberDbConfigError listing every problem.
 */
export function externalDirectorySettings(cfg: SubscriberDbConfig, realm: string): ExternalDirectorySettings | undefined {
  if (!cfg.DB_MySQL && !cfg.DB_PostgreSQL) return undefined;
  const problems: string[] = [];
  if (cfg.DB_MySQL && cfg.DB_PostgreSQL) problems.push('DB_MySQL and DB_PostgreSQL are both On; turn one of them Off');
  const timeoutMs = cfg.DB_MySQL_Connect_Timeout * 1000;
  const choice = chooseDatabase(cfg, timeoutMs, problems);
  const { columns, problems: fieldProblems } = columnMapping(cfg.DB_MySQL_XXX_Field);
  problems.push(...fieldProblems);
  if (problems.length > 0 || !choice) throw new SubscriberDbConfigError(problems);
  const cacheMs = cfg.SubscriberCacheTime * 1000;
  return {
    driver: choice.driver, hosts: choice.hosts, table: cfg.DB_MySQL_SubscriberTable as string, columns, realm,
    timeoutMs, cacheMs, negativeCacheMs: Math.min(cacheMs, MAX_NEGATIVE_CACHE_MS),
    probeIntervalMs: Math.min(timeoutMs, MAX_PROBE_INTERVAL_MS),
  };
}

/** The configuration problems of the external subscriber database, for `sipd configtest`; none when it is off. */
export function subscriberDbProblems(cfg: SubscriberDbConfig): string[] {
  try {
    externalDirectorySettings(cfg, '');
    return [];
  } catch (err) {
    if (err instanceof SubscriberDbConfigError) return err.problems;
    throw err;
  }
}

/**
 * The subscriber directory of DB_MySQL / DB_PostgreSQL, connected to the first host that answers; undefined when
 * neither is On. `realm` is the realm of HA1 columns in a table without a realm column (AuthRealm or its default).
 * Rejects with SubscriberDbConfigError for bad directives and SubscriberTableError when the database answers but
 * the table is missing or has no user name column; an unreachable database is logged and retried in the background.
 */
export async function openSubscriberDirectory(
  cfg: SubscriberDbConfig, log: DirectoryLog, realm: string,
): Promise<ExternalSubscriberDirectory | undefined> {
  const settings = externalDirectorySettings(cfg, realm);
  if (!settings) return undefined;
  const directory = new ExternalSubscriberDirectory(settings, log);
  try {
    await directory.start();
  } catch (err) {
    await directory.close();
    throw err;
  }
  return directory;
}
