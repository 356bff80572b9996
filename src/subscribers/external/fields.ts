// The subscriber fields sipd reads from an existing table, their column mapping (DB_MySQL_<Field>_Field) and the
// conversion of one row into a Subscriber.
import type { Credentials, Subscriber } from '../types';

/** Canonical field names; by default each is read from the column of the same name. */
export const SUBSCRIBER_FIELDS = [
  'username', 'domain', 'password', 'ha1', 'ha1_sha256', 'realm', 'cfu', 'cfb', 'cfna', 'cfnr', 'privacy',
] as const;
export type SubscriberField = (typeof SUBSCRIBER_FIELDS)[number];

/** field -> column name in the subscriber table. */
export type ColumnMap = Record<SubscriberField, string>;

/** A row as the SELECT returns it: its keys are the field names (the columns are aliased). */
export type FieldRow = Partial<Record<SubscriberField, unknown>>;

/** Raised when the table cannot serve as a subscriber table (missing, or no username column). */
export class SubscriberTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubscriberTableError';
  }
}

function isField(name: string): name is SubscriberField {
  return (SUBSCRIBER_FIELDS as readonly string[]).includes(name);
}

/**
 * The column of every field from the DB_MySQL_<Field>_Field directives (field names in any case); fields not
 * mentioned keep their own name. Unknown field names are returned as problems.
 */
export function columnMapping(fieldDirectives: Record<string, string>): { columns: ColumnMap; problems: string[] } {
  const columns = Object.fromEntries(SUBSCRIBER_FIELDS.map((f) => [f, f])) as ColumnMap;
  const problems: string[] = [];
  for (const [written, column] of Object.entries(fieldDirectives)) {
    const field = written.toLowerCase();
    if (isField(field)) columns[field] = column;
    else problems.push(`DB_MySQL_${written}_Field: "${written}" is not a subscriber field (one of ${SUBSCRIBER_FIELDS.join(', ')})`);
  }
  return { columns, problems };
}

/**
 * The fields this table can give, each with the column as the database spells it (names compared without
 * case). Mapped columns that the table lacks are simply not read; a table without its username column is an error.
 */
export function presentColumns(
  mapping: ColumnMap, tableColumns: string[], table: string,
): Partial<Record<SubscriberField, string>> {
  if (tableColumns.length === 0) throw new SubscriberTableError(`subscriber table "${table}" does not exist`);
  const byLowerName = new Map(tableColumns.map((c) => [c.toLowerCase(), c]));
  const present: Partial<Record<SubscriberField, string>> = {};
  for (const field of SUBSCRIBER_FIELDS) {
    const column = byLowerName.get(mapping[field].toLowerCase());
    if (column !== undefined) present[field] = column;
  }
  if (present.username === undefined) {
    const how = mapping.username === 'username' ? '; map it with DB_MySQL_Username_Field' : '';
    throw new SubscriberTableError(
      `subscriber table "${table}" has no column "${mapping.username}" for the user name${how} (columns: ${tableColumns.join(', ')})`);
  }
  return present;
}

/** Text of a column value; NULL and '' read as absent. Binary columns are UTF-8. */
function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  return s === '' ? undefined : s;
}

const TRUE_WORDS = new Set(['1', 'yes', 'y', 'true', 'on']);

/**
 * The Subscriber of one row, or undefined for a row without a user name. Credentials: the HA1 hashes when the
 * row has one (with its realm, else `realm`), else the clear password; a row with neither gets an HA1 record
 * without hashes, which no digest response can match.
 */
export function rowToSubscriber(row: FieldRow, realm: string): Subscriber | undefined {
  const user = text(row.username);
  if (user === undefined) return undefined;
  const md5 = text(row.ha1);
  const sha256 = text(row.ha1_sha256);
  const password = text(row.password);
  let credentials: Credentials;
  if (md5 !== undefined || sha256 !== undefined || password === undefined) {
    credentials = { kind: 'ha1', realm: text(row.realm) ?? realm, md5: md5?.toLowerCase(), sha256: sha256?.toLowerCase() };
  } else {
    credentials = { kind: 'password', password };
  }
  return {
    user,
    domain: text(row.domain)?.toLowerCase() ?? '',
    credentials,
    forwardUnconditional: text(row.cfu),
    forwardBusy: text(row.cfb),
    forwardNoAnswer: text(row.cfna),
    forwardUnavailable: text(row.cfnr),
    redirectPrivacy: TRUE_WORDS.has(text(row.privacy)?.trim().toLowerCase() ?? ''),
  };
}

/** The directory rule: the row of this domain (any case), else the one without a domain. */
export function pickForDomain(subscribers: readonly Subscriber[], domain: string): Subscriber | undefined {
  const wanted = domain.toLowerCase();
  return subscribers.find((s) => s.domain === wanted) ?? subscribers.find((s) => s.domain === '');
}
