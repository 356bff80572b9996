// HA1 = H(username ":" realm ":" password) of HTTP digest (RFC 2617 §3.2.2.2, RFC 7616 §3.4.2), lowercase hex.
// crypto.hash (Node 20.12+) is the one-shot form: a quarter of the cost of createHash for short inputs,
// which is most of the time of a bulk import.
import { hash } from 'node:crypto';

export type Ha1Algorithm = 'MD5' | 'SHA-256';

export function ha1(algorithm: Ha1Algorithm, user: string, realm: string, password: string): string {
  return hash(algorithm === 'MD5' ? 'md5' : 'sha256', `${user}:${realm}:${password}`, 'hex');
}

/** Both hashes a subscriber's credentials keep, so either algorithm can be offered in challenges. */
export function ha1Pair(user: string, realm: string, password: string): { md5: string; sha256: string } {
  return { md5: ha1('MD5', user, realm, password), sha256: ha1('SHA-256', user, realm, password) };
}
