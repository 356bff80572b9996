// Small readers over SIPp message logs shared by the e2e tests.
import { headerValues, parseTrace, statusOf, type TracedMessage } from './harness';

/** The last response the peer received. */
export function lastResponse(log: string): TracedMessage {
  const responses = parseTrace(log).filter((m) => m.direction === 'received' && statusOf(m) !== null);
  const last = responses.at(-1);
  if (!last) throw new Error(`no response received:\n${log}`);
  return last;
}

/** The response with this status to the request with this CSeq method that the peer received. */
export function responseTo(log: string, method: string, status: number): TracedMessage | undefined {
  return parseTrace(log).find(
    (m) => m.direction === 'received' && statusOf(m) === status && headerValues(m, 'cseq').some((c) => c.endsWith(` ${method}`)),
  );
}

/** Final status codes (>= 200) the peer received for requests with this CSeq method, in order. */
export function finalStatuses(log: string, method: string): number[] {
  return parseTrace(log)
    .filter((m) => m.direction === 'received' && headerValues(m, 'cseq').some((c) => c.endsWith(` ${method}`)))
    .map(statusOf)
    .filter((s): s is number => s !== null && s >= 200);
}

/** Contact entries of a message, one per binding (comma-separated lists are split). */
export function contactsOf(msg: TracedMessage): string[] {
  return headerValues(msg, 'contact').flatMap((v) => v.split(/,\s*(?=<|sip:)/));
}

/** The expiry a registrar reports for one contact: its expires parameter, else the Expires header. */
export function expiresOf(msg: TracedMessage, contact: string): number | null {
  const param = /;\s*expires=(\d+)/i.exec(contact);
  if (param) return Number(param[1]);
  const header = headerValues(msg, 'expires')[0];
  return header === undefined ? null : Number(header);
}

export function topVia(msg: TracedMessage): string {
  const via = headerValues(msg, 'via')[0];
  if (via === undefined) throw new Error(`no Via in:\n${msg.text}`);
  return via;
}

export function branchOf(via: string): string | null {
  return /;\s*branch=([^;\s]+)/i.exec(via)?.[1] ?? null;
}
