// Shape of one entry of the directive schema (see directives.ts).

export type DirectiveGroup =
  | 'server-global' | 'host-specific' | 'server-core'
  | 'mysql' | 'gktmp' | 'accounting' | 'radius' | 'auth' | 'acl' | 'abuse' | 'privacy' | 'preauth'
  | 'callforward' | 'numexpand' | 'enum' | 'routing' | 'registry' | 'virtualproxyhost' | 'ras';

/** Containers a directive may be restricted to. */
export type SectionName = 'NumberPlan' | 'VirtualProxyHost' | 'RASGatekeeperCluster' | 'VirtualHost';

export type RestartKind = 'graceful' | 'restart';

export type ValueType =
  | { kind: 'flag' }
  | { kind: 'integer'; min: number; max: number; unit?: string }
  | { kind: 'hex'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'string' }
  | { kind: 'ip' }
  | { kind: 'path' }
  | { kind: 'logTarget' }
  | { kind: 'words'; max?: number }
  | { kind: 'listen' }
  | { kind: 'debugFlag' }
  | { kind: 'logFormat' }
  | { kind: 'customLog' }
  | { kind: 'access' }
  | { kind: 'numExp' }
  | { kind: 'gatekeeper' }
  | { kind: 'techPrefix' }
  | { kind: 'rpmsServer'; max: number }
  | { kind: 'mysqlField' }
  | { kind: 'vphField' };

/** Plain default of a scalar directive; structured defaults live in defaults.ts. */
export type ScalarDefault = boolean | number | string;

export interface DirectiveSpec {
  readonly name: string;
  readonly group: DirectiveGroup;
  readonly type: ValueType;
  /** Absent means "unset" (the property is undefined) unless the kind has a structured default. */
  readonly default?: ScalarDefault;
  /** How the default reads in the reference when it is not a plain value. */
  readonly defaultText?: string;
  readonly restart: RestartKind;
  readonly implemented: boolean;
  readonly description: string;
  /** Only allowed inside this container (otherwise only at top level). */
  readonly section?: SectionName;
  /** Other spellings accepted on input. */
  readonly aliases?: readonly string[];
}
