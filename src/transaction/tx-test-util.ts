// Shared helpers for the transaction-layer unit tests: an in-memory wire and message builders.
import { SipMessage, parseMessage } from '../sip';
import { Destination, Sender } from './types';
import { TimerConfig } from './timers';

export interface Sent {
  msg: SipMessage;
  dest: Destination;
  onError?: (err: Error) => void;
}

/** Records every send; `failNext` makes the next send report a transport error synchronously. */
export class Wire implements Sender {
  sent: Sent[] = [];
  failWith?: Error;

  send(data: Buffer, dest: Destination, onError?: (err: Error) => void): void {
    this.sent.push({ msg: parseMessage(data), dest, onError });
    if (this.failWith && onError) onError(this.failWith);
  }

  /** Messages sent since the last take(), and forget them. */
  take(): Sent[] {
    const out = this.sent;
    this.sent = [];
    return out;
  }

  startLines(): string[] {
    return this.sent.map((s) => s.msg.startLine());
  }
}

export const T: TimerConfig = { t1: 500, t2: 4000, t4: 5000, timerD: 32000, t3: 60000, maxT3: 180000, maxInviteRetx: 6, maxNonInviteRetx: 10 };

export const UDP: Destination = { transport: 'udp', host: '192.0.2.20', port: 5060 };
export const TCP: Destination = { transport: 'tcp', host: '192.0.2.20', port: 5060 };

export function parse(lines: string[], body = ''): SipMessage {
  return parseMessage(Buffer.from(lines.join('\r\n') + '\r\n' + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` + body));
}

export interface ReqOpts {
  method?: string;
  branch?: string;
  sentBy?: string;
  cseq?: number;
  callId?: string;
  fromTag?: string;
  uri?: string;
  toTag?: string;
  extra?: string[];
}

/** A request as the caller (192.0.2.1) writes it. */
export function request(o: ReqOpts = {}): SipMessage {
  const method = o.method ?? 'INVITE';
  const via = `Via: SIP/2.0/UDP ${o.sentBy ?? '192.0.2.1:5060'}${o.branch === '' ? '' : `;branch=${o.branch ?? 'z9hG4bK-a1'}`}`;
  return parse([
    `${method} ${o.uri ?? 'sip:bob@192.0.2.20'} SIP/2.0`,
    via,
    'Max-Forwards: 70',
    `From: <sip:alice@example.com>;tag=${o.fromTag ?? 'ft1'}`,
    `To: <sip:bob@example.com>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `Call-ID: ${o.callId ?? 'call-1@192.0.2.1'}`,
    `CSeq: ${o.cseq ?? 1} ${method === 'ACK' ? 'ACK' : method}`,
    ...(o.extra ?? []),
  ]);
}

/** A response to `req` as the UAS at 192.0.2.20 writes it. */
export function response(req: SipMessage, status: number, toTag = 'uas-tag', method = req.method): SipMessage {
  const lines = [`SIP/2.0 ${status} Reason`];
  for (const v of req.getAll('via')) lines.push(`Via: ${v}`);
  lines.push(`From: ${req.get('from')}`);
  lines.push(`To: ${req.get('to')}${status > 100 && !req.toTag ? `;tag=${toTag}` : ''}`);
  lines.push(`Call-ID: ${req.callId}`);
  lines.push(`CSeq: ${req.cseq.seq} ${method}`);
  return parse(lines);
}
