// The device CSV file (docs/provisioning.md); the lines of a device are one field: `1001:2:2;1002:2:2`.
import { writeCsvTable, filled, readCsvTable, type CsvTable } from './csv-table';
import { formatLineList, parseDeviceType, parseDigestMode, parseLineList, parseSecurityProfile } from './device-rules';
import type { DeviceChange, ImportItem } from './sqlite-subscriber-store';
import { parseSwitch } from './syntax';
import type { Device } from './types';

const DEVICE_TABLE: CsvTable<DeviceChange> = {
  columns: ['name', 'type', 'digest_user', 'lines', 'trusted', 'security_profile', 'digest_mode'],
  importOnly: [],
  required: ['name'],
  // An empty field means "not given": the stored value stays, or the default applies to a new device.
  toChange(record) {
    const given = <T>(column: string, parse: (text: string) => T): T | undefined => {
      const text = filled(record, column);
      return text === undefined ? undefined : parse(text);
    };
    return {
      name: record.get('name')?.trim() ?? '',
      type: given('type', parseDeviceType),
      digestUser: filled(record, 'digest_user'),
      lines: given('lines', parseLineList),
      trusted: given('trusted', (t) => parseSwitch(t, 'trusted')),
      securityProfile: given('security_profile', parseSecurityProfile),
      digestMode: given('digest_mode', parseDigestMode),
    };
  },
  keyOf: (change) => `device ${change.name}`,
};

export function readDeviceCsv(text: string): ImportItem<DeviceChange>[] {
  return readCsvTable(text, DEVICE_TABLE);
}

export function writeDeviceCsv(devices: readonly Device[]): string {
  return writeCsvTable(
    DEVICE_TABLE,
    devices.map((d) => [d.name, d.type, d.digestUser, formatLineList(d.lines), d.trusted ? 'on' : 'off', d.securityProfile, d.digestMode]),
  );
}
