export * from './dialog-table';
