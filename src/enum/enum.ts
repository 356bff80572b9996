/*
 * ENUM (RFC 6116, RFC 3761): an E.164 number → the SIP URIs its NAPTR records rewrite it to.
 * The number's digits, reversed and dot-separated, are looked up under Cisco_Enum_Global_Domain (e164.arpa) when
 * the number starts with "+", else under Cisco_Enum_Domain (a private number plan), else under the global domain.
 * Records for the SIP service (E2U+sip, and the RFC 2916 spelling sip+E2U) with the "u" flag are terminal: their
 * regexp turns the number into a URI. Records without flags are non-terminal: their replacement (or their
 * regexp's result) names the domain to look up next, at most maxChain steps deep.
 * Records are taken by order, then preference; the first order value that yields a URI is the answer
 * (RFC 3403 §4: records with a higher order are not considered once one of a lower order applied).
 * Answers are cached by the DNS resolver, each NAPTR set for its cache time.
 */
import type { SipdConfig } from '../config';
import { DnsLookupError, type DnsResolver, type NaptrRecord } from '../dns/resolver';
import { rewrite } from './naptr-regexp';

export interface EnumSettings {
  /** Cisco_Enum_Domain: the private number plan's domain for numbers without "+". */
  privateDomain?: string;
  /** Cisco_Enum_Global_Domain. */
  globalDomain: string;
  /** Non-terminal records followed at most this many times from the first lookup. */
  maxChain: number;
}

export function enumSettings(config: SipdConfig): EnumSettings {
  return { privateDomain: config.Cisco_Enum_Domain || undefined, globalDomain: config.Cisco_Enum_Global_Domain, maxChain: 5 };
}

/** The application unique string (the number the regexps apply to) and the domain to look it up under. */
export interface EnumKey {
  aus: string;
  domain: string;
}

/** Visual separators people write in numbers (RFC 3966); they are not part of the number. */
const SEPARATORS = /[\s().-]/g;

/** The lookup key of a number, or undefined when it is not a number ("+" and digits, after separators). */
export function enumKey(number: string, settings: Pick<EnumSettings, 'privateDomain' | 'globalDomain'>): EnumKey | undefined {
  const aus = number.replace(SEPARATORS, '');
  if (!/^\+?[0-9]+$/.test(aus)) return undefined;
  const global = aus.startsWith('+');
  const suffix = (global ? settings.globalDomain : settings.privateDomain ?? settings.globalDomain).replace(/^\.|\.$/g, '');
  const digits = [...(global ? aus.slice(1) : aus)].reverse().join('.');
  return { aus, domain: `${digits}.${suffix}` };
}

/** E2U+sip (RFC 3761/6116, any case) or sip+E2U (RFC 2916). */
export function isSipService(service: string): boolean {
  const parts = service.toLowerCase().split('+');
  return (parts[0] === 'e2u' && parts.slice(1).includes('sip')) || (parts.length === 2 && parts[0] === 'sip' && parts[1] === 'e2u');
}

export class EnumTranslator {
  constructor(
    private readonly dns: DnsResolver,
    public settings: EnumSettings,
    /** Told of a DNS lookup that failed (timeout, server failure); the lookup then counts as "no records". */
    private readonly onLookupError: (err: DnsLookupError) => void = () => {},
  ) {}

  /** The SIP URIs number translates to, best first; undefined when ENUM has none (or it is not a number). */
  async lookup(number: string): Promise<string[] | undefined> {
    const key = enumKey(number, this.settings);
    if (key === undefined) return undefined;
    const uris = await this.follow(key.aus, key.domain, 0, new Set());
    return uris.length > 0 ? uris : undefined;
  }

  private async follow(aus: string, domain: string, depth: number, visited: Set<string>): Promise<string[]> {
    const name = domain.toLowerCase().replace(/\.$/, '');
    if (depth > this.settings.maxChain || visited.has(name)) return [];
    visited.add(name);
    for (const group of byOrder(await this.naptr(name))) {
      const uris: string[] = [];
      for (const r of group) {
        const flags = r.flags.toLowerCase();
        if (flags === 'u') {
          if (!isSipService(r.service)) continue;
          const uri = rewrite(r.regexp, aus);
          if (uri !== undefined && /^sips?:/i.test(uri)) uris.push(uri);
        } else if (flags === '' && (r.service === '' || isSipService(r.service))) {
          const next = r.replacement !== '' && r.replacement !== '.' ? r.replacement : rewrite(r.regexp, aus);
          if (next !== undefined && next !== '') uris.push(...await this.follow(aus, next, depth + 1, visited));
        }
      }
      if (uris.length > 0) return uris;
    }
    return [];
  }

  private async naptr(name: string): Promise<readonly NaptrRecord[]> {
    try {
      return await this.dns.naptr(name);
    } catch (err) {
      if (!(err instanceof DnsLookupError)) throw err;
      this.onLookupError(err);
      return [];
    }
  }
}

/** Records grouped by order value (lowest first), each group by preference. */
function byOrder(records: readonly NaptrRecord[]): NaptrRecord[][] {
  const sorted = [...records].sort((a, b) => a.order - b.order || a.preference - b.preference);
  const groups: NaptrRecord[][] = [];
  for (const r of sorted) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[0].order === r.order) last.push(r);
    else groups.push([r]);
  }
  return groups;
}
