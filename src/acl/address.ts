/*
 * IP literals to numbers without allocating: an address is parsed once per request into a reusable
 * NumericAddress, then every rule is a masked integer compare. IPv4 is one uint32; IPv6 is four uint32 words,
 * most significant first. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports for
 * an IPv4 peer) also carries its IPv4 value so IPv4 rules match it.
 */

export class NumericAddress {
  /** 0 when the text was not an IP literal (a host name). */
  family: 0 | 4 | 6 = 0;
  /** Set for IPv4 and IPv4-mapped IPv6 addresses. */
  hasV4 = false;
  v4 = 0;
  readonly v6 = new Uint32Array(4);
  /** Scratch for the eight 16-bit groups while parsing IPv6. */
  private readonly groups = new Uint16Array(8);

  /** Parses host into this object; false (family 0) when it is not an IPv4 or IPv6 literal. */
  parse(host: string): boolean {
    this.family = 0;
    this.hasV4 = false;
    if (host.indexOf(':') >= 0) {
      if (!this.parseV6(host)) return false;
      this.family = 6;
      const w = this.v6;
      if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) {
        this.hasV4 = true;
        this.v4 = w[3];
      }
      return true;
    }
    const v4 = parseV4(host, 0, host.length);
    if (v4 < 0) return false;
    this.family = 4;
    this.hasV4 = true;
    this.v4 = v4;
    return true;
  }

  /** The address in the form reverse DNS wants: dotted IPv4 for IPv4 and IPv4-mapped addresses. */
  lookupForm(host: string): string {
    if (this.family === 6 && this.hasV4) return v4ToString(this.v4);
    return host;
  }

  private parseV6(s: string): boolean {
    const zone = s.indexOf('%');
    const end = zone >= 0 ? zone : s.length;
    const g = this.groups;
    let count = 0;
    let gapAt = -1;
    let i = 0;
    if (end >= 2 && s.charCodeAt(0) === COLON && s.charCodeAt(1) === COLON) {
      gapAt = 0;
      i = 2;
    }
    while (i < end) {
      const start = i;
      let value = 0;
      while (i < end && i - start < 5) {
        const d = hexDigit(s.charCodeAt(i));
        if (d < 0) break;
        value = value * 16 + d;
        i++;
      }
      if (i < end && s.charCodeAt(i) === DOT) {
        // Embedded IPv4 in the last 32 bits.
        const v4 = parseV4(s, start, end);
        if (v4 < 0 || count > 6) return false;
        g[count++] = v4 >>> 16;
        g[count++] = v4 & 0xffff;
        i = end;
        break;
      }
      if (i === start || i - start > 4 || count === 8) return false;
      g[count++] = value;
      if (i === end) break;
      if (s.charCodeAt(i) !== COLON) return false;
      i++;
      if (i < end && s.charCodeAt(i) === COLON) {
        if (gapAt >= 0) return false;
        gapAt = count;
        i++;
      } else if (i === end) {
        return false; // a single trailing colon
      }
    }
    if (gapAt < 0 ? count !== 8 : count > 7) return false;
    const w = this.v6;
    const zeros = 8 - count;
    for (let k = 0; k < 4; k++) {
      w[k] = ((groupAt(g, 2 * k, gapAt, zeros) << 16) | groupAt(g, 2 * k + 1, gapAt, zeros)) >>> 0;
    }
    return true;
  }
}

/** Group number `pos` of the expanded address, given the parsed groups and where "::" stood. */
function groupAt(g: Uint16Array, pos: number, gapAt: number, zeros: number): number {
  if (gapAt < 0 || pos < gapAt) return g[pos];
  if (pos < gapAt + zeros) return 0;
  return g[pos - zeros];
}

const DOT = 46;
const COLON = 58;

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Dotted quad in s[from, to) as an unsigned 32-bit value, or -1. No leading zeros beyond one digit. */
export function parseV4(s: string, from: number, to: number): number {
  let value = 0;
  let octets = 0;
  let i = from;
  while (octets < 4) {
    const start = i;
    let octet = 0;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
      if (i - start > 3) return -1;
    }
    if (i === start || octet > 255 || (i - start > 1 && s.charCodeAt(start) === 48)) return -1;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (i >= to || s.charCodeAt(i) !== DOT) return -1;
      i++;
    }
  }
  return i === to ? value : -1;
}

function v4ToString(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}
