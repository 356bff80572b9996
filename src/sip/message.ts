// The SIP message model. Headers are kept as written; typed views are parsed on first use and cached.
import { SipParseError } from './errors';
import { canonicalName, headerKey, isListHeader, splitList } from './headers';
import { NameAddr, parseNameAddr } from './name-addr';
import { SipUri, parseUri } from './uri';
import { Via, parseVia } from './via';

export interface Header {
  /** Name as written (or canonical, for headers sipd adds). */
  readonly name: string;
  /** Lowercased long form used for lookups. */
  readonly key: string;
  readonly value: string;
  /** The original line, written back unchanged when the header was not touched. */
  readonly raw?: string;
}

export interface CSeq {
  seq: number;
  method: string;
}

const EMPTY = Buffer.alloc(0);

export class SipMessage {
  /** Request method; empty for responses. */
  method = '';
  /** Request-URI as written; empty for responses. */
  uri = '';
  /** Response status; 0 for requests. */
  status = 0;
  reason = '';
  headers: Header[] = [];
  body: Buffer = EMPTY;

  private viaCache?: Via[];
  private cseqCache?: CSeq;
  private fromCache?: NameAddr;
  private toCache?: NameAddr;
  private uriCache?: SipUri;

  get isRequest(): boolean {
    return this.status === 0;
  }

  /** CSeq method for responses, the request method for requests. */
  get transactionMethod(): string {
    return this.isRequest ? this.method : this.cseq.method;
  }

  /** First value of a header (the first list element for list headers). */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const h of this.headers) {
      if (h.key === key) return isListHeader(key) ? splitList(h.value)[0] : h.value;
    }
    return undefined;
  }

  /** Every value of a header, list headers split at their commas. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeader(key);
    const out: string[] = [];
    for (const h of this.headers) {
      if (h.key !== key) continue;
      if (list) for (const v of splitList(h.value)) out.push(v);
      else out.push(h.value);
    }
    return out;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.headers.some((h) => h.key === key);
  }

  /** Replaces every instance of a header with one value. */
  set(name: string, value: string): void {
    const key = headerKey(name);
    const at = this.headers.findIndex((h) => h.key === key);
    const header = { name: canonicalName(name), key, value };
    if (at < 0) this.headers.push(header);
    else {
      this.headers = this.headers.filter((h, i) => i === at || h.key !== key);
      this.headers[at] = header;
    }
    this.invalidate(key);
  }

  remove(name: string): void {
    const key = headerKey(name);
    this.headers = this.headers.filter((h) => h.key !== key);
    this.invalidate(key);
  }

  /** Adds a value above the existing ones (Via, Record-Route, Route), or at the top when there are none. */
  prepend(name: string, value: string): void {
    const key = headerKey(name);
    const at = this.headers.findIndex((h) => h.key === key);
    this.headers.splice(at < 0 ? 0 : at, 0, { name: canonicalName(name), key, value });
    this.invalidate(key);
  }

  /** Adds a value below the existing ones, or at the end. */
  append(name: string, value: string): void {
    const key = headerKey(name);
    let at = -1;
    for (let i = 0; i < this.headers.length; i++) if (this.headers[i].key === key) at = i;
    this.headers.splice(at < 0 ? this.headers.length : at + 1, 0, { name: canonicalName(name), key, value });
    this.invalidate(key);
  }

  /** Removes the first value of a list header (the top Via, the first Route). Returns it. */
  removeFirst(name: string): string | undefined {
    const key = headerKey(name);
    const at = this.headers.findIndex((h) => h.key === key);
    if (at < 0) return undefined;
    const h = this.headers[at];
    const values = splitList(h.value);
    if (values.length <= 1) this.headers.splice(at, 1);
    else this.headers[at] = { name: h.name, key, value: values.slice(1).join(', ') };
    this.invalidate(key);
    return values[0];
  }

  get vias(): Via[] {
    if (!this.viaCache) this.viaCache = this.getAll('via').map(parseVia);
    return this.viaCache;
  }

  get topVia(): Via {
    const v = this.vias[0];
    if (!v) throw new SipParseError('missing Via header');
    return v;
  }

  get callId(): string {
    const v = this.get('call-id');
    if (v === undefined) throw new SipParseError('missing Call-ID header');
    return v;
  }

  get cseq(): CSeq {
    if (!this.cseqCache) this.cseqCache = parseCSeq(this.get('cseq'));
    return this.cseqCache;
  }

  get from(): NameAddr {
    if (!this.fromCache) this.fromCache = parseRequired(this, 'from');
    return this.fromCache;
  }

  get to(): NameAddr {
    if (!this.toCache) this.toCache = parseRequired(this, 'to');
    return this.toCache;
  }

  /** The From tag; read from the header parameters alone, so a URI of a scheme sipd does not know is no obstacle. */
  get fromTag(): string | undefined {
    return tagOf(this.get('from'));
  }

  get toTag(): string | undefined {
    return tagOf(this.get('to'));
  }

  /** The Request-URI, parsed. */
  get requestUri(): SipUri {
    if (!this.uriCache) this.uriCache = parseUri(this.uri);
    return this.uriCache;
  }

  setRequestUri(uri: string): void {
    this.uri = uri;
    this.uriCache = undefined;
  }

  /** Max-Forwards value, or undefined when absent. */
  get maxForwards(): number | undefined {
    const v = this.get('max-forwards');
    if (v === undefined) return undefined;
    // 1*DIGIT (leading zeros allowed, RFC 3261 §20.22); values beyond 255 are malformed (RFC 4475 §3.1.2.4).
    if (!/^\d+$/.test(v.trim()) || Number(v) > 255) throw new SipParseError(`invalid Max-Forwards "${v}"`);
    return Number(v);
  }

  /** Parsed values of a name-addr list header (Contact, Route, Record-Route, Path). `*` is not accepted here. */
  nameAddrs(name: string): NameAddr[] {
    return this.getAll(name).map(parseNameAddr);
  }

  /** A copy whose headers can be changed without touching this message. */
  clone(): SipMessage {
    const m = new SipMessage();
    m.method = this.method;
    m.uri = this.uri;
    m.status = this.status;
    m.reason = this.reason;
    m.headers = this.headers.slice();
    m.body = this.body;
    m.viaCache = this.viaCache;
    m.cseqCache = this.cseqCache;
    m.fromCache = this.fromCache;
    m.toCache = this.toCache;
    m.uriCache = this.uriCache;
    return m;
  }

  /** Approximately the size of toBuffer() (characters, not UTF-8 bytes), without serializing. */
  byteLengthEstimate(): number {
    let n = this.method.length + this.uri.length + 14 + this.body.length;
    for (const h of this.headers) n += (h.raw?.length ?? h.name.length + h.value.length + 2) + 2;
    return n;
  }

  startLine(): string {
    return this.isRequest ? `${this.method} ${this.uri} SIP/2.0` : `SIP/2.0 ${this.status} ${this.reason}`;
  }

  /** Wire form. Content-Length always states the body's real length. */
  toBuffer(): Buffer {
    let head = this.startLine() + '\r\n';
    let sawLength = false;
    for (const h of this.headers) {
      if (h.key === 'content-length') {
        if (sawLength) continue;
        sawLength = true;
        head += `${h.name}: ${this.body.length}\r\n`;
      } else head += (h.raw ?? `${h.name}: ${h.value}`) + '\r\n';
    }
    if (!sawLength) head += `Content-Length: ${this.body.length}\r\n`;
    head += '\r\n';
    if (this.body.length === 0) return Buffer.from(head, 'utf8');
    return Buffer.concat([Buffer.from(head, 'utf8'), this.body]);
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }

  private invalidate(key: string): void {
    if (key === 'via') this.viaCache = undefined;
    else if (key === 'cseq') this.cseqCache = undefined;
    else if (key === 'from') this.fromCache = undefined;
    else if (key === 'to') this.toCache = undefined;
  }
}

/** The tag parameter of a From/To value: the header parameters follow the `>` of a name-addr, or the first `;`. */
function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const gt = value.lastIndexOf('>');
  const params = gt >= 0 ? value.slice(gt + 1) : value.slice(Math.max(0, value.indexOf(';')));
  const m = /;\s*tag\s*=\s*([^;\s]+)/i.exec(params);
  return m ? m[1] : undefined;
}

function parseRequired(m: SipMessage, key: string): NameAddr {
  const v = m.get(key);
  if (v === undefined) throw new SipParseError(`missing ${canonicalName(key)} header`);
  return parseNameAddr(v);
}

export function parseCSeq(v: string | undefined): CSeq {
  if (v === undefined) throw new SipParseError('missing CSeq header');
  const m = /^\s*(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)\s*$/.exec(v);
  if (!m) throw new SipParseError(`malformed CSeq "${v}"`);
  const seq = Number(m[1]);
  if (seq > 0x7fffffff) throw new SipParseError(`CSeq number ${seq} is out of range`);
  return { seq, method: m[2] };
}
