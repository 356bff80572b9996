// The digest realm when AuthRealm is not set (SPEC D-14): ProxyDomain, else the host name.
import { hostname } from 'node:os';
import type { SipdConfig } from '../config';

export function defaultRealm(cfg: Pick<SipdConfig, 'AuthRealm' | 'ProxyDomain'>): string {
  return cfg.AuthRealm || cfg.ProxyDomain || hostname();
}
