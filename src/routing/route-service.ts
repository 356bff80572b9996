/*
 * What the proxy holds: the route table of <ServerRoot>/data/routes.db in memory, kept current. Every
 * `reloadCheckMs` (default 250) it asks SQLite whether another process committed (PRAGMA data_version, as
 * the subscriber cache does) and, if so, reads the whole table again and swaps it in. A lookup never touches
 * the file. A reload of 100,000 routes takes a few hundred milliseconds (see docs/routes.md); it happens
 * only after `sipd regroute` changed something.
 */
import { RouteTable, type RouteMatch, type RouteTableSettings } from './route-table';
import { SqliteRouteStore } from './sqlite-route-store';

export interface RoutingSettings extends RouteTableSettings {
  /** How often to look for changes made by other processes; default 250 ms; 0 = never (tests call reloadIfChanged). */
  reloadCheckMs?: number;
  /** A failed reload keeps the old table; this hears why. Without it the error is thrown from the timer. */
  onError?: (err: unknown) => void;
}

const DEFAULT_RELOAD_CHECK_MS = 250;

export class RouteService {
  private current: RouteTable;
  private seenVersion: number;
  private readonly timer?: NodeJS.Timeout;

  /** Opens (or creates) the store and loads it; throws when the file cannot be read. */
  static open(file: string, settings: RoutingSettings): RouteService {
    return new RouteService(SqliteRouteStore.open(file), settings);
  }

  private constructor(
    private readonly store: SqliteRouteStore,
    private settings: RoutingSettings,
  ) {
    this.seenVersion = store.dataVersion();
    this.current = new RouteTable(store.list(), settings);
    const every = settings.reloadCheckMs ?? DEFAULT_RELOAD_CHECK_MS;
    if (every > 0) {
      this.timer = setInterval(() => this.reloadFromTimer(), every);
      this.timer.unref();
    }
  }

  get table(): RouteTable {
    return this.current;
  }

  /** Routes for a Request-URI user (phone routing, SPEC PRX-4 step 1). */
  lookupNumber(user: string, random?: () => number): RouteMatch {
    return this.current.lookupNumber(user, random);
  }

  /** Routes for a Request-URI host (domain routing, PRX-4 step 4). */
  lookupHost(host: string, random?: () => number): RouteMatch {
    return this.current.lookupHost(host, random);
  }

  /**
   * Cisco_Routing_Global_Less_Specific_Route_Search changed by a graceful restart: the table is read again with
   * it (the only table setting that comes from sipd.conf).
   */
  setLessSpecificSearch(on: boolean): void {
    if (this.settings.lessSpecificSearch === on) return;
    this.settings = { ...this.settings, lessSpecificSearch: on };
    this.current = new RouteTable(this.store.list(), this.settings);
  }

  /** Reloads when another process changed the file; returns whether it did. */
  reloadIfChanged(): boolean {
    const version = this.store.dataVersion();
    if (version === this.seenVersion) return false;
    this.current = new RouteTable(this.store.list(), this.settings);
    this.seenVersion = version;
    return true;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.store.close();
  }

  private reloadFromTimer(): void {
    try {
      this.reloadIfChanged();
    } catch (err) {
      if (!this.settings.onError) throw err;
      this.settings.onError(err);
    }
  }
}
