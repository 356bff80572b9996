/*
 * The static route table on disk: <ServerRoot>/data/routes.db (better-sqlite3, WAL). The server reads it
 * whole into a RouteTable (RouteService); `sipd regroute` writes it from another process.
 * Routes are identified by type, pattern, next hop and port (routeKey): adding or importing a route with the
 * same four replaces it.
 *
 * Schema versions (PRAGMA user_version): 0 with a routes table is the first file format, keyed by type, pattern
 * and next hop only; 1 adds the port to the key. open() migrates a version 0 file in one transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { CsvProblem } from '../subscribers/csv';
import { ProvisioningError } from '../subscribers/errors';
import type { ImportItem, ImportResult, WriteOutcome } from '../subscribers/sqlite-subscriber-store';
import { checkRoute, routeKey, type PatternType, type Route, type RouteTransport, type TechPrefixAction } from './route';

/** Where the store lives: <ServerRoot>/data/routes.db. */
export function routeDbPath(serverRoot: string): string {
  return join(serverRoot, 'data', 'routes.db');
}

interface RouteRow {
  type: PatternType;
  pattern: string;
  next_hop: string;
  port: number;
  transport: RouteTransport;
  priority: number;
  weight: number;
  tech_prefix_action: TechPrefixAction;
  tech_prefix: string;
  allow_less_specific: number;
  block: number;
  in_service: number;
  label: string;
}

const SCHEMA_VERSION = 1;

const COLUMNS = `type, pattern, next_hop, port, transport, priority, weight, tech_prefix_action, tech_prefix,
  allow_less_specific, block, in_service, label`;

const createRoutes = (name: string): string => `
CREATE TABLE ${name} (
  type TEXT NOT NULL,
  pattern TEXT NOT NULL,
  next_hop TEXT NOT NULL,
  port INTEGER NOT NULL,
  transport TEXT NOT NULL,
  priority INTEGER NOT NULL,
  weight INTEGER NOT NULL,
  tech_prefix_action TEXT NOT NULL,
  tech_prefix TEXT NOT NULL,
  allow_less_specific INTEGER NOT NULL,
  block INTEGER NOT NULL,
  in_service INTEGER NOT NULL,
  label TEXT NOT NULL,
  PRIMARY KEY (type, pattern, next_hop, port)
) WITHOUT ROWID;
`;

/**
 * Brings the file to SCHEMA_VERSION: creates the table in a new file, or moves the rows of a version 0 table
 * into one with the new key (they cannot collide: the old key's columns are part of the new one). The work is
 * one IMMEDIATE transaction that looks at the version again, so two processes opening an old file at once
 * migrate it once.
 */
function prepareSchema(db: Database.Database, file: string): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  if (version() === SCHEMA_VERSION) return;
  db.transaction(() => {
    const found = version();
    if (found === SCHEMA_VERSION) return;
    if (found > SCHEMA_VERSION) {
      throw new ProvisioningError(`${file}: schema version ${found} is newer than this sipd knows (${SCHEMA_VERSION}); use a newer sipd`);
    }
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'routes'").pluck().get() !== undefined;
    if (exists) {
      db.exec(createRoutes('routes_v1'));
      db.exec(`INSERT INTO routes_v1 (${COLUMNS}) SELECT ${COLUMNS} FROM routes`);
      db.exec('DROP TABLE routes');
      db.exec('ALTER TABLE routes_v1 RENAME TO routes');
    } else {
      db.exec(createRoutes('routes'));
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export class SqliteRouteStore {
  private readonly stmtAll: Database.Statement;
  private readonly stmtExists: Database.Statement;
  private readonly stmtUpsert: Database.Statement;
  private readonly stmtSelectMatching: Database.Statement;
  private readonly stmtDeleteMatching: Database.Statement;
  private readonly stmtDataVersion: Database.Statement;

  /** Opens the file, creating it and its folder when missing. */
  static open(file: string): SqliteRouteStore {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      prepareSchema(db, file);
      return new SqliteRouteStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(private readonly db: Database.Database) {
    this.stmtAll = db.prepare('SELECT * FROM routes ORDER BY type DESC, pattern, next_hop, port');
    this.stmtExists = db.prepare('SELECT 1 FROM routes WHERE type = ? AND pattern = ? AND next_hop = ? AND port = ?').pluck();
    this.stmtUpsert = db.prepare(
      `INSERT OR REPLACE INTO routes (${COLUMNS})
       VALUES (@type, @pattern, @next_hop, @port, @transport, @priority, @weight, @tech_prefix_action,
         @tech_prefix, @allow_less_specific, @block, @in_service, @label)`,
    );
    // A null next_hop or port matches any.
    const matching = 'WHERE type = @type AND pattern = @pattern AND (@next_hop IS NULL OR next_hop = @next_hop) AND (@port IS NULL OR port = @port)';
    this.stmtSelectMatching = db.prepare(`SELECT * FROM routes ${matching} ORDER BY next_hop, port`);
    this.stmtDeleteMatching = db.prepare(`DELETE FROM routes ${matching}`);
    this.stmtDataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  /** Every route, phone routes first, by pattern, next hop and port. */
  list(): Route[] {
    return (this.stmtAll.all() as RouteRow[]).map(rowToRoute);
  }

  /** Adds the route, or replaces the one with the same type, pattern, next hop and port. */
  put(route: Route): WriteOutcome {
    return this.db.transaction(() => this.write(checkRoute(route)))();
  }

  /**
   * Removes the pattern's routes via nextHop on port, and returns them (by next hop and port). Leaving out port
   * removes the routes via nextHop on every port; leaving out nextHop too, all the pattern's routes.
   */
  delete(type: PatternType, pattern: string, nextHop?: string, port?: number): Route[] {
    const where = { type, pattern, next_hop: nextHop ?? null, port: port ?? null };
    return this.db.transaction(() => {
      const removed = (this.stmtSelectMatching.all(where) as RouteRow[]).map(rowToRoute);
      this.stmtDeleteMatching.run(where);
      return removed;
    })();
  }

  /**
   * All or nothing: when any item is a problem nothing is written. Each route is added or replaces the one
   * it matches; with `replaceAll` the table holds exactly the imported routes afterwards. The values must be
   * checked routes, as readRouteCsv makes them.
   */
  importRoutes(items: readonly ImportItem<Route>[], replaceAll = false): ImportResult {
    const problems: CsvProblem[] = [];
    const routes: Route[] = [];
    for (const item of items) {
      if ('value' in item) routes.push(item.value);
      else problems.push(item);
    }
    if (problems.length > 0) return { added: 0, updated: 0, problems };
    const result: ImportResult = { added: 0, updated: 0, problems };
    this.db.transaction(() => {
      for (const route of routes) result[this.write(route)]++;
      if (replaceAll) {
        const imported = new Set(routes.map(routeKey));
        for (const old of this.list()) if (!imported.has(routeKey(old))) this.delete(old.type, old.pattern, old.nextHop, old.port);
      }
    })();
    return result;
  }

  /** SQLite's data_version: changes when another connection (another process) commits. */
  dataVersion(): number {
    return this.stmtDataVersion.get() as number;
  }

  close(): void {
    this.db.close();
  }

  private write(r: Route): WriteOutcome {
    const existed = this.stmtExists.get(r.type, r.pattern, r.nextHop, r.port) !== undefined;
    this.stmtUpsert.run(routeToRow(r));
    return existed ? 'updated' : 'added';
  }
}

function routeToRow(r: Route): RouteRow {
  return {
    type: r.type,
    pattern: r.pattern,
    next_hop: r.nextHop,
    port: r.port,
    transport: r.transport,
    priority: r.priority,
    weight: r.weight,
    tech_prefix_action: r.techPrefixAction,
    tech_prefix: r.techPrefix,
    allow_less_specific: r.allowLessSpecific ? 1 : 0,
    block: r.block ? 1 : 0,
    in_service: r.inService ? 1 : 0,
    label: r.label,
  };
}

function rowToRoute(row: RouteRow): Route {
  return {
    pattern: row.pattern,
    type: row.type,
    nextHop: row.next_hop,
    port: row.port,
    transport: row.transport,
    priority: row.priority,
    weight: row.weight,
    techPrefixAction: row.tech_prefix_action,
    techPrefix: row.tech_prefix,
    allowLessSpecific: row.allow_less_specific === 1,
    block: row.block === 1,
    inService: row.in_service === 1,
    label: row.label,
  };
}
