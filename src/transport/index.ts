export type {
  ConnectionInfo, ConnectionSelector, ConnectionTlsInfo, Endpoint, InboundMessage, OutboundEndpoint, TlsOptions,
  TlsVersion, TransportLog, TransportName, TransportOptions, TransportStats,
} from './types';
export { TransportLayer } from './layer';
export { certificateIdentities, certificateMatchesHost, certificateNamesUser, hasOnlyDomainIdentities } from './certificate-identity';
export { DEFAULT_TLS_CIPHERS, tlsSettingWarnings } from './tls-config';
