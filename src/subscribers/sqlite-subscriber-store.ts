/*
 * The embedded subscriber and device store: <ServerRoot>/data/subscribers.db (better-sqlite3, WAL).
 *
 * The `sipd subscriber|device` commands write the same file from another process. Without `cacheMs` every
 * read goes to the database and sees their changes at once: one prepared statement on an indexed key, about
 * 10 µs with the file lock. The running server sets `cacheMs` (ReadCache): answers are reused until another
 * process commits a change, which is noticed within cacheMs.
 *
 * Plain passwords are turned into HA1 hashes for the configured realm before anything is written; they are
 * never stored and never part of an error message.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { CsvProblem } from './csv';
import { ReadCache } from './read-cache';
import { resolveLines, checkDeviceName, type LineSpec } from './device-rules';
import { ProvisioningError } from './errors';
import { ha1Pair } from './ha1';
import { checkForwardUri, checkHa1, checkUser, formatSubscriberKey, normaliseDomain } from './syntax';
import type {
  Credentials,
  Device,
  DeviceDirectory,
  DeviceLine,
  DeviceType,
  DigestMode,
  SecurityProfile,
  Subscriber,
  SubscriberDirectory,
} from './types';

export interface SubscriberStoreSettings {
  /** The realm plain passwords are hashed for: AuthRealm, else defaultRealm(cfg). */
  realm: string;
  now?: () => number;
  /** find/byDigestUser/byLine answers are reused until the file changes, checked this often (ReadCache); 0, the default, reads every time. */
  cacheMs?: number;
}

const CACHE_ENTRIES = 200_000;

/** Where the store lives: <ServerRoot>/data/subscribers.db. */
export function subscriberDbPath(serverRoot: string): string {
  return join(serverRoot, 'data', 'subscribers.db');
}

export type Ha1Credentials = Extract<Credentials, { kind: 'ha1' }>;

/** A subscriber as stored (show, list, export). */
export interface SubscriberRecord extends Subscriber {
  credentials: Ha1Credentials;
  createdMs: number;
  updatedMs: number;
}

/** The forwarding fields: property, database/CSV column, and the name used in options and messages. */
export const FORWARD_FIELDS = [
  { prop: 'forwardUnconditional', column: 'forward_unconditional', label: 'forward-unconditional' },
  { prop: 'forwardBusy', column: 'forward_busy', label: 'forward-busy' },
  { prop: 'forwardNoAnswer', column: 'forward_no_answer', label: 'forward-no-answer' },
  { prop: 'forwardUnavailable', column: 'forward_unavailable', label: 'forward-unavailable' },
] as const;

export type ForwardProp = (typeof FORWARD_FIELDS)[number]['prop'];
type ForwardColumn = (typeof FORWARD_FIELDS)[number]['column'];

/**
 * An add, a change or an imported row. An absent property keeps the stored value (or takes the default
 * when the subscriber is new); null clears a forwarding target.
 */
export type SubscriberChange = {
  user: string;
  /** '' = any domain. */
  domain: string;
  /** Hashed for the store's realm; never stored. */
  password?: string;
  /** Hashes made elsewhere (import); exclusive with password. */
  ha1?: { realm: string; md5?: string; sha256?: string };
  redirectPrivacy?: boolean;
} & { [P in ForwardProp]?: string | null };

/** Like SubscriberChange, for devices; lines replace all lines of the device when given. */
export interface DeviceChange {
  name: string;
  type?: DeviceType;
  digestUser?: string;
  lines?: readonly LineSpec[];
  trusted?: boolean;
  securityProfile?: SecurityProfile;
  digestMode?: DigestMode;
}

export type WriteMode = 'add' | 'set' | 'upsert';
export type WriteOutcome = 'added' | 'updated';

/** One record of an import file, already converted, or the reason it could not be. */
export type ImportItem<T> = { line: number; value: T } | CsvProblem;

export interface ImportResult {
  added: number;
  updated: number;
  /** Non-empty means nothing was written. */
  problems: CsvProblem[];
}

type SubscriberRow = {
  user: string;
  domain: string;
  realm: string;
  ha1_md5: string | null;
  ha1_sha256: string | null;
  redirect_privacy: number;
  created_ms: number;
  updated_ms: number;
} & { [C in ForwardColumn]: string | null };

interface DeviceLineRow {
  name: string;
  type: DeviceType;
  digest_user: string;
  trusted: number;
  security_profile: SecurityProfile;
  digest_mode: DigestMode;
  number: string;
  max_calls: number;
  busy_trigger: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS subscribers (
  user TEXT NOT NULL,
  domain TEXT NOT NULL,
  realm TEXT NOT NULL,
  ha1_md5 TEXT,
  ha1_sha256 TEXT,
  forward_unconditional TEXT,
  forward_busy TEXT,
  forward_no_answer TEXT,
  forward_unavailable TEXT,
  redirect_privacy INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (user, domain),
  CHECK (ha1_md5 IS NOT NULL OR ha1_sha256 IS NOT NULL)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices (
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('basic', 'advanced')),
  digest_user TEXT NOT NULL UNIQUE,
  trusted INTEGER NOT NULL DEFAULT 0,
  security_profile TEXT NOT NULL CHECK (security_profile IN ('non-secure', 'authenticated', 'encrypted')),
  digest_mode TEXT NOT NULL CHECK (digest_mode IN ('identify', 'verify')),
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS device_lines (
  device TEXT NOT NULL REFERENCES devices (name) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  number TEXT NOT NULL UNIQUE,
  max_calls INTEGER NOT NULL,
  busy_trigger INTEGER NOT NULL,
  PRIMARY KEY (device, position)
) WITHOUT ROWID;
`;

const DEVICE_SELECT = `
SELECT d.name, d.type, d.digest_user, d.trusted, d.security_profile, d.digest_mode, l.number, l.max_calls, l.busy_trigger
  FROM devices d JOIN device_lines l ON l.device = d.name`;

/** Thrown inside an import transaction to undo it. */
class Rollback extends Error {}

export class SqliteSubscriberStore implements SubscriberDirectory, DeviceDirectory {
  private readonly now: () => number;
  private readonly subscriberCache: ReadCache<Subscriber>;
  private readonly deviceCache: ReadCache<Device>;
  private readonly stmtFind: Database.Statement;
  private readonly stmtGet: Database.Statement;
  private readonly stmtUpsert: Database.Statement;
  private readonly stmtDeleteSubscriber: Database.Statement;
  private readonly stmtUserCount: Database.Statement;
  private readonly stmtDeviceByDigestUser: Database.Statement;
  private readonly stmtDeviceByLine: Database.Statement;
  private readonly stmtDeviceByName: Database.Statement;
  private readonly stmtDeviceNameOfDigestUser: Database.Statement;
  private readonly stmtDeviceNameOfLine: Database.Statement;
  private readonly stmtUpsertDevice: Database.Statement;
  private readonly stmtDeleteLines: Database.Statement;
  private readonly stmtInsertLine: Database.Statement;
  private readonly stmtDeleteDevice: Database.Statement;

  /** Opens the file, creating it and its folder when missing. */
  static open(file: string, settings: SubscriberStoreSettings): SqliteSubscriberStore {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.exec(SCHEMA);
      return new SqliteSubscriberStore(db, settings);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(
    private readonly db: Database.Database,
    private readonly settings: SubscriberStoreSettings,
  ) {
    this.now = settings.now ?? Date.now;
    const dataVersion = db.prepare('PRAGMA data_version').pluck();
    const version = () => dataVersion.get() as number;
    this.subscriberCache = new ReadCache(settings.cacheMs ?? 0, CACHE_ENTRIES, this.now, version);
    this.deviceCache = new ReadCache(settings.cacheMs ?? 0, CACHE_ENTRIES, this.now, version);
    // '' (any domain) sorts below every domain, so walking the primary key downwards finds the exact
    // domain first and needs no sort.
    this.stmtFind = db.prepare(
      `SELECT * FROM subscribers WHERE user = ? AND domain IN (?, '') ORDER BY domain DESC LIMIT 1`,
    );
    this.stmtGet = db.prepare('SELECT * FROM subscribers WHERE user = ? AND domain = ?');
    const forwardColumns = FORWARD_FIELDS.map((f) => f.column);
    this.stmtUpsert = db.prepare(
      `INSERT INTO subscribers (user, domain, realm, ha1_md5, ha1_sha256, ${forwardColumns.join(', ')}, redirect_privacy, created_ms, updated_ms)
       VALUES (@user, @domain, @realm, @ha1_md5, @ha1_sha256, ${forwardColumns.map((c) => `@${c}`).join(', ')}, @redirect_privacy, @created_ms, @updated_ms)
       ON CONFLICT (user, domain) DO UPDATE SET realm = excluded.realm, ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256,
         ${forwardColumns.map((c) => `${c} = excluded.${c}`).join(', ')}, redirect_privacy = excluded.redirect_privacy, updated_ms = excluded.updated_ms`,
    );
    this.stmtDeleteSubscriber = db.prepare('DELETE FROM subscribers WHERE user = ? AND domain = ?');
    this.stmtUserCount = db.prepare('SELECT count(*) FROM subscribers WHERE user = ?').pluck();
    this.stmtDeviceByDigestUser = db.prepare(`${DEVICE_SELECT} WHERE d.digest_user = ? ORDER BY l.position`);
    this.stmtDeviceByLine = db.prepare(
      `${DEVICE_SELECT} WHERE d.name = (SELECT device FROM device_lines WHERE number = ?) ORDER BY l.position`,
    );
    this.stmtDeviceByName = db.prepare(`${DEVICE_SELECT} WHERE d.name = ? ORDER BY l.position`);
    this.stmtDeviceNameOfDigestUser = db.prepare('SELECT name FROM devices WHERE digest_user = ?').pluck();
    this.stmtDeviceNameOfLine = db.prepare('SELECT device FROM device_lines WHERE number = ?').pluck();
    this.stmtUpsertDevice = db.prepare(
      `INSERT INTO devices (name, type, digest_user, trusted, security_profile, digest_mode, created_ms, updated_ms)
       VALUES (@name, @type, @digest_user, @trusted, @security_profile, @digest_mode, @now, @now)
       ON CONFLICT (name) DO UPDATE SET type = excluded.type, digest_user = excluded.digest_user, trusted = excluded.trusted,
         security_profile = excluded.security_profile, digest_mode = excluded.digest_mode, updated_ms = excluded.updated_ms`,
    );
    this.stmtDeleteLines = db.prepare('DELETE FROM device_lines WHERE device = ?');
    this.stmtInsertLine = db.prepare(
      'INSERT INTO device_lines (device, position, number, max_calls, busy_trigger) VALUES (?, ?, ?, ?, ?)',
    );
    this.stmtDeleteDevice = db.prepare('DELETE FROM devices WHERE name = ?');
  }

  get realm(): string {
    return this.settings.realm;
  }

  // ---- read side used by the proxy

  find(user: string, domain: string): Subscriber | undefined {
    const d = domain.toLowerCase();
    return this.subscriberCache.get(`${user}@${d}`, () => {
      const row = this.stmtFind.get(user, d) as SubscriberRow | undefined;
      return row && toSubscriber(row);
    });
  }

  byDigestUser(user: string): Device | undefined {
    return this.deviceCache.get(`u:${user}`, () => toDevice(this.stmtDeviceByDigestUser.all(user) as DeviceLineRow[]));
  }

  byLine(number: string): Device | undefined {
    return this.deviceCache.get(`l:${number}`, () => toDevice(this.stmtDeviceByLine.all(number) as DeviceLineRow[]));
  }

  // ---- subscribers

  /** Exactly user@domain (no fallback to domain ''). */
  getSubscriber(user: string, domain: string): SubscriberRecord | undefined {
    const row = this.stmtGet.get(user, domain.toLowerCase()) as SubscriberRow | undefined;
    return row && toSubscriber(row);
  }

  listSubscribers(): SubscriberRecord[] {
    const rows = this.db.prepare('SELECT * FROM subscribers ORDER BY user, domain').all() as SubscriberRow[];
    return rows.map(toSubscriber);
  }

  /** add: refused if it exists; set: refused if it does not; upsert: either. */
  putSubscriber(change: SubscriberChange, mode: WriteMode): WriteOutcome {
    const user = checkUser(change.user);
    const domain = normaliseDomain(change.domain);
    const key = formatSubscriberKey(user, domain);
    const existing = this.stmtGet.get(user, domain) as SubscriberRow | undefined;
    if (mode === 'add' && existing) throw new ProvisioningError(`subscriber ${key} already exists`);
    if (mode === 'set' && !existing) throw new ProvisioningError(`no subscriber ${key}`);

    const credentials = this.newCredentials(change, user) ?? (existing && credentialsOf(existing));
    if (!credentials) throw new ProvisioningError(`subscriber ${key} needs a password or HA1 hashes`);
    const now = this.now();
    const row: SubscriberRow = {
      user,
      domain,
      realm: credentials.realm,
      ha1_md5: credentials.md5 ?? null,
      ha1_sha256: credentials.sha256 ?? null,
      forward_unconditional: null,
      forward_busy: null,
      forward_no_answer: null,
      forward_unavailable: null,
      redirect_privacy: change.redirectPrivacy === undefined ? (existing?.redirect_privacy ?? 0) : Number(change.redirectPrivacy),
      created_ms: existing?.created_ms ?? now,
      updated_ms: now,
    };
    for (const f of FORWARD_FIELDS) {
      const given = change[f.prop];
      row[f.column] = given === undefined ? (existing?.[f.column] ?? null) : given === null || given.trim() === '' ? null : checkForwardUri(given, f.label);
    }
    this.stmtUpsert.run(row);
    return existing ? 'updated' : 'added';
  }

  removeSubscriber(user: string, anyCaseDomain: string): void {
    const domain = anyCaseDomain.toLowerCase();
    const key = formatSubscriberKey(user, domain);
    this.db.transaction(() => {
      if (!this.stmtGet.get(user, domain)) throw new ProvisioningError(`no subscriber ${key}`);
      const device = this.stmtDeviceNameOfDigestUser.get(user) as string | undefined;
      // A device needs its digest user to exist in some domain; the last such subscriber stays.
      if (device !== undefined && (this.stmtUserCount.get(user) as number) === 1) {
        throw new ProvisioningError(`subscriber ${key} is the digest user of device ${device}; remove or change the device first`);
      }
      this.stmtDeleteSubscriber.run(user, domain);
    })();
  }

  importSubscribers(items: readonly ImportItem<SubscriberChange>[]): ImportResult {
    return this.importAll(items, (change) => this.putSubscriber(change, 'upsert'));
  }

  private newCredentials(change: SubscriberChange, user: string): Ha1Credentials | undefined {
    if (change.password !== undefined && change.ha1 !== undefined) {
      throw new ProvisioningError('give either a password or HA1 hashes, not both');
    }
    if (change.password !== undefined) {
      if (change.password === '') throw new ProvisioningError('the password is empty');
      return { kind: 'ha1', realm: this.settings.realm, ...ha1Pair(user, this.settings.realm, change.password) };
    }
    if (change.ha1 === undefined) return undefined;
    const { realm, md5, sha256 } = change.ha1;
    if (realm === '') throw new ProvisioningError('HA1 hashes need their realm');
    if (!md5 && !sha256) throw new ProvisioningError('no HA1 hash given (MD5 or SHA-256)');
    return {
      kind: 'ha1',
      realm,
      md5: md5 ? checkHa1(md5, 'MD5') : undefined,
      sha256: sha256 ? checkHa1(sha256, 'SHA-256') : undefined,
    };
  }

  // ---- devices

  getDevice(name: string): Device | undefined {
    return toDevice(this.stmtDeviceByName.all(name) as DeviceLineRow[]);
  }

  listDevices(): Device[] {
    const rows = this.db.prepare(`${DEVICE_SELECT} ORDER BY d.name, l.position`).all() as DeviceLineRow[];
    const devices: Device[] = [];
    let from = 0;
    for (let i = 1; i <= rows.length; i++) {
      if (i === rows.length || rows[i].name !== rows[from].name) {
        devices.push(toDevice(rows.slice(from, i)) as Device);
        from = i;
      }
    }
    return devices;
  }

  putDevice(change: DeviceChange, mode: WriteMode): WriteOutcome {
    return this.db.transaction(() => this.writeDevice(change, mode))();
  }

  removeDevice(name: string): void {
    if (this.stmtDeleteDevice.run(name).changes === 0) throw new ProvisioningError(`no device ${name}`);
  }

  importDevices(items: readonly ImportItem<DeviceChange>[]): ImportResult {
    return this.importAll(items, (change) => this.writeDevice(change, 'upsert'));
  }

  // Every check comes before the first write, so a refused change leaves nothing behind.
  private writeDevice(change: DeviceChange, mode: WriteMode): WriteOutcome {
    const name = checkDeviceName(change.name);
    const existing = this.getDevice(name);
    if (mode === 'add' && existing) throw new ProvisioningError(`device ${name} already exists`);
    if (mode === 'set' && !existing) throw new ProvisioningError(`no device ${name}`);
    const required = <T>(value: T | undefined, what: string): T => {
      if (value === undefined) throw new ProvisioningError(`device ${name} needs ${what}`);
      return value;
    };
    const type = required(change.type ?? existing?.type, 'a type (basic or advanced)');
    const digestUser = checkUser(required(change.digestUser ?? existing?.digestUser, 'a digest user'), 'digest user');
    const lines = resolveLines(type, required(change.lines ?? existing?.lines, 'at least one line'));

    if ((this.stmtUserCount.get(digestUser) as number) === 0) {
      throw new ProvisioningError(`digest user ${digestUser} is not a subscriber; add it first`);
    }
    const holder = this.stmtDeviceNameOfDigestUser.get(digestUser) as string | undefined;
    if (holder !== undefined && holder !== name) {
      throw new ProvisioningError(`digest user ${digestUser} already belongs to device ${holder}; a digest user may have only one device`);
    }
    for (const line of lines) {
      const owner = this.stmtDeviceNameOfLine.get(line.number) as string | undefined;
      if (owner !== undefined && owner !== name) throw new ProvisioningError(`line ${line.number} is already on device ${owner}`);
    }

    this.stmtUpsertDevice.run({
      name,
      type,
      digest_user: digestUser,
      trusted: Number(change.trusted ?? existing?.trusted ?? false),
      security_profile: change.securityProfile ?? existing?.securityProfile ?? 'non-secure',
      digest_mode: change.digestMode ?? existing?.digestMode ?? 'identify',
      now: this.now(),
    });
    this.stmtDeleteLines.run(name);
    lines.forEach((l, i) => this.stmtInsertLine.run(name, i + 1, l.number, l.maxCalls, l.busyTrigger));
    return existing ? 'updated' : 'added';
  }

  // ---- import: one transaction, every problem collected, nothing written if there is one

  private importAll<T>(items: readonly ImportItem<T>[], apply: (value: T) => WriteOutcome): ImportResult {
    const result: ImportResult = { added: 0, updated: 0, problems: [] };
    const run = this.db.transaction(() => {
      for (const item of items) {
        if (!('value' in item)) {
          result.problems.push(item);
          continue;
        }
        try {
          result[apply(item.value)]++;
        } catch (err) {
          if (!(err instanceof ProvisioningError)) throw err;
          result.problems.push({ line: item.line, reason: err.message });
        }
      }
      if (result.problems.length > 0) throw new Rollback();
    });
    try {
      run();
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
      result.added = 0;
      result.updated = 0;
    }
    return result;
  }

  close(): void {
    this.db.close();
  }
}

function credentialsOf(row: SubscriberRow): Ha1Credentials {
  return { kind: 'ha1', realm: row.realm, md5: row.ha1_md5 ?? undefined, sha256: row.ha1_sha256 ?? undefined };
}

function toSubscriber(row: SubscriberRow): SubscriberRecord {
  const s: SubscriberRecord = {
    user: row.user,
    domain: row.domain,
    credentials: credentialsOf(row),
    redirectPrivacy: row.redirect_privacy !== 0,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  };
  for (const f of FORWARD_FIELDS) {
    const target = row[f.column];
    if (target !== null) s[f.prop] = target;
  }
  return s;
}

/** Rows of one device, one per line in line order; none = no such device. */
function toDevice(rows: readonly DeviceLineRow[]): Device | undefined {
  if (rows.length === 0) return undefined;
  const d = rows[0];
  return {
    name: d.name,
    type: d.type,
    digestUser: d.digest_user,
    lines: rows.map((r): DeviceLine => ({ number: r.number, maxCalls: r.max_calls, busyTrigger: r.busy_trigger })),
    trusted: d.trusted !== 0,
    securityProfile: d.security_profile,
    digestMode: d.digest_mode,
  };
}
