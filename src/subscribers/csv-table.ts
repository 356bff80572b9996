// Import files as tables: a header row naming the columns, then one record a line. Converts each record into
// a change for the store, collecting every problem as FILE:LINE material instead of stopping at the first.
import { formatCsv, parseCsv } from './csv';
import { ProvisioningError } from './errors';
import type { ImportItem } from './sqlite-subscriber-store';

export interface CsvTable<T> {
  /** Every column the file may have, in the order export writes them. */
  columns: readonly string[];
  /** Columns import accepts but export never writes. */
  importOnly: readonly string[];
  required: readonly string[];
  /** Builds the change from the record's columns (only the ones the header names); throws ProvisioningError. */
  toChange(record: ReadonlyMap<string, string>): T;
  /** Two records with the same key in one file are a mistake. */
  keyOf(change: T): string;
}

export function readCsvTable<T>(text: string, table: CsvTable<T>): ImportItem<T>[] {
  const { records, problems } = parseCsv(text);
  const out: ImportItem<T>[] = [...problems];
  const header = records.shift();
  if (!header) return problems.length > 0 ? out : [{ line: 1, reason: 'the file is empty: expected a header row naming the columns' }];
  const headerProblem = checkHeader(header.fields, table);
  if (headerProblem) return sortByLine([...out, { line: header.line, reason: headerProblem }]);

  const firstLineOf = new Map<string, number>();
  for (const { line, fields } of records) {
    if (fields.length !== header.fields.length) {
      out.push({ line, reason: `expected ${header.fields.length} fields as in the header, got ${fields.length}` });
      continue;
    }
    try {
      const change = table.toChange(new Map(header.fields.map((column, i) => [column, fields[i]])));
      const key = table.keyOf(change);
      const first = firstLineOf.get(key);
      if (first !== undefined) throw new ProvisioningError(`${key} is already on line ${first}`);
      firstLineOf.set(key, line);
      out.push({ line, value: change });
    } catch (err) {
      if (!(err instanceof ProvisioningError)) throw err;
      out.push({ line, reason: err.message });
    }
  }
  return sortByLine(out);
}

function checkHeader(columns: readonly string[], table: CsvTable<unknown>): string | undefined {
  const known = [...table.columns, ...table.importOnly];
  const unknown = columns.filter((c) => !known.includes(c));
  if (unknown.length > 0) return `unknown column ${unknown.join(', ')}; the columns are ${known.join(', ')}`;
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice) return `column ${twice} appears twice`;
  const missing = table.required.filter((c) => !columns.includes(c));
  if (missing.length > 0) return `missing column ${missing.join(', ')}`;
  return undefined;
}

function sortByLine<T>(items: ImportItem<T>[]): ImportItem<T>[] {
  return items.sort((a, b) => a.line - b.line);
}

/** The header row and one row per record, each row in table.columns order. */
export function writeCsvTable(table: CsvTable<unknown>, rows: readonly (readonly string[])[]): string {
  return formatCsv([table.columns, ...rows]);
}

/** A column's value when the header has it and the field is not empty. */
export function filled(record: ReadonlyMap<string, string>, name: string): string | undefined {
  const v = record.get(name)?.trim();
  return v === undefined || v === '' ? undefined : v;
}
