// Messages of one call for dialog-table and phone-policy tests: an INVITE as sipd receives it, and the
// responses and in-dialog requests that follow it, all parsed from text as they would arrive.
import { SipMessage, createResponse, parseMessage } from '../sip';

export interface CallOptions {
  /** Request-URI user (the called line). */
  to?: string;
  /** From user (the calling line). */
  from?: string;
  callId?: string;
  fromTag?: string;
  /** Set for a request inside a dialog (re-INVITE). */
  toTag?: string;
  cseq?: number;
  method?: string;
  contentType?: string;
  body?: string;
  extra?: string[];
}

const DOMAIN = 'example.com';

export function request(o: CallOptions = {}): SipMessage {
  const method = o.method ?? 'INVITE';
  const to = o.to ?? '1001';
  const body = o.body ?? '';
  const lines = [
    `${method} sip:${to}@${DOMAIN} SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-call',
    'Max-Forwards: 70',
    `From: <sip:${o.from ?? '1000'}@${DOMAIN}>;tag=${o.fromTag ?? 'caller'}`,
    `To: <sip:${to}@${DOMAIN}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `Call-ID: ${o.callId ?? 'call-1@192.0.2.10'}`,
    `CSeq: ${o.cseq ?? 1} ${method}`,
    'Contact: <sip:caller@192.0.2.10:5060>',
    ...(body ? [`Content-Type: ${o.contentType ?? 'application/sdp'}`] : []),
    ...(o.extra ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  return parseMessage(Buffer.from(lines.join('\r\n')));
}

/** The callee's response; `toTag` is added when the request has no To tag yet. */
export function answer(req: SipMessage, status: number, toTag?: string): SipMessage {
  return createResponse(req, status, undefined, toTag);
}

/**
 * A BYE in the dialog that `invite` created with the callee leg `calleeTag`: from the caller (same From/To as
 * the INVITE), or from the callee (From and To swapped, its own CSeq space).
 */
export function bye(invite: SipMessage, calleeTag: string, by: 'caller' | 'callee' = 'caller'): SipMessage {
  const callerTag = invite.fromTag ?? '';
  const caller = invite.from.uri.user ?? '';
  const callee = invite.requestUri.user ?? '';
  if (by === 'caller') return request({ method: 'BYE', to: callee, from: caller, callId: invite.callId, fromTag: callerTag, toTag: calleeTag, cseq: invite.cseq.seq + 1 });
  return request({ method: 'BYE', to: caller, from: callee, callId: invite.callId, fromTag: calleeTag, toTag: callerTag, cseq: 7001 });
}
