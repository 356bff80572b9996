export * from './route';
export { RouteTable, weightedOrder, type RouteMatch, type RouteTableSettings } from './route-table';
export { SqliteRouteStore, routeDbPath } from './sqlite-route-store';
export { RouteService, type RoutingSettings } from './route-service';
export { readRouteCsv, writeRouteCsv } from './route-csv';
export { listRegistrations, purgeExpiredRegistrations, registryDbPath, type RegistrationRow } from './registry-file';
