export { buildTranslation, translate, type TranslationInput, type TranslationStep } from './chain';
export { registryStep } from './registry-step';
export { enumStep } from './enum-step';
