// `sipd regroute list|add|delete|import|export|purge`: the seed's sysadmin_sps_regroute (SPEC TOOL-1…4) on
// <ServerRoot>/data/routes.db and registry.db. A running sipd picks route changes up within a quarter second.
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
  guessPatternType,
  listRegistrations,
  parseBounded,
  parseChoice,
  purgeExpiredRegistrations,
  readRouteCsv,
  registryDbPath,
  routeDbPath,
  routeKey,
  writeRouteCsv,
  type Route,
} from '../routing';
import { parseSwitch } from '../subscribers/syntax';
import { tryLoadConfig } from './load-config';
import { FAILED, USAGE_ERROR, UsageError, expectOperands, exportFile, formatTime, importFile, parseOptions, printTable } from './provisioning';
import { printLines } from './report';

export const REGROUTE_USAGE = [
  'usage: sipd regroute list [--routes | --registry]',
  '       sipd regroute add PATTERN --next-hop HOST [OPTIONS]',
  '       sipd regroute delete PATTERN [--next-hop HOST] [--type phone|domain]',
  '       sipd regroute import FILE.csv [--replace]',
  '       sipd regroute export [FILE.csv]',
  '       sipd regroute purge   (removes expired registrations)',
  'OPTIONS: --type phone|domain --port N (0 = SRV) --transport udp|tcp|tls|any --priority N --weight N',
  '         --tech-prefix-action none|strip|include --tech-prefix NNN# --allow-less-specific on|off',
  '         --block on|off --in-service on|off --label TEXT',
].join('\n');

const REGROUTE_ACTIONS: readonly string[] = ['list', 'add', 'delete', 'import', 'export', 'purge'];

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
      default:
        return withRouteStore(root, (store) => routeAction(store, action, rest));
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

function routeAction(store: SqliteRouteStore, action: string, args: string[]): number {
  switch (action) {
    case 'add':
      return add(store, args);
    case 'delete':
      return remove(store, args);
    case 'import': {
      const { values, positionals } = parseOptions(args, { replace: { type: 'boolean' } });
      expectOperands(positionals, 1, 'FILE.csv');
      return importFile(positionals[0], 'routes', readRouteCsv, (items) => store.importRoutes(items, values.replace === true));
    }
    default:
      return exportFile(args, 'routes', store.list(), writeRouteCsv);
  }
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

function remove(store: SqliteRouteStore, args: string[]): number {
  const { values, positionals } = parseOptions(args, { 'next-hop': { type: 'string' }, type: { type: 'string' } });
  expectOperands(positionals, 1, 'PATTERN');
  const type = values.type === undefined ? guessPatternType(positionals[0]) : parseChoice(values.type, '--type', PATTERN_TYPES);
  const pattern = canonicalPattern(type, positionals[0]);
  const nextHop = values['next-hop'] === undefined ? undefined : checkNextHop(values['next-hop']);
  const n = store.delete(type, pattern, nextHop);
  const what = routeKey({ type, pattern, nextHop: nextHop ?? '' });
  if (n === 0) throw new ProvisioningError(`no ${what}`);
  console.log(`${what} deleted${n > 1 ? ` (${n} next hops)` : ''}`);
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
      r.static ? 'static' : r.expires <= now ? `expired(${formatTime(r.expires)})` : formatTime(r.expires),
    ]),
  ]);
}
