export * from './clock';
export * from './timers';
export * from './types';
export * from './server-transaction';
export * from './client-transaction';
export * from './transaction-layer';
