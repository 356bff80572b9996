/*
 * `sipd regroute list --registry` and `purge` on <ServerRoot>/data/registry.db, the registry's backing file
 * (src/store/sqlite-registry-store.ts owns its schema). A running sipd answers from memory and drops
 * expired registrations itself; these only read the file, or trim expired rows from it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

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
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    if (!hasBindings(db)) return [];
    const rows = db.prepare('SELECT aor, contact, expires, is_static, source FROM bindings ORDER BY aor, seq').all() as {
      aor: string;
      contact: string;
      expires: number;
      is_static: number;
      source: string | null;
    }[];
    return rows.map((r) => ({
      aor: r.aor,
      contact: r.contact,
      expires: r.expires,
      static: r.is_static === 1,
      ...(r.source === null ? {} : { source: r.source }),
    }));
  } finally {
    db.close();
  }
}

/** Deletes the dynamic registrations that expired by `nowMs`; returns how many. */
export function purgeExpiredRegistrations(file: string, nowMs: number): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file);
  try {
    if (!hasBindings(db)) return 0;
    return db.prepare('DELETE FROM bindings WHERE expires <= ? AND is_static = 0').run(nowMs).changes;
  } finally {
    db.close();
  }
}

function hasBindings(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bindings'").get() !== undefined;
}
