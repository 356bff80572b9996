// ENUM as a translation step (SPEC ENUM-1..5): a telephone number to the SIP URIs its NAPTR records give.
import type { EnumTranslator } from '../enum';
import type { TranslationStep } from './chain';

export function enumStep(enumTranslator: EnumTranslator): TranslationStep {
  return {
    name: 'enum',
    translate: async ({ number }) => {
      if (number === undefined) return undefined;
      const uris = await enumTranslator.lookup(number);
      return uris?.map((uri) => ({ uri }));
    },
  };
}
