// The subscriber CSV file (docs/provisioning.md): export writes hashes, import also takes a plain password.
import { writeCsvTable, filled, readCsvTable, type CsvTable } from './csv-table';
import { FORWARD_FIELDS, type ImportItem, type SubscriberChange, type SubscriberRecord } from './sqlite-subscriber-store';
import { formatSubscriberKey, normaliseDomain, parseSwitch } from './syntax';

const SUBSCRIBER_TABLE: CsvTable<SubscriberChange> = {
  columns: ['user', 'domain', 'realm', 'ha1_md5', 'ha1_sha256', ...FORWARD_FIELDS.map((f) => f.column), 'redirect_privacy'],
  importOnly: ['password'],
  required: ['user'],
  toChange(record) {
    const change: SubscriberChange = { user: record.get('user')?.trim() ?? '', domain: normaliseDomain(record.get('domain') ?? '') };
    const password = record.get('password');
    // A password is taken as written (spaces included); the realm column only goes with hashes.
    if (password !== undefined && password !== '') change.password = password;
    const md5 = filled(record, 'ha1_md5');
    const sha256 = filled(record, 'ha1_sha256');
    if (md5 || sha256) change.ha1 = { realm: filled(record, 'realm') ?? '', md5, sha256 };
    for (const f of FORWARD_FIELDS) {
      const target = record.get(f.column);
      if (target !== undefined) change[f.prop] = target.trim() === '' ? null : target;
    }
    const privacy = record.get('redirect_privacy');
    if (privacy !== undefined) change.redirectPrivacy = privacy.trim() !== '' && parseSwitch(privacy, 'redirect_privacy');
    return change;
  },
  keyOf: (change) => `subscriber ${formatSubscriberKey(change.user, change.domain)}`,
};

export function readSubscriberCsv(text: string): ImportItem<SubscriberChange>[] {
  return readCsvTable(text, SUBSCRIBER_TABLE);
}

export function writeSubscriberCsv(subscribers: readonly SubscriberRecord[]): string {
  return writeCsvTable(
    SUBSCRIBER_TABLE,
    subscribers.map((s) => [
      s.user,
      s.domain,
      s.credentials.realm,
      s.credentials.md5 ?? '',
      s.credentials.sha256 ?? '',
      ...FORWARD_FIELDS.map((f) => s[f.prop] ?? ''),
      s.redirectPrivacy ? 'on' : 'off',
    ]),
  );
}
