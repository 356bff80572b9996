export * from './lines';
export * from './line-policy';
export * from './busy-policy';
