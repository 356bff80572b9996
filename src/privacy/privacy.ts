/*
 * Calling line identity privacy (SPEC §12, PRV-1..PRV-7; rules R1-R7 of callflows.md CL-0) for INVITE requests
 * and, for Diversion, 3xx responses:
 *   inbound   R1 an untrusted sender's P-Asserted-Identity, Remote-Party-ID and Diversion are removed;
 *             R2 an authenticated request gets sipd's own PAI and RPID, <sip:authuser@authdomain>;
 *             R3 a From display name "Anonymous" (any case) adds `Privacy: id` and the RPID token privacy=full.
 *   outbound  R4 toward an untrusted next hop PAI goes when Privacy: id or From is Anonymous, an RPID when it
 *             says privacy=full or From is Anonymous; R6 a Diversion with privacy=full is rewritten to
 *             <sip:Anonymous@Anonymous>; R7 a trusted next hop gets everything as it is.
 *   3xx       R5 the topmost Diversion of a redirect from an untrusted sender must name the Request-URI the
 *             request came in with (D-13); otherwise it is rewritten to it.
 * Trust comes from the access lists: upstream, the "Allow from" list (ctx.trustedSource); downstream, "Allow to".
 */
import type { SipdConfig } from '../config';
import type { Logger } from '../log';
import type { PolicyRequest, RequestPolicy } from '../policy/types';
import { SipMessage, SipUri, formatUri, headerKey, parseNameAddr, uriEquals } from '../sip';
import { DIVERSION_KEYS, anonymiseDiversion, formatDiversion, isPrivateDiversion, parseDiversion } from './diversion';
import { formatNameAddr, paramToken, rewriteValues } from './header-values';

export interface PrivacySettings {
  /** The Privacy directive, the master switch: without it the three below do nothing (PRV-1). */
  privacy: boolean;
  /** PrivacyWithPAI (PRV-2). */
  withPai: boolean;
  /** PrivacyWithRPID (PRV-3). */
  withRpid: boolean;
  /** PrivacyWithDiversion (PRV-4). */
  withDiversion: boolean;
}

export function privacySettings(cfg: Pick<SipdConfig, 'Privacy' | 'PrivacyWithPAI' | 'PrivacyWithRPID' | 'PrivacyWithDiversion'>): PrivacySettings {
  return { privacy: cfg.Privacy, withPai: cfg.PrivacyWithPAI, withRpid: cfg.PrivacyWithRPID, withDiversion: cfg.PrivacyWithDiversion };
}

export interface PrivacyHandling {
  /** Some header is handled; when false, every function below leaves messages untouched (CL-R1). */
  readonly active: boolean;
  /** R1-R3, to run after access control and authentication. Never rejects a request. */
  readonly policy: RequestPolicy;
  /** R4, R6, R7 on one forwarded copy of a request, given the trust of the hop it is sent to. */
  prepareOutgoing(msg: SipMessage, nextHopTrusted: boolean): void;
  /** R5 on a 3xx, given whether the sender of the 3xx is trusted and the Request-URI sipd received upstream. */
  checkRedirect(res: SipMessage, upstreamRequestUri: SipUri, senderTrusted: boolean): void;
}

const PAI = 'P-Asserted-Identity';
const RPID = 'Remote-Party-ID';
const RPID_KEYS: ReadonlySet<string> = new Set([headerKey(RPID)]);

/**
 * `assertedDomain` gives the host of the identity sipd asserts for an authenticated user from the domain the
 * user authenticated in: sipd's own domain when that is '' (no virtual hosts) or not one of sipd's (a From host
 * the caller chose). Without it the domain is taken as it is, and '' asserts nothing.
 */
export function createPrivacyHandling(settings: PrivacySettings, log?: Logger, assertedDomain: (domain: string) => string = (d) => d): PrivacyHandling {
  const pai = settings.privacy && settings.withPai;
  const rpid = settings.privacy && settings.withRpid;
  const diversion = settings.privacy && settings.withDiversion;
  const note = (msg: SipMessage, text: string) => log?.debug('Privacy', () => `${text} (Call-ID ${safeCallId(msg)})`);

  const inbound = (ctx: PolicyRequest): undefined => {
    const req = ctx.req;
    if (req.method !== 'INVITE') return undefined;
    if (ctx.trustedSource !== true) {
      const from = `from untrusted ${ctx.source.host}`;
      if (pai && req.has(PAI)) { req.remove(PAI); note(req, `removed ${PAI} ${from}`); }
      if (rpid && req.has(RPID)) { req.remove(RPID); note(req, `removed ${RPID} ${from}`); }
      if (diversion && rewriteValues(req, DIVERSION_KEYS, () => undefined) > 0) note(req, `removed Diversion ${from}`);
    }
    const id = ctx.identity;
    const host = id && assertedDomain(id.domain);
    if (id !== undefined && host && (pai || rpid)) {
      const asserted = formatNameAddr({ uri: { scheme: 'sip', user: id.user, host, params: new Map(), headers: new Map() }, params: new Map() });
      if (pai) req.set(PAI, asserted);
      if (rpid) req.set(RPID, asserted);
      note(req, `asserted ${asserted} for the authenticated user`);
    }
    if (fromIsAnonymous(req)) {
      if (pai && addPrivacyId(req)) note(req, 'From is Anonymous: added Privacy: id');
      if (rpid && rewriteValues(req, RPID_KEYS, withRpidPrivacyFull) > 0) note(req, `From is Anonymous: ${RPID} marked privacy=full`);
    }
    return undefined;
  };

  const prepareOutgoing = (msg: SipMessage, nextHopTrusted: boolean): void => {
    if (nextHopTrusted || msg.method !== 'INVITE') return;
    const anonymous = fromIsAnonymous(msg);
    const to = `toward untrusted ${msg.uri}`;
    if (pai && msg.has(PAI) && (anonymous || privacyValues(msg).includes('id'))) {
      msg.remove(PAI);
      note(msg, `removed ${PAI} ${to}`);
    }
    if (rpid && rewriteValues(msg, RPID_KEYS, (v) => (anonymous || rpidIsPrivate(v) ? undefined : v)) > 0) note(msg, `removed ${RPID} ${to}`);
    if (diversion && rewriteValues(msg, DIVERSION_KEYS, anonymiseIfPrivate) > 0) note(msg, `anonymised private Diversion ${to}`);
  };

  const checkRedirect = (res: SipMessage, upstreamRequestUri: SipUri, senderTrusted: boolean): void => {
    if (!diversion || senderTrusted || res.status < 300 || res.status > 399 || !isInviteResponse(res)) return;
    let top = true;
    const changed = rewriteValues(res, DIVERSION_KEYS, (v) => {
      if (!top) return v;
      top = false;
      return topDiversionMatching(v, upstreamRequestUri);
    });
    if (changed > 0) note(res, `${res.status} from an untrusted sender: topmost Diversion rewritten to ${formatUri(upstreamRequestUri)}`);
  };

  const active = pai || rpid || diversion;
  return { active, policy: active ? inbound : () => undefined, prepareOutgoing, checkRedirect };
}

/** R3: the From display name is "Anonymous", in any case. */
function fromIsAnonymous(msg: SipMessage): boolean {
  try {
    return msg.from.displayName?.trim().toLowerCase() === 'anonymous';
  } catch {
    return false; // a From sipd cannot read was refused by validation long before; nothing to decide here
  }
}

/** RFC 3323 priv-values of every Privacy header, lowercased. */
function privacyValues(msg: SipMessage): string[] {
  return msg.getAll('Privacy').flatMap((v) => v.split(/[;,]/)).map((v) => v.trim().toLowerCase()).filter((v) => v.length > 0);
}

/** Adds the `id` priv-value unless present; `none` contradicts it and goes. Returns whether it was added. */
function addPrivacyId(msg: SipMessage): boolean {
  const values = privacyValues(msg);
  if (values.includes('id')) return false;
  msg.set('Privacy', [...values.filter((v) => v !== 'none'), 'id'].join(';'));
  return true;
}

function withRpidPrivacyFull(value: string): string {
  try {
    const na = parseNameAddr(value);
    if (paramToken(na.params.get('privacy')) === 'full') return value;
    na.params.set('privacy', 'full');
    return formatNameAddr(na);
  } catch {
    return value; // unreadable: it cannot be marked, and R4 removes it toward untrusted hops anyway
  }
}

/** An RPID that cannot be read counts as private: better lost than leaked. */
function rpidIsPrivate(value: string): boolean {
  try {
    return paramToken(parseNameAddr(value).params.get('privacy')) === 'full';
  } catch {
    return true;
  }
}

/** R6; a Diversion that cannot be read is dropped rather than passed on with an identity in it. */
function anonymiseIfPrivate(value: string): string | undefined {
  try {
    const d = parseDiversion(value);
    return isPrivateDiversion(d) ? formatDiversion(anonymiseDiversion(d)) : value;
  } catch {
    return undefined;
  }
}

/** R5: the topmost Diversion names the upstream Request-URI, its parameters kept (or none, if unreadable). */
function topDiversionMatching(value: string, upstream: SipUri): string {
  try {
    const d = parseDiversion(value);
    return uriEquals(d.uri, upstream) ? value : formatDiversion({ uri: upstream, params: d.params });
  } catch {
    return formatDiversion({ uri: upstream, params: new Map() });
  }
}

function isInviteResponse(res: SipMessage): boolean {
  try {
    return res.cseq.method === 'INVITE';
  } catch {
    return false;
  }
}

function safeCallId(msg: SipMessage): string {
  return msg.get('call-id') ?? '-';
}
