export * from './call-forwarding';
