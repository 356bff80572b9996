// Public API of DNS resolution: the caching resolver and RFC 3263 next-hop targets.
export {
  DEFAULT_DNS_SETTINGS, DnsLookupError, DnsResolver, type DnsBackend, type DnsResolverSettings, type NaptrRecord,
  type RecordType, type SrvRecord,
} from './resolver';
export {
  SipResolver, defaultPort, parseTransportPrefOrder, sipResolverSettings, type ResolveOptions, type SipResolverSettings,
  type SipTarget,
} from './sip-resolver';
export { orderSrv, type Random } from './srv-order';
export { parseHosts, readHostsFile, type HostsTable } from './hosts-file';
