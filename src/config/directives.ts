// The complete directive schema and name lookup.
import { MODULE_DIRECTIVES } from './directives-modules';
import { SERVER_DIRECTIVES } from './directives-server';
import type { DirectiveSpec, SectionName } from './schema-types';
import { MAX_VIRTUAL_PROXY_HOSTS } from './virtual-proxy-hosts';

export const DIRECTIVES: readonly DirectiveSpec[] = [...SERVER_DIRECTIVES, ...MODULE_DIRECTIVES];

/** DebugFlag names known to the seed (LOG-4, LOG-5), in their canonical spelling. */
export const DEBUG_FLAGS = [
  'StateMachine', 'Radius', 'Parser', 'SipTcp', 'SipTls', 'DBMySQL', 'GKTMP', 'GktmpAPI', 'Privacy',
  'RPMS', 'Numexpand', 'Enum', 'Routing', 'Registry', 'RasAPI', 'RAS', 'Authentication',
] as const;

/** Containers: the argument each takes and what may appear inside. */
export const SECTIONS: Readonly<Record<SectionName, { argument: string; description: string }>> = {
  NumberPlan: { argument: 'id', description: 'A number-expansion plan made of NumExp lines.' },
  VirtualProxyHost: { argument: 'id', description: `A virtual proxy domain: Virtual_Proxy_* lines. At most ${MAX_VIRTUAL_PROXY_HOSTS} (the seed: 10).` },
  RASGatekeeperCluster: { argument: 'priority 1-65535', description: 'Gatekeepers queried together: RASGateKeeper lines (at most 5).' },
  VirtualHost: { argument: 'address', description: 'Only CustomLog is read inside; it replaces the top-level access log.' },
};

const byName = new Map<string, DirectiveSpec>();
for (const spec of DIRECTIVES) {
  byName.set(spec.name.toLowerCase(), spec);
  for (const alias of spec.aliases ?? []) byName.set(alias.toLowerCase(), spec);
}

/** Case-insensitive lookup, aliases included. */
export function findDirective(name: string): DirectiveSpec | undefined {
  return byName.get(name.toLowerCase());
}

/** DB_MySQL_<Field>_Field directives: returns <Field>, or undefined for other names. */
export function mysqlFieldName(name: string): string | undefined {
  const m = /^DB_MySQL_(\w+?)_Field$/i.exec(name);
  return m ? m[1] : undefined;
}

/** The SipdConfig property a directive writes to (containers and ACL lines gather into one property). */
export function propertyOf(spec: DirectiveSpec): string {
  switch (spec.type.kind) {
    case 'access': return 'AccessRules';
    case 'numExp': return 'NumberPlans';
    case 'gatekeeper': return 'RASGatekeeperClusters';
    case 'vphField': return 'VirtualProxyHosts';
    default: return spec.name;
  }
}
