// `sipd subscriber add|set|show|remove|list|import|export`: the seed's MySQL user tool (TOOL-6) on our store.
import {
  FORWARD_FIELDS,
  ProvisioningError,
  formatSubscriberKey,
  parseSubscriberKey,
  parseSwitch,
  readSubscriberCsv,
  writeSubscriberCsv,
  type SqliteSubscriberStore,
  type SubscriberChange,
  type SubscriberRecord,
} from '../subscribers';
import { UsageError, expectOperands, formatTime, parseOptions, printTable, recordCommand } from './provisioning';

export const SUBSCRIBER_USAGE = [
  'usage: sipd subscriber add USER[@DOMAIN] --password P [OPTIONS]',
  '       sipd subscriber set USER[@DOMAIN] [--password P] [OPTIONS]',
  '       sipd subscriber show|remove USER[@DOMAIN]',
  '       sipd subscriber list',
  '       sipd subscriber import FILE.csv',
  '       sipd subscriber export [FILE.csv]',
  'OPTIONS: --forward-unconditional URI --forward-busy URI --forward-no-answer URI --forward-unavailable URI',
  "         --redirect-privacy on|off   (a URI of '' clears that forwarding)",
  'The password may come from the environment variable SIPD_PASSWORD instead of --password.',
].join('\n');

const CHANGE_OPTIONS = {
  password: { type: 'string' },
  'forward-unconditional': { type: 'string' },
  'forward-busy': { type: 'string' },
  'forward-no-answer': { type: 'string' },
  'forward-unavailable': { type: 'string' },
  'redirect-privacy': { type: 'string' },
} as const;

export function subscriberCommand(file: string, operands: string[]): number {
  return recordCommand(file, operands, {
    command: 'subscriber',
    plural: 'subscribers',
    usage: SUBSCRIBER_USAGE,
    keyName: 'USER[@DOMAIN]',
    change,
    show,
    remove: (store, text) => {
      const { user, domain } = parseSubscriberKey(text);
      store.removeSubscriber(user, domain);
      return formatSubscriberKey(user, domain);
    },
    all: (store) => store.listSubscribers(),
    list,
    readCsv: readSubscriberCsv,
    importItems: (store, items) => store.importSubscribers(items),
    writeCsv: writeSubscriberCsv,
  });
}

function change(store: SqliteSubscriberStore, action: 'add' | 'set', args: string[]): number {
  const { values, positionals } = parseOptions(args, CHANGE_OPTIONS);
  expectOperands(positionals, 1, 'USER[@DOMAIN]');
  const { user, domain } = parseSubscriberKey(positionals[0]);
  // An empty SIPD_PASSWORD counts as unset, so `SIPD_PASSWORD= sipd …` cannot set an empty password.
  const password = values.password ?? (process.env.SIPD_PASSWORD || undefined);
  const c: SubscriberChange = { user, domain, password };
  for (const f of FORWARD_FIELDS) {
    const target = values[f.label];
    if (target !== undefined) c[f.prop] = target.trim() === '' ? null : target;
  }
  if (values['redirect-privacy'] !== undefined) c.redirectPrivacy = parseSwitch(values['redirect-privacy'], '--redirect-privacy');
  const key = formatSubscriberKey(user, domain);
  if (action === 'add' && password === undefined) throw new UsageError(`subscriber ${key} needs --password (or SIPD_PASSWORD)`);
  if (action === 'set' && password === undefined && Object.keys(values).length === 0) throw new UsageError('nothing to change');
  store.putSubscriber(c, action);
  const what = action === 'add' ? 'added' : password !== undefined ? 'updated (password changed)' : 'updated';
  console.log(`subscriber ${key} ${what}`);
  return 0;
}

function digestAlgorithms(s: SubscriberRecord): string {
  return [s.credentials.md5 && 'MD5', s.credentials.sha256 && 'SHA-256'].filter(Boolean).join(', ');
}

// Hashes are never printed: only the realm and which algorithms have one.
function show(store: SqliteSubscriberStore, text: string): number {
  const { user, domain } = parseSubscriberKey(text);
  const s = store.getSubscriber(user, domain);
  if (!s) throw new ProvisioningError(`no subscriber ${formatSubscriberKey(user, domain)}`);
  const device = store.byDigestUser(s.user);
  const lines = [
    `subscriber: ${s.user}`,
    `domain: ${s.domain === '' ? '(any)' : s.domain}`,
    `realm: ${s.credentials.realm}`,
    `digest hashes: ${digestAlgorithms(s)}`,
    ...FORWARD_FIELDS.map((f) => `${f.label.replace(/-/g, ' ')}: ${s[f.prop] ?? '-'}`),
    `redirect privacy: ${s.redirectPrivacy ? 'on' : 'off'}`,
    `device: ${device?.name ?? '-'}`,
    `created: ${formatTime(s.createdMs)}`,
    `updated: ${formatTime(s.updatedMs)}`,
  ];
  console.log(lines.join('\n'));
  return 0;
}

function list(subscribers: readonly SubscriberRecord[]): number {
  if (subscribers.length === 0) {
    console.log('no subscribers');
    return 0;
  }
  const forwards = (s: SubscriberRecord) =>
    FORWARD_FIELDS.filter((f) => s[f.prop] !== undefined).map((f) => f.label.slice('forward-'.length)).join(',') || '-';
  printTable([
    ['SUBSCRIBER', 'REALM', 'DIGEST', 'FORWARDING', 'PRIVACY'],
    ...subscribers.map((s) => [
      formatSubscriberKey(s.user, s.domain),
      s.credentials.realm,
      digestAlgorithms(s).replace(', ', ','),
      forwards(s),
      s.redirectPrivacy ? 'on' : 'off',
    ]),
  ]);
  return 0;
}
