export type {
  ConnectionInfo, Endpoint, InboundMessage, TlsOptions, TransportLog, TransportName, TransportOptions, TransportStats,
} from './types';
export { TransportLayer } from './layer';
