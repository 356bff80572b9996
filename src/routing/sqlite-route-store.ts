/*
 * The static route table on disk: <ServerRoot>/data/routes.db (better-sqlite3, WAL). The server reads it
 * whole into a RouteTable (RouteService); `sipd regroute` writes it from another process.
 * Routes are identified by type, pattern and next hop (routeKey): adding or importing a route with the same
 * three replaces it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { CsvProblem } from '../subscribers/csv';
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS routes (
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
  PRIMARY KEY (type, pattern, next_hop)
) WITHOUT ROWID;
`;

export class SqliteRouteStore {
  private readonly stmtAll: Database.Statement;
  private readonly stmtExists: Database.Statement;
  private readonly stmtUpsert: Database.Statement;
  private readonly stmtDeletePattern: Database.Statement;
  private readonly stmtDeleteOne: Database.Statement;
  private readonly stmtDataVersion: Database.Statement;

  /** Opens the file, creating it and its folder when missing. */
  static open(file: string): SqliteRouteStore {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      return new SqliteRouteStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(private readonly db: Database.Database) {
    this.stmtAll = db.prepare('SELECT * FROM routes ORDER BY type DESC, pattern, next_hop');
    this.stmtExists = db.prepare('SELECT 1 FROM routes WHERE type = ? AND pattern = ? AND next_hop = ?').pluck();
    this.stmtUpsert = db.prepare(
      `INSERT OR REPLACE INTO routes (type, pattern, next_hop, port, transport, priority, weight, tech_prefix_action,
         tech_prefix, allow_less_specific, block, in_service, label)
       VALUES (@type, @pattern, @next_hop, @port, @transport, @priority, @weight, @tech_prefix_action,
         @tech_prefix, @allow_less_specific, @block, @in_service, @label)`,
    );
    this.stmtDeletePattern = db.prepare('DELETE FROM routes WHERE type = ? AND pattern = ?');
    this.stmtDeleteOne = db.prepare('DELETE FROM routes WHERE type = ? AND pattern = ? AND next_hop = ?');
    this.stmtDataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  /** Every route, phone routes first, by pattern and next hop. */
  list(): Route[] {
    return (this.stmtAll.all() as RouteRow[]).map(rowToRoute);
  }

  /** Adds the route, or replaces the one with the same type, pattern and next hop. */
  put(route: Route): WriteOutcome {
    return this.db.transaction(() => this.write(checkRoute(route)))();
  }

  /** Removes the pattern's route via nextHop, or all its routes when nextHop is undefined; returns how many. */
  delete(type: PatternType, pattern: string, nextHop?: string): number {
    const result = nextHop === undefined ? this.stmtDeletePattern.run(type, pattern) : this.stmtDeleteOne.run(type, pattern, nextHop);
    return result.changes;
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
        for (const old of this.list()) if (!imported.has(routeKey(old))) this.delete(old.type, old.pattern, old.nextHop);
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
    const existed = this.stmtExists.get(r.type, r.pattern, r.nextHop) !== undefined;
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
