// `sipd regroute list|add|delete|import|export|purge`: the seed's sysadmin_sps_regroute (SPEC TOOL-1…4) on
// <ServerRoot>/data/routes.db and registry.db. add, delete, import and export work on routes, or on static
// registrations with --registry (the seed's `-m registry`). A running sipd picks changes up within a quarter second.
import Database from 'better-sqlite3';
import { ProvisioningError } from '../subscribers';
import {
  MAX_PRIORITY,
  MAX_WEIGHT,
  PATTERN_TYPES,
  ROUTE_DEFAULTS,
  ROUTE_TRANSPORTS,
  SqliteRouteStore,
  TECH_PREFIX_ACTIONS,
  canonicalPattern,
  checkRoute,
  checkNextHop,
  deleteRegistrations,
  guessPatternType,
  importRegistrations,
  listRegistrations,
  listStaticRegistrations,
  parseAor,
  parseBounded,
  parseChoice,
  parseContactPort,
  parseContactTransport,
  parseQValue,
  parseRegistrationExpiry,
  parseUserType,
  purgeExpiredRegistrations,
  putRegistration,
  readRegistrationCsv,
  readRouteCsv,
  registrationBinding,
  registrationKey,
  registryDbPath,
  routeDbPath,
  routeKey,
  writeRegistrationCsv,
  writeRouteCsv,
  type Route,
} from '../routing';
import { formatStaticRegistrations, readStaticRegistrations } from '../registrar/static-registrations';
import { parseSwitch } from '../subscribers/syntax';
import { tryLoadConfig } from './load-config';
import { FAILED, USAGE_ERROR, UsageError, expectOperands, exportFile, formatTime, importFile, parseOptions, printTable } from './provisioning';
import { printLines } from './report';

export const REGROUTE_USAGE = [
  'usage: sipd regroute list [--routes | --registry]',
  '       sipd regroute add PATTERN --next-hop HOST [OPTIONS]',
  '       sipd regroute delete PATTERN [--next-hop HOST [--port N]] [--type phone|domain]',
  '       sipd regroute add --registry USER@DOMAIN CONTACT [REGISTRATION-OPTIONS]',
  '       sipd regroute delete --registry USER@DOMAIN [CONTACT-URI]',
  '       sipd regroute import [--registry] FILE [--format csv|seed] [--replace]',
  '       sipd regroute export [--registry] [FILE] [--format csv|seed]',
  '       sipd regroute purge   (removes expired registrations)',
  'OPTIONS: --type phone|domain --port N (0 = SRV) --transport udp|tcp|tls|any --priority N --weight N',
  '         --tech-prefix-action none|strip|include --tech-prefix NNN# --allow-less-specific on|off',
  '         --block on|off --in-service on|off --label TEXT',
  'REGISTRATION-OPTIONS (CONTACT is [user@]host or a sip: URI): --user-type phone|ip --port N',
  '         --transport udp|tcp|tls --expires never|SECONDS|TIME --q Q',
  'FILE formats: csv (the default; a header row naming the columns), seed (the RegistryStaticFile format,',
  '         registrations only; the default for a FILE ending in .conf)',
].join('\n');

const REGROUTE_ACTIONS: readonly string[] = ['list', 'add', 'delete', 'import', 'export', 'purge'];

/** What add, delete, import and export change: routes, or (--registry) static registrations. */
type Table = 'routes' | 'registry';
type TableAction = 'add' | 'delete' | 'import' | 'export';
const TABLE_ACTIONS: Record<Table, Record<TableAction, (root: string, args: string[]) => number>> = {
  routes: {
    add: (root, args) => withRouteStore(root, (store) => add(store, args)),
    delete: (root, args) => withRouteStore(root, (store) => remove(store, args)),
    import: (root, args) => withRouteStore(root, (store) => importRoutes(store, args)),
    export: (root, args) => withRouteStore(root, (store) => exportRoutes(store, args)),
  },
  registry: {
    add: (root, args) => addRegistration(registryDbPath(root), args),
    delete: (root, args) => deleteRegistration(registryDbPath(root), args),
    import: (root, args) => importRegistrationFile(registryDbPath(root), args),
    export: (root, args) => exportRegistrations(registryDbPath(root), args),
  },
};

const ADD_OPTIONS = {
  type: { type: 'string' },
  'next-hop': { type: 'string' },
  port: { type: 'string' },
  transport: { type: 'string' },
  priority: { type: 'string' },
  weight: { type: 'string' },
  'tech-prefix-action': { type: 'string' },
  'tech-prefix': { type: 'string' },
  'allow-less-specific': { type: 'string' },
  block: { type: 'string' },
  'in-service': { type: 'string' },
  label: { type: 'string' },
} as const;

export function regrouteCommand(file: string, operands: string[]): number {
  const [action, ...rest] = operands;
  if (action === undefined || !REGROUTE_ACTIONS.includes(action)) {
    console.error(action === undefined ? 'sipd: regroute needs an action' : `sipd: unknown regroute action ${action}`);
    console.error(REGROUTE_USAGE);
    return USAGE_ERROR;
  }
  const loaded = tryLoadConfig(file);
  if (!loaded.ok) {
    printLines(loaded.errors);
    return FAILED;
  }
  const root = loaded.config.ServerRoot;
  try {
    switch (action) {
      case 'list':
        return list(root, rest);
      case 'purge': {
        expectOperands(parseOptions(rest, {}).positionals, 0, '');
        const registry = registryDbPath(root);
        const n = purgeExpiredRegistrations(registry, Date.now());
        console.log(`purged ${n} expired registration${n === 1 ? '' : 's'} from ${registry}`);
        return 0;
      }
      default: {
        const { table, args } = takeTable(rest);
        return TABLE_ACTIONS[table][action as TableAction](root, args);
      }
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sipd: ${err.message}`);
      console.error(REGROUTE_USAGE);
      return USAGE_ERROR;
    }
    if (err instanceof ProvisioningError || err instanceof Database.SqliteError || isFileError(err)) {
      console.error(`sipd: ${(err as Error).message}`);
      return FAILED;
    }
    throw err;
  }
}

function withRouteStore(root: string, action: (store: SqliteRouteStore) => number): number {
  const path = routeDbPath(root);
  let store: SqliteRouteStore | undefined;
  try {
    store = SqliteRouteStore.open(path);
    return action(store);
  } catch (err) {
    // Name the file for database trouble (busy, full disk, not a database).
    if (err instanceof Database.SqliteError) err.message = `${path}: ${err.message}`;
    throw err;
  } finally {
    store?.close();
  }
}

function isFileError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && 'syscall' in err;
}

/** Takes --registry (or --routes, the default) out of the arguments; the action parses the rest strictly. */
function takeTable(args: string[]): { table: Table; args: string[] } {
  const registry = args.includes('--registry');
  if (registry && args.includes('--routes')) throw new UsageError('--routes and --registry exclude each other');
  return { table: registry ? 'registry' : 'routes', args: args.filter((a) => a !== '--registry' && a !== '--routes') };
}

type FileFormat = 'csv' | 'seed';
const FILE_FORMATS: readonly FileFormat[] = ['csv', 'seed'];
const FILE_OPTIONS = { format: { type: 'string' } } as const;

/** --format, else seed for a FILE ending in .conf, else CSV; routes have no seed-file format. */
function fileFormat(table: Table, format: string | undefined, path: string | undefined): FileFormat {
  const chosen = format !== undefined ? parseChoiceUsage(format, '--format', FILE_FORMATS) : path?.endsWith('.conf') && table === 'registry' ? 'seed' : 'csv';
  if (chosen === 'seed' && table === 'routes') throw new UsageError('routes are read and written as CSV only (the seed describes no route file format)');
  return chosen;
}

function parseChoiceUsage<T extends string>(text: string, what: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === text.toLowerCase());
  if (found === undefined) throw new UsageError(`${what} must be one of ${choices.join(', ')}`);
  return found;
}

function importRoutes(store: SqliteRouteStore, args: string[]): number {
  const { values, positionals } = parseOptions(args, { replace: { type: 'boolean' }, ...FILE_OPTIONS });
  expectOperands(positionals, 1, 'FILE');
  fileFormat('routes', values.format, positionals[0]);
  return importFile(positionals[0], 'routes', readRouteCsv, (items) => store.importRoutes(items, values.replace === true));
}

function exportRoutes(store: SqliteRouteStore, args: string[]): number {
  const { values, positionals } = parseOptions(args, FILE_OPTIONS);
  fileFormat('routes', values.format, positionals[0]);
  return exportFile(positionals, 'routes', store.list(), writeRouteCsv);
}

function importRegistrationFile(file: string, args: string[]): number {
  const { values, positionals } = parseOptions(args, { replace: { type: 'boolean' }, ...FILE_OPTIONS });
  expectOperands(positionals, 1, 'FILE');
  const read = fileFormat('registry', values.format, positionals[0]) === 'seed' ? readStaticRegistrations : readRegistrationCsv;
  return importFile(positionals[0], 'registrations', (text) => read(text), (items) => importRegistrations(file, items, values.replace === true));
}

function exportRegistrations(file: string, args: string[]): number {
  const { values, positionals } = parseOptions(args, FILE_OPTIONS);
  const write = fileFormat('registry', values.format, positionals[0]) === 'seed' ? formatStaticRegistrations : writeRegistrationCsv;
  return exportFile(positionals, 'registrations', listStaticRegistrations(file), write);
}

const REGISTRATION_OPTIONS = {
  'user-type': { type: 'string' },
  port: { type: 'string' },
  transport: { type: 'string' },
  expires: { type: 'string' },
  q: { type: 'string' },
} as const;

function addRegistration(file: string, args: string[]): number {
  const { values: v, positionals } = parseOptions(args, REGISTRATION_OPTIONS);
  expectOperands(positionals, 2, 'USER@DOMAIN CONTACT');
  const aor = parseAor(positionals[0]);
  const at = aor.lastIndexOf('@');
  const opt = <T>(text: string | undefined, parse: (t: string) => T): T | undefined => (text === undefined ? undefined : parse(text));
  const expires = opt(v.expires, (t) => parseRegistrationExpiry(t, Date.now())) ?? Infinity;
  if (expires <= Date.now()) throw new ProvisioningError(`--expires ${v.expires} is in the past`);
  const binding = registrationBinding({
    user: aor.slice(0, at),
    domain: aor.slice(at + 1),
    contact: positionals[1],
    userType: opt(v['user-type'], (t) => parseUserType(t, '--user-type')),
    port: opt(v.port, parseContactPort),
    transport: opt(v.transport, (t) => parseContactTransport(t, '--transport')),
    expires,
    q: opt(v.q, parseQValue),
  });
  console.log(`${registrationKey(binding)} ${putRegistration(file, binding)}`);
  return 0;
}

function deleteRegistration(file: string, args: string[]): number {
  const { positionals } = parseOptions(args, {});
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('expected USER@DOMAIN [CONTACT-URI]');
  const aor = parseAor(positionals[0]);
  const contact = positionals[1];
  const n = deleteRegistrations(file, aor, contact);
  const what = contact === undefined ? `registrations of ${aor}` : `registration of ${aor} at ${contact}`;
  if (n === 0) throw new ProvisioningError(`no ${what}`);
  console.log(contact === undefined ? `${n} ${what} deleted` : `${what} deleted`);
  return 0;
}

function add(store: SqliteRouteStore, args: string[]): number {
  const { values: v, positionals } = parseOptions(args, ADD_OPTIONS);
  expectOperands(positionals, 1, 'PATTERN');
  const pattern = positionals[0];
  const opt = <T>(text: string | undefined, parse: (t: string) => T, fallback: T): T => (text === undefined ? fallback : parse(text));
  const route: Route = {
    pattern,
    type: opt(v.type, (t) => parseChoice(t, '--type', PATTERN_TYPES), guessPatternType(pattern)),
    nextHop: v['next-hop'] ?? '',
    port: opt(v.port, (t) => parseBounded(t, '--port', 65535), ROUTE_DEFAULTS.port),
    transport: opt(v.transport, (t) => parseChoice(t, '--transport', ROUTE_TRANSPORTS), ROUTE_DEFAULTS.transport),
    priority: opt(v.priority, (t) => parseBounded(t, '--priority', MAX_PRIORITY), ROUTE_DEFAULTS.priority),
    weight: opt(v.weight, (t) => parseBounded(t, '--weight', MAX_WEIGHT), ROUTE_DEFAULTS.weight),
    techPrefixAction: opt(v['tech-prefix-action'], (t) => parseChoice(t, '--tech-prefix-action', TECH_PREFIX_ACTIONS), ROUTE_DEFAULTS.techPrefixAction),
    techPrefix: v['tech-prefix'] ?? ROUTE_DEFAULTS.techPrefix,
    allowLessSpecific: opt(v['allow-less-specific'], (t) => parseSwitch(t, '--allow-less-specific'), ROUTE_DEFAULTS.allowLessSpecific),
    block: opt(v.block, (t) => parseSwitch(t, '--block'), ROUTE_DEFAULTS.block),
    inService: opt(v['in-service'], (t) => parseSwitch(t, '--in-service'), ROUTE_DEFAULTS.inService),
    label: v.label ?? ROUTE_DEFAULTS.label,
  };
  const checked = checkRoute(route);
  console.log(`${routeKey(checked)} ${store.put(checked)}`);
  return 0;
}

/**
 * Deletes the pattern's route via HOST on --port; without --port, its routes via HOST on every port; without
 * --next-hop, all its routes. Prints one line per route deleted, so the operator sees what went.
 */
function remove(store: SqliteRouteStore, args: string[]): number {
  const { values, positionals } = parseOptions(args, { 'next-hop': { type: 'string' }, port: { type: 'string' }, type: { type: 'string' } });
  expectOperands(positionals, 1, 'PATTERN');
  if (values.port !== undefined && values['next-hop'] === undefined) throw new UsageError('--port needs --next-hop');
  const type = values.type === undefined ? guessPatternType(positionals[0]) : parseChoice(values.type, '--type', PATTERN_TYPES);
  const pattern = canonicalPattern(type, positionals[0]);
  const nextHop = values['next-hop'] === undefined ? undefined : checkNextHop(values['next-hop']);
  const port = values.port === undefined ? undefined : parseBounded(values.port, '--port', 65535);
  const removed = store.delete(type, pattern, nextHop, port);
  if (removed.length === 0) {
    const what = routeKey({ type, pattern, nextHop: nextHop ?? '', port: port ?? 0 });
    throw new ProvisioningError(`no ${what}${nextHop !== undefined && port === undefined ? ' on any port' : ''}`);
  }
  for (const r of removed) console.log(`${routeKey(r)} deleted`);
  return 0;
}

function list(root: string, args: string[]): number {
  const { values, positionals } = parseOptions(args, { routes: { type: 'boolean' }, registry: { type: 'boolean' } });
  expectOperands(positionals, 0, '');
  if (values.routes && values.registry) throw new UsageError('--routes and --registry exclude each other; leave both out for both');
  if (!values.registry) withRouteStore(root, (store) => listRoutes(store.list()));
  if (!values.registry && !values.routes) console.log('');
  if (!values.routes) listRegistrationsOf(registryDbPath(root));
  return 0;
}

const dash = (s: string): string => (s === '' ? '-' : s);
const onOff = (b: boolean): string => (b ? 'on' : 'off');

function listRoutes(routes: readonly Route[]): number {
  if (routes.length === 0) {
    console.log('no routes');
    return 0;
  }
  printTable([
    ['PATTERN', 'TYPE', 'NEXT-HOP', 'PORT', 'TRANSPORT', 'PRIORITY', 'WEIGHT', 'TECH-PREFIX', 'LESS-SPECIFIC', 'BLOCK', 'IN-SERVICE', 'LABEL'],
    ...routes.map((r) => [
      r.pattern,
      r.type,
      dash(r.nextHop),
      r.port === 0 ? 'srv' : String(r.port),
      r.transport,
      String(r.priority),
      String(r.weight),
      r.techPrefixAction === 'none' ? '-' : `${r.techPrefixAction}:${r.techPrefix}`,
      onOff(r.allowLessSpecific),
      onOff(r.block),
      onOff(r.inService),
      dash(r.label),
    ]),
  ]);
  return 0;
}

function listRegistrationsOf(file: string): void {
  const rows = listRegistrations(file);
  if (rows.length === 0) {
    console.log('no registrations');
    return;
  }
  const now = Date.now();
  printTable([
    ['AOR', 'CONTACT', 'EXPIRES'],
    ...rows.map((r) => [
      r.aor,
      r.contact,
      r.expires <= now ? `expired(${formatTime(r.expires)})` : r.expires === Infinity ? 'static' : `${r.static ? 'static until ' : ''}${formatTime(r.expires)}`,
    ]),
  ]);
}
