// `sipd device add|set|show|remove|list|import|export`: third-party phones (SPEC 32).
import {
  ProvisioningError,
  formatLineList,
  parseDeviceType,
  parseDigestMode,
  parseLineSpec,
  parseSecurityProfile,
  readDeviceCsv,
  writeDeviceCsv,
  type Device,
  type DeviceChange,
  type SqliteSubscriberStore,
} from '../subscribers';
import { UsageError, expectOperands, parseOptions, printTable, recordCommand } from './provisioning';

export const DEVICE_USAGE = [
  'usage: sipd device add NAME --type basic|advanced --digest-user USER --line NUMBER[:MAXCALLS[:BUSYTRIGGER]]… [OPTIONS]',
  '       sipd device set NAME [--type …] [--digest-user …] [--line …]… [OPTIONS]   (--line replaces every line)',
  '       sipd device show|remove NAME',
  '       sipd device list',
  '       sipd device import FILE.csv',
  '       sipd device export [FILE.csv]',
  'OPTIONS: --security non-secure|authenticated|encrypted --digest-mode identify|verify --trusted | --untrusted',
].join('\n');

const CHANGE_OPTIONS = {
  type: { type: 'string' },
  'digest-user': { type: 'string' },
  line: { type: 'string', multiple: true },
  security: { type: 'string' },
  'digest-mode': { type: 'string' },
  trusted: { type: 'boolean' },
  untrusted: { type: 'boolean' },
} as const;

export function deviceCommand(file: string, operands: string[]): number {
  return recordCommand(file, operands, {
    command: 'device',
    plural: 'devices',
    usage: DEVICE_USAGE,
    keyName: 'NAME',
    change,
    show: (store, name) => {
      const device = store.getDevice(name);
      if (!device) throw new ProvisioningError(`no device ${name}`);
      return show(device);
    },
    remove: (store, name) => {
      store.removeDevice(name);
      return name;
    },
    all: (store) => store.listDevices(),
    list,
    readCsv: readDeviceCsv,
    importItems: (store, items) => store.importDevices(items),
    writeCsv: writeDeviceCsv,
  });
}

function change(store: SqliteSubscriberStore, action: 'add' | 'set', args: string[]): number {
  const { values, positionals } = parseOptions(args, CHANGE_OPTIONS);
  expectOperands(positionals, 1, 'NAME');
  if (values.trusted && values.untrusted) throw new UsageError('--trusted and --untrusted exclude each other');
  if (action === 'set' && Object.keys(values).length === 0) throw new UsageError('nothing to change');
  const c: DeviceChange = {
    name: positionals[0],
    type: values.type === undefined ? undefined : parseDeviceType(values.type),
    digestUser: values['digest-user'],
    lines: values.line?.map(parseLineSpec),
    trusted: values.trusted ? true : values.untrusted ? false : undefined,
    securityProfile: values.security === undefined ? undefined : parseSecurityProfile(values.security),
    digestMode: values['digest-mode'] === undefined ? undefined : parseDigestMode(values['digest-mode']),
  };
  store.putDevice(c, action);
  console.log(`device ${c.name} ${action === 'add' ? 'added' : 'updated'}`);
  return 0;
}

function show(d: Device): number {
  const lines = [
    `device: ${d.name}`,
    `type: ${d.type}`,
    `digest user: ${d.digestUser}`,
    ...d.lines.map((l, i) => `line ${i + 1}: ${l.number} (max calls ${l.maxCalls}, busy trigger ${l.busyTrigger})`),
    `security profile: ${d.securityProfile}`,
    `digest mode: ${d.digestMode}`,
    `trusted: ${d.trusted ? 'yes' : 'no'}`,
  ];
  console.log(lines.join('\n'));
  return 0;
}

function list(devices: readonly Device[]): number {
  if (devices.length === 0) {
    console.log('no devices');
    return 0;
  }
  printTable([
    ['DEVICE', 'TYPE', 'DIGEST USER', 'LINES', 'SECURITY', 'DIGEST MODE', 'TRUSTED'],
    ...devices.map((d) => [d.name, d.type, d.digestUser, formatLineList(d.lines), d.securityProfile, d.digestMode, d.trusted ? 'yes' : 'no']),
  ]);
  return 0;
}
