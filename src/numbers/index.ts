export * from './expander';
export * from './number-plan';
export * from './numeric-user';
