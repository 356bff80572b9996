// Responses sipd generates itself (RFC 3261 §8.2.6): the request's Via, From, To, Call-ID and CSeq copied back.
import { randomToken } from './ids';
import { SipMessage } from './message';

const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily',
  305: 'Use Proxy', 380: 'Alternative Service', 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 410: 'Gone', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme', 420: 'Bad Extension',
  421: 'Extension Required', 423: 'Interval Too Brief', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops', 484: 'Address Incomplete',
  485: 'Ambiguous', 486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here', 491: 'Request Pending',
  500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Server Time-out', 505: 'Version Not Supported', 513: 'Message Too Large', 600: 'Busy Everywhere',
  603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Provisional' : status < 300 ? 'Success' : 'Error');
}

export function newTag(): string {
  return randomToken();
}

const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'record-route']);

/**
 * Builds a response to `req`. `toTag` is added to To when it has none and the status is above 100
 * (the same tag must be used for every response of one transaction, so the caller keeps it).
 */
export function createResponse(req: SipMessage, status: number, reason = reasonPhrase(status), toTag?: string): SipMessage {
  const res = new SipMessage();
  res.status = status;
  res.reason = reason;
  // Record-Route is copied only into 2xx/1xx of dialog-creating requests (§12.1.1); elsewhere it is dropped.
  const keepRR = status < 300 && status > 100;
  res.headers = req.headers.filter((h) => COPIED.has(h.key) && (h.key !== 'record-route' || keepRR));
  if (status > 100 && toTag !== undefined && req.get('to') !== undefined && !req.toTag) {
    const i = res.headers.findIndex((h) => h.key === 'to');
    const to = res.headers[i];
    res.headers[i] = { name: to.name, key: 'to', value: `${to.value};tag=${toTag}` };
  }
  return res;
}
