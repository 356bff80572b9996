export * from './proxy-core';
export * from './local-identity';
