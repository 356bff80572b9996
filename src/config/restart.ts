// Which configuration changes a graceful restart cannot apply.
import { isDeepStrictEqual } from 'node:util';
import { DIRECTIVES, propertyOf } from './directives';
import type { SipdConfig } from './types';

export function directivesNeedingRestart(before: SipdConfig, after: SipdConfig): string[] {
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  return DIRECTIVES
    .filter((spec) => spec.restart === 'restart')
    .filter((spec) => !isDeepStrictEqual(b[propertyOf(spec)], a[propertyOf(spec)]))
    .map((spec) => spec.name);
}
