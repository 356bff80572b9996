// RFC 3261 §18.3 stream framing: the header block ends at the first CRLFCRLF and
// Content-Length (mandatory on streams) gives the body length. CRLFs between
// messages are skipped; a CRLFCRLF there is an RFC 5626 §3.5.1 keep-alive ping.

export interface FrameSink {
  frameMessage(data: Buffer): void;
  framePing(): void;
  frameError(reason: string, partial: Buffer): void;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('content-length');

export const MISSING = -1;
export const INVALID = -2;
const MAX_DIGITS = 9;

export class StreamFramer {
  private parts: Buffer[] = [];
  private buffered = 0;
  /** Total length of the message being assembled once its headers are parsed; 0 while unknown. */
  private needed = 0;
  /** Bytes of the current message already searched for CRLFCRLF. */
  private scanned = 0;
  private stopped = false;

  constructor(private readonly maxMessageSize: number, private readonly sink: FrameSink) {}

  /** Stops all further delivery, e.g. once the connection is closed. */
  stop(): void {
    this.stopped = true;
    this.parts = [];
    this.buffered = 0;
  }

  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    this.parts.push(chunk);
    this.buffered += chunk.length;
    if (this.needed > 0 && this.buffered < this.needed) return;
    const buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.buffered);
    this.parts = [];
    this.buffered = 0;
    this.parse(buf);
  }

  private parse(buf: Buffer): void {
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      if (this.needed === 0) {
        if (this.scanned === 0) {
          pos = this.skipKeepAlives(buf, pos);
          if (this.stopped) return;
          if (pos < 0) return; // waiting for the rest of a possible ping
          if (pos === len) return;
        }
        if (!this.readHeaders(buf, pos)) return;
      }
      if (len - pos < this.needed) {
        this.keep(buf, pos);
        return;
      }
      const end = pos + this.needed;
      this.needed = 0;
      this.sink.frameMessage(buf.subarray(pos, end));
      if (this.stopped) return;
      pos = end;
    }
  }

  /** Returns the position of the next message start, or -1 after keeping a partial ping. */
  private skipKeepAlives(buf: Buffer, pos: number): number {
    const len = buf.length;
    while (pos < len && buf[pos] === CR) {
      const rest = len - pos;
      if (rest < 4 && isPingPrefix(buf, pos)) {
        this.keep(buf, pos);
        return -1;
      }
      if (rest >= 4 && isPingPrefix(buf, pos)) {
        pos += 4;
        this.sink.framePing();
        if (this.stopped) return len;
      } else if (buf[pos + 1] === LF) {
        pos += 2;
      } else {
        break;
      }
    }
    return pos;
  }

  /** Parses the header block at pos into this.needed; false when it must wait or failed. */
  private readHeaders(buf: Buffer, pos: number): boolean {
    const from = pos + Math.max(0, this.scanned - 3);
    const headerEnd = buf.indexOf(CRLFCRLF, from);
    if (headerEnd < 0) {
      const have = buf.length - pos;
      if (have > this.maxMessageSize) {
        this.fail(`header block exceeds ${this.maxMessageSize} bytes without CRLFCRLF`, buf.subarray(pos));
        return false;
      }
      this.scanned = have;
      this.keep(buf, pos);
      return false;
    }
    this.scanned = 0;
    const bodyLength = parseContentLength(buf, pos, headerEnd);
    if (bodyLength === MISSING) {
      this.fail('missing Content-Length on a stream transport', buf.subarray(pos));
      return false;
    }
    if (bodyLength === INVALID) {
      this.fail('invalid Content-Length', buf.subarray(pos));
      return false;
    }
    const total = headerEnd + 4 - pos + bodyLength;
    if (total > this.maxMessageSize) {
      this.fail(`message of ${total} bytes exceeds ${this.maxMessageSize}`, buf.subarray(pos));
      return false;
    }
    this.needed = total;
    return true;
  }

  private keep(buf: Buffer, pos: number): void {
    this.parts = [pos === 0 ? buf : buf.subarray(pos)];
    this.buffered = buf.length - pos;
  }

  private fail(reason: string, partial: Buffer): void {
    this.stop();
    this.sink.frameError(reason, partial);
  }
}

/** True when the bytes from pos up to min(pos+4, end) match the start of CRLFCRLF. */
function isPingPrefix(buf: Buffer, pos: number): boolean {
  const end = Math.min(pos + 4, buf.length);
  for (let i = pos; i < end; i++) {
    if (buf[i] !== ((i - pos) % 2 === 0 ? CR : LF)) return false;
  }
  return true;
}

/**
 * Body length from the Content-Length / compact "l" header lines between the start line
 * and headerEnd (the index of CRLFCRLF): MISSING, INVALID, or the length.
 * Repeated headers must agree.
 */
export function parseContentLength(buf: Buffer, start: number, headerEnd: number): number {
  let found = MISSING;
  let line = buf.indexOf(CRLF, start) + 2;
  while (line < headerEnd) {
    let lineEnd = buf.indexOf(CRLF, line);
    if (lineEnd < 0 || lineEnd > headerEnd) lineEnd = headerEnd;
    const valueStart = matchLengthName(buf, line, lineEnd);
    if (valueStart >= 0) {
      const value = parseDigits(buf, valueStart, lineEnd);
      if (value < 0 || (found >= 0 && found !== value)) return INVALID;
      found = value;
    }
    line = lineEnd + 2;
  }
  return found;
}

/** Index just after the ':' when the line is a Content-Length or "l" header, else -1. */
function matchLengthName(buf: Buffer, pos: number, end: number): number {
  let i = pos;
  if (lower(buf[i]) === 0x6c /* l */ && (isBlank(buf[i + 1]) || buf[i + 1] === COLON)) {
    i += 1;
  } else {
    if (end - pos < CONTENT_LENGTH.length) return -1;
    for (let k = 0; k < CONTENT_LENGTH.length; k++) {
      if (lower(buf[i + k]) !== CONTENT_LENGTH[k]) return -1;
    }
    i += CONTENT_LENGTH.length;
  }
  while (i < end && isBlank(buf[i])) i++;
  return i < end && buf[i] === COLON ? i + 1 : -1;
}

function parseDigits(buf: Buffer, pos: number, end: number): number {
  let i = pos;
  while (i < end && isBlank(buf[i])) i++;
  const digitsStart = i;
  let value = 0;
  while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) {
    value = value * 10 + (buf[i] - 0x30);
    i++;
  }
  const digits = i - digitsStart;
  while (i < end && isBlank(buf[i])) i++;
  return digits === 0 || digits > MAX_DIGITS || i !== end ? INVALID : value;
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

function isBlank(b: number): boolean {
  return b === SP || b === HTAB;
}
