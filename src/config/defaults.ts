// Built-in defaults, taken from the schema, and resolution of relative paths against ServerRoot.
import { isAbsolute, resolve } from 'node:path';
import { DEBUG_FLAGS, DIRECTIVES, propertyOf } from './directives';
import type { SipdConfig } from './types';

/** Apache's standard nicknames, so "CustomLog ... common" works without a LogFormat line. */
const STANDARD_LOG_FORMATS: Readonly<Record<string, string>> = {
  combined: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
  common: '%h %l %u %t "%r" %>s %b',
  referer: '%{Referer}i -> %U',
  agent: '%{User-agent}i',
};

/** Defaults with paths still relative, as they would be written in the file. */
export function unresolvedDefaults(serverRoot: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const spec of DIRECTIVES) {
    if (spec.default !== undefined && spec.type.kind !== 'customLog') values[propertyOf(spec)] = spec.default;
    if (spec.type.kind === 'words' || spec.type.kind === 'techPrefix' || spec.type.kind === 'rpmsServer' ||
        spec.type.kind === 'listen' || spec.type.kind === 'access') {
      values[propertyOf(spec)] = [];
    }
  }
  values.ServerRoot = serverRoot;
  values.LogFormat = { ...STANDARD_LOG_FORMATS };
  values.CustomLog = { target: 'logs/access_log', format: 'common' };
  values.DebugFlag = Object.fromEntries(DEBUG_FLAGS.map((f) => [f, false]));
  values.DB_MySQL_XXX_Field = {};
  values.NumberPlans = {};
  values.VirtualProxyHosts = {};
  values.RASGatekeeperClusters = {};
  return values;
}

function resolveTarget(serverRoot: string, target: string): string {
  return target.startsWith('|') || isAbsolute(target) ? target : resolve(serverRoot, target);
}

/** Makes every path-like value absolute (in place); piped log targets are left as written. */
export function resolvePaths(values: Record<string, unknown>): void {
  const root = values.ServerRoot as string;
  for (const spec of DIRECTIVES) {
    const kind = spec.type.kind;
    const current = values[spec.name];
    if ((kind === 'path' || kind === 'logTarget') && typeof current === 'string' && spec.name !== 'ServerRoot') {
      values[spec.name] = resolveTarget(root, current);
    }
  }
  const custom = values.CustomLog as SipdConfig['CustomLog'];
  values.CustomLog = { ...custom, target: resolveTarget(root, custom.target) };
}

export function defaultConfig(serverRoot: string): SipdConfig {
  const values = unresolvedDefaults(serverRoot);
  resolvePaths(values);
  return values as unknown as SipdConfig;
}
