/*
 * `sipd regroute` on <ServerRoot>/data/registry.db, the registry's backing file (src/store/sqlite-registry-store.ts
 * owns its schema and row mapping). Listing and purging touch every registration; adding, deleting, importing and
 * exporting concern the static ones the administrator makes (registrations by REGISTER carry connection and NAT
 * state that no file can restore, and phones register again by themselves). A running sipd notices the commit
 * (SQLite's data_version, LocationService.followStore) and reads the file again.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Binding } from '../registrar/location';
import { PUT_BINDING, bindingToRow, createRegistrySchema, rowToBinding, type BindingRow } from '../store/sqlite-registry-store';
import type { CsvProblem } from '../subscribers/csv';
import type { ImportItem, ImportResult, WriteOutcome } from '../subscribers/sqlite-subscriber-store';
import { registrationKey } from './registration';

export function registryDbPath(serverRoot: string): string {
  return join(serverRoot, 'data', 'registry.db');
}

export interface RegistrationRow {
  aor: string;
  contact: string;
  /** Epoch ms; Infinity for a static registration. */
  expires: number;
  static: boolean;
  source?: string;
}

/** Live and expired registrations in the file, by AOR; none when there is no file yet. */
export function listRegistrations(file: string): RegistrationRow[] {
  return readRegistry(file, (db) =>
    selectBindings(db, '').map((b) => ({
      aor: b.aor,
      contact: b.contact,
      expires: b.expires,
      static: b.static === true,
      ...(b.source === undefined ? {} : { source: b.source }),
    })),
  ) ?? [];
}

/** The static registrations (expired ones included), by AOR: what export writes. */
export function listStaticRegistrations(file: string): Binding[] {
  return readRegistry(file, (db) => selectBindings(db, 'WHERE is_static = 1')) ?? [];
}

/** Deletes the dynamic registrations that expired by `nowMs`; returns how many. */
export function purgeExpiredRegistrations(file: string, nowMs: number): number {
  if (!existsSync(file)) return 0;
  return writeRegistry(file, (db) => db.prepare('DELETE FROM bindings WHERE expires <= ? AND is_static = 0').run(nowMs).changes);
}

/** Adds the registration, or replaces the one with the same AOR and contact key. */
export function putRegistration(file: string, b: Binding): WriteOutcome {
  return writeRegistry(file, (db) => new BindingWriter(db).put(b));
}

/**
 * Deletes the AOR's registration whose contact is `contact` (compared without regard to case), or all of the
 * AOR's registrations, static and dynamic, without it; returns how many.
 */
export function deleteRegistrations(file: string, aor: string, contact?: string): number {
  if (!existsSync(file)) return 0;
  return writeRegistry(file, (db) =>
    contact === undefined
      ? db.prepare('DELETE FROM bindings WHERE aor = ?').run(aor).changes
      : db.prepare('DELETE FROM bindings WHERE aor = ? AND lower(contact) = lower(?)').run(aor, contact).changes,
  );
}

/**
 * All or nothing: when any item is a problem nothing is written. Each registration is added or replaces the one
 * with the same AOR and contact key; with `replaceStatic` the static registrations are exactly the imported ones
 * afterwards (dynamic registrations are left alone).
 */
export function importRegistrations(file: string, items: readonly ImportItem<Binding>[], replaceStatic = false): ImportResult {
  const problems: CsvProblem[] = items.filter((item): item is CsvProblem => 'reason' in item);
  if (problems.length > 0) return { added: 0, updated: 0, problems };
  const bindings = items.flatMap((item) => ('value' in item ? [item.value] : []));
  const result: ImportResult = { added: 0, updated: 0, problems };
  writeRegistry(file, (db) => {
    const writer = new BindingWriter(db);
    for (const b of bindings) result[writer.put(b)]++;
    if (!replaceStatic) return;
    const imported = new Set(bindings.map(registrationKey));
    const remove = db.prepare('DELETE FROM bindings WHERE aor = ? AND contact_key = ?');
    for (const old of selectBindings(db, 'WHERE is_static = 1')) if (!imported.has(registrationKey(old))) remove.run(old.aor, old.contactKey);
  });
  return result;
}

class BindingWriter {
  private readonly exists: Database.Statement;
  private readonly upsert: Database.Statement;
  private nextSeq: number;

  constructor(db: Database.Database) {
    this.exists = db.prepare('SELECT 1 FROM bindings WHERE aor = ? AND contact_key = ?').pluck();
    this.upsert = db.prepare(PUT_BINDING);
    this.nextSeq = (db.prepare('SELECT coalesce(max(seq), 0) FROM bindings').pluck().get() as number) + 1;
  }

  put(b: Binding): WriteOutcome {
    const existed = this.exists.get(b.aor, b.contactKey) !== undefined;
    this.upsert.run(bindingToRow(b, this.nextSeq++));
    return existed ? 'updated' : 'added';
  }
}

function selectBindings(db: Database.Database, where: string): Binding[] {
  return (db.prepare(`SELECT * FROM bindings ${where} ORDER BY aor, seq`).all() as BindingRow[]).map(rowToBinding);
}

/** undefined when there is no file or no table yet. */
function readRegistry<T>(file: string, read: (db: Database.Database) => T): T | undefined {
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true });
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bindings'").get() !== undefined;
    return hasTable ? read(db) : undefined;
  } finally {
    db.close();
  }
}

/** One transaction on the file, created (in WAL mode, as the server opens it) when missing. */
function writeRegistry<T>(file: string, write: (db: Database.Database) => T): T {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    createRegistrySchema(db);
    return db.transaction(() => write(db))();
  } finally {
    db.close();
  }
}
