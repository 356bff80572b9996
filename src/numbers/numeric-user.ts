/*
 * Numeric user parts (SPEC PRX-22..24, RTE-7, REG-9): which users are telephone numbers, what the number is once
 * visual separators are gone, and in which order the proxy tries a number of ours as a URL and as an E.164 number.
 *
 * - A user counts as numeric when every character of it is a digit or in NumericUsernameCharacterSet (default
 *   "+0123456789.-()") and at least one digit remains once the visual separators ( ) . - are removed
 *   (RFC 3966 §5.1.1). Digits always count, whatever the set says. User parameters (";isub=..." after the number,
 *   RFC 3966 §3) are not tested against the set (004:1748) and are kept as they are.
 *     "408-555-0100" -> 4085550100   "(408)555.0100" -> 4085550100   "*69" and "alice" -> not numeric (by default)
 * - user=phone (or a tel: URI) makes the user a telephone number whatever its characters; user=ip makes it a
 *   name even when it is all digits. Any other or no user parameter leaves it to the character set.
 * - NumericUsernameInterpretation applies to a numeric user, with no user=, whose host is sipd's own:
 *     IP_164 -> url, e164    E164_IP -> e164, url (default)    IP -> url    E164 -> e164
 *   user=phone at our host -> e164 only; a name, user=ip, or any user at a host that is not ours -> url only.
 *   "url" means the user at the host as an address (call forward, registry, domain routing); "e164" means the
 *   user as a telephone number (number routes, ENUM, gatekeepers).
 */
import type { SipUri } from '../sip';

export type NumericUsernameInterpretation = 'IP_164' | 'E164_IP' | 'IP' | 'E164';
export type Interpretation = 'url' | 'e164';

/** What the URI says its user is: user=phone (or tel:), user=ip, or nothing. */
export type DeclaredUserType = 'phone' | 'ip' | undefined;

const URL_ONLY: readonly Interpretation[] = Object.freeze(['url']);
const E164_ONLY: readonly Interpretation[] = Object.freeze(['e164']);
const ORDERS: Readonly<Record<NumericUsernameInterpretation, readonly Interpretation[]>> = {
  IP_164: Object.freeze(['url', 'e164']),
  E164_IP: Object.freeze(['e164', 'url']),
  IP: URL_ONLY,
  E164: E164_ONLY,
};

const SEPARATORS = '().-';
const DIGITS = '0123456789';

/** A user part split into the number (before the first ";") and its user parameters (from the ";" on, or ""). */
export interface SplitUser {
  readonly number: string;
  readonly params: string;
}

export function splitUser(user: string): SplitUser {
  const semi = user.indexOf(';');
  return semi < 0 ? { number: user, params: '' } : { number: user.slice(0, semi), params: user.slice(semi) };
}

export function declaredUserType(uri: SipUri): DeclaredUserType {
  if (uri.scheme === 'tel') return 'phone';
  const type = uri.params.get('user')?.toLowerCase();
  return type === 'phone' || type === 'ip' ? type : undefined;
}

/** The NumericUsernameCharacterSet test, precompiled into a table of ASCII codes. */
export class NumericUserRule {
  private readonly allowed = new Uint8Array(128);

  constructor(characterSet: string) {
    for (const ch of characterSet + DIGITS) {
      const c = ch.charCodeAt(0);
      if (c < 128) this.allowed[c] = 1;
    }
  }

  /** True when every character of `number` is in the set (digits always are) and it holds a digit. */
  isNumeric(number: string): boolean {
    let digit = false;
    for (let i = 0; i < number.length; i++) {
      const c = number.charCodeAt(i);
      if (c >= 128 || this.allowed[c] === 0) return false;
      if (c >= 48 && c <= 57) digit = true;
    }
    return digit;
  }
}

/** The number without visual separators ( ) . - (RFC 3966 §5.1.1): "+1 (408) 555-0100" style to "+14085550100". */
export function stripSeparators(number: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < number.length; i++) {
    if (SEPARATORS.indexOf(number[i]) < 0) continue;
    out += number.slice(start, i);
    start = i + 1;
  }
  return start === 0 ? number : out + number.slice(start);
}

/**
 * The order in which the proxy tries a Request-URI user: `numeric` is the character-set verdict, `declared` the
 * user= parameter, `local` whether the host is sipd's own. The arrays returned are shared and frozen.
 */
export function interpretationOrder(
  setting: NumericUsernameInterpretation, numeric: boolean, declared: DeclaredUserType, local: boolean,
): readonly Interpretation[] {
  if (!local || declared === 'ip') return URL_ONLY;
  if (declared === 'phone') return E164_ONLY;
  return numeric ? ORDERS[setting] : URL_ONLY;
}
