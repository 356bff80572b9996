/*
 * Address translation (SPEC PRX-1..PRX-3): from a Request-URI to the targets sipd forwards to. The steps run in the
 * order buildTranslation gives — call forward unconditional, registry, ENUM — and the first step that returns
 * targets ends translation. When none does, the Request-URI itself is the one target, and next-hop routing
 * (src/routing/next-hop-router.ts: number routes, domain routes, RFC 3263) decides where it goes.
 */
import type { Target } from '../proxy/target';
import type { SipUri } from '../sip';

/** What the steps look at: the URI to translate, as sipd's own names and number plan read it. */
export interface TranslationInput {
  uri: SipUri;
  /** The host is one of sipd's own domains (the registry and call forwarding apply). */
  local: boolean;
  /** The registry key of the URI (LocalIdentity.aorKey); meaningful only when local. */
  aor: string;
  /** The user as a telephone number (expanded, no separators) when it may be read as one (ENUM, number routes). */
  number?: string;
  method: string;
  /** A request inside a dialog (it has a To tag): not forwarded as a new call would be. */
  inDialog: boolean;
}

export interface TranslationStep {
  readonly name: string;
  /** Targets when this step translates the URI; undefined (or none) hands it to the next step. */
  translate(input: TranslationInput): Target[] | undefined | Promise<Target[] | undefined>;
}

/**
 * The steps in the seed's order (004:999-1006), with sipd's call forward unavailable for a subscriber without a
 * registration right after the registry that found none; a step whose feature is off is left out.
 */
export function buildTranslation(steps: {
  callForwardUnconditional?: TranslationStep;
  registry?: TranslationStep;
  callForwardNotRegistered?: TranslationStep;
  enum?: TranslationStep;
}): TranslationStep[] {
  return [steps.callForwardUnconditional, steps.registry, steps.callForwardNotRegistered, steps.enum].filter((s): s is TranslationStep => s !== undefined);
}

/**
 * Runs the steps in order. Stays synchronous while the steps are (the registry is), so a call to a registered user
 * costs no promise; an empty result means the Request-URI stands.
 */
export function translate(steps: readonly TranslationStep[], input: TranslationInput, from = 0): Target[] | Promise<Target[]> {
  for (let i = from; i < steps.length; i++) {
    const found = steps[i].translate(input);
    if (found instanceof Promise) return found.then((t) => (t !== undefined && t.length > 0 ? t : translate(steps, input, i + 1)));
    if (found !== undefined && found.length > 0) return found;
  }
  return [];
}
