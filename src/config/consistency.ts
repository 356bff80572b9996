// Checks that involve more than one directive, run once the whole file is read.
import type { ConfigProblem } from './errors';
import type { SipdConfig } from './types';
import { checkVirtualProxyHosts } from './virtual-proxy-hosts';

type Values = Record<string, unknown>;

/** Problems with file left empty; line is where the last involved directive was set. */
export function checkConsistency(values: Values, setAt: Map<string, number>): Omit<ConfigProblem, 'file'>[] {
  const problems: Omit<ConfigProblem, 'file'>[] = [];
  const lineOf = (...names: string[]) => Math.max(0, ...names.map((n) => setAt.get(n) ?? 0));

  const custom = values.CustomLog as { format: string };
  const formats = values.LogFormat as Record<string, string>;
  if (!custom.format.includes('%') && formats[custom.format] === undefined) {
    problems.push({ line: lineOf('CustomLog format'),
      reason: `CustomLog format "${custom.format}" is neither a LogFormat nickname nor a format string` });
  }

  const notAbove = (low: string, high: string) => {
    if ((values[low] as number) > (values[high] as number)) {
      problems.push({ line: lineOf(low, high), reason: `${low} (${values[low]}) must not exceed ${high} (${values[high]})` });
    }
  };
  notAbove('MinRegistrationExpires', 'DefaultRegistrationExpires');
  notAbove('DefaultRegistrationExpires', 'MaxRegistrationExpires');
  notAbove('SipT1InMs', 'SipT2InMs');
  notAbove('SipT3InMs', 'SipMaxT3InMs');
  if (values.ProxyAddressResolutionType === 'SRV' && !values.ProxyDomain) {
    problems.push({ line: lineOf('ProxyAddressResolutionType'), reason: 'ProxyAddressResolutionType SRV needs ProxyDomain (the domain whose SRV records name this server)' });
  }
  problems.push(...checkVirtualProxyHosts(values as unknown as SipdConfig, lineOf));
  return problems;
}
