// Digest response computation: RFC 2617 §3.2.2 (MD5, MD5-sess, qop auth/auth-int, and the RFC 2069 form without
// qop) and RFC 7616 §3.4 / RFC 8760 (SHA-256, SHA-256-sess).
import { hash as oneShotHash, timingSafeEqual } from 'node:crypto';
import { ha1 } from '../subscribers/ha1';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

const ALGORITHMS: Record<string, DigestAlgorithm> = {
  md5: 'MD5', 'md5-sess': 'MD5-sess', 'sha-256': 'SHA-256', 'sha-256-sess': 'SHA-256-sess',
};

/** The algorithm named in credentials (case-insensitive); absent means MD5; undefined for one sipd cannot compute. */
export function parseAlgorithm(text: string | undefined): DigestAlgorithm | undefined {
  return text === undefined ? 'MD5' : ALGORITHMS[text.toLowerCase()];
}

export function isSha256(algorithm: DigestAlgorithm): boolean {
  return algorithm === 'SHA-256' || algorithm === 'SHA-256-sess';
}

export function isSession(algorithm: DigestAlgorithm): boolean {
  return algorithm === 'MD5-sess' || algorithm === 'SHA-256-sess';
}

/** One-shot hashing (crypto.hash): a fraction of the cost of a Hash object for these short inputs. */
function hash(algorithm: DigestAlgorithm, data: string | Buffer): string {
  return oneShotHash(isSha256(algorithm) ? 'sha256' : 'md5', data, 'hex');
}

/** H(username:realm:password): the HA1 a store keeps, the same for the -sess variant of the algorithm. */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return ha1(isSha256(algorithm) ? 'SHA-256' : 'MD5', username, realm, password);
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  /** H(username:realm:password), lowercase hex, for the algorithm's hash function. */
  ha1: string;
  nonce: string;
  method: string;
  uri: string;
  /** 'auth' or 'auth-int'; absent for the RFC 2069 form. */
  qop?: string;
  /** The 8 hex digits as the client wrote them; with qop. */
  nc?: string;
  /** With qop, and with a -sess algorithm. */
  cnonce?: string;
  /** The message body, for auth-int. */
  body?: Buffer;
}

/** The request-digest the client should have sent, lowercase hex. */
export function digestResponse(d: DigestInput): string {
  const ha1 = isSession(d.algorithm) ? hash(d.algorithm, `${d.ha1}:${d.nonce}:${d.cnonce ?? ''}`) : d.ha1;
  const a2 = d.qop === 'auth-int'
    ? `${d.method}:${d.uri}:${hash(d.algorithm, d.body ?? Buffer.alloc(0))}`
    : `${d.method}:${d.uri}`;
  const ha2 = hash(d.algorithm, a2);
  const kd = d.qop === undefined
    ? `${ha1}:${d.nonce}:${ha2}`
    : `${ha1}:${d.nonce}:${d.nc ?? ''}:${d.cnonce ?? ''}:${d.qop}:${ha2}`;
  return hash(d.algorithm, kd);
}

/** Compares two hex digests without leaking, through timing, how many leading characters match. */
export function digestsEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'latin1');
  const b = Buffer.from(given.toLowerCase(), 'latin1');
  // The length of a digest is public (it follows from the algorithm); only the content needs constant time.
  return a.length === b.length && timingSafeEqual(a, b);
}
