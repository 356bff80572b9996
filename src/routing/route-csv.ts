// The route CSV file (SPEC D-5, docs/routes.md): a header row naming the columns, then one route a line.
// Only `pattern` is required; a missing column or an empty field takes the default (ROUTE_DEFAULTS).
import { filled, readCsvTable, writeCsvTable, type CsvTable } from '../subscribers/csv-table';
import type { ImportItem } from '../subscribers/sqlite-subscriber-store';
import { parseSwitch } from '../subscribers/syntax';
import {
  MAX_PRIORITY,
  MAX_WEIGHT,
  PATTERN_TYPES,
  ROUTE_DEFAULTS,
  ROUTE_TRANSPORTS,
  TECH_PREFIX_ACTIONS,
  checkRoute,
  guessPatternType,
  parseBounded,
  parseChoice,
  routeKey,
  type Route,
} from './route';

const ROUTE_TABLE: CsvTable<Route> = {
  columns: [
    'pattern', 'type', 'next_hop', 'port', 'transport', 'priority', 'weight', 'tech_prefix_action', 'tech_prefix',
    'allow_less_specific', 'block', 'in_service', 'label',
  ],
  importOnly: [],
  required: ['pattern'],
  toChange(record) {
    const pattern = filled(record, 'pattern') ?? '';
    const value = <T>(column: string, parse: (text: string) => T, fallback: T): T => {
      const text = filled(record, column);
      return text === undefined ? fallback : parse(text);
    };
    return checkRoute({
      pattern,
      type: value('type', (t) => parseChoice(t, 'type', PATTERN_TYPES), guessPatternType(pattern)),
      nextHop: filled(record, 'next_hop') ?? '',
      port: value('port', (t) => parseBounded(t, 'port', 65535), ROUTE_DEFAULTS.port),
      transport: value('transport', (t) => parseChoice(t, 'transport', ROUTE_TRANSPORTS), ROUTE_DEFAULTS.transport),
      priority: value('priority', (t) => parseBounded(t, 'priority', MAX_PRIORITY), ROUTE_DEFAULTS.priority),
      weight: value('weight', (t) => parseBounded(t, 'weight', MAX_WEIGHT), ROUTE_DEFAULTS.weight),
      techPrefixAction: value('tech_prefix_action', (t) => parseChoice(t, 'tech_prefix_action', TECH_PREFIX_ACTIONS), ROUTE_DEFAULTS.techPrefixAction),
      techPrefix: filled(record, 'tech_prefix') ?? ROUTE_DEFAULTS.techPrefix,
      allowLessSpecific: value('allow_less_specific', (t) => parseSwitch(t, 'allow_less_specific'), ROUTE_DEFAULTS.allowLessSpecific),
      block: value('block', (t) => parseSwitch(t, 'block'), ROUTE_DEFAULTS.block),
      inService: value('in_service', (t) => parseSwitch(t, 'in_service'), ROUTE_DEFAULTS.inService),
      label: record.get('label') ?? ROUTE_DEFAULTS.label,
    });
  },
  keyOf: routeKey,
};

export function readRouteCsv(text: string): ImportItem<Route>[] {
  return readCsvTable(text, ROUTE_TABLE);
}

const onOff = (b: boolean): string => (b ? 'on' : 'off');

export function writeRouteCsv(routes: readonly Route[]): string {
  return writeCsvTable(
    ROUTE_TABLE,
    routes.map((r) => [
      r.pattern,
      r.type,
      r.nextHop,
      String(r.port),
      r.transport,
      String(r.priority),
      String(r.weight),
      r.techPrefixAction,
      r.techPrefix,
      onOff(r.allowLessSpecific),
      onOff(r.block),
      onOff(r.inService),
      r.label,
    ]),
  );
}
