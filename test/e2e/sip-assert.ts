// Small readers over SIPp message logs shared by the e2e tests.
import { headerValues, parseTrace, statusOf, type TracedMessage } from './harness';

/** The last response the peer received. */
export function lastResponse(log: string): TracedMessage {
  const responses = parseTrace(log).filter((m) => m.direction === 'received' && statusOf(m) !== null);
  const last = responses.at(-1);
  if (!last) throw new Error(`no response received:\n${log}`);
  return last;
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
