/*
 * SQLite backing of the registry: better-sqlite3, WAL journal, synchronous=NORMAL.
 *
 * Durability: put/delete/deleteAor only queue; an unref'd timer applies the queue in one
 * transaction every flushIntervalMs, and close() flushes what is left. A process killed with
 * SIGKILL therefore loses at most the writes of the last flush interval; committed transactions
 * survive it (WAL with synchronous=NORMAL can only lose them on an OS crash or power loss).
 *
 * `sipd regroute` writes the same file from another process (src/routing/registry-file.ts, with the schema
 * and row mapping exported here); dataVersion() tells the location service when to read it again.
 */
import Database from 'better-sqlite3';
import type { Binding } from './binding';
import type { RegistryStore } from './registry-store';

export interface SqliteRegistryStoreOptions {
  /** A file whose last write is older than this at open has its bindings discarded. */
  maxAgeOnBootSec: number;
  /** Default 50. */
  flushIntervalMs?: number;
  /** SQLite page cache limit in KiB; default 2000 (SQLite's own default; better-sqlite3 raises it to 16,000). */
  cacheSizeKiB?: number;
  /** Called when a timer flush fails (the queue is kept for the next try); without it the error is thrown. */
  onError?: (err: unknown) => void;
}

/** Queued writes for one AOR: wipe = delete all its rows first; null op = delete that contact. */
interface PendingAor {
  wipe: boolean;
  ops: Map<string, Binding | null>;
}

export interface BindingRow {
  aor: string;
  contact_key: string;
  contact: string;
  expires: number;
  q: number | null;
  call_id: string;
  cseq: number;
  source: string | null;
  path: string | null;
  is_static: number;
  user_agent: string | null;
}

/** Creates the tables when missing; every writer of the file calls it first. */
export function createRegistrySchema(db: Database.Database): void {
  db.exec(SCHEMA);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bindings (
  aor TEXT NOT NULL,
  contact_key TEXT NOT NULL,
  contact TEXT NOT NULL,
  expires REAL NOT NULL,
  q REAL,
  call_id TEXT NOT NULL,
  cseq INTEGER NOT NULL,
  source TEXT,
  path TEXT,
  is_static INTEGER NOT NULL,
  user_agent TEXT,
  seq INTEGER NOT NULL,
  PRIMARY KEY (aor, contact_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
`;

/** Adds or replaces one row; its parameters are bindingToRow's fields. */
export const PUT_BINDING = `INSERT OR REPLACE INTO bindings
  (aor, contact_key, contact, expires, q, call_id, cseq, source, path, is_static, user_agent, seq)
  VALUES (@aor, @contact_key, @contact, @expires, @q, @call_id, @cseq, @source, @path, @is_static, @user_agent, @seq)`;

const LAST_WRITE = 'last_write_ms';
const DEFAULT_CACHE_KIB = 2000;

export class SqliteRegistryStore implements RegistryStore {
  /** True when open() found the file older than maxAgeOnBootSec and emptied it. */
  readonly discardedStale: boolean;

  private pending = new Map<string, PendingAor>();
  private nextSeq: number;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly stmtPut: Database.Statement;
  private readonly stmtDelete: Database.Statement;
  private readonly stmtDeleteAor: Database.Statement;
  private readonly stmtStamp: Database.Statement;
  private readonly applyPending: () => void;
  private readonly stmtDataVersion: Database.Statement;

  static open(
    file: string,
    opts: SqliteRegistryStoreOptions,
    now: () => number = Date.now,
  ): SqliteRegistryStore {
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // The in-memory location service answers every read, so the cache only serves the write-behind flushes: with
      // better-sqlite3's 16 MB it held the whole table (about 160 B per registration of resident memory).
      db.pragma(`cache_size = ${-Math.max(1, Math.floor(opts.cacheSizeKiB ?? DEFAULT_CACHE_KIB))}`);
      createRegistrySchema(db);
      return new SqliteRegistryStore(db, opts, now);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(
    private readonly db: Database.Database,
    private readonly opts: SqliteRegistryStoreOptions,
    private readonly now: () => number,
  ) {
    this.stmtPut = db.prepare(PUT_BINDING);
    this.stmtDelete = db.prepare('DELETE FROM bindings WHERE aor = ? AND contact_key = ?');
    this.stmtDeleteAor = db.prepare('DELETE FROM bindings WHERE aor = ?');
    this.stmtStamp = db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('${LAST_WRITE}', ?)`);
    this.applyPending = db.transaction(() => this.writePending());
    this.stmtDataVersion = db.prepare('PRAGMA data_version').pluck();

    this.discardedStale = this.dropStaleOrExpired();
    this.nextSeq =
      (db.prepare('SELECT coalesce(max(seq), 0) FROM bindings').pluck().get() as number) + 1;
    this.timer = setInterval(() => this.flushFromTimer(), opts.flushIntervalMs ?? 50);
    this.timer.unref();
  }

  loadAll(): Binding[] {
    const rows = this.db
      .prepare('SELECT * FROM bindings WHERE expires > ? ORDER BY seq')
      .all(this.now()) as BindingRow[];
    return rows.map(rowToBinding);
  }

  put(b: Binding): void {
    this.queue(b.aor, b.contactKey, b);
  }

  delete(aor: string, contactKey: string): void {
    this.queue(aor, contactKey, null);
  }

  deleteAor(aor: string): void {
    // Anything queued earlier for this AOR is superseded by the wipe.
    this.pending.set(aor, { wipe: true, ops: new Map() });
  }

  /** SQLite's data_version: changes when another connection (`sipd regroute`) commits, not on this store's flushes. */
  dataVersion(): number {
    return this.stmtDataVersion.get() as number;
  }

  flush(): void {
    if (this.pending.size === 0) return;
    this.applyPending();
    this.pending = new Map();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.flush();
    this.stmtStamp.run(this.now());
    this.db.close();
  }

  /**
   * Returns true if the file was too old: its dynamic registrations are dropped, the static ones the
   * administrator made are kept (they are configuration). Otherwise only removes lapsed rows.
   */
  private dropStaleOrExpired(): boolean {
    const nowMs = this.now();
    const lastWrite = this.db
      .prepare(`SELECT value FROM meta WHERE key = '${LAST_WRITE}'`)
      .pluck()
      .get() as number | undefined;
    const stale = lastWrite !== undefined && nowMs - lastWrite > this.opts.maxAgeOnBootSec * 1000;
    this.db.transaction(() => {
      if (stale) this.db.prepare('DELETE FROM bindings WHERE is_static = 0 OR expires <= ?').run(nowMs);
      else this.db.prepare('DELETE FROM bindings WHERE expires <= ?').run(nowMs);
      this.stmtStamp.run(nowMs);
    })();
    return stale;
  }

  private queue(aor: string, contactKey: string, op: Binding | null): void {
    let p = this.pending.get(aor);
    if (!p) {
      p = { wipe: false, ops: new Map() };
      this.pending.set(aor, p);
    }
    // Re-inserting moves the key to the end, so flush order (and seq) follows the latest write.
    p.ops.delete(contactKey);
    p.ops.set(contactKey, op);
  }

  private writePending(): void {
    for (const [aor, p] of this.pending) {
      if (p.wipe) this.stmtDeleteAor.run(aor);
      for (const [contactKey, b] of p.ops) {
        if (b) this.stmtPut.run(bindingToRow(b, this.nextSeq++));
        else this.stmtDelete.run(aor, contactKey);
      }
    }
    this.stmtStamp.run(this.now());
  }

  private flushFromTimer(): void {
    try {
      this.flush();
    } catch (err) {
      if (!this.opts.onError) throw err;
      this.opts.onError(err);
    }
  }
}

export function bindingToRow(b: Binding, seq: number): BindingRow & { seq: number } {
  return {
    aor: b.aor,
    contact_key: b.contactKey,
    contact: b.contact,
    expires: b.expires,
    q: b.q ?? null,
    call_id: b.callId,
    cseq: b.cseq,
    source: b.source ?? null,
    path: b.path ? JSON.stringify(b.path) : null,
    is_static: b.static ? 1 : 0,
    user_agent: b.userAgent ?? null,
    seq,
  };
}

export function rowToBinding(r: BindingRow): Binding {
  const b: Binding = {
    aor: r.aor,
    contact: r.contact,
    contactKey: r.contact_key,
    expires: r.expires,
    callId: r.call_id,
    cseq: r.cseq,
  };
  if (r.q !== null) b.q = r.q;
  if (r.source !== null) b.source = r.source;
  if (r.path !== null) b.path = JSON.parse(r.path) as string[];
  if (r.is_static) b.static = true;
  if (r.user_agent !== null) b.userAgent = r.user_agent;
  return b;
}
