export * from './types';
export { defaultRealm } from './realm';
export { ha1, ha1Pair, type Ha1Algorithm } from './ha1';
export { ProvisioningError } from './errors';
export * from './sqlite-subscriber-store';
export * from './device-rules';
export { formatSubscriberKey, parseSubscriberKey, parseSwitch } from './syntax';
export { readSubscriberCsv, writeSubscriberCsv } from './subscriber-csv';
export { readDeviceCsv, writeDeviceCsv } from './device-csv';
