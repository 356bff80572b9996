/*
 * SubscriberDirectory over an existing subscriber table in MySQL/MariaDB or PostgreSQL, with a cache in front.
 *
 * find() answers from the cache while an entry is fresh (cacheMs; "no such user" for negativeCacheMs), else
 * queries the database; concurrent finds of one user share one query. A connect or query slower than timeoutMs
 * (or failing) marks that host bad (DB_MySQL_Connect_Timeout): finds then go to the next host (the secondary),
 * and with every host bad they answer at once from the cache, stale entries included, so registered users keep
 * being served and call processing never waits on a dead database. A probe retries a bad host every
 * probeIntervalMs and puts it back in use when it answers; the primary is preferred again as soon as it does.
 */
import type { Logger } from '../../log';
import type { Subscriber, SubscriberDirectory } from '../types';
import { subscriberSelect, type SubscriberDbDriver, type TableConnection } from './driver';
import { pickForDomain, presentColumns, rowToSubscriber, SubscriberTableError, type ColumnMap } from './fields';

export interface ExternalDirectorySettings {
  driver: SubscriberDbDriver;
  /** The primary, then the secondary when one is configured. */
  hosts: string[];
  table: string;
  columns: ColumnMap;
  /** Realm of HA1 hashes read from a table without a realm column. */
  realm: string;
  timeoutMs: number;
  cacheMs: number;
  negativeCacheMs: number;
  probeIntervalMs: number;
}

export type DirectoryLog = Pick<Logger, 'error' | 'notice' | 'debug'>;

export type HostState = 'unused' | 'opening' | 'good' | 'bad';

export interface DirectoryStatus {
  database: string;
  hosts: { host: string; state: HostState }[];
  cachedUsers: number;
}

/** An open pool and the SELECT that fits the columns its table has. */
interface Link { conn: TableConnection; sql: string }

interface Host {
  readonly name: string;
  state: HostState;
  link?: Link;
  opening?: Promise<Link>;
  probe?: NodeJS.Timeout;
}

interface CacheEntry { subscribers: Subscriber[]; expiresAt: number }

/** Bounds on the cache, against lookups of ever new names (scans, or case variants under MySQL collations). */
const MAX_KNOWN_USERS = 200_000;
const MAX_UNKNOWN_USERS = 10_000;
const DEBUG_FLAG = 'DBMySQL';

function setBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to the ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function closeQuietly(conn: TableConnection): void {
  conn.close().catch(() => {});
}

export class ExternalSubscriberDirectory implements SubscriberDirectory {
  private readonly hosts: Host[];
  private readonly known = new Map<string, CacheEntry>();
  /** User -> until when "no such user" is believed. */
  private readonly unknown = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<Subscriber[] | undefined>>();
  private closed = false;

  constructor(
    private readonly s: ExternalDirectorySettings,
    private readonly log: DirectoryLog,
    private readonly now: () => number = Date.now,
  ) {
    this.hosts = s.hosts.map((name) => ({ name, state: 'unused' }));
  }

  /**
   * Connects to the first host that answers. A host that answers with an unusable table (missing, no user
   * name column) throws SubscriberTableError, a configuration error; an unreachable database is only logged
   * (and probed), so sipd starts and serves subscribers once it answers.
   */
  async start(): Promise<void> {
    for (const host of this.hosts) {
      try {
        await this.linkOf(host);
        return;
      } catch (err) {
        if (err instanceof SubscriberTableError) throw err;
      }
    }
  }

  find(user: string, domain: string): Subscriber | undefined | Promise<Subscriber | undefined> {
    const fresh = this.freshEntry(user);
    if (fresh) return pickForDomain(fresh, domain);
    if (this.closed || this.hosts.every((h) => h.state === 'bad')) return this.staleAnswer(user, domain);
    return this.lookup(user).then((subscribers) =>
      subscribers ? pickForDomain(subscribers, domain) : this.staleAnswer(user, domain));
  }

  status(): DirectoryStatus {
    return {
      database: this.s.driver.name,
      hosts: this.hosts.map((h) => ({ host: h.name, state: h.state })),
      cachedUsers: this.known.size,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const closing: Promise<void>[] = [];
    for (const host of this.hosts) {
      clearTimeout(host.probe);
      if (host.link) closing.push(host.link.conn.close().catch(() => {}));
      host.link = undefined;
    }
    await Promise.all(closing);
  }

  private freshEntry(user: string): Subscriber[] | undefined {
    const now = this.now();
    const entry = this.known.get(user);
    if (entry && entry.expiresAt > now) return entry.subscribers;
    const unknownUntil = this.unknown.get(user);
    if (unknownUntil === undefined) return undefined;
    if (unknownUntil > now) return [];
    this.unknown.delete(user);
    return undefined;
  }

  private staleAnswer(user: string, domain: string): Subscriber | undefined {
    const entry = this.known.get(user);
    return entry && pickForDomain(entry.subscribers, domain);
  }

  private lookup(user: string): Promise<Subscriber[] | undefined> {
    let pending = this.inflight.get(user);
    if (!pending) {
      pending = this.query(user).finally(() => this.inflight.delete(user));
      this.inflight.set(user, pending);
    }
    return pending;
  }

  /** The user's rows from the first host that answers; undefined when none does. */
  private async query(user: string): Promise<Subscriber[] | undefined> {
    for (const host of this.hosts) {
      if (host.state === 'bad') continue;
      let link: Link;
      try {
        link = await this.linkOf(host);
      } catch {
        continue; // linkOf has marked the host bad
      }
      try {
        const rows = await withTimeout(link.conn.select(link.sql, [user]), this.s.timeoutMs, 'query');
        const subscribers = rows.flatMap((row) => rowToSubscriber(row, this.s.realm) ?? []);
        this.log.debug(DEBUG_FLAG, () => `${host.name}: ${subscribers.length} row(s) for user "${user}"`);
        this.remember(user, subscribers);
        return subscribers;
      } catch (err) {
        this.linkFailed(host, link, err);
      }
    }
    return undefined;
  }

  private remember(user: string, subscribers: Subscriber[]): void {
    if (this.closed) return;
    const now = this.now();
    if (subscribers.length > 0) {
      this.unknown.delete(user);
      setBounded(this.known, user, { subscribers, expiresAt: now + this.s.cacheMs }, MAX_KNOWN_USERS);
    } else {
      this.known.delete(user);
      if (this.s.negativeCacheMs > 0) setBounded(this.unknown, user, now + this.s.negativeCacheMs, MAX_UNKNOWN_USERS);
    }
  }

  /** The host's open link, opening it first when unused; an open that fails marks the host bad. */
  private linkOf(host: Host): Link | Promise<Link> {
    if (host.state === 'good' && host.link) return host.link;
    if (host.state === 'unused') {
      host.state = 'opening';
      host.opening = this.open(host).then(
        (link) => {
          host.opening = undefined;
          this.useLink(host, link);
          return link;
        },
        (err: unknown) => {
          host.opening = undefined;
          this.wentBad(host, err);
          throw err;
        },
      );
    }
    if (host.opening) return host.opening;
    return Promise.reject(new Error(`${host.name} is marked bad`));
  }

  private async open(host: Host): Promise<Link> {
    if (this.closed) throw new Error('the subscriber directory is closed');
    const conn = this.s.driver.connect(host.name);
    try {
      const columns = await withTimeout(conn.listColumns(this.s.table), this.s.timeoutMs, 'connect');
      const present = presentColumns(this.s.columns, columns, this.s.table);
      return { conn, sql: subscriberSelect(this.s.driver, this.s.table, present) };
    } catch (err) {
      closeQuietly(conn);
      throw err;
    }
  }

  private useLink(host: Host, link: Link): void {
    if (this.closed) {
      closeQuietly(link.conn);
      return;
    }
    host.link = link;
    host.state = 'good';
  }

  /** A query on `link` failed: the host goes bad unless it already has (or has since reconnected). */
  private linkFailed(host: Host, link: Link, err: unknown): void {
    if (host.link !== link) return;
    host.link = undefined;
    closeQuietly(link.conn);
    this.wentBad(host, err);
  }

  private wentBad(host: Host, err: unknown): void {
    host.state = 'bad';
    if (this.closed) return;
    const next = this.hosts.find((h) => h.state !== 'bad');
    const meanwhile = next ? `using ${next.name} meanwhile` : 'answering from the subscriber cache until it recovers';
    this.log.error(`${this.s.driver.name} subscriber database at ${host.name} marked bad: ${reason(err)}; ${meanwhile}`);
    this.scheduleProbe(host);
  }

  private scheduleProbe(host: Host): void {
    host.probe = setTimeout(() => this.probe(host), this.s.probeIntervalMs);
    host.probe.unref();
  }

  private probe(host: Host): void {
    host.probe = undefined;
    if (this.closed) return;
    this.open(host).then(
      (link) => {
        this.useLink(host, link);
        if (!this.closed) this.log.notice(`${this.s.driver.name} subscriber database at ${host.name} answers again`);
      },
      (err: unknown) => {
        this.log.debug(DEBUG_FLAG, () => `${host.name} still bad: ${reason(err)}`);
        if (!this.closed) this.scheduleProbe(host);
      },
    );
  }
}
