/*
 * Call forwarding per subscriber (SPEC CF-1..CF-10, PRV-6; Appendix E flows SC-04..SC-11). What a subscriber
 * forwards to comes from the subscriber directory (forward-unconditional, -busy, -no-answer, -unavailable); which
 * kinds are in force from CallForwardUnconditional|Busy|NoAnswer|Unavailable. Each diverted target carries the
 * Diversion value for the Request-URI it was diverted from, with the reason, counter 1 and, for a subscriber whose
 * redirect number is private, privacy=full.
 *
 *   unconditional  first translation step: the subscriber's phones are never tried
 *   unavailable    a translation step after the registry (no valid registration), or the response context's timer
 *                  (CallForwardUnavailableTimer) when no phone said anything (not even 100) in that time
 *   busy           the response context: the call ended in 486
 *   no answer      the response context's timer (CallForwardNoAnswerTimer) while phones ring
 * A recursive proxy forwards to the target itself; a nonrecursive one answers 302 with it (CF-10).
 */
import { andThen } from '../maybe-async';
import { type DiversionHeaderName, makeDiversion } from '../privacy';
import type { Target } from '../proxy/target';
import type { SipUri } from '../sip';
import type { Subscriber, SubscriberDirectory } from '../subscribers/types';
import type { TranslationInput, TranslationStep } from '../translation';

export type ForwardReason = 'unconditional' | 'user-busy' | 'no-answer' | 'unavailable';

export interface CallForwardSettings {
  unconditional: boolean;
  busy: boolean;
  noAnswer: boolean;
  unavailable: boolean;
  /** CallForwardNoAnswerTimer and CallForwardUnavailableTimer, ms. */
  noAnswerMs: number;
  unavailableMs: number;
  /** AddDiversionHeader and DiversionHeaderName. */
  addDiversion: boolean;
  headerName: DiversionHeaderName;
}

/** What the response context may still divert a call to, and when. */
export interface ForwardingPlan {
  busy?: Target;
  noAnswer?: Target;
  unavailable?: Target;
  noAnswerMs: number;
  unavailableMs: number;
}

const SUBSCRIBER_FIELD: Record<ForwardReason, 'forwardUnconditional' | 'forwardBusy' | 'forwardNoAnswer' | 'forwardUnavailable'> = {
  unconditional: 'forwardUnconditional',
  'user-busy': 'forwardBusy',
  'no-answer': 'forwardNoAnswer',
  unavailable: 'forwardUnavailable',
};

export class CallForwarding {
  constructor(public settings: CallForwardSettings, private readonly subscribers: SubscriberDirectory) {}

  get anyAfterRinging(): boolean {
    return this.settings.busy || this.settings.noAnswer || this.settings.unavailable;
  }

  /** CallForwardUnconditional as the first translation step (PRX-3). */
  unconditionalStep(): TranslationStep {
    return { name: 'call forward unconditional', translate: (input) => this.translateTo('unconditional', input) };
  }

  /** CallForwardUnavailable for a subscriber without a valid registration: the step after the registry. */
  notRegisteredStep(): TranslationStep {
    return { name: 'call forward unavailable (not registered)', translate: (input) => this.translateTo('unavailable', input) };
  }

  /** The busy / no-answer / unavailable targets of a new call to `uri` (a URI of ours), if its subscriber has any. */
  plan(uri: SipUri, aor: string): ForwardingPlan | undefined | Promise<ForwardingPlan | undefined> {
    const s = this.settings;
    const build = (sub: Subscriber | undefined): ForwardingPlan | undefined => {
      if (!sub) return undefined;
      const plan: ForwardingPlan = {
        busy: s.busy ? this.target(sub, 'user-busy', uri) : undefined,
        noAnswer: s.noAnswer ? this.target(sub, 'no-answer', uri) : undefined,
        unavailable: s.unavailable ? this.target(sub, 'unavailable', uri) : undefined,
        noAnswerMs: s.noAnswerMs,
        unavailableMs: s.unavailableMs,
      };
      return plan.busy || plan.noAnswer || plan.unavailable ? plan : undefined;
    };
    const found = this.find(aor);
    return andThen(found, build);
  }

  private translateTo(reason: ForwardReason, input: TranslationInput): Target[] | undefined | Promise<Target[] | undefined> {
    const enabled = reason === 'unconditional' ? this.settings.unconditional : this.settings.unavailable;
    if (!enabled || !input.local || input.inDialog || input.method !== 'INVITE') return undefined;
    const toTargets = (sub: Subscriber | undefined) => {
      const t = sub && this.target(sub, reason, input.uri);
      return t ? [t] : undefined;
    };
    const found = this.find(input.aor);
    return andThen(found, toTargets);
  }

  private find(aor: string): Subscriber | undefined | Promise<Subscriber | undefined> {
    const at = aor.lastIndexOf('@');
    return this.subscribers.find(aor.slice(0, at), aor.slice(at + 1));
  }

  private target(sub: Subscriber, reason: ForwardReason, original: SipUri): Target | undefined {
    const uri = sub[SUBSCRIBER_FIELD[reason]];
    if (!uri) return undefined;
    if (!this.settings.addDiversion) return { uri, forwarded: true };
    // RedirectDNPrivacy marks the Diversion privacy=full; the seed ties it to the RFC 5806 header name (004:4865).
    const privacy = sub.redirectPrivacy && this.settings.headerName === 'Diversion' ? 'full' : undefined;
    const value = makeDiversion({ ...original, headers: new Map() }, { reason, privacy });
    return { uri, forwarded: true, diversions: [{ header: this.settings.headerName, value }] };
  }
}
