// The seed's two-company registrar (004:1163-1215) as sipd configures it: sipd is example.com (ProxyDomain, the
// E.164 domain), with CompanyA and CompanyB as virtual proxy hosts. The seed's phones expand numbers themselves;
// in sipd the proxy does, with a number plan per company for the 8xxx DIDs and global ones for the rest.
import type { NumberExpansion } from '../config/types';
import { NumberExpander } from '../numbers';
import type { RegistryKeying, VirtualProxyHost } from './local-identity';

export const COMPANY_A = 'companyA.com';
export const COMPANY_B = 'companyB.com';

export const VIRTUAL_HOSTS: VirtualProxyHost[] = [
  { domain: COMPANY_A, serverName: 'pbx.companyA.com', serverIp: '198.51.100.1' },
  { domain: COMPANY_B, serverName: 'pbx.companyB.com', serverIp: '198.51.100.2' },
];

export const TWO_COMPANY_PLANS: Record<string, NumberExpansion[]> = {
  // 8xxx at CompanyA is +14085558xxx, at CompanyB +14086668xxx.
  [COMPANY_A]: [{ pattern: '8...', replacement: '+14085558...' }],
  [COMPANY_B]: [{ pattern: '8...', replacement: '+14086668...' }],
  // Both companies: seven digits are a number in area code 408 (note [4]), 1 and ten digits the NANP (note [5]).
  Global: [{ pattern: '.......', replacement: '+1408.......' }, { pattern: '1..........', replacement: '+1..........' }],
};

export function twoCompanyNumbers(): NumberExpander {
  return new NumberExpander({
    enabled: true,
    plans: TWO_COMPANY_PLANS,
    domains: [COMPANY_A, COMPANY_B],
    interpretation: 'E164_IP',
    characterSet: '+0123456789.-()',
    expandAuthUserName: true,
    origUserNameSource: 'Auth',
  });
}

export function twoCompanyKeying(useVirtualProxyHost = true): RegistryKeying {
  return { useVirtualProxyHost, virtualHosts: VIRTUAL_HOSTS, numbers: twoCompanyNumbers() };
}
