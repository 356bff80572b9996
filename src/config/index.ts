// Public API of the configuration layer.
export type {
  AccessRule, Gatekeeper, ListenAddress, LoadedConfig, LogLevelName, LogTargetAndFormat, NumberExpansion,
  RpmsServer, SipdConfig, TechPrefixRule, Transport,
} from './types';
export type { DirectiveGroup, DirectiveSpec, RestartKind, SectionName, ValueType } from './schema-types';
export { ConfigError, type ConfigProblem } from './errors';
export { DEBUG_FLAGS, DIRECTIVES } from './directives';
export { defaultConfig } from './defaults';
export { loadConfigFile } from './load';
export { parseConfigText } from './parser';
export { directivesNeedingRestart } from './restart';
export { renderReference } from './reference';
