export * from './route';
export { RouteTable, weightedOrder, type RouteMatch, type RouteTableSettings } from './route-table';
export { SqliteRouteStore, routeDbPath } from './sqlite-route-store';
export { RouteService, type RoutingSettings } from './route-service';
export { readRouteCsv, writeRouteCsv } from './route-csv';
export {
  deleteRegistrations,
  importRegistrations,
  listRegistrations,
  listStaticRegistrations,
  purgeExpiredRegistrations,
  putRegistration,
  registryDbPath,
  type RegistrationRow,
} from './registry-file';
export * from './registration';
export { readRegistrationCsv, writeRegistrationCsv } from './registration-csv';
