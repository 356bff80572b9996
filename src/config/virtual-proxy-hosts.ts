// Checks of the <VirtualProxyHost> blocks against each other and against sipd's own names (SPEC VPH-6).
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { ConfigProblem } from './errors';
import type { ListenAddress } from './types';

type Problem = Omit<ConfigProblem, 'file'>;

/**
 * The seed allows at most 10 blocks (004:5002). sipd keeps them in a map looked up per request, so more cost
 * nothing; it allows 100, a bound that still catches a generated file gone wrong.
 */
export const MAX_VIRTUAL_PROXY_HOSTS = 100;

const DNS_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i;

interface OwnNames {
  ProxyDomain?: string;
  ServerName?: string;
  IpAddrInPathHeaders?: string;
  Listen: ListenAddress[];
  VirtualProxyHosts: Record<string, Record<string, string>>;
}

/**
 * Problems of the virtual proxy hosts: a domain or server name that is not a DNS name, a domain equal to
 * ProxyDomain (the seed's rule) or ServerName, a server name or address that is sipd's own, and a name or
 * address given to two hosts (each must map to one Virtual_Proxy_Domain). `lineOf` gives where a setting was made.
 */
export function checkVirtualProxyHosts(values: OwnNames, lineOf: (...keys: string[]) => number): Problem[] {
  const problems: Problem[] = [];
  const own = (...names: (string | undefined)[]) => new Set(names.filter((n): n is string => !!n).map((n) => n.toLowerCase()));
  const ownDomains = own(values.ServerName, values.ProxyDomain);
  const ownNames = own(values.ServerName, values.ProxyDomain, hostname());
  const ownAddresses = own(values.IpAddrInPathHeaders, ...values.Listen.map((l) => l.host));
  /** Each virtual domain, name and address (lower case) -> the block and directive that gave it first. */
  const claimed = new Map<string, string>();

  for (const [id, host] of Object.entries(values.VirtualProxyHosts)) {
    const check = (directive: string, reason: (value: string) => string | undefined) => {
      const value = host[directive];
      if (value === undefined) return;
      const key = `${directive} in ${id}`;
      const where = `${directive} in <VirtualProxyHost ${id}>`;
      const lower = value.toLowerCase();
      const earlier = claimed.get(lower);
      const problem = reason(lower) ?? (earlier ? `is already used by ${earlier}` : undefined);
      if (problem) problems.push({ line: lineOf(key), reason: `${where} ${problem}, got "${value}"` });
      else claimed.set(lower, where);
    };
    check('Virtual_Proxy_Domain', (v) =>
      !isDnsName(v) ? 'must be a DNS domain name'
        : ownDomains.has(v) ? 'must differ from ProxyDomain and ServerName' : undefined);
    check('Virtual_Proxy_Server_Name', (v) =>
      !isDnsName(v) ? 'must be a host name' : ownNames.has(v) ? "must differ from this server's own name (ServerName, ProxyDomain, host name)" : undefined);
    check('Virtual_Proxy_Server_IP', (v) =>
      ownAddresses.has(v) ? "must differ from this server's own address (IpAddrInPathHeaders, Listen)" : undefined);
  }
  return problems;
}

function isDnsName(value: string): boolean {
  return isIP(value) === 0 && value.length <= 253 && DNS_NAME.test(value);
}
