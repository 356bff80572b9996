// Public API of ENUM translation (RFC 6116).
export { EnumTranslator, enumKey, enumSettings, isSipService, type EnumKey, type EnumSettings } from './enum';
export { SubstExprError, applySubstExpr, parseSubstExpr, rewrite, type SubstExpr } from './naptr-regexp';
