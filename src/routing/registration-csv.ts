// The registration CSV file (SPEC D-5, docs/routes.md): a header row naming the columns, then one registration a
// line. user, domain and contact are required; an empty field takes the default.
import { filled, readCsvTable, writeCsvTable, type CsvTable } from '../subscribers/csv-table';
import type { ImportItem } from '../subscribers/sqlite-subscriber-store';
import type { Binding } from '../registrar/location';
import {
  formatRegistrationExpiry,
  parseContactPort,
  parseContactTransport,
  parseQValue,
  parseRegistrationExpiry,
  parseUserType,
  registrationBinding,
  registrationFields,
  registrationKey,
} from './registration';

function registrationTable(now: number): CsvTable<Binding> {
  return {
    columns: ['user', 'domain', 'contact', 'contact_user_type', 'port', 'transport', 'expires', 'q'],
    importOnly: [],
    required: ['user', 'domain', 'contact'],
    toChange(record) {
      const value = <T>(column: string, parse: (text: string) => T): T | undefined => {
        const text = filled(record, column);
        return text === undefined ? undefined : parse(text);
      };
      return registrationBinding({
        user: filled(record, 'user') ?? '',
        domain: filled(record, 'domain') ?? '',
        contact: filled(record, 'contact') ?? '',
        userType: value('contact_user_type', (t) => parseUserType(t, 'contact_user_type')),
        port: value('port', parseContactPort),
        transport: value('transport', (t) => parseContactTransport(t, 'transport')),
        expires: value('expires', (t) => parseRegistrationExpiry(t, now)) ?? Infinity,
        q: value('q', parseQValue),
      });
    },
    keyOf: registrationKey,
  };
}

/** `now` resolves expiries written as seconds from now. */
export function readRegistrationCsv(text: string, now = Date.now()): ImportItem<Binding>[] {
  return readCsvTable(text, registrationTable(now));
}

export function writeRegistrationCsv(bindings: readonly Binding[]): string {
  return writeCsvTable(
    registrationTable(0),
    bindings.map((b) => {
      const f = registrationFields(b);
      return [
        f.user,
        f.domain,
        f.contact,
        f.userType ?? '',
        f.port === undefined ? '' : String(f.port),
        f.transport ?? '',
        formatRegistrationExpiry(f.expires),
        f.q === undefined ? '' : String(f.q),
      ];
    }),
  );
}
