// Bytes to SipMessage. Validates what the proxy relies on; everything else stays as written until asked for.
import { SipParseError } from './errors';
import { canonicalName, headerKey } from './headers';
import { Header, SipMessage } from './message';

export interface ParseLimits {
  /** Whole message: 513 Message Too Large beyond it. */
  maxMessageSize: number;
  /** Body: 413 Request Entity Too Large beyond it. */
  maxBodySize: number;
  /** Request-URI: 414 Request-URI Too Long beyond it. */
  maxUriLength: number;
  /** Header lines: 400 beyond it. */
  maxHeaders: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxMessageSize: 65535, maxBodySize: 65535, maxUriLength: 4096, maxHeaders: 256 };

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const SCHEMES = /^(sips?|tel):/i;

/**
 * Parses one complete message (a datagram or a framed stream message).
 * Throws SipParseError; its `partial` is set once the start line and headers were read.
 */
export function parseMessage(buf: Buffer, limits: ParseLimits = DEFAULT_LIMITS): SipMessage {
  let start = 0;
  while (start + 1 < buf.length && buf[start] === 13 && buf[start + 1] === 10) start += 2;
  // The head ends at the first empty line, whichever line ending (CRLF or bare LF) was used around it.
  let headEnd = -1;
  let bodyStart = -1;
  for (let p = buf.indexOf(10, start); p >= 0; p = buf.indexOf(10, p + 1)) {
    if (buf[p + 1] === 10) bodyStart = p + 2;
    else if (buf[p + 1] === 13 && buf[p + 2] === 10) bodyStart = p + 3;
    else continue;
    headEnd = p > start && buf[p - 1] === 13 ? p - 1 : p;
    break;
  }
  if (headEnd < 0) {
    // A message without a blank line: accept it only if it ends with a single line break (no body).
    if (buf.length > start && buf[buf.length - 1] === 10) headEnd = bodyStart = buf.length;
    else throw new SipParseError('message has no end of headers');
  }
  const lines = unfold(buf.toString('utf8', start, headEnd).split(/\r?\n/));
  const msg = new SipMessage();
  const deferred = parseStartLine(lines[0], msg, limits);
  // Well-formed lines are kept even when another one is not, so that the 400 can still be answered.
  const headers: Header[] = [];
  let bad: SipParseError | undefined;
  for (let i = 1; i < lines.length && i <= limits.maxHeaders; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
    if (colon <= 0) bad ??= new SipParseError(`malformed header line "${clip(line)}"`, 400, msg);
    else if (!TOKEN.test(name)) bad ??= new SipParseError(`invalid header name "${clip(name)}"`, 400, msg);
    else headers.push({ name, key: headerKey(name), value: line.slice(colon + 1).trim(), raw: line });
  }
  msg.headers = headers;
  if (lines.length - 1 > limits.maxHeaders) throw new SipParseError(`more than ${limits.maxHeaders} headers`, 400, msg);
  if (bad) throw bad;

  const available = Math.max(0, buf.length - bodyStart);
  const lengths = msg.getAll('content-length');
  const lengthValue = lengths[0];
  if (lengths.some((v) => v !== lengthValue)) throw new SipParseError(`conflicting Content-Length values ${lengths.join(', ')}`, 400, msg);
  let bodyLength = available;
  if (lengthValue !== undefined) {
    if (!/^\s*\d+\s*$/.test(lengthValue)) throw new SipParseError(`invalid Content-Length "${lengthValue}"`, 400, msg);
    bodyLength = Number(lengthValue);
    if (bodyLength > available) throw new SipParseError(`Content-Length ${bodyLength} is larger than the ${available} body bytes received`, 400, msg);
  }
  if (bodyLength > limits.maxBodySize) throw new SipParseError(`body of ${bodyLength} bytes exceeds the limit of ${limits.maxBodySize}`, 413, msg);
  if (bodyLength > 0) msg.body = buf.subarray(bodyStart, bodyStart + bodyLength);
  if (buf.length > limits.maxMessageSize) throw new SipParseError(`message of ${buf.length} bytes exceeds the limit of ${limits.maxMessageSize}`, 513, msg);
  if (deferred) throw deferred;
  validate(msg);
  return msg;
}

/** Fills the start line in; returns an error that can only be answered once the headers are read. */
function parseStartLine(line: string, msg: SipMessage, limits: ParseLimits): SipParseError | undefined {
  if (line.startsWith('SIP/')) {
    const m = /^SIP\/(\d+\.\d+) (\d{3})(?: (.*))?$/.exec(line);
    if (!m) throw new SipParseError(`malformed status line "${clip(line)}"`);
    if (m[1] !== '2.0') throw new SipParseError(`unsupported SIP version ${m[1]}`, 505);
    msg.status = Number(m[2]);
    if (msg.status < 100 || msg.status > 699) throw new SipParseError(`invalid status code ${m[2]}`);
    msg.reason = m[3] ?? '';
    return undefined;
  }
  const parts = line.split(' ');
  if (parts.length !== 3 || !TOKEN.test(parts[0]) || parts[1].length === 0) {
    // Extra spaces (inside the Request-URI, doubled, trailing) still leave method and version readable:
    // answer 400 once the headers are read (RFC 4475 §3.1.2.8-10).
    const words = line.split(' ').filter((w) => w.length > 0);
    if (words.length >= 3 && TOKEN.test(words[0]) && /^SIP\/2\.0$/i.test(words[words.length - 1])) {
      msg.method = words[0];
      msg.uri = words.slice(1, -1).join(' ');
      return new SipParseError(`malformed request line "${clip(line)}"`, 400, msg);
    }
    throw new SipParseError(`malformed request line "${clip(line)}"`);
  }
  msg.method = parts[0];
  msg.uri = parts[1];
  const version = parts[2];
  if (!/^SIP\/\d+\.\d+$/i.test(version)) throw new SipParseError(`malformed SIP version "${clip(version)}"`);
  if (version.toUpperCase() !== 'SIP/2.0') return new SipParseError(`unsupported SIP version ${version}`, 505, msg);
  if (msg.uri.length > limits.maxUriLength) return new SipParseError(`Request-URI longer than ${limits.maxUriLength} characters`, 414, msg);
  if (!SCHEMES.test(msg.uri)) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(msg.uri);
    return scheme ? new SipParseError(`unsupported URI scheme "${scheme[1]}"`, 416, msg) : new SipParseError(`malformed Request-URI "${clip(msg.uri)}"`, 400, msg);
  }
  return undefined;
}

// Headers that may appear only once (RFC 4475 §3.3.8).
const SINGLE = ['from', 'to', 'call-id', 'cseq', 'max-forwards'];

function validate(msg: SipMessage): void {
  try {
    if (msg.vias.length === 0) throw new SipParseError('missing Via header');
    if (msg.get('from') === undefined) throw new SipParseError('missing From header');
    if (msg.get('to') === undefined) throw new SipParseError('missing To header');
    for (const key of SINGLE) {
      if (msg.headers.filter((h) => h.key === key).length > 1) throw new SipParseError(`more than one ${canonicalName(key)} header`);
    }
    // Malformed From/To are 400; URIs of unknown schemes are allowed there (RFC 4475 §3.3.4), only the Request-URI gets 416.
    for (const read of [() => msg.from, () => msg.to]) {
      try {
        read();
      } catch (e) {
        if (!(e instanceof SipParseError) || e.status !== 416) throw e;
      }
    }
    if (msg.callId.length === 0) throw new SipParseError('empty Call-ID header');
    const cseq = msg.cseq;
    if (msg.isRequest) {
      if (cseq.method !== msg.method) throw new SipParseError(`CSeq method ${cseq.method} does not match request method ${msg.method}`);
      msg.maxForwards;
      msg.requestUri;
    }
  } catch (e) {
    if (e instanceof SipParseError) e.partial = msg;
    throw e;
  }
}

/** Joins continuation lines (leading space or tab) onto the line above (RFC 3261 §7.3.1). */
function unfold(lines: string[]): string[] {
  let out: string[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i].charCodeAt(0);
    if ((c === 32 || c === 9) && i > 1) {
      out ??= lines.slice(0, i);
      out[out.length - 1] += ' ' + lines[i].trim();
    } else if (out) out.push(lines[i]);
  }
  return (out ?? lines).filter((l, i) => i === 0 || l.length > 0);
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
